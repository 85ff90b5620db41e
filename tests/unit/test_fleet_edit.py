"""The fleet-editing engine (fleet/edit.py): round trip, secrets, validation before writing, all or none."""

from __future__ import annotations

import os

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import edit as fleet_edit
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import (
    EditError,
    FleetEdit,
    write_all,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from csv_support import copy_fleet, decrypt_text, snapshot, vault_kwargs


def apply(fleet, action) -> fleet_edit.EditPlan:
    edit = FleetEdit(str(fleet), **vault_kwargs())
    action(edit)
    plan = edit.plan()
    write_all(plan.writes)
    return plan


def test_a_change_keeps_comments_order_and_other_vault_values(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = (fleet / "profiles.yml").read_text()
    plan = apply(fleet, lambda edit: edit.put("profiles", "office", {"sip": {"registrar": "pbx9.demo.invalid"}}))
    after = (fleet / "profiles.yml").read_text()
    assert plan.files() == ["fleet/profiles.yml"] or plan.files()[0].endswith("profiles.yml")
    assert after == before.replace("registrar: pbx.demo.invalid", "registrar: pbx9.demo.invalid", 1)
    assert [change.as_dict()["action"] for change in plan.changes] == ["changed"]


def test_the_same_change_twice_changes_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    line = {"number": "2001", "display_name": "Reception", "username": "2001", "password": "s3cret-Pass"}

    def change(edit):
        edit.put("phones", "80:5e:c0:11:22:33", {"lines": [line]})

    apply(fleet, change)
    files = snapshot(fleet)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    change(edit)
    assert edit.plan().writes == {}
    assert snapshot(fleet) == files


def test_a_secret_is_written_encrypted_and_masked_in_the_diff(tmp_path):
    fleet = copy_fleet(tmp_path)
    plan = apply(fleet, lambda edit: edit.put("profiles", "office", {"admin_password": "Zq9-only-here"}))
    text = (fleet / "profiles.yml").read_text()
    assert "admin_password: !vault |" in text and "Zq9-only-here" not in text
    diff = plan.diffs()[0]
    assert "Zq9-only-here" not in str(diff)
    # a new secret masks like the old one, so the diff says it changed
    assert "admin_password: '********'" in diff["before"]
    assert "admin_password: '******** (changed)'" in diff["after"]
    edit = FleetEdit(str(fleet), **vault_kwargs())
    office = edit.get("profiles", "office")
    assert office is not None and decrypt_text(str.__str__(office["admin_password"])) == "Zq9-only-here"


def test_no_vault_secret_refuses_a_clear_secret(tmp_path):
    fleet = copy_fleet(tmp_path)
    edit = FleetEdit(str(fleet))
    with pytest.raises(EditError, match=r"80:5e:c0:11:22:33\.admin_password: a secret is written only vault-encrypted"):
        edit.put("phones", "80:5e:c0:11:22:33", {"admin_password": "x"})
    with pytest.raises(EditError, match=r"office\.admin_password: the current value is vault-encrypted and no vault"):
        edit.put("profiles", "office", {"admin_password": "x"})


def test_an_invalid_change_writes_nothing_and_names_the_file_and_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    edit.put("phones", "805ec0112233", {"profile": "no-such-profile"})
    with pytest.raises(FleetValidationError) as raised:
        edit.plan()
    assert any(
        problem.file.endswith("phones.yml")
        and problem.path.endswith(".profile")
        and "no-such-profile" in problem.message
        for problem in raised.value.problems
    ), raised.value
    assert snapshot(fleet) == files


def test_create_and_remove_items_of_list_and_mapping_kinds(tmp_path):
    fleet = copy_fleet(tmp_path)

    def change(edit):
        edit.put("key_templates", "Склад 1", {"keys": [{"index": 1, "function": "line", "line": 1}]})
        edit.put(
            "phones",
            "0015.6500.0001",
            {"name": "New", "model": "T31G", "lines": [{"number": "2999", "password": "p-2999"}]},
        )
        edit.remove("phones", "00-15-65-4C-4C-26")

    plan = apply(fleet, change)
    actions = sorted((change.kind, change.action) for change in plan.changes)
    assert actions == [("key_templates", "created"), ("phones", "created"), ("phones", "removed")]
    text = (fleet / "phones.yml").read_text()
    assert "00:15:65:00:00:01" in text and "00:15:65:4c:4c:26" not in text


def test_several_files_are_written_all_or_none(tmp_path, monkeypatch):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    edit.put("profiles", "office", {"description": "changed"})
    edit.put("phones", "805ec0112233", {"name": "Changed"})
    plan = edit.plan()
    assert len(plan.writes) == 2
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(fleet_edit.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_all(plan.writes)
    monkeypatch.undo()
    assert snapshot(fleet) == files  # the first file got its old text back, no temporary left


def test_an_item_in_a_csv_fleet_file_is_refused_with_the_file_named(tmp_path):
    fleet = copy_fleet(tmp_path)
    (fleet / "more.csv").write_text("mac;name;number\n00:15:65:00:00:09;Csv phone;2998\n", encoding="utf-8")
    edit = FleetEdit(str(fleet), **vault_kwargs())
    with pytest.raises(EditError, match=r"00:15:65:00:00:09: the phone is defined in the CSV fleet file .*more\.csv"):
        edit.put("phones", "001565000009", {"name": "x"})


def test_removing_a_list_item_keeps_its_neighbours_apart_as_they_were(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = (fleet / "phones.yml").read_text()
    apply(fleet, lambda edit: edit.remove("phones", "00:15:65:4c:4c:26"))
    start = before.index("\n  - mac: 00:15:65:4c:4c:26\n")
    end = before.index("\n\n  - mac: ", start + 1)
    assert (fleet / "phones.yml").read_text() == before[:start] + before[end + 1 :]


def test_a_rule_naming_another_item_names_its_real_file(tmp_path):
    fleet = copy_fleet(tmp_path)
    edit = FleetEdit(str(fleet), **vault_kwargs())
    edit.put("phones", "805ec0aa0010", {"model": "T54W", "lines": [{"number": "2001", "password": "Other-pass-1"}]})
    with pytest.raises(FleetValidationError) as raised:
        edit.plan()
    message = str(raised.value)
    assert f"{fleet}/phones.yml: 805ec0112233 line 1" in message and "phonefleet-edit-" not in message, message


def test_values_of_str_and_int_subclasses_are_written_plain(tmp_path):
    # A module's arguments arrive as Ansible's tagged str and int, which the YAML writer cannot represent.
    class Tagged(str):
        pass

    class TaggedInt(int):
        pass

    fleet = copy_fleet(tmp_path)
    apply(
        fleet,
        lambda edit: edit.put(
            "profiles", "office", {"sip": {"registrar": Tagged("pbx7.demo.invalid"), "port": TaggedInt(5070)}}
        ),
    )
    text = (fleet / "profiles.yml").read_text()
    assert "registrar: pbx7.demo.invalid\n      port: 5070\n" in text


def test_a_name_finds_its_item_however_either_side_composed_it(tmp_path):
    import unicodedata

    fleet = copy_fleet(tmp_path)
    composed = "Склад Й"  # Й is one code point composed, two decomposed
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    templates = fleet / "key_templates.yml"
    templates.write_text(templates.read_text() + f"  {decomposed}:\n    keys:\n      - {{index: 1, function: dnd}}\n")
    plan = apply(fleet, lambda edit: edit.put("key_templates", composed, {"description": "Склад"}))
    assert [change.action for change in plan.changes] == ["changed"]
    plan = apply(fleet, lambda edit: edit.put("key_templates", decomposed, {"description": "Склад 2"}))
    assert [change.action for change in plan.changes] == ["changed"]
