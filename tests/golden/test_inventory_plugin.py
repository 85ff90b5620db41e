"""The fleet inventory plugin as users run it: caching, constructed options, failures."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.yaml_bombs import alias_bomb

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_INVENTORY = Path(sys.executable).with_name("ansible-inventory")


def make_site(tmp_path: Path, config: str) -> Path:
    site = tmp_path / "site"
    shutil.copytree(REPO / "inventory/demo/fleet", site / "fleet")
    (site / "phonefleet.yml").write_text(config, encoding="utf-8")
    return site


def inventory(site: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", **(env or {}))
    return subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(site / "phonefleet.yml"), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def hostvars(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["_meta"]["hostvars"]


def test_cache_is_used_and_refreshed_when_the_fleet_changes(tmp_path):
    cache_dir = tmp_path / "cache"
    site = make_site(
        tmp_path,
        "plugin: phonefleet.provisioning.fleet\n"
        "cache: true\ncache_plugin: ansible.builtin.jsonfile\n"
        f"cache_connection: {cache_dir}\ncache_timeout: 3600\n",
    )
    first = hostvars(inventory(site, "--list"))
    cached = list(cache_dir.iterdir())
    assert len(cached) == 1
    entry = json.loads(cached[0].read_text())
    entry = json.loads(entry["__payload__"]) if "__payload__" in entry else entry  # ansible-core 2.19 wraps it
    assert len(entry["hosts"]) == 14
    assert "demo-" not in cached[0].read_text()  # vault values are cached encrypted

    # While the fleet files are unchanged, the inventory comes from the cache: a mark put there shows.
    cached[0].write_text(cached[0].read_text().replace("Reception", "From the cache"))
    assert "From the cache" in json.dumps(hostvars(inventory(site, "--list"))["805ec0112233"]["phone_name"])
    # --flush-cache reads the files again.
    assert "Reception" in json.dumps(hostvars(inventory(site, "--list", "--flush-cache"))["805ec0112233"]["phone_name"])

    phones = site / "fleet/phones.yml"
    phones.write_text(phones.read_text(encoding="utf-8").replace("name: Reception", "name: Front desk"), "utf-8")
    second = hostvars(inventory(site, "--list"))
    assert "Reception" in json.dumps(first["805ec0112233"]["phone_name"])
    assert "Front desk" in json.dumps(second["805ec0112233"]["phone_name"])


def test_compose_keyed_groups_and_groups(tmp_path):
    site = make_site(
        tmp_path,
        "plugin: phonefleet.provisioning.fleet\n"
        "compose:\n  phone_label: phone_name ~ ' (' ~ phone_model ~ ')'\n"
        "keyed_groups:\n  - key: phone_lines | length | string\n    prefix: lines\n"
        "groups:\n  two_line_phones: phone_lines | length == 2\n",
    )
    result = inventory(site, "--list")
    listing = json.loads(result.stdout)
    assert "Reception (T54W)" in json.dumps(listing["_meta"]["hostvars"]["805ec0112233"]["phone_label"])
    assert listing["two_line_phones"]["hosts"] == ["0cd0f8a1b2c3"]
    assert "0cd0f8a1b2c3" in listing["lines_2"]["hosts"]
    assert len(listing["lines_1"]["hosts"]) == 13


def test_a_fleet_with_problems_fails_with_every_problem(tmp_path):
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    phones = site / "fleet/phones.yml"
    text = phones.read_text(encoding="utf-8")
    text = text.replace("model: CP-8845", "model: CP-9999").replace("mac: 00-1B-54-C2-D3-E4", "mac: 00-1B-54-C2-D3")
    phones.write_text(text, encoding="utf-8")
    result = inventory(site, "--graph")
    assert result.returncode != 0
    assert "the fleet has 2 problems" in result.stderr
    assert "phones[2].model: unknown Cisco" in result.stderr and "model 'CP-9999'" in result.stderr
    assert "phones[3].mac: '00-1B-54-C2-D3' is not a MAC address" in result.stderr


# Without the guard an alias bomb takes gigabytes: the run is capped so that it fails instead.
MEMORY_CAP = 2 << 30
TIME_CAP = 120


def _capped_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def bombed_site(tmp_path: Path) -> Path:
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    phones = site / "fleet/phones.yml"
    text = phones.read_text(encoding="utf-8")
    phones.write_text(
        text.replace("    name: Reception\n", f"    name: Reception\n    description: {alias_bomb()}\n", 1)
    )
    return site


def assert_refused_quickly(command: list[str], site: Path) -> str:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIME_CAP,
        preexec_fn=_capped_memory,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    refused = r"fleet/phones\.yml:\d+: YAML aliases would expand \d+ values to 1,234,5\d\d,\d{3} \(an alias bomb\?\)"
    assert re.search(refused, output), output
    assert time.monotonic() - started < 60, output
    return output


def test_an_alias_bomb_fails_the_inventory_quickly(tmp_path):
    site = bombed_site(tmp_path)
    assert_refused_quickly([str(ANSIBLE_INVENTORY), "-i", str(site / "phonefleet.yml"), "--graph"], site)


def test_an_alias_bomb_fails_validate_quickly(tmp_path):
    site = bombed_site(tmp_path)
    playbook = [str(ANSIBLE_INVENTORY.with_name("ansible-playbook")), str(REPO / "playbooks/validate.yml")]
    assert_refused_quickly([*playbook, "-e", f"phonefleet_fleet_dir={site / 'fleet'}"], site)


def test_config_file_name_must_end_in_phonefleet_yml(tmp_path):
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    (site / "phonefleet.yml").rename(site / "fleet-config.yml")
    result = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(site / "fleet-config.yml"), "--list"],
        cwd=REPO,
        env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "could not be verified by inventory plugin 'phonefleet.provisioning.fleet'" in result.stderr


def test_validate_reads_the_fleet_of_the_inventory_given_not_the_demo(tmp_path):
    """A site runs the controller playbooks with its own inventory; nothing points them at the demo fleet."""
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\nfleet_dir: data\n")
    (site / "fleet").rename(site / "data")
    # the site's own fleet: the demo's mobility users gone, so its summary is not the demo's
    mobility = site / "data" / "mobility.yml"
    mobility.write_text("mobility_users: []\n", encoding="utf-8")
    result = subprocess.run(
        [str(ANSIBLE_INVENTORY.with_name("ansible-playbook")), "-i", str(site), str(REPO / "playbooks/validate.yml")],
        cwd=REPO,
        env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "the fleet is valid: 14 phones, 15 lines, 2 profiles, 0 mobility users" in output, output
