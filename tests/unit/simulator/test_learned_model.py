"""Simulated phones whose model the fleet does not give boot against the real service: each phone knows its
model and says it as the device does (its User-Agent), and gets the config of that model; status 1 before,
3 after. The service renders with the model the phone reports, never a default one.
"""

from __future__ import annotations

from phonefleet_simulator.__main__ import credentials_for
from phonefleet_simulator.boot import SimulatedPhone

from tests.support.modelless import MODELLESS, MODELS, add_modelless_phones
from tests.support.service import published_site, running_service

from .conftest import bundle_of


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
