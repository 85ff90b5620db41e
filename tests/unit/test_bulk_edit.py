"""The bulk change's text path (fleet/bulk_edit.py): only the selected phones' lines change, read back exactly,
and the round-trip engine takes over where the text path cannot edit surely."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.bulk_edit import (
    TextEditUnsupported,
    bulk_change,
    change_selected,
    edit_text,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import EditError, FleetEdit, write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import Selection
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import load_yaml
from csv_support import copy_fleet, demo_loader, snapshot, vault_kwargs

WAREHOUSE = ["000945102030", "000add102031", "0c383e010203"]


def bulk(fleet, macs, fields, remove=False):
    edit = FleetEdit(str(fleet), **vault_kwargs())
    result = bulk_change(edit, macs, fields, remove=remove)
    plan = edit.plan()
    write_all(plan.writes)
    return result, plan


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    old, new = before.splitlines(), after.splitlines()
    return [line for line in old if line not in new], [line for line in new if line not in old]


def test_only_the_selected_phones_lines_change_comments_and_vault_values_stay(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = (fleet / "phones.yml").read_text()
    result, plan = bulk(fleet, WAREHOUSE, {"profile": "office", "description": "moved: 2026 #3"})
    after = (fleet / "phones.yml").read_text()
    assert result.changed == WAREHOUSE and result.round_trip_files == []
    gone, added = changed_lines(before, after)
    assert gone == ["    profile: warehouse"] * 3 or sorted(set(gone)) == ["    profile: warehouse"]
    assert sorted(set(added)) == ['    description: "moved: 2026 #3"', "    profile: office"]
    assert len(after.splitlines()) == len(before.splitlines()) + 3
    # every comment and vault value of the file is still there
    assert [line for line in before.splitlines() if "#" in line or "$ANSIBLE" in line] == [
        line for line in after.splitlines() if ("#" in line or "$ANSIBLE" in line) and "moved" not in line
    ]
    fleet_after = load_fleet(str(fleet))
    for phone in fleet_after.phones:
        assert (phone.profile == "office" and phone.description == "moved: 2026 #3") == (phone.mac in WAREHOUSE)
    assert [change.action for change in plan.changes] == ["changed"] * 3


def test_the_same_change_again_changes_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    bulk(fleet, WAREHOUSE, {"site": "moscow-hq"})
    files = snapshot(fleet)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    result = bulk_change(edit, WAREHOUSE, {"site": "moscow-hq"})
    assert result.changed == [] and edit.plan().writes == {}
    assert snapshot(fleet) == files


def test_unset_removes_the_line_and_remove_drops_the_phone_with_its_lines(tmp_path):
    fleet = copy_fleet(tmp_path)
    bulk(fleet, WAREHOUSE[:2], {"site": None})
    data = load_yaml((fleet / "phones.yml").read_text())
    by_mac = {item["mac"]: item for item in data["phones"]}
    assert "site" not in by_mac["00:09:45:10:20:30"] and "site" not in by_mac["00:0a:dd:10:20:31"]
    assert by_mac["0c:38:3e:01:02:03"]["site"] == "spb-warehouse"
    before = (fleet / "phones.yml").read_text()
    _result, plan = bulk(fleet, ["0c383e010203"], None, remove=True)
    after = (fleet / "phones.yml").read_text()
    assert [change.action for change in plan.changes] == ["removed"]
    assert "0c:38:3e:01:02:03" not in after and "Guard room" not in after
    assert after.startswith(before[: before.index("  - mac: 0c:38:3e:01:02:03")])
    assert len(load_fleet(str(fleet)).phones) == len(load_yaml(before)["phones"]) - 1


def test_an_unknown_profile_fails_validation_naming_the_field_and_nothing_is_written(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    bulk_change(edit, WAREHOUSE, {"profile": "lab"})
    with pytest.raises(FleetValidationError) as caught:
        edit.plan()
    assert "phones.yml" in str(caught.value) and "profile" in str(caught.value) and "lab" in str(caught.value)
    assert snapshot(fleet) == files


FLOW = """\
# comment on top
phones:
- {mac: "80:5e:c0:00:00:01", name: "a", profile: office}  # first
- mac: 80:5e:c0:00:00:02   # second
  name: b
  lines:
  - number: '100'
    password: pw
  profile: 'office'   # keep me
# before third
- mac: 80:5e:c0:00:00:03
  name: c
