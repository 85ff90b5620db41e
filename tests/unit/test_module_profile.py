"""The profile module and playbook, through ansible-playbook: create, change, remove, idempotence, check mode,
diff with the admin password masked, invalid changes writing nothing, the playbook as its survey runs it."""

from __future__ import annotations

import json

import yaml
from csv_support import REPO, copy_fleet, decrypt_text, run_module_tasks, run_survey, snapshot
from edit_support import secrets_without_no_log

ADMIN = "Lab-Admin-Zx81"
NEW_ADMIN = "Lab-Admin-Qw07"
LAB = {
    "name": "lab",
    "description": "Lab bench",
    "sip": {"registrar": "pbx.lab.invalid", "port": "5070", "transport": "tcp", "expires": 600, "srtp": "optional"},
    "codecs": ["g722", "pcma"],
    "features": {"dnd": True, "call_waiting": "false", "pickup_code": "*8"},
    "mobility": False,
    "time": {"ntp": ["ntp.lab.invalid"], "timezone": "Europe/Berlin", "dst": "auto", "time_format": "24h"},
    "network": {"vlan": {"id": 40, "priority": 5}, "lldp": True, "dscp": {"sip": 26, "rtp": 46}},
    "updates": {
        "config_check": {"days": ["mon", "fri"], "hours": "01:00-04:00"},
        "firmware_window": {"days": ["sat"], "hours": "02:00-05:00"},
    },
    "admin_password": ADMIN,
    "extended": ["yealink-office"],
}


def profiles(fleet) -> dict:
    return yaml.safe_load((fleet / "profiles.yml").read_text().replace("!vault", ""))["profiles"]


def task(fleet, **args) -> tuple[str, dict]:
    return ("profile", {"fleet_dir": str(fleet), **args})


def test_create_again_and_change(tmp_path):
    fleet = copy_fleet(tmp_path)
    office_before = (fleet / "profiles.yml").read_text().split("\n  warehouse:")[0]
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, **LAB),
            task(fleet, **LAB),  # the same again: the vault password decrypted to compare
            task(fleet, name="lab", sip={"port": 5071, "expires": None}, description=None, codecs=["opus"]),
        ],
        "--diff",
    )
    created, again, changed = results
    assert rc == 0, output
    assert created["changed"] and created["changes"][0]["action"] == "created", created
    assert not again["changed"] and again["msg"] == "nothing to change", again
    assert changed["changed"] and changed["changes"][0]["action"] == "changed", changed
    lab = profiles(fleet)["lab"]
    assert lab["sip"] == {"registrar": "pbx.lab.invalid", "port": 5071, "transport": "tcp", "srtp": "optional"}
    assert "description" not in lab and lab["codecs"] == ["opus"]
    assert lab["features"] == {"dnd": True, "call_waiting": False, "pickup_code": "*8"}
    assert lab["time"]["timezone"] == "Europe/Berlin" and lab["network"]["vlan"] == {"id": 40, "priority": 5}
    assert lab["updates"]["config_check"] == {"days": ["mon", "fri"], "hours": "01:00-04:00"}
    assert lab["mobility"] is False and lab["extended"] == ["yealink-office"]
    assert decrypt_text(lab["admin_password"]) == ADMIN
    # the profile beside it is untouched, comments and vault value included
    assert (fleet / "profiles.yml").read_text().startswith(office_before)
    # the diff shows the change, never the password
    assert "-  port: 5070\n+  port: 5071" in output and "-description: Lab bench" in output
    assert ADMIN not in output + json.dumps(results)


def test_check_mode_writes_nothing_and_masks_the_new_password(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, name="office", admin_password=NEW_ADMIN, sip={"registrar": "pbx9.demo.invalid"}),
            task(fleet, **LAB),
        ],
        "--check",
        "--diff",
    )
    assert rc == 0, output
    assert [result["changed"] for result in results] == [True, True], results
    assert snapshot(fleet) == files
    assert "-  registrar: pbx.demo.invalid\n+  registrar: pbx9.demo.invalid" in output
    assert "admin_password: '********'" in output
    for secret in (NEW_ADMIN, ADMIN):
        assert secret not in output + json.dumps(results)


