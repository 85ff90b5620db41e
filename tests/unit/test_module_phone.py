"""The phone module and playbook, through the real ansible-playbook: create, change, remove one phone."""

from __future__ import annotations

import json
import re

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit
from csv_support import (
    ANSIBLE_PLAYBOOK,
    REPO,
    copy_fleet,
    decrypt_text,
    run_playbook,
    run_tasks,
    snapshot,
    vault_kwargs,
)

NEW_MAC = "80:5E:C0:AA:00:10"  # a Yealink prefix; not in the demo fleet
LINE_1_PASSWORD = "Shelf-C-2110-sip"
LINE_2_PASSWORD = "Shelf-C-2111-sip"
NEW_LINE_1_PASSWORD = "Shelf-C-new-2110"
ADMIN_PASSWORD = "Admin-only-here-77"
SECRETS = (LINE_1_PASSWORD, LINE_2_PASSWORD, NEW_LINE_1_PASSWORD, ADMIN_PASSWORD)


def phone_task(fleet, **args) -> dict:
    return {"phonefleet.provisioning.phone": {"fleet_dir": str(fleet), **args}}


def phone(fleet, mac: str) -> dict | None:
    return FleetEdit(str(fleet), **vault_kwargs()).get("phones", mac)


def new_phone(fleet) -> dict:
    return phone_task(
        fleet,
        mac=NEW_MAC,
        name="Warehouse, shelf C",
        vendor="yealink",
        model="T54W",
        profile="warehouse",
        site="spb-warehouse",
        firmware_kit="2026-q3",
        key_template="reception",
        description="by the loading bay",
        lines=[
            {"number": "2110", "display_name": "Shelf C", "username": "2110", "password": LINE_1_PASSWORD},
            {"number": "2111", "display_name": "Shelf C 2", "auth_username": "a2111", "password": LINE_2_PASSWORD},
        ],
        keys=[{"index": 3, "function": "speed_dial", "value": "2001", "label": "Reception"}],
        modules=["EXP50"],
        admin_password=ADMIN_PASSWORD,
        dest="warehouse-phones.yml",
    )


def test_create_change_remove_each_once_then_nothing_to_change(tmp_path):
    fleet = copy_fleet(tmp_path)
    untouched = (fleet / "phones.yml").read_text()
    change_line_1 = phone_task(
        fleet,
        mac="805e.c0aa.0010",
        profile="office",
        lines=[{"password": NEW_LINE_1_PASSWORD, "display_name": ""}],
        keep_other_lines=True,
    )
    remove = phone_task(fleet, mac="00-15-65-4C-4C-26", state="absent")
    clear = phone_task(fleet, mac=NEW_MAC, description="", modules=[])  # empty: the field is removed
    tasks = [new_phone(fleet), new_phone(fleet), change_line_1, change_line_1, clear, remove, remove]
    _rc, results, output = run_tasks(tmp_path, "phone", tasks, "--diff")
    assert not any(result.get("failed") for result in results), output
    assert [result["changed"] for result in results] == [True, False, True, False, True, True, False]
    created, _again, changed, _changed_again, cleared, removed, _removed_again = results

    assert created["changes"] == [
        {"kind": "phones", "name": "80:5e:c0:aa:00:10", "file": created["file"], "action": "created"}
    ]
    assert created["file"].endswith("fleet/warehouse-phones.yml")
    assert changed["changes"][0]["action"] == "changed"
    assert removed["changes"][0]["action"] == "removed" and removed["file"].endswith("fleet/phones.yml")
    assert removed["mac"] == "00:15:65:4c:4c:26"

    # what the fleet holds now: every field, the passwords vault-encrypted, line 2 kept untouched
    stored = phone(fleet, NEW_MAC)
    assert stored is not None
    lines = stored.pop("lines")
    assert stored == {
        "mac": "80:5e:c0:aa:00:10",
        "name": "Warehouse, shelf C",
        "vendor": "yealink",
        "model": "T54W",
        "profile": "office",
        "site": "spb-warehouse",
        "firmware_kit": "2026-q3",
        "key_template": "reception",
        "keys": [{"index": 3, "function": "speed_dial", "value": "2001", "label": "Reception"}],
        "admin_password": stored["admin_password"],
    }
    assert decrypt_text(stored["admin_password"]) == ADMIN_PASSWORD
    assert [{name: value for name, value in line.items() if name != "password"} for line in lines] == [
        {"number": "2110", "username": "2110"},
        {"number": "2111", "display_name": "Shelf C 2", "auth_username": "a2111"},
    ]
    assert [decrypt_text(line["password"]) for line in lines] == [NEW_LINE_1_PASSWORD, LINE_2_PASSWORD]
    new_file = (fleet / "warehouse-phones.yml").read_text()
    assert "!vault |" in new_file
    assert phone(fleet, "00:15:65:4c:4c:26") is None
    # the other phones of phones.yml are as they were, comments and vault values included
    assert (fleet / "phones.yml").read_text() == _without_phone(untouched, "00:15:65:4c:4c:26")

    # diff: the change shown, every secret masked; no clear secret anywhere in what the run printed
    assert "description: by the loading bay" in cleared["diff"][0]["before"]
    assert "description" not in cleared["diff"][0]["after"] and "EXP50" not in cleared["diff"][0]["after"]
    assert "profile: office" in changed["diff"][0]["after"] and "profile: warehouse" in changed["diff"][0]["before"]
    assert "password: '********'" in created["diff"][0]["after"]
    # a new password masks like the old one: the diff says which changed (line 1's, not line 2's)
    line_1, line_2 = changed["diff"][0]["after"].split("- number:")[1:]
    assert "password: '******** (changed)'" in line_1 and "password: '********'\n" in line_2
    assert "admin_password: '********'" in created["diff"][0]["after"]
    printed = output + json.dumps(results)
    for secret in SECRETS:
        assert secret not in printed
    assert "$ANSIBLE_VAULT" not in json.dumps([result.get("diff") for result in results])


