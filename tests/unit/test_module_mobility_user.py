"""The mobility_user module and playbook, through ansible-playbook as a user runs them."""

from __future__ import annotations

import json
import re

import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import verify_pin
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import load_yaml
from csv_support import REPO, copy_fleet, decrypt_text, snapshot
from edit_play_support import run_playbook, run_tasks

from tests.unit.mobility.pin_support import pbkdf2_pin_hash

MODULE = "phonefleet.provisioning.mobility_user"
LINE_PASSWORD = "Clear-Line-Pass-5004"
PIN = "80613579"
NEW_PIN = "97531864"


def users(fleet) -> dict:
    data = load_yaml((fleet / "mobility.yml").read_text())
    return {user["number"]: user for user in data["mobility_users"]}


def test_a_user_is_created_changed_and_removed(tmp_path):
    fleet = copy_fleet(tmp_path)
    new_user = {
        "fleet_dir": str(fleet),
        "number": "5004",
        "name": "Maria Ivanova",
        "pin": PIN,
        "lines": [{"number": "5004", "display_name": "Maria Ivanova", "password": LINE_PASSWORD}],
        "key_template": "reception",
    }
    results, output = run_tasks(
        tmp_path,
        [
            {MODULE: new_user},
            {MODULE: new_user},
            {MODULE: {**new_user, "pin": NEW_PIN}},
            {MODULE: {"fleet_dir": str(fleet), "number": "5004", "name": "Maria Petrova", "key_template": ""}},
            {MODULE: {"fleet_dir": str(fleet), "number": "5004", "profile": "office"}},
            {MODULE: {"fleet_dir": str(fleet), "number": "5001", "state": "absent"}},
            {MODULE: {"fleet_dir": str(fleet), "number": "5001", "state": "absent"}},
        ],
        "--diff",
    )
    created, again, new_pin, renamed, profiled, removed, removed_again = results
    assert created["changed"] is True and created["changes"][0]["action"] == "created", created
    assert "password: '********'" in created["diff"][0]["after"]
    assert again["changed"] is False, again
    assert new_pin["changed"] is True
    assert new_pin["diff"][0]["before"].replace(_hash_line(new_pin["diff"][0]["before"]), "") == new_pin["diff"][0][
        "after"
    ].replace(_hash_line(new_pin["diff"][0]["after"]), ""), "only the PIN hash changes"
    assert renamed["changed"] is True and profiled["changed"] is True
    assert removed["changed"] is True and removed["changes"][0]["action"] == "removed"
    assert removed_again["changed"] is False
    # the secrets never appear, in clear, in what the run says
    for secret in (LINE_PASSWORD, PIN, NEW_PIN):
        assert secret not in output and secret not in json.dumps(results)
    found = users(fleet)
    assert "5001" not in found
    user = found["5004"]
    assert verify_pin(NEW_PIN, user["pin_hash"]) and not verify_pin(PIN, user["pin_hash"])
    assert user["name"] == "Maria Petrova" and user["profile"] == "office" and "key_template" not in user
    assert user["lines"][0]["display_name"] == "Maria Ivanova"
    assert decrypt_text(str.__str__(user["lines"][0]["password"])) == LINE_PASSWORD
    text = (fleet / "mobility.yml").read_text()
    assert LINE_PASSWORD not in text and PIN not in text
    assert "# Mobility (hot-desk) users log in on any free phone" in text
    # the order the fleet writes a user in
    assert list(yaml.safe_load(text.replace("!vault", ""))["mobility_users"][-1]) == [
        "number",
        "name",
        "pin_hash",
        "lines",
        "profile",
    ]


def _hash_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("pin_hash:"))