def test_remove_and_refusals_write_nothing_and_name_the_field(tmp_path):
    fleet = copy_fleet(tmp_path)
    files = snapshot(fleet)
    _rc, results, output = run_module_tasks(
        tmp_path,
        [
            task(fleet, name="warehouse", state="absent"),  # phones use it
            task(fleet, name="office", network={"vlan": {"id": 5000}}, admin_password=NEW_ADMIN),
            task(fleet, name="office", extended=["no-such-set"]),
            task(fleet, name="lab", codecs=["pcma"]),  # a new profile without sip.registrar
            task(fleet, name="office", sip={"registrar": "x", "colour": "red"}),
            task(fleet, name="office", state="absent", description="gone"),
        ],
    )
    in_use, vlan, extended, no_sip, unknown, absent_with_fields = results
    assert all(result["failed"] for result in results), results
    assert snapshot(fleet) == files
    assert in_use["msg"].startswith("profile warehouse is still used where listed below, so it was not removed;")
    assert "phones.yml:" in in_use["msg"]
    assert "phones[8].profile: unknown profile 'warehouse'" in in_use["msg"], in_use["msg"]
    assert "profiles.yml:18: profiles.office.network.vlan.id: 5000" in vlan["msg"], vlan["msg"]
    assert NEW_ADMIN not in output + json.dumps(results)
    assert "profiles.office.extended[0]: unknown extended set 'no-such-set'" in extended["msg"], extended["msg"]
    assert "profiles.lab.sip: is required but missing" in no_sip["msg"], no_sip["msg"]
    assert "sip.colour" in unknown["msg"], unknown["msg"]
    assert "state=absent removes the whole item; do not give description" in absent_with_fields["msg"]


def test_remove_a_profile_no_phone_uses(tmp_path):
    fleet = copy_fleet(tmp_path)
    rc, results, output = run_module_tasks(
        tmp_path, [task(fleet, **LAB), task(fleet, name="lab", state="absent"), task(fleet, name="lab", state="absent")]
    )
    assert rc == 0, output
    assert [result["changed"] for result in results] == [True, True, False], results
    assert results[1]["changes"][0]["action"] == "removed"
    assert set(profiles(fleet)) == {"office", "warehouse"}


def test_the_playbook_as_its_survey_runs_it(tmp_path):
    fleet = copy_fleet(tmp_path)
    answers = {
        "phonefleet_fleet_dir": str(fleet),
        "phonefleet_name": "lab",
        "phonefleet_state": "present",
        "phonefleet_description": "",
        "phonefleet_registrar": "pbx.lab.invalid",
        "phonefleet_port": 5070,
        "phonefleet_transport": "tls",
        "phonefleet_codecs": ["g722", "pcma"],
        "phonefleet_timezone": "Europe/Berlin",
        "phonefleet_admin_password": ADMIN,
        "phonefleet_extended": "yealink-office, unify-office",
        "phonefleet_profile_yaml": "features: {dnd: true}\ntime: {ntp: [ntp.lab.invalid]}\nsip: {expires: 900}\n",
        "phonefleet_replace": "false",
    }
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "profile.yml", answers)
    assert rc == 0, output
    assert "profile lab created" in output
    lab = profiles(fleet)["lab"]
    assert lab["sip"] == {"registrar": "pbx.lab.invalid", "port": 5070, "transport": "tls", "expires": 900}
    assert lab["codecs"] == ["g722", "pcma"] and lab["extended"] == ["yealink-office", "unify-office"]
    assert lab["time"] == {"ntp": ["ntp.lab.invalid"], "timezone": "Europe/Berlin"}
    assert lab["features"] == {"dnd": True} and "description" not in lab
    assert decrypt_text(lab["admin_password"]) == ADMIN and ADMIN not in output
    # a change through the playbook touches only what its answers give (the module's defaults remove nothing)
    office = profiles(fleet)["office"]
    change = {"phonefleet_fleet_dir": str(fleet), "phonefleet_name": "office", "phonefleet_registrar": "pbx3.invalid"}
    change["phonefleet_profile_yaml"] = "network: {vlan: {priority: 3}}"
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "profile.yml", change)
    assert rc == 0, output
    office["sip"]["registrar"] = "pbx3.invalid"
    office["network"]["vlan"]["priority"] = 3
    assert profiles(fleet)["office"] == office
    # a field the YAML answer misspells is refused by name before anything is changed
    files = snapshot(fleet)
    answers.update(phonefleet_admin_password="", phonefleet_profile_yaml="fetaures: {dnd: false}\n")
    rc, output = run_survey(tmp_path, REPO / "playbooks" / "profile.yml", answers)
    assert rc != 0 and "unknown: fetaures" in output, output
    assert snapshot(fleet) == files


def test_every_secret_option_is_no_log():
    from ansible_collections.phonefleet.provisioning.plugins.action.profile import PROFILE_FIELDS

    assert secrets_without_no_log(PROFILE_FIELDS) == []
    assert "admin_password" in PROFILE_FIELDS