"""


def test_flow_items_quoted_values_and_trailing_comments():
    phones = load_yaml(FLOW)["phones"]
    text = edit_text(FLOW, phones, {0: {"profile": "Склад, 1"}, 1: {"profile": "yes"}, 2: {"site": "hq"}})
    assert text.splitlines()[2] == '- {mac: "80:5e:c0:00:00:01", name: "a", profile: "Склад, 1"}  # first'
    assert '  profile: "yes"   # keep me' in text
    assert text.endswith("  name: c\n  site: hq\n")
    data = load_yaml(text)["phones"]
    assert [item.get("profile") for item in data] == ["Склад, 1", "yes", None]
    assert data[2]["site"] == "hq"


def test_a_field_on_the_dash_line_and_a_removed_phone_keeps_the_comment_above_the_next():
    text = FLOW + "- site: old  # on the dash line\n  mac: 80:5e:c0:00:00:04\n"
    phones = load_yaml(text)["phones"]
    new = edit_text(text, phones, {1: None, 3: {"site": "hq"}})
    assert "# before third" in new and "# keep me" not in new and "name: b" not in new
    assert new.endswith("- site: hq  # on the dash line\n  mac: 80:5e:c0:00:00:04\n")
    assert [item["mac"] for item in load_yaml(new)["phones"]] == [phones[0]["mac"], phones[2]["mac"], phones[3]["mac"]]


def test_crlf_files_keep_their_line_ends():
    text = FLOW.replace("\n", "\r\n")
    phones = load_yaml(text)["phones"]
    new = edit_text(text, phones, {2: {"site": "hq"}})
    assert "\n" not in new.replace("\r\n", "")
    assert load_yaml(new)["phones"][2]["site"] == "hq"


@pytest.mark.parametrize(
    "text",
    [
        "phones:\n- mac: 80:5e:c0:00:00:01\n  profile: >\n    office\n",  # a folded value
        'phones:\n- mac: 80:5e:c0:00:00:01\n  "profile": office\n',  # a quoted key
        "phones:\n- {mac: 80:5e:c0:00:00:01,\n   profile: office}\n",  # a flow item over two lines
    ],
)
def test_what_the_text_path_cannot_edit_surely_is_refused(text):
    with pytest.raises(TextEditUnsupported):
        edit_text(text, load_yaml(text)["phones"], {0: {"profile": "warehouse"}})


def test_the_list_ends_at_the_next_top_level_key():
    text = "phones:\n- mac: 80:5e:c0:00:00:01\n  name: a\n\n# users\nmobility_users:\n- number: '7'\n"
    new = edit_text(text, load_yaml(text)["phones"], {0: {"site": "hq"}})
    assert new == text.replace("  name: a\n", "  name: a\n  site: hq\n")


@pytest.mark.parametrize(
    "description",
    [
        "    description: >\n      by the gate\n",  # refused by the text path
        "    description: by the\n      gate\n",  # a plain scalar over two lines: only the read-back tells
    ],
)
def test_a_file_the_text_path_cannot_edit_goes_through_the_round_trip_engine(tmp_path, description):
    fleet = copy_fleet(tmp_path)
    phones = fleet / "phones.yml"
    phones.write_text(phones.read_text().replace("    name: Guard room\n", "    name: Guard room\n" + description, 1))
    result, _plan = bulk(fleet, WAREHOUSE, {"description": "yard"})
    assert result.round_trip_files == [str(phones)] or result.round_trip_files[0].endswith("phones.yml")
    by_mac = {phone.mac: phone for phone in load_fleet(str(fleet)).phones}
    assert [by_mac[mac].description for mac in WAREHOUSE] == ["yard"] * 3
    assert "# Phones, each by MAC" in phones.read_text()


def test_a_phone_of_a_csv_fleet_file_is_refused_naming_the_file(tmp_path):
    fleet = copy_fleet(tmp_path)
    (fleet / "extra.csv").write_text("MAC;Name;Number\n80:5e:c0:aa:00:09;Extra;2199\n")
    edit = FleetEdit(str(fleet), **vault_kwargs())
    with pytest.raises(EditError, match=r"extra\.csv"):
        bulk_change(edit, ["805ec0aa0009"], {"profile": "office"})


def test_a_phone_of_a_vault_encrypted_file_is_refused_naming_the_file(tmp_path):
    fleet = copy_fleet(tmp_path)
    text = "phones:\n- mac: 80:5e:c0:aa:00:09\n  name: Secret room\n  model: T54W\n"
    (fleet / "secret.yml").write_bytes(demo_loader()._vault.encrypt(text))
    edit = FleetEdit(str(fleet), **vault_kwargs())
    with pytest.raises(EditError, match=r"secret\.yml, which is vault-encrypted"):
        change_selected(edit, Selection.from_options({"name": "secret*"}), {"profile": "warehouse"})
    assert edit.plan().writes == {}
