"""A customer moving from the reference product brings its CSV export (issue 12, acceptance): Windows-1251,
``;``, Russian headers, Cyrillic profile and kit names, no model column. It imports, validates and publishes;
its phones wait at status 1; a simulated phone of each vendor that tells its model asks the real service and
gets its config; the learned model is then written back into the fleet, and the next publish renders it.

The profile and the kit are made first with the editing engine, as an engineer does with the profile and
firmware_kit modules; the import is the CSV import's core, the publish the publish engine (their playbooks are
tested on their own).
"""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.autoprovisioned_export import (
    plan_learned_models,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit, write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from phonefleet_simulator.__main__ import credentials_for
from phonefleet_simulator.boot import SimulatedPhone

from tests.support.service import published_site, republish, running_service
from tests.unit.csv_support import HEADER_RU, apply, csv_bytes, plan, vault_kwargs

from .conftest import bundle_of

# (MAC in the vendor's block, vendor, the model the phone is, number): no model in the export
PHONES = [
    ("805ec0770001", "yealink", "T46U", "4001"),
    ("808287770002", "atcom", "A20W", "4002"),
    ("c81fea770003", "avaya", "J179", "4003"),
    ("64167f770004", "poly", "VVX 450", "4004"),
    ("c074ad770005", "grandstream", "GXP2170", "4005"),
    ("000413770006", "snom", "D785", "4006"),
    ("0c383e770007", "fanvil", "X6U", "4007"),
]
PROFILE, KIT = "Офис", "Базовый"


def colon(mac: str) -> str:
    return ":".join(mac[index : index + 2] for index in range(0, 12, 2))


def reference_export() -> bytes:
    rows = [
        [colon(mac).upper(), f"Сотрудник {number}", number, number, f"пароль-{number}", PROFILE, KIT]
        for mac, _vendor, _model, number in PHONES
    ]
    return csv_bytes(rows, header=tuple(HEADER_RU), delimiter=";", encoding="cp1251")


def migrate(fleet) -> None:
    edit = FleetEdit(str(fleet), **vault_kwargs())
    office = edit.get("profiles", "office")
    assert office is not None
    edit.put("profiles", PROFILE, {**office, "description": "Офис, из выгрузки"})
    edit.put("firmware_kits", KIT, {"description": "Базовый комплект", "files": ["yealink-t54w-96.86.0.45"]})
    write_all(edit.plan().writes)
    imported = plan(reference_export(), fleet)
    assert (imported.encoding, imported.delimiter) == ("cp1251", ";")
    assert not imported.bad_rows, imported.messages()
    apply(imported)


def test_a_reference_product_export_imports_publishes_and_learns_its_models(make_fleet, tmp_path):
    published_site(tmp_path, migrate)
    fleet_dir = tmp_path / "fleet"
    loaded = {phone.mac: phone for phone in load_fleet(str(fleet_dir)).phones}
    for mac, vendor, _model, _number in PHONES:
        phone = loaded[mac]
        assert (phone.vendor, phone.model, phone.profile, phone.firmware_kit) == (vendor, None, PROFILE, KIT)
    auth = bundle_of(tmp_path).phone_auth
    with running_service(tmp_path) as service:
        before = service.phones()
        assert {mac: before[mac]["status"] for mac, *_rest in PHONES} == {mac: 1 for mac, *_rest in PHONES}
        phones = [
            SimulatedPhone(mac, vendor, model, credentials=credentials_for(auth, vendor))
            for mac, vendor, model, _number in PHONES
        ]
        numbers = {mac: number for mac, _vendor, _model, number in PHONES}
        simulated = make_fleet(phones, site=tmp_path, base_url=f"http://127.0.0.1:{service.port}", numbers=numbers)
        after = service.phones()
        for mac, vendor, model, number in PHONES:
            device = simulated.phone(mac).device
            assert device.accounts and device.accounts[0]["user"] == number, (vendor, device.accounts)
            assert (after[mac]["status"], after[mac]["learned_model"]) == (3, model), (vendor, after[mac])
        rows = service.phones()
    learned = plan_learned_models(rows, str(fleet_dir))
    write_all(learned.texts)
    models = {phone.mac: phone.model for phone in load_fleet(str(fleet_dir)).phones}
    assert {mac: models[mac] for mac, *_rest in PHONES} == {mac: model for mac, _vendor, model, _number in PHONES}
    assert not republish(tmp_path).awaiting_model  # rendered by publish now
