"""phones_import: Excel's file variants import, bad rows stop the import, phones are updated in place.

A few tests drive the real action plugin through ansible-playbook (what a user sees); the many edge
cases call the domain core's plan_import directly, with the demo vault.
"""

from __future__ import annotations

import re

import pytest
import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_import import ImportOptionError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue, load_yaml
from csv_support import (
    EXCEL_CP1251,
    HEADER_EN,
    HEADER_RU,
    ROWS,
    apply,
    copy_fleet,
    csv_bytes,
    decrypt_text,
    plan,
    run_task,
    snapshot,
)

NEW_MACS = ["80:5e:c0:aa:00:01", "80:5e:c0:aa:00:02"]


def _phones(fleet, file="phones.yml") -> list[dict]:
    return load_yaml((fleet / file).read_text(encoding="utf-8-sig"))["phones"]


def _by_mac(fleet, mac: str) -> dict:
    loaded = load_fleet(str(fleet))
    phone = loaded.phone(mac.replace(":", ""))
    assert phone is not None, mac
    return phone


def _assert_two_created(fleet, result) -> None:
    assert [row.result for row in result.rows] == ["created", "created"], result.messages()
    apply(result)
    phone = _by_mac(fleet, NEW_MACS[0])
    assert phone.name == "Склад, стеллаж A"
    assert phone.profile == "warehouse"
    assert phone.lines[0].number == "2101"
    assert _by_mac(fleet, NEW_MACS[1]).firmware_kit == "2026-q3"


# -- the Excel variants -----------------------------------------------------------------------------


