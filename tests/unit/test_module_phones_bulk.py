"""phonefleet.provisioning.phones_bulk and its playbook, through the real ansible-playbook on a copy of the demo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from csv_support import ANSIBLE_PLAYBOOK, REPO, VAULT_PASSWORD_FILE, copy_fleet, decrypt_text, run_task, snapshot

WAREHOUSE = {"00:09:45:10:20:30", "00:0a:dd:10:20:31", "0c:38:3e:01:02:03"}
SURVEY = REPO / "playbooks/surveys/phones_bulk.json"
PLAYBOOK = REPO / "playbooks/phones_bulk.yml"


def phones(fleet) -> dict:
    return {phone.mac: phone for phone in load_fleet(str(fleet)).phones}


def warehouse_password(fleet) -> str:
    """The clear SIP password of a warehouse phone (its vault value decrypted), to look for in the output."""
    text = (fleet / "phones.yml").read_text()
    start = text.index("name: Guard room")
    vault = re.search(r'password: !vault "([^"]+)"', text[start:])
    assert vault is not None
    return decrypt_text(vault.group(1).encode().decode("unicode_escape"))


def test_change_shows_a_masked_diff_and_a_second_run_changes_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    secret = warehouse_password(fleet)
    args = {"fleet_dir": str(fleet), "select": {"site": "spb-warehouse"}, "set": {"profile": "office"}}
    rc, result, output = run_task(tmp_path, "phones_bulk", {**args, "show": 2}, "--diff")
    assert rc == 0 and not result.get("failed"), output
    assert result["changed"] and result["matched"] == 3 and result["changed_phones"] == 3
    assert len(result["macs"]) == 2 and set(result["macs"]) < WAREHOUSE and result["macs_truncated"]
    assert result["msg"] == "3 phones matched, 3 changed (profile=office)"
    assert "-profile: warehouse" in output and "+profile: office" in output
    assert "and 1 more phone changed the same way" in output
    assert secret not in output and "$ANSIBLE_VAULT" not in output
    after = phones(fleet)
    assert {mac for mac, phone in after.items() if phone.profile == "office" and phone.site == "spb-warehouse"} == {
        mac.replace(":", "") for mac in WAREHOUSE
    }
    files = snapshot(fleet)
    rc, again, output = run_task(tmp_path, "phones_bulk", args)
    assert rc == 0 and again["changed"] is False and again["changed_phones"] == 0, output
    assert again["msg"] == "3 phones matched, 0 changed (profile=office)"
    assert snapshot(fleet) == files


def test_check_mode_writes_nothing_and_reports_the_change(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    args = {"fleet_dir": str(fleet), "select": {"vendor": "yealink"}, "unset": ["firmware_kit"]}
    rc, result, output = run_task(tmp_path, "phones_bulk", args, "--check", "--diff")
    assert rc == 0 and result["changed"] and result["changed_phones"] == 1, output
    assert result["macs"] == ["80:5e:c0:11:22:33"]
    assert "-firmware_kit: 2026-q3" in output
    assert snapshot(fleet) == files


def test_an_invalid_change_writes_nothing_and_names_the_file_and_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    args = {"fleet_dir": str(fleet), "select": {"site": "spb-warehouse"}, "set": {"profile": "lab"}}
    _rc, result, output = run_task(tmp_path, "phones_bulk", args)
    assert result["failed"], output
    assert "nothing was written" in result["msg"]
    assert re.search(r"phones\.yml(:\d+)?: phones\[\d+\]\.profile", result["msg"]), result["msg"]
    assert "lab" in result["msg"]
    assert snapshot(fleet) == files


def test_state_absent_removes_the_selected_phones_and_a_status_selection_needs_the_service(tmp_path):
    fleet = copy_fleet(tmp_path)
    args = {"fleet_dir": str(fleet), "select": {"macs": ["0c383e010203", "0009.4510.2030"]}, "state": "absent"}
    rc, result, output = run_task(tmp_path, "phones_bulk", args)
    assert rc == 0 and result["changed"] and sorted(result["macs"]) == ["00:09:45:10:20:30", "0c:38:3e:01:02:03"]
    left = phones(fleet)
    assert "0c383e010203" not in left and "000945102030" not in left and "000add102031" in left
    files = snapshot(fleet)
    args = {"fleet_dir": str(fleet), "select": {"status": 1}, "set": {"profile": "office"}}
    env_url = os.environ.pop("PHONEFLEET_SERVICE_URL", None)
    try:
        rc, result, output = run_task(tmp_path, "phones_bulk", args)
    finally:
        if env_url is not None:
            os.environ["PHONEFLEET_SERVICE_URL"] = env_url
    assert result["failed"] and "select.status" in result["msg"] and "service_url" in result["msg"], output
    assert snapshot(fleet) == files


def test_the_playbook_runs_with_survey_answers(tmp_path):
    """As AWX runs it: every survey variable given, the ones left empty as empty strings."""
    fleet = copy_fleet(tmp_path)
    answers = {question["variable"]: question["default"] for question in json.loads(SURVEY.read_text())["spec"]}
    answers.update(
        phonefleet_fleet_dir=str(fleet),
        phonefleet_select_site="spb-warehouse",
        phonefleet_select_name="*o*",
        phonefleet_site="moscow-hq",
        phonefleet_unset=["profile"],
    )
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "phonefleet.provisioning.phones_bulk"]
    command += ["-e", json.dumps(answers), "-e", f"ansible_python_interpreter={sys.executable}"]
    command += ["--vault-password-file", str(VAULT_PASSWORD_FILE)]
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    # "Warehouse office", "Loading dock", "Guard room": all three names have an "o"
    assert "3 phones matched, 3 changed (site=moscow-hq; profile removed)" in output
    after = phones(fleet)
    moved = {mac for mac, phone in after.items() if phone.site == "moscow-hq" and phone.profile == "office"}
    assert {mac.replace(":", "") for mac in WAREHOUSE} <= moved  # office: the fleet's default profile
