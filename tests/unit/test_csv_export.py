"""phones_export: columns, headers, separators and encodings; credentials; statuses; the round trip."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import csvio
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_export import (
    ExportError,
    export_table,
    render_csv,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import Selection, SelectionError
from csv_support import ANSIBLE_PLAYBOOK, REPO, copy_fleet, plan, run_task, snapshot, vault_kwargs

DEMO_PHONES = 14


def _read(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def _export(fleet, **options) -> bytes:
    table_options = {
        key: options.pop(key) for key in ("include_credentials", "statuses", "selection", "live") if key in options
    }
    kwargs = vault_kwargs()
    table = export_table(str(fleet), decrypt=kwargs["decrypt"], decrypt_file=kwargs["decrypt_file"], **table_options)
    return render_csv(table, **options)


def test_default_columns_english_headers_utf8_bom_semicolon(tmp_path) -> None:
    data = _export(copy_fleet(tmp_path))
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = _read(data, "utf-8-sig", ";")
    assert rows[0] == ["MAC", "Name", "Number", "Username", "Profile", "Firmware kit"]
    assert len(rows) == 1 + DEMO_PHONES
    assert rows[1] == ["80:5e:c0:11:22:33", "Reception", "2001", "2001", "", "2026-q3"]
    # Cisco dotted notation in the fleet file is exported in colon notation.
    assert rows[3][0] == "0c:d0:f8:a1:b2:c3"
    # A phone's own profile is exported; the fleet default (office) is not written out.
    assert ["00:09:45:10:20:30", "Warehouse office", "2008", "", "warehouse", ""] in rows


def test_russian_headers(tmp_path) -> None:
    rows = _read(_export(copy_fleet(tmp_path), headers="ru"), "utf-8-sig", ";")
    assert rows[0] == ["MAC Адрес", "Название", "Номер", "Имя пользователя", "Профиль", "Комплект ПО"]


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8-sig", True), ("utf-8", False), ("cp1251", False)], ids=["bom", "utf8", "cp1251"]
)
def test_encodings(tmp_path, encoding, bom) -> None:
    data = _export(copy_fleet(tmp_path), headers="ru", encoding=encoding)
    assert data.startswith(b"\xef\xbb\xbf") is bom
    assert _read(data, encoding, ";")[0][0] == "MAC Адрес"
    table = csvio.parse_phones_csv(data, "export.csv")
    assert table.encoding == {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "cp1251": "cp1251"}[encoding]


@pytest.mark.parametrize(("delimiter", "char"), [(";", ";"), (",", ","), ("tab", "\t")])
def test_delimiters(tmp_path, delimiter, char) -> None:
    data = _export(copy_fleet(tmp_path), delimiter=delimiter)
    assert _read(data, "utf-8-sig", char)[0][0:2] == ["MAC", "Name"]
    assert csvio.parse_phones_csv(data, "export.csv").delimiter == char


def test_cp1251_refuses_what_it_cannot_write(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    text = (fleet / "phones.yml").read_text().replace("name: Reception", "name: Reception ☎", 1)
    (fleet / "phones.yml").write_text(text)
    with pytest.raises(ExportError, match="cannot be written in cp1251"):
        _export(fleet, encoding="cp1251")


def test_include_credentials_decrypts_line_1_passwords(tmp_path) -> None:
    rows = _read(_export(copy_fleet(tmp_path), include_credentials=True), "utf-8-sig", ";")
    assert rows[0] == ["MAC", "Name", "Number", "Username", "Password", "Profile", "Firmware kit"]
    assert rows[1][4] == "demo-2001-7468af04"
    assert all(row[4].startswith("demo-") for row in rows[1:])


def test_include_credentials_without_vault_secret_fails(tmp_path) -> None:
    with pytest.raises(ExportError, match="no vault secret is loaded"):
        export_table(str(copy_fleet(tmp_path)), include_credentials=True)


def test_statuses_add_a_status_column(tmp_path) -> None:
    statuses = {"805E.C011.2233": 1, "00-15-65-4c-4c-26": "3"}
    rows = _read(_export(copy_fleet(tmp_path), statuses=statuses), "utf-8-sig", ";")
    assert rows[0][-1] == "Status"
    assert rows[1][-1] == "1"
    assert rows[2][-1] == "3"
    assert rows[3][-1] == ""


@pytest.mark.parametrize(("statuses", "message"), [({"nope": 1}, "not a MAC"), ({"805ec0112233": 4}, "0, 1, 2 or 3")])
def test_bad_statuses(tmp_path, statuses, message) -> None:
    with pytest.raises(ExportError, match=message):
        _export(copy_fleet(tmp_path), statuses=statuses)


def test_export_then_import_is_unchanged(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    for options in ({}, {"include_credentials": True, "headers": "ru", "encoding": "cp1251"}):
        result = plan(_export(fleet, **options), fleet)
        assert {row.result for row in result.rows} == {"unchanged"}, result.messages()
        assert len(result.rows) == DEMO_PHONES
        assert result.writes == {}


def test_export_through_ansible_playbook_then_import_round_trip(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    dest = tmp_path / "out" / "phones.csv"
    args = {"fleet_dir": str(fleet), "dest": str(dest), "include_credentials": True, "headers": "ru"}
    rc, result, output = run_task(tmp_path, "phones_export", args, "--diff")
    assert rc == 0, output
    assert result["changed"] is True
    assert result["phones"] == DEMO_PHONES
    assert result["columns"] == ["mac", "name", "number", "username", "password", "profile", "firmware_kit"]
    assert dest.stat().st_mode & 0o777 == 0o600
    assert "demo-2001-7468af04" in dest.read_bytes().decode("utf-8-sig")
    # The diff shows the rows but masks the passwords; the output never holds one.
    assert f"80:5e:c0:11:22:33;Reception;2001;2001;{MASK};;2026-q3" in result["diff"]["after"]
    assert "demo-2001" not in output
    assert "demo-2001" not in repr(result)
    # Same content again: not changed.
    rc, again, output = run_task(tmp_path, "phones_export", args)
    assert rc == 0 and again["changed"] is False, output
    # And importing it back changes nothing.
    rc, imported, output = run_task(tmp_path, "phones_import", {"src": str(dest), "fleet_dir": str(fleet)})
    assert rc == 0, output
    assert imported["changed"] is False
    assert imported["unchanged"] == DEMO_PHONES
    assert snapshot(fleet) == before


def test_export_check_mode_writes_nothing(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    dest = tmp_path / "phones.csv"
    rc, result, output = run_task(tmp_path, "phones_export", {"fleet_dir": str(fleet), "dest": str(dest)}, "--check")
    assert rc == 0, output
    assert result["changed"] is True
    assert not dest.exists()


# What the service's GET /api/v1/phones answers, as live_facts.check_rows leaves it (MACs normalised).
LIVE = {
    "805ec0112233": {
        "mac": "805ec0112233",
        "status": 3,
        "status_text": "up to date",
        "ip": "127.0.0.1",
        "last_ip": "127.0.0.1",
        "firmware": "96.86.0.45",
        "last_contact": 1_796_000_000.5,
    },
    "0cd0f8a1b2c3": {
        "mac": "0cd0f8a1b2c3",
        "status": 2,
        "status_text": "change not yet fetched",
        "ip": None,
        "last_ip": "127.0.0.2",  # a Cisco over TFTP proves nothing: the address it last asked from
        "firmware": None,
        "last_contact": 1_796_000_100,
    },
    "0015654c4c26": {"mac": "0015654c4c26", "status": 1, "status_text": "configured, never contacted"},
}
LIVE_HEADER = ["Status", "Status text", "IP address", "Firmware version", "Last contact"]


def test_a_selection_exports_only_its_phones_in_fleet_order(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    selection = Selection.from_options({"site": "spb-warehouse"})
    rows = _read(_export(fleet, selection=selection), "utf-8-sig", ";")
    assert [row[1] for row in rows[1:]] == ["Warehouse office", "Loading dock", "Guard room"]
    selection = Selection.from_options({"vendor": ["cisco", "yealink"], "name": "[rd]*"})
    rows = _read(_export(fleet, selection=selection), "utf-8-sig", ";")
    assert [row[1] for row in rows[1:]] == ["Reception", "Director"]


def test_a_status_selection_without_the_service_is_refused(tmp_path) -> None:
    with pytest.raises(SelectionError, match=r"^select\.status: needs the provisioning service"):
        _export(copy_fleet(tmp_path), selection=Selection.from_options({"status": 2}))


def test_a_mac_that_is_no_phone_of_the_fleet_is_a_warning(tmp_path) -> None:
    selection = Selection.from_options({"macs": ["80:5E:C0:11:22:33", "0011.2233.4455"]})
    table = export_table(str(copy_fleet(tmp_path)), selection=selection)
    assert [row["name"] for row in table.rows] == ["Reception"]
    assert table.warnings == ["select.macs: 00:11:22:33:44:55 is no phone of the fleet"]


def test_live_columns_come_last_and_show_what_the_service_saw(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    rows = _read(_export(fleet, live=LIVE), "utf-8-sig", ";")
    assert rows[0] == ["MAC", "Name", "Number", "Username", "Profile", "Firmware kit", *LIVE_HEADER]
    assert rows[1][-5:] == ["3", "up to date", "127.0.0.1", "96.86.0.45", "2026-11-30T00:53:20Z"]
    assert rows[2][-5:] == ["1", "configured, never contacted", "", "", ""]
    assert rows[3][-5:] == ["2", "change not yet fetched", "127.0.0.2", "", "2026-11-30T00:55:00Z"]
    assert rows[4][-5:] == ["", "", "", "", ""]  # a phone the service does not know
    ru = _read(_export(fleet, live=LIVE, headers="ru"), "utf-8-sig", ";")
    assert ru[0][-5:] == ["Статус", "Описание статуса", "IP адрес", "Версия прошивки", "Последний контакт"]


def test_live_selection_by_status(tmp_path) -> None:
    selection = Selection.from_options({"status": [1, 2]})
    rows = _read(_export(copy_fleet(tmp_path), selection=selection, live=LIVE), "utf-8-sig", ";")
    assert [row[1] for row in rows[1:]] == ["Meeting room", "Director"]


def test_statuses_and_the_service_together_are_refused(tmp_path) -> None:
    with pytest.raises(ExportError, match=r"^statuses: the status comes from the provisioning service"):
        _export(copy_fleet(tmp_path), live=LIVE, statuses={"805ec0112233": 1})


def test_an_export_with_live_columns_imports_unchanged(tmp_path) -> None:
    fleet = copy_fleet(tmp_path)
    for options in ({"live": LIVE}, {"live": LIVE, "include_credentials": True, "headers": "ru", "encoding": "cp1251"}):
        result = plan(_export(fleet, **options), fleet)
        assert {row.result for row in result.rows} == {"unchanged"}, result.messages()
        assert len(result.rows) == DEMO_PHONES
        assert result.writes == {}


def test_export_csv_playbook_with_a_selection(tmp_path) -> None:
    """The playbook as a user runs it on a site of their own: -i the site's inventory, a filter with -e."""
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    fleet = copy_fleet(inventory)
    text = (fleet / "phones.yml").read_text().replace("name: Loading dock", "name: Склад, рампа 2", 1)
    (fleet / "phones.yml").write_text(text)
    (inventory / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
    dest = tmp_path / "warehouse.csv"

    def export(select: dict) -> tuple[subprocess.CompletedProcess, str]:
        extra = {"phonefleet_csv": str(dest), "phonefleet_select": select, "phonefleet_live": "never"}
        env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
        playbook = REPO / "playbooks" / "export_csv.yml"
        command = [str(ANSIBLE_PLAYBOOK), str(playbook), "-i", str(inventory / "phonefleet.yml")]
        command += ["-e", json.dumps(extra)]
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
        return done, done.stdout + done.stderr

    done, output = export({"site": "spb-warehouse", "name": "СКЛАД*"})
    assert done.returncode == 0, output
    assert "1 phones written to" in output
    rows = _read(dest.read_bytes(), "utf-8-sig", ";")
    assert rows[1:] == [["00:0a:dd:10:20:31", "Склад, рампа 2", "2009", "", "warehouse", ""]]

    done, output = export({"status": 2})
    assert done.returncode != 0
    assert "select.status: needs the provisioning service" in output

    done, output = export({"macs": ["00:0a:dd:10:20:3g"]})
    assert done.returncode != 0
    assert "select.macs: '00:0a:dd:10:20:3g' is not a MAC address" in output


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3"])
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text_and_imports_unchanged(tmp_path, name) -> None:
    fleet = copy_fleet(tmp_path)
    phones = fleet / "phones.yml"
    phones.write_text(phones.read_text().replace("name: Reception", f"name: {json.dumps(name)}", 1))
    data = _export(fleet)
    cells = [row[1] for row in _read(data, "utf-8-sig", ";")[1:]]
    assert f"'{name}" in cells  # the apostrophe makes the spreadsheet show it as text
    assert not any(cell.startswith(csvio.FORMULA_STARTS) and cell != "" for cell in cells)
    result = plan(data, fleet)
    assert {row.result for row in result.rows} == {"unchanged"}, result.messages()


def test_a_number_stays_a_number_and_an_apostrophe_of_the_users_own_is_kept() -> None:
    assert csvio.text_cell("+74951234567") == "+74951234567"
    assert csvio.text_cell("-1") == "-1"
    assert csvio.text_cell("'quoted") == "'quoted"
    assert csvio.cell_text("'quoted") == "'quoted"
    assert csvio.cell_text(csvio.text_cell("=1+2")) == "=1+2"
