"""Golden-file tests of the demo inventory as Ansible shows it (ansible-inventory --list / --graph)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GOLDEN_LIST = Path(__file__).with_name("demo-inventory.json")
ANSIBLE_INVENTORY = Path(sys.executable).with_name("ansible-inventory")


DEMO_WARNING = (
    "[WARNING]: inventory/demo/fleet/profiles.yml:39: profiles.warehouse.updates.firmware_window:"
    " updates.config_check (mon, tue, wed, thu, fri 01:00-04:00) never falls inside updates.firmware_window"
    " (sun 03:00-04:00), so its phones get new firmware only when rebooted inside the window"
    " (firmware_upgrade.yml reboots them there)"
)


def run_inventory(*args: str) -> str:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", "inventory/demo", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    # the one warning the demo shows on purpose: its warehouse profile checks its config on weeknights and
    # takes firmware on Sunday nights (fleet/rules.py, docs/service.md)
    warnings = [line for line in completed.stderr.splitlines() if "WARNING" in line]
    assert warnings == [DEMO_WARNING], completed.stderr
    return completed.stdout


def plain(value):
    """--list marks strings from inventory plugins as unsafe (never templated): read through the marks."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def inventory_list() -> str:
    """The --list output, normalised: sorted keys, so the golden file diffs well."""
    return json.dumps(json.loads(run_inventory("--list")), indent=2, sort_keys=True, ensure_ascii=False)


def test_list_matches_the_golden_file():
    expected = GOLDEN_LIST.read_text(encoding="utf-8").rstrip("\n")
    assert inventory_list() == expected, "ansible-inventory --list changed; if intended, run `make golden-update`"


def test_graph_shows_every_phone_under_its_vendor_model_and_profile_groups():
    graph = run_inventory("--graph")
    groups: dict[str, set[str]] = {}
    current = None
    for line in graph.splitlines():
        name = line.strip(" |-")
        if name.startswith("@"):
            current = groups.setdefault(name[1:].rstrip(":"), set())
        elif current is not None and name:
            current.add(name)
    phones = yaml.safe_load(
        (REPO / "inventory/demo/fleet/phones.yml").read_text(encoding="utf-8").replace("!vault", "")
    )
    assert len(groups["phones"]) == len(phones["phones"]) == 14
    hostvars = plain(json.loads(run_inventory("--list")))["_meta"]["hostvars"]
    for host in groups["phones"]:
        facts = hostvars[host]
        assert host in groups[f"vendor_{facts['phone_vendor']}"], host
        model_group = "model_" + "".join(ch if ch.isalnum() else "_" for ch in facts["phone_model"].lower())
        assert host in groups[model_group.replace("__", "_")], (host, model_group)
        assert host in groups[f"profile_{facts['phone_profile']}"], host
        assert host in groups[f"site_{facts['phone_site'].replace('-', '_')}"], host
    assert groups["provisioning_servers"] == {"prov1.demo.invalid"}
    # Groups from the plugin's own groups / keyed_groups options in inventory/demo/phonefleet.yml.
    assert groups["phones_with_modules"] == {"805ec0112233"}
    assert groups["tenant_acme"] == groups["phones"]


def test_secrets_stay_encrypted_in_the_inventory():
    listing = run_inventory("--list")
    assert "demo-" not in listing  # demo passwords all start with "demo-" in clear text
    hostvars = json.loads(listing)["_meta"]["hostvars"]
    password = hostvars["805ec0112233"]["phone_lines"][0]["password"]
    assert set(password) == {"__ansible_vault"} and password["__ansible_vault"].startswith("$ANSIBLE_VAULT;1.1;AES256")