def test_utf8_with_bom(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    result = plan(csv_bytes(ROWS, encoding="utf-8-sig"), fleet)
    assert result.encoding == "utf-8-sig"
    _assert_two_created(fleet, result)


def test_utf8_without_bom(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    result = plan(csv_bytes(ROWS, encoding="utf-8"), fleet)
    assert result.encoding == "utf-8"
    _assert_two_created(fleet, result)


def test_windows_1251(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    result = plan(csv_bytes(ROWS, header=HEADER_RU, encoding="cp1251"), fleet)
    assert result.encoding == "cp1251"
    _assert_two_created(fleet, result)


def test_semicolon_separator(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    result = plan(csv_bytes(ROWS, delimiter=";"), fleet)
    assert result.delimiter == ";"
    _assert_two_created(fleet, result)


def test_comma_separator(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    data = csv_bytes(ROWS, delimiter=",")
    assert b'"\xd0\xa1\xd0\xba\xd0\xbb\xd0\xb0\xd0\xb4, ' in data  # the name with a comma is quoted
    result = plan(data, fleet)
    assert result.delimiter == ","
    _assert_two_created(fleet, result)


def test_english_headers(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    _assert_two_created(fleet, plan(csv_bytes(ROWS, header=HEADER_EN), fleet))


def test_russian_headers(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    _assert_two_created(fleet, plan(csv_bytes(ROWS, header=HEADER_RU, encoding="utf-8-sig"), fleet))


def test_excel_cp1251_sample_through_ansible_playbook(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rc, result, output = run_task(
        tmp_path, "phones_import", {"src": str(EXCEL_CP1251), "fleet_dir": str(fleet)}, "--diff"
    )
    assert rc == 0, output
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["unchanged"], result["errors"]) == (2, 0, 0, 0)
    assert (result["encoding"], result["delimiter"]) == ("cp1251", ";")
    assert [(row["row"], row["mac"], row["result"]) for row in result["rows"]] == [
        (2, NEW_MACS[0], "created"),
        (3, NEW_MACS[1], "created"),
    ]
    assert "Shelf-A-2101-sip" not in output
    assert _by_mac(fleet, NEW_MACS[0]).name == "Склад, стеллаж A"


# -- bad rows ---------------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_the_row(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    rows = [ROWS[0], ["00:11", "Broken", "2102", "", "x-secret-x", "", ""], ROWS[1]]
    src = tmp_path / "bad.csv"
    src.write_bytes(csv_bytes(rows))
    _rc, result, output = run_task(tmp_path, "phones_import", {"src": str(src), "fleet_dir": str(fleet)})
    assert result["failed"] is True
    assert "fatal: [localhost]: FAILED!" in output
    assert result["changed"] is False
    assert result["files"] == []
    assert "row 3: mac: '00:11' is not a MAC address" in result["msg"]
    assert "nothing was imported" in result["msg"]
    assert [row["result"] for row in result["rows"]] == ["created", "error", "created"]
    assert result["bad_rows"] == ["row 3: mac: '00:11' is not a MAC address (need 12 hex digits)"]
    assert snapshot(fleet) == before
    assert "x-secret-x" not in output


def test_skip_bad_rows_writes_the_good_rows(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [ROWS[0], ["not-a-mac", "Broken", "2102", "", "pw-2102", "", ""], ROWS[1]]
    result = plan(csv_bytes(rows), fleet, skip_bad_rows=True)
    assert [row.result for row in result.rows] == ["created", "skipped", "created"]
    assert result.rows[1].reason.startswith("mac: 'not-a-mac' is not a MAC address")
    assert result.count("skipped") == 1
    apply(result)
    loaded = load_fleet(str(fleet))
    assert {NEW_MACS[0].replace(":", ""), NEW_MACS[1].replace(":", "")} <= set(loaded.phones_by_mac)
    assert len(loaded.phones) == 16


def test_skip_bad_rows_drops_a_row_that_fails_fleet_validation(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [ROWS[0], ["80:5e:c0:aa:00:03", "Lab", "2104", "", "pw-2104", "lab", ""]]
    result = plan(csv_bytes(rows), fleet, skip_bad_rows=True)
    assert [row.result for row in result.rows] == ["created", "skipped"]
    apply(result)
    assert "80:5e:c0:aa:00:03" not in (fleet / "phones.yml").read_text()
    load_fleet(str(fleet))


def test_unknown_profile_is_an_error_of_its_row(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [ROWS[0], ["80:5e:c0:aa:00:03", "Lab", "2104", "", "pw-2104", "lab", ""]]
    result = plan(csv_bytes(rows), fleet)
    assert [row.result for row in result.rows] == ["created", "error"]
    assert result.messages() == ["row 3: profile: unknown profile 'lab'; defined: office, warehouse"]
    assert result.writes == {}


def test_unknown_firmware_kit_is_an_error_of_its_row(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [["805ec0112233", "", "", "", "", "", "2027-q1"]]
    result = plan(csv_bytes(rows), fleet)
    assert result.messages() == ["row 2: firmware_kit: unknown firmware kit '2027-q1'; defined: 2026-q3"]


def test_mac_twice_in_the_csv_is_an_error_on_the_later_row(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [ROWS[0], ["80-5e-c0-aa-00-01", "Again", "2109", "", "pw", "", ""]]
    result = plan(csv_bytes(rows), fleet)
    assert result.messages() == ["row 3: mac: '80-5e-c0-aa-00-01' is the same MAC as row 2"]


def test_bad_cells_are_checked_against_the_schema(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [["80:5e:c0:aa:00:05", "Phone", "12a", "", "pw", "bad\x07name", ""]]
    messages = plan(csv_bytes(rows), fleet).messages()
    assert any(message.startswith("row 2: number: '12a' is not valid") for message in messages), messages
    assert any(message.startswith("row 2: profile: 'bad\\x07name' is not valid") for message in messages), messages


def test_profile_and_kit_named_as_people_type_them_import(tmp_path) -> None:
    # The reference product's export: Windows-1251, Russian headers, Cyrillic profile and kit names.
    fleet = copy_fleet(tmp_path)
    (fleet / "labels.yml").write_text(
        "profiles:\n  Базовый:\n    sip: {registrar: pbx.example.com}\n"
        "firmware:\n  kits:\n    Весна 2026 (ёлки):\n      files: [yealink-t54w-96.86.0.45]\n",
        encoding="utf-8",
    )
    rows = [["80:5e:c0:aa:00:08", "Склад 1", "2108", "", "pw-2108", "Базовый", "Весна 2026 (ёлки)"]]
    result = plan(csv_bytes(rows, header=HEADER_RU, encoding="cp1251"), fleet)
    assert [row.result for row in result.rows] == ["created"], result.messages()
    apply(result)
    phone = _by_mac(fleet, "80:5e:c0:aa:00:08")
    assert (phone.profile, phone.firmware_kit) == ("Базовый", "Весна 2026 (ёлки)")


def test_new_phone_without_number_is_an_error(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [["80:5e:c0:aa:00:06", "Phone", "", "2106", "pw", "", ""]]
    assert plan(csv_bytes(rows), fleet).messages() == ["row 2: number: is required but missing"]


def test_empty_mac_and_extra_cells_are_row_errors(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    data = b"MAC;Name\r\n;No MAC\r\n80:5e:c0:aa:00:07;Phone;extra\r\n"
    messages = plan(data, fleet).messages()
    assert messages[0] == "row 2: mac: is empty; every row needs the phone's MAC"
    assert messages[1] == "row 3: has 3 cells but the header has 2"


def test_phone_defined_in_a_csv_fleet_file_is_an_error(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    (fleet / "extra-phones.csv").write_bytes(csv_bytes([ROWS[0]]))
    result = plan(csv_bytes([["805ec0aa0001", "Renamed", "", "", "", "", ""]]), fleet)
    assert result.rows[0].result == "error"
    assert "is defined in the CSV fleet file" in result.rows[0].reason
    assert "extra-phones.csv" in result.rows[0].reason


def test_problem_elsewhere_in_the_fleet_fails_the_whole_import(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    text = (fleet / "sites.yml").read_text().replace("tenant: acme\n  spb", "tenant: nobody\n  spb")
    (fleet / "sites.yml").write_text(text)
    with pytest.raises(FleetValidationError, match="unknown tenant 'nobody'"):
        plan(csv_bytes(ROWS), fleet)


def test_secrets_never_appear_in_row_errors(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [["80:5e:c0:aa:00:08", "P", "2108", "", "top-secret-pw", "nosuch", ""]]
    result = plan(csv_bytes(rows), fleet)
    assert result.messages()
    assert "top-secret-pw" not in repr([row.as_dict() for row in result.rows])
    assert "top-secret-pw" not in "".join(result.messages())


# -- updates, idempotence, check mode, diff -----------------------------------------------------------


def test_existing_phone_is_updated_not_duplicated(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    # The demo writes this phone as 80:5e:c0:11:22:33; the CSV uses Cisco dots and upper case.
    rows = [["805E.C011.2233", "Front desk", "", "", "", "", ""]]
    result = plan(csv_bytes(rows), fleet)
    row = result.rows[0]
    assert (row.result, row.fields, row.mac) == ("updated", ["name"], "80:5e:c0:11:22:33")
    apply(result)
    phones = _phones(fleet)
    assert len(phones) == 14
    matching = [phone for phone in phones if phone["mac"] == "80:5e:c0:11:22:33"]
    assert len(matching) == 1
    assert matching[0]["name"] == "Front desk"
    # Only the name changed: number, model, keys and the vault password stay as they were.
    assert matching[0]["lines"][0]["number"] == "2001"
    assert isinstance(matching[0]["lines"][0]["password"], VaultValue)
    assert matching[0]["model"] == "T54W"


def test_update_of_number_and_password_in_line_1(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = [["00:15:65:4C:4C:26", "", "2020", "u2020", "new-pass-2020", "", ""]]
    result = plan(csv_bytes(rows), fleet)
    assert result.rows[0].fields == ["number", "username", "password"]
    apply(result)
    phone = next(p for p in _phones(fleet) if p["mac"] == "00:15:65:4c:4c:26")
    line = phone["lines"][0]
    assert (line["number"], line["username"], line["display_name"]) == ("2020", "u2020", "Meeting room")
    assert decrypt_text(line["password"].ciphertext) == "new-pass-2020"


def test_reimport_is_unchanged(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    apply(plan(csv_bytes(ROWS), fleet))
    before = snapshot(fleet)
    again = plan(csv_bytes(ROWS), fleet)
    assert [row.result for row in again.rows] == ["unchanged", "unchanged"]
    assert again.writes == {}
    assert snapshot(fleet) == before


def test_reimport_through_ansible_playbook_is_not_changed(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    args = {"src": str(EXCEL_CP1251), "fleet_dir": str(fleet)}
    rc, first, output = run_task(tmp_path, "phones_import", args)
    assert rc == 0 and first["changed"] is True, output
    rc, second, output = run_task(tmp_path, "phones_import", args)
    assert rc == 0, output
    assert second["changed"] is False
    assert (second["unchanged"], second["files"]) == (2, [])


def test_check_mode_writes_nothing_but_reports(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    rc, result, output = run_task(
        tmp_path, "phones_import", {"src": str(EXCEL_CP1251), "fleet_dir": str(fleet)}, "--check"
    )
    assert rc == 0, output
    assert result["changed"] is True
    assert result["created"] == 2
    assert [row["result"] for row in result["rows"]] == ["created", "created"]
    assert result["files"] == [str(fleet / "phones.yml")] or result["files"][0].endswith("fleet/phones.yml")
    assert snapshot(fleet) == before


def test_diff_masks_passwords(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    src = tmp_path / "update.csv"
    src.write_bytes(csv_bytes([["80:5e:c0:11:22:33", "Front desk", "", "", "changed-pass", "", ""], ROWS[0]]))
    rc, result, output = run_task(
        tmp_path, "phones_import", {"src": str(src), "fleet_dir": str(fleet)}, "--diff", "--check"
    )
    assert rc == 0, output
    diffs = result["diff"]
    assert len(diffs) == 2
    before = yaml.safe_load(diffs[0]["before"])[0]
    after = yaml.safe_load(diffs[0]["after"])[0]
    assert (before["name"], after["name"]) == ("Reception", "Front desk")
    assert before["lines"][0]["password"] == MASK
    assert after["lines"][0]["password"] == MASK
    assert diffs[1]["before"] == ""
    assert yaml.safe_load(diffs[1]["after"])[0]["lines"][0]["password"] == MASK
    for text in (output, repr(result)):
        assert "changed-pass" not in text
        assert "Shelf-A-2101-sip" not in text
        assert "$ANSIBLE_VAULT" not in text
        assert "demo-2001" not in text


# -- passwords, YAML preservation ----------------------------------------------------------------------


def test_passwords_vault_writes_decryptable_vault_values(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    apply(plan(csv_bytes(ROWS), fleet))
    text = (fleet / "phones.yml").read_text()
    assert "Shelf-A-2101-sip" not in text
    assert "Shelf-B-2103-sip" not in text
    assert re.search(r"password: !vault \|\n\s+\$ANSIBLE_VAULT;1\.1;AES256\n", text)
    phones = {phone["mac"]: phone for phone in _phones(fleet)}
    password = phones[NEW_MACS[0]]["lines"][0]["password"]
    assert isinstance(password, VaultValue)
    assert decrypt_text(password.ciphertext) == "Shelf-A-2101-sip"


def test_passwords_vault_without_a_vault_secret_fails_clearly(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    with pytest.raises(ImportOptionError, match="--vault-id or --vault-password-file, or set passwords: plain"):
        plan(csv_bytes(ROWS), fleet, vault=False)


def test_passwords_vault_without_secret_through_ansible_playbook(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    _rc, result, _output = run_task(
        tmp_path, "phones_import", {"src": str(EXCEL_CP1251), "fleet_dir": str(fleet)}, vault=False
    )
    assert result["failed"] is True
    assert "passwords: plain" in result["msg"]
    assert snapshot(fleet) == before


def test_passwords_plain(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    apply(plan(csv_bytes(ROWS), fleet, vault=False, passwords="plain"))
    phones = {phone["mac"]: phone for phone in _phones(fleet)}
    assert phones[NEW_MACS[0]]["lines"][0]["password"] == "Shelf-A-2101-sip"


def test_comments_and_existing_vault_values_survive_an_import(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    original = (fleet / "phones.yml").read_text()
    apply(plan(csv_bytes([["805ec0112233", "Front desk", "", "", "", "", ""], *ROWS]), fleet))
    text = (fleet / "phones.yml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/fleet.schema.json\n---\n# Phones, each by MAC"
    )
    assert "# vendor and model may be omitted" in text
    # Everything but the renamed phone's name is byte-identical; the new phones come after.
    assert text.replace("name: Front desk", "name: Reception", 1).startswith(original.rstrip("\n"))
    assert "\n\n  - mac: 80:5e:c0:aa:00:01\n" in text


def test_new_phones_go_to_dest(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    dest = fleet / "imported" / "warehouse.yml"
    result = plan(csv_bytes(ROWS), fleet, dest=str(dest))
    for path in result.writes:
        dest.parent.mkdir(exist_ok=True)
        assert path == str(dest)
    apply(result)
    assert [phone["mac"] for phone in _phones(fleet, "imported/warehouse.yml")] == NEW_MACS
    assert len(load_fleet(str(fleet)).phones) == 16


def test_dest_must_be_a_yaml_file_inside_the_fleet(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    with pytest.raises(ImportOptionError, match="inside the fleet directory"):
        plan(csv_bytes(ROWS), fleet, dest=str(tmp_path / "elsewhere.yml"))
    with pytest.raises(ImportOptionError, match="must be a YAML file"):
        plan(csv_bytes(ROWS), fleet, dest=str(fleet / "phones.csv"))


def test_a_mac_yaml_1_1_would_read_as_a_number_is_written_quoted(tmp_path) -> None:
    # 10:20:30:40:50:59 is a base-60 integer to YAML 1.1 (what Ansible reads); unquoted it would not load back
    fleet = copy_fleet(tmp_path)
    row = ["10:20:30:40:50:59", "Sexagesimal", "2199", "2199", "Sexagesimal-2199", "warehouse", ""]
    result = plan(csv_bytes([row]), fleet)
    assert [item.result for item in result.rows] == ["created"], result.messages()
    apply(result)
    assert '"10:20:30:40:50:59"' in (fleet / "phones.yml").read_text(encoding="utf-8-sig")
    assert _by_mac(fleet, "10:20:30:40:50:59").name == "Sexagesimal"
