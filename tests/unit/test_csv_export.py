"""phones_export: columns, headers, separators and encodings; credentials; statuses; the round trip."""

from __future__ import annotations

import csv
import io

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import csvio
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_export import (
    ExportError,
    export_table,
    render_csv,
)
from csv_support import copy_fleet, plan, run_task, snapshot, vault_kwargs

DEMO_PHONES = 14


def _read(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def _export(fleet, **options) -> bytes:
    table_options = {key: options.pop(key) for key in ("include_credentials", "statuses") if key in options}
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