def _without_phone(text: str, mac_as_written: str) -> str:
    """``text`` (a demo phones file) without the item of the phone, from its '- mac:' to the next item."""
    start = text.index(f"\n  - mac: {mac_as_written}\n")
    end = text.index("\n\n  - mac: ", start + 1)
    return text[:start] + text[end + 1 :]


def test_check_mode_writes_nothing_and_says_what_would_change(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    tasks = [
        new_phone(fleet),
        phone_task(fleet, mac="80:5e:c0:11:22:33", lines=[{"password": NEW_LINE_1_PASSWORD}], keep_other_lines=True),
        phone_task(fleet, mac="0cd0.f8a1.b2c3", state="absent"),
    ]
    _rc, results, output = run_tasks(tmp_path, "phone-check", tasks, "--check", "--diff")
    assert [result["changed"] for result in results] == [True, True, True], output
    assert [result["changes"][0]["action"] for result in results] == ["created", "changed", "removed"]
    assert snapshot(fleet) == before
    for secret in SECRETS:
        assert secret not in output + json.dumps(results)


def test_an_invalid_change_writes_nothing_and_names_the_file_and_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    tasks = [
        phone_task(fleet, mac="80:5e:c0:11:22:33", profile="lab", lines=[{"password": LINE_1_PASSWORD}]),
        phone_task(fleet, mac="80:5e:c0:11:22:3", name="x"),
        phone_task(fleet, mac=NEW_MAC, model="T54W", lines=[{"number": "2001", "password": LINE_2_PASSWORD}]),
        phone_task(fleet, mac="80:5e:c0:11:22:33", keys=[{"index": 2, "function": "blf", "value": "2002", "line": 5}]),
        phone_task(fleet, mac=NEW_MAC, model="T54W", dest="../elsewhere.yml"),
    ]
    _rc, results, output = run_tasks(tmp_path, "phone-invalid", tasks)
    assert all(result.get("failed") for result in results), output
    unknown_profile, bad_mac, taken_number, bad_key, outside = (result["msg"] for result in results)
    assert "nothing was written" in unknown_profile
    assert re.search(r"phones\.yml:\d+: phones\[0\]\.profile: unknown profile 'lab'", unknown_profile), unknown_profile
    assert bad_mac.startswith("mac: ")
    # the other phone with that account is named by its real file, never by the copy the change was checked on
    assert f"{fleet}/phones.yml: 805ec0112233 line 1" in taken_number, taken_number
    assert "phonefleet-edit-" not in taken_number
    assert re.search(r"phones\.yml:\d+: phones\[0\]\.keys\[0\]\.line: key 2 uses line 5", bad_key), bad_key
    assert outside.startswith("dest: ") and "inside the fleet directory" in outside
    assert snapshot(fleet) == before
    assert LINE_1_PASSWORD not in output and LINE_2_PASSWORD not in output


def test_the_playbook_adds_a_phone_from_survey_answers(tmp_path):
    fleet = copy_fleet(tmp_path)
    survey = json.loads((REPO / "playbooks" / "surveys" / "phone.json").read_text())
    answers = {question["variable"]: "" for question in survey["spec"]}  # AWX sends empty optional answers
    answers.update(
        phonefleet_mac="805ec0aa0010",
        phonefleet_state="present",
        phonefleet_name="Shelf C",
        phonefleet_model="T54W",
        phonefleet_profile="warehouse",
        phonefleet_number="2110",
        phonefleet_password=LINE_1_PASSWORD,
        phonefleet_fleet_dir=str(fleet),
    )
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    command = [str(ANSIBLE_PLAYBOOK), str(REPO / "playbooks" / "phone.yml"), "-e", f"@{tmp_path / 'answers.json'}"]
    first = run_playbook(tmp_path, command)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "phone 80:5e:c0:aa:00:10 created" in first.stdout
    stored = phone(fleet, NEW_MAC)
    assert stored is not None
    assert {name: stored[name] for name in ("name", "model", "profile")} == {
        "name": "Shelf C",
        "model": "T54W",
        "profile": "warehouse",
    }
    assert stored["lines"][0]["number"] == "2110" and decrypt_text(stored["lines"][0]["password"]) == LINE_1_PASSWORD

    # the same answers again change nothing
    files = snapshot(fleet)
    again = run_playbook(tmp_path, command)
    assert "changed=0" in again.stdout, again.stdout + again.stderr
    assert snapshot(fleet) == files

    # a form changing an existing phone's name and line 1's password leaves everything else as it was
    director = phone(fleet, "0cd0.f8a1.b2c3")
    answers.update(phonefleet_mac="0CD0.F8A1.B2C3", phonefleet_name="Director (new desk)")
    answers.update(
        phonefleet_model="", phonefleet_profile="", phonefleet_number="", phonefleet_password=LINE_2_PASSWORD
    )
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    changed = run_playbook(tmp_path, command)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    after = phone(fleet, "0cd0.f8a1.b2c3")
    assert director is not None and after is not None
    assert decrypt_text(after["lines"][0]["password"]) == LINE_2_PASSWORD
    assert after["name"] == "Director (new desk)"
    assert {**after, "name": director["name"], "lines": None} == {**director, "lines": None}
    assert after["lines"][1] == director["lines"][1]
    assert {**after["lines"][0], "password": None} == {**director["lines"][0], "password": None}
    for run in (first, again, changed):
        assert LINE_1_PASSWORD not in run.stdout + run.stderr and LINE_2_PASSWORD not in run.stdout + run.stderr
