"""The fleet_settings module and playbook, through ansible-playbook as a user runs them."""

from __future__ import annotations

import json

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import load_yaml
from csv_support import REPO, copy_fleet, decrypt_text, snapshot
from edit_play_support import run_playbook, run_tasks

MODULE = "phonefleet.provisioning.fleet_settings"
AUTH_PASSWORD = "Cisco-Auth-Secret-1"
CONTROL_PASSWORD = "Control-Secret-22"
SHARING = ("yealink", "avaya", "unify", "atcom", "qtech", "poly", "grandstream", "snom", "fanvil")


def settings(fleet) -> dict:
    return load_yaml((fleet / "settings.yml").read_text())["settings"]


def secret(value) -> str:
    return decrypt_text(str.__str__(value))


def test_settings_are_merged_and_an_anchored_phone_auth_changes_only_for_the_vendors_named(tmp_path):
    fleet = copy_fleet(tmp_path)
    demo = settings(fleet)
    shared_password = secret(demo["phone_auth"]["yealink"]["password"])
    cisco_mpp = {"fleet_dir": str(fleet), "phone_auth": [{"vendor": "cisco_mpp", "password": AUTH_PASSWORD}]}
    every_sharer = [{"vendor": vendor, "username": "prov2"} for vendor in SHARING]
    results, output = run_tasks(
        tmp_path,
        [
            {MODULE: cisco_mpp},
            {MODULE: cisco_mpp},
            {
                MODULE: {
                    "fleet_dir": str(fleet),
                    "defaults": {"firmware_kit": "2026-q3"},
                    "provisioning": {"scheme": "http"},
                }
            },
            {MODULE: {"fleet_dir": str(fleet), "phone_control": {"password": CONTROL_PASSWORD}}},
            {MODULE: {"fleet_dir": str(fleet), "phone_auth": every_sharer}},
            {MODULE: {"fleet_dir": str(fleet), "phone_auth": [{"vendor": "fanvil", "state": "absent"}]}},
            {MODULE: {"fleet_dir": str(fleet), "defaults": {"site": ""}}},
        ],
        "--diff",
    )
    detached, again, merged, control, all_named, fanvil_removed, site_removed = results
    for result in (detached, merged, control, all_named, fanvil_removed, site_removed):
        assert result["changed"] is True, result
    assert again["changed"] is False, again
    assert "password: '********'" in control["diff"][0]["after"]
    for clear in (AUTH_PASSWORD, CONTROL_PASSWORD, shared_password):
        assert clear not in output and clear not in json.dumps(results)
    after = settings(fleet)
    auth = after["phone_auth"]
    # cisco_mpp got its own node: its password changed, no other vendor's did
    assert secret(auth["cisco_mpp"]["password"]) == AUTH_PASSWORD and auth["cisco_mpp"]["username"] == "provisioning"
    for vendor in SHARING[:-1]:
        assert secret(auth[vendor]["password"]) == shared_password, vendor
        assert auth[vendor]["username"] == "prov2", vendor  # every sharer named alike: the shared node changed
    assert "fanvil" not in auth
    text = (fleet / "settings.yml").read_text()
    assert "yealink: &phone_auth {method: digest, username: prov2," in text
    assert text.count("*phone_auth") == len(SHARING) - 2  # the anchor stays; cisco_mpp and fanvil left it
    assert "cisco_mpp: *phone_auth" not in text
    assert secret(after["phone_control"]["password"]) == CONTROL_PASSWORD
    assert after["phone_control"]["username"] == "admin" and after["phone_control"]["networks"] == ["127.0.0.0/8"]
    assert after["defaults"] == {"profile": "office", "firmware_kit": "2026-q3"}
    assert after["provisioning"] == {**demo["provisioning"], "scheme": "http"}
    assert after["autoprovision"] == demo["autoprovision"]
    assert "# Values a phone gets when it does not name its own." in text


def test_check_mode_and_invalid_changes_write_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    results, _output = run_tasks(
        tmp_path,
        [
            {MODULE: {"fleet_dir": str(fleet), "provisioning": {"http_port": 8080}}, "check_mode": True, "diff": True},
            {MODULE: {"fleet_dir": str(fleet), "vendors": ["yealink", "cisco"]}},
            {MODULE: {"fleet_dir": str(fleet), "defaults": {"profile": "no-such-profile"}}},
            {MODULE: {"fleet_dir": str(fleet), "provisioning": {"servers": ["bad host name"]}}},
            {MODULE: {"fleet_dir": str(fleet), "phone_auth": [{"vendor": "yealink", "method": "kerberos"}]}},
        ],
    )
    checked, vendor_in_use, unknown_profile, bad_server, bad_method = results
    assert checked["changed"] is True and "http_port: 80\n" in checked["diff"][0]["before"], checked
    assert "http_port: 8080\n" in checked["diff"][0]["after"]
    assert vendor_in_use["failed"] is True and "nothing was written" in vendor_in_use["msg"]
    assert "phones.yml" in vendor_in_use["msg"] and "vendor" in vendor_in_use["msg"], vendor_in_use["msg"]
    assert unknown_profile["failed"] is True and "settings.yml" in unknown_profile["msg"]
    assert "defaults.profile" in unknown_profile["msg"] and "no-such-profile" in unknown_profile["msg"]
    assert bad_server["failed"] is True and "provisioning.servers" in bad_server["msg"], bad_server["msg"]
    assert bad_method["failed"] is True and "method" in bad_method["msg"], bad_method["msg"]
    assert snapshot(fleet) == before


def test_the_playbook_takes_survey_answers(tmp_path):
    fleet = copy_fleet(tmp_path)
    demo = settings(fleet)
    answers = {
        "phonefleet_fleet_dir": str(fleet),
        "phonefleet_default_profile": "warehouse",
        "phonefleet_phone_auth_vendors": ["yealink"],
        "phonefleet_phone_auth_method": "",  # optional questions left empty
        "phonefleet_phone_auth_username": "",
        "phonefleet_phone_auth_password": AUTH_PASSWORD,
        "phonefleet_phone_control_password": "",
        "phonefleet_autoprovision_enabled": "false",
        "phonefleet_vendors": "",
    }
    code, output = run_playbook(REPO / "playbooks" / "fleet_settings.yml", "-e", json.dumps(answers), "--diff")
    assert code == 0, output
    assert AUTH_PASSWORD not in output
    after = settings(fleet)
    assert after["defaults"]["profile"] == "warehouse" and after["autoprovision"]["enabled"] is False
    assert secret(after["phone_auth"]["yealink"]["password"]) == AUTH_PASSWORD
    assert after["phone_auth"]["yealink"]["method"] == "digest"
    assert secret(after["phone_auth"]["avaya"]["password"]) == secret(demo["phone_auth"]["avaya"]["password"])
    assert after["vendors"] == demo["vendors"] and after["phone_control"] == demo["phone_control"]
