"""Simulated phones whose model the fleet does not give boot against the real service: each phone knows its
model and says it as the device does (its User-Agent), and gets the config of that model; status 1 before,
3 after. The service renders with the model the phone reports, never a default one.
"""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.autoprovisioned_export import (
    plan_learned_models,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from phonefleet_simulator.__main__ import credentials_for
from phonefleet_simulator.boot import SimulatedPhone

from tests.support.modelless import MODELLESS, MODELS, add_modelless_phones, modelless_phone
from tests.support.service import published_site, republish, running_service

from .conftest import bundle_of, serve_unify_without_proof


def test_phones_without_a_model_get_the_config_of_the_model_they_report(make_fleet, tmp_path):
    published_site(tmp_path, add_modelless_phones)
    auth = bundle_of(tmp_path).phone_auth
    with running_service(tmp_path) as service:
        before = service.phones()
        assert {mac: before[mac]["status"] for mac in MODELLESS} == dict.fromkeys(MODELLESS, 1)
        phones = [
            SimulatedPhone(mac, vendor, MODELS[mac], credentials=credentials_for(auth, vendor))
            for mac, (vendor, _number) in MODELLESS.items()
        ]
        numbers = {mac: number for mac, (_vendor, number) in MODELLESS.items()}
        fleet = make_fleet(phones, site=tmp_path, base_url=f"http://127.0.0.1:{service.port}", numbers=numbers)
        after = service.phones()
        for mac, (vendor, number) in MODELLESS.items():
            device = fleet.phone(mac).device
            assert device.config_version, (vendor, device.mac)
            assert device.accounts[0]["user"] == number  # the phone read its line from the files it was given
            row = after[mac]
            assert (row["status"], row["learned_model"]) == (3, MODELS[mac]), row


# A Cisco MAC names no vendor (Cisco enterprise and MPP share the OUIs); a Unify one does, and speaks WPI
SHARED_MPP, WPI_UNIFY = "00562b998831", "001ae8998832"
LEARNED = {SHARED_MPP: ("cisco_mpp", "CP-6841-3PCC", "2231"), WPI_UNIFY: ("unify", "CP210", "2232")}


def add_shared_and_wpi_phones(fleet) -> None:
    serve_unify_without_proof(fleet)  # WPI default mode proves nothing: the fleet must choose it
    phones = fleet / "phones.yml"
    text = phones.read_text()
    for mac, (vendor, _model, number) in LEARNED.items():
        text += modelless_phone(mac, f"Learns {vendor}", number)
    # its file goes to whoever asks (WPI): an admin password of its own, as publish asks of such phones
    phones.write_text(text + "    admin_password: own-admin-wpi\n")


def test_an_mpp_of_a_shared_prefix_and_a_unify_over_wpi_learn_what_they_are(make_fleet, tmp_path):
    published_site(tmp_path, add_shared_and_wpi_phones)
    auth = bundle_of(tmp_path).phone_auth
    with running_service(tmp_path) as service:
        before = service.phones()
        assert {mac: (before[mac]["status"], before[mac]["vendor"]) for mac in LEARNED} == {
            SHARED_MPP: (1, None),  # no vendor yet: the prefix is Cisco's and Cisco MPP's
            WPI_UNIFY: (1, "unify"),
        }
        phones = [
            SimulatedPhone(mac, vendor, model, credentials=credentials_for(auth, vendor))
            for mac, (vendor, model, _number) in LEARNED.items()
        ]
        numbers = {mac: number for mac, (_vendor, _model, number) in LEARNED.items()}
        fleet = make_fleet(phones, site=tmp_path, base_url=f"http://127.0.0.1:{service.port}", numbers=numbers)
        assert fleet.phone(WPI_UNIFY).device.wpi_items[("e164", None)] == "2232"  # written over WPI
        after = service.phones()
        for mac, (vendor, model, number) in LEARNED.items():
            assert fleet.phone(mac).device.primary_number == number, vendor
            row = after[mac]
            assert (row["status"], row["vendor"], row["learned_model"]) == (3, vendor, model), row
        assert after[SHARED_MPP]["learned_vendor"] == "cisco_mpp"
        assert after[WPI_UNIFY]["learned_vendor"] is None  # the fleet's vendor, nothing learned
    write_all(plan_learned_models(after, str(tmp_path / "fleet")).texts)
    written = load_fleet(str(tmp_path / "fleet"))
    for mac, (vendor, model, _number) in LEARNED.items():
        phone = written.phone(mac)
        assert phone is not None and (phone.vendor, phone.model) == (vendor, model)
    assert not republish(tmp_path).awaiting_model