def test_check_mode_and_invalid_changes_write_nothing(tmp_path):
    fleet = copy_fleet(tmp_path)
    before = snapshot(fleet)
    line = {"number": "5005", "password": LINE_PASSWORD}
    base = {"fleet_dir": str(fleet), "number": "5005", "name": "Test", "pin": PIN, "lines": [line]}
    results, output = run_tasks(
        tmp_path,
        [
            {MODULE: base, "check_mode": True, "diff": True},
            {MODULE: {**base, "pin": None}},
            {MODULE: {**base, "pin": "12"}},
            # the number of a phone's line (phones.yml)
            {MODULE: {**base, "number": "2010", "lines": [{"number": "2010", "password": LINE_PASSWORD}]}},
            {MODULE: {**base, "profile": "no-such-profile"}},
            {MODULE: {"fleet_dir": str(fleet), "number": "5001", "pin": "4711x"}},
        ],
    )
    checked, no_pin, short_pin, taken_number, unknown_profile, bad_pin_of_existing = results
    assert checked["changed"] is True and checked["diff"][0]["before"] == ""
    assert no_pin["failed"] is True and no_pin["msg"].startswith("pin: "), no_pin["msg"]
    assert short_pin["failed"] is True and short_pin["msg"] == "pin: a PIN is 4 to 12 digits"
    assert taken_number["failed"] is True, taken_number
    # both places named by their real files, never by the private copy the change was validated in
    assert f"{fleet}/phones.yml:" in taken_number["msg"] and f"{fleet}/mobility.yml" in taken_number["msg"]
    assert "phonefleet-edit-" not in taken_number["msg"]
    assert "2010" in taken_number["msg"] and "nothing was written" in taken_number["msg"]
    assert unknown_profile["failed"] is True and "profile" in unknown_profile["msg"], unknown_profile["msg"]
    assert "no-such-profile" in unknown_profile["msg"] and "mobility.yml" in unknown_profile["msg"]
    assert bad_pin_of_existing["failed"] is True and bad_pin_of_existing["msg"].startswith("pin: ")
    assert LINE_PASSWORD not in output and PIN not in output
    assert snapshot(fleet) == before


def test_the_playbook_takes_survey_answers(tmp_path):
    fleet = copy_fleet(tmp_path)
    answers = {
        "phonefleet_fleet_dir": str(fleet),
        "phonefleet_mobility_number": "5007",
        "phonefleet_mobility_state": "present",
        "phonefleet_mobility_name": "Pavel Orlov",
        "phonefleet_mobility_pin": PIN,
        "phonefleet_mobility_line_password": LINE_PASSWORD,
        "phonefleet_mobility_key_template": "",  # optional questions left empty
        "phonefleet_mobility_profile": "",
    }
    code, output = run_playbook(REPO / "playbooks" / "mobility_user.yml", "-e", json.dumps(answers), "--diff")
    assert code == 0, output
    assert LINE_PASSWORD not in output and PIN not in output
    user = users(fleet)["5007"]
    assert user["name"] == "Pavel Orlov" and verify_pin(PIN, user["pin_hash"])
    assert user["lines"][0]["number"] == "5007" and user["lines"][0]["display_name"] == "Pavel Orlov"
    assert decrypt_text(str.__str__(user["lines"][0]["password"])) == LINE_PASSWORD
    assert "key_template" not in user and "profile" not in user


def test_the_same_pin_brings_an_older_hash_up_to_date(tmp_path):
    """A fleet written before argon2id: validation warns about the user's pbkdf2_sha256 hash and says to set the
    PIN again; the module given the same PIN hashes it anew (changed), then changes nothing."""
    fleet = copy_fleet(tmp_path)
    legacy = pbkdf2_pin_hash(PIN, 1000)
    text = (fleet / "mobility.yml").read_text()
    text = re.sub(r'(number: "5001"\n    pin_hash: )\S+', lambda match: match.group(1) + legacy, text)
    (fleet / "mobility.yml").write_text(text)
    same_pin = {"fleet_dir": str(fleet), "number": "5001", "pin": PIN}
    results, output = run_tasks(tmp_path, [{MODULE: same_pin}, {MODULE: same_pin}], "--diff")
    updated, again = results
    assert updated["changed"] is True, updated
    assert again["changed"] is False, again
    stored = users(fleet)["5001"]["pin_hash"]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and verify_pin(PIN, stored)
    assert PIN not in output and legacy not in output
