"""The extended_set module and playbook, through ansible-playbook: create, change (parameters merged one by one),
remove, idempotence, check mode, diff, invalid changes writing nothing and naming the field, the playbook as its
survey runs it."""

from __future__ import annotations

import yaml
from csv_support import REPO, copy_fleet, run_module_tasks, run_survey, snapshot

LAB = {
    "name": "snom-lab",
    "vendor": "snom",
    "description": "Snom lab phones",
    "params": {"language": "Deutsch", "dnd_mode": True, "web_language": "English"},
}


def sets(fleet) -> dict:
    return yaml.safe_load((fleet / "extended_sets.yml").read_text())["extended_sets"]


def task(fleet, **args) -> tuple[str, dict]:
    return ("extended_set", {"fleet_dir": str(fleet), **args})


def test_create_again_change_and_remove(tmp_path):
    fleet = copy_fleet(tmp_path)
    yealink_before = (fleet / "extended_sets.yml").read_text().split("\n  cisco-dialrules:")[0]
    rules = [{"pattern": "2...", "timeout": 0}, {"pattern": "9.........", "timeout": "3", "user": "phone"}]
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, **LAB),
            task(fleet, **LAB),
            task(fleet, name="snom-lab", params={"language": "Русский", "web_language": None}, description=None),
            task(fleet, name="cisco-dialrules", dial_rules=rules, softkey_template="lab-softkeys.xml"),
            task(fleet, name="unify-office", state="absent"),  # the office profile lists it: refused
            task(fleet, name="snom-lab", state="absent"),
            task(fleet, name="snom-lab", state="absent"),
        ],
        "--diff",
    )
    created, again, changed, cisco, in_use, removed, removed_again = results
    assert created["changed"] and created["changes"][0]["action"] == "created", created
    assert not again["changed"], again
    assert changed["changed"] and cisco["changed"], (changed, cisco)
    assert in_use["failed"] and "profiles.office.extended[3]: unknown extended set 'unify-office'" in in_use["msg"]
    assert in_use["msg"].startswith("extended set unify-office is still used where listed below, so it was not")
    assert removed["changes"][0]["action"] == "removed" and not removed_again["changed"]
    # the parameters merged: one changed, one removed, the third as it was
    assert " params:\n-  language: Deutsch\n+  language: Русский\n   dnd_mode: true\n-  web_language: English" in output
    current = sets(fleet)
    assert "snom-lab" not in current and "unify-office" in current
    assert current["cisco-dialrules"]["dial_rules"] == [
        {"pattern": "2...", "timeout": 0},
        {"pattern": "9.........", "timeout": 3, "user": "phone"},
    ]
    assert current["cisco-dialrules"]["params"] == {"webAccess": 0, "sshAccess": 0}
    assert (fleet / "extended_sets.yml").read_text().startswith(yealink_before)
    assert rc == 0, output


def test_check_mode_writes_nothing_and_replace_shows_what_goes(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, **LAB),
            task(fleet, name="yealink-office", vendor="yealink", params={"lang.gui": "English"}, replace=True),
        ],
        "--check",
        "--diff",
    )
    assert rc == 0, output
    assert all(result["changed"] for result in results), results
    assert snapshot(fleet) == files
    # replace: the set becomes what is given, its description and other parameters gone
    assert "-description: Yealink tweaks for the office" in output and "-  features.dnd.allow: 1" in output
    assert "-  lang.gui: Russian\n+  lang.gui: English" in output


def test_invalid_changes_write_nothing_and_name_the_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    _rc, results, _output = run_module_tasks(
        tmp_path,
        [
            task(fleet, name="yealink-office", params={"lang.gui": ["Russian", "English"]}),
            task(fleet, name="snom-lab", vendor="nokia", params={"a": 1}),
            task(fleet, name="yealink-office", dial_rules=[{"pattern": "2..."}]),  # Cisco only
            task(fleet, name="snom-lab", params={"a": 1}),  # a new set without vendor
            task(fleet, name="cisco-dialrules", dial_rules=[{"timeout": 3}]),
        ],
    )
    value, vendor, cisco_only, no_vendor, no_pattern = results
    assert all(result["failed"] for result in results), results
    assert snapshot(fleet) == files
    assert "extended_sets.yml:" in value["msg"], value["msg"]
    assert "extended_sets.yealink-office.params.lang.gui: must be of type" in value["msg"], value["msg"]
    assert "extended_sets.snom-lab.vendor: unknown vendor 'nokia'" in vendor["msg"], vendor["msg"]
    assert "extended_sets.yealink-office.dial_rules: is a Cisco-only field" in cisco_only["msg"], cisco_only["msg"]
    assert "extended_sets.snom-lab.vendor: is required but missing" in no_vendor["msg"], no_vendor["msg"]
    assert "missing required arguments: pattern found in dial_rules" in no_pattern["msg"], no_pattern["msg"]


def test_the_playbook_as_its_survey_runs_it(tmp_path):
    fleet = copy_fleet(tmp_path)
    answers = {
        "phonefleet_fleet_dir": str(fleet),
        "phonefleet_name": "cisco-lab",
        "phonefleet_state": "present",
        "phonefleet_vendor": "cisco",
        "phonefleet_description": "",
        "phonefleet_params_yaml": "webAccess: 1\n",
        "phonefleet_extended_set_yaml": "dial_rules: [{pattern: '8.........', timeout: 3}]\nsoftkey_template: lab.xml",
        "phonefleet_replace": "false",
    }
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "extended_set.yml", answers)
    assert rc == 0, output
    assert "extended set cisco-lab created" in output
    assert sets(fleet)["cisco-lab"] == {
        "vendor": "cisco",
        "params": {"webAccess": 1},
        "dial_rules": [{"pattern": "8.........", "timeout": 3}],
        "softkey_template": "lab.xml",
    }
    files = snapshot(fleet)
    answers["phonefleet_extended_set_yaml"] = "dialrules: []\n"
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "extended_set.yml", answers)
    assert rc != 0 and "unknown: dialrules" in output, output
    assert snapshot(fleet) == files
