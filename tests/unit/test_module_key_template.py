"""The key_template module and playbook, through ansible-playbook: create, change, remove, idempotence, check
mode, diff, invalid changes writing nothing and naming the field, the playbook as its survey runs it."""

from __future__ import annotations

import yaml
from csv_support import REPO, copy_fleet, run_module_tasks, run_survey, snapshot

DESK = {
    "name": "desk",
    "description": "Front desk",
    "keys": [
        {"index": 1, "function": "line", "line": 1, "label": "Desk"},
        {"index": 2, "function": "blf", "value": 2002, "label": "Director"},
        {"index": 3, "function": "speed_dial", "value": "84951234567"},
    ],
}


def templates(fleet) -> dict:
    return yaml.safe_load((fleet / "key_templates.yml").read_text())["key_templates"]


def task(fleet, **args) -> tuple[str, dict]:
    return ("key_template", {"fleet_dir": str(fleet), **args})


def test_create_again_change_and_remove(tmp_path):
    fleet = copy_fleet(tmp_path)
    reception_before = (fleet / "key_templates.yml").read_text().split("\n  manager:")[0]
    changed_keys = [DESK["keys"][0], {"index": 2, "function": "blf", "value": "2003", "label": "Accounting"}]
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, **DESK),
            task(fleet, **DESK),
            task(fleet, name="desk", description=None, keys=changed_keys),
            task(fleet, name="lobby", keys=[{"index": 1, "function": "dnd"}], dest="lobby.yml"),
            task(fleet, name="lobby", state="absent"),
        ],
        "--diff",
    )
    created, again, changed, lobby, removed = results
    assert rc == 0, output
    assert created["changed"] and created["changes"][0]["action"] == "created", created
    assert not again["changed"], again
    assert changed["changed"] and changed["changes"][0]["action"] == "changed", changed
    assert lobby["changes"][0]["file"].endswith("lobby.yml") and removed["changes"][0]["action"] == "removed"
    desk = templates(fleet)["desk"]
    assert desk == {"keys": [DESK["keys"][0], {"index": 2, "function": "blf", "value": "2003", "label": "Accounting"}]}
    assert (fleet / "key_templates.yml").read_text().startswith(reception_before)
    assert yaml.safe_load((fleet / "lobby.yml").read_text()) == {"key_templates": {}}
    assert "-  value: '2002'\n-  label: Director\n-- index: 3\n" in output
    assert "+  value: '2003'\n+  label: Accounting" in output
    assert "-description: Front desk" in output


def test_check_mode_writes_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, **DESK),
            task(fleet, name="manager", description="Managers"),
            task(fleet, name="desk", state="absent"),
        ],
        "--check",
        "--diff",
    )
    assert rc == 0, output
    assert [result["changed"] for result in results] == [True, True, False], results
    assert snapshot(fleet) == files
    assert "+description: Managers" in output


def test_invalid_changes_write_nothing_and_name_the_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    _rc, results, _output = run_module_tasks(
        tmp_path,
        [
            task(fleet, name="reception", state="absent"),  # a phone uses it
            task(fleet, name="reception", keys=[{"index": 0, "function": "line", "line": 1}]),
            task(fleet, name="manager", keys=[{"index": 1, "function": "fly"}]),
            task(fleet, name="manager", keys=[{"index": 1, "function": "line", "line": 9}]),  # phones lack line 9
            task(fleet, name="desk", description="no keys"),  # a new template without keys
        ],
    )
    in_use, index, function, line, no_keys = results
    assert all(result["failed"] for result in results), results
    assert snapshot(fleet) == files
    assert in_use["msg"].startswith("key template reception is still used where listed below, so it was not")
    assert "key_template: unknown key template 'reception'" in in_use["msg"], in_use["msg"]
    assert not index["msg"].startswith("key template"), index["msg"]
    assert "key_templates.yml:" in index["msg"] and "key_templates.reception.keys[0].index" in index["msg"]
    assert "function must be one of" in function["msg"] and "fly found in keys" in function["msg"]
    assert "phones.yml:" in line["msg"], line["msg"]
    assert "key_template: key template 'manager' key 1 uses line 9 but there are 2 lines" in line["msg"]
    assert "key_templates.desk.keys: is required but missing" in no_keys["msg"], no_keys["msg"]


def test_the_playbook_as_its_survey_runs_it(tmp_path):
    fleet = copy_fleet(tmp_path)
    answers = {
        "phonefleet_fleet_dir": str(fleet),
        "phonefleet_name": "desk",
        "phonefleet_state": "present",
        "phonefleet_description": "Front desk",
        "phonefleet_keys_yaml": "- {index: 1, function: line, line: 1}\n- {index: 2, function: blf, value: '2002'}\n",
        "phonefleet_replace": "false",
    }
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "key_template.yml", answers)
    assert rc == 0, output
    assert "key template desk created" in output
    assert templates(fleet)["desk"] == {
        "description": "Front desk",
        "keys": [{"index": 1, "function": "line", "line": 1}, {"index": 2, "function": "blf", "value": "2002"}],
    }
    # a survey answer that is not a list is refused before anything changes
    files = snapshot(fleet)
    answers["phonefleet_keys_yaml"] = "index: 1\n"
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "key_template.yml", answers)
    assert rc != 0 and "the keys as a YAML list" in output, output
    assert snapshot(fleet) == files
