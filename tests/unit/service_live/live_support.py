"""Helpers of the live-facts and export tests: the demo site published, phones asking, Ansible run.

``live_site(directory)`` publishes a copy of the demo inventory (fleet, firmware, vault password) into
``directory/www`` and writes an inventory configuration ``directory/inventory/phonefleet.yml``; the
service then runs on a free loopback port (the ASGI app production runs, in uvicorn). Phones ask with curl,
a real HTTP client, as the devices do (User-Agent, digest authentication with their vendor's phone-auth
credential). Ansible runs as engineers run it: ``ansible-inventory`` and ``ansible-playbook`` with the
repository's ansible.cfg.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet

from tests.unit.render_support import demo_fleet, reveal

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
CURL = shutil.which("curl")

# Phones of the tests, as the devices announce themselves (research/phone-vendors.md, unify-cisco.md).
KNOWN_YEALINK = ("805ec0112233", "Yealink SIP-T54W 96.86.0.45 80:5e:c0:11:22:33")
NEW_YEALINK_T46U = ("805ec0998877", "Yealink SIP-T46U 66.86.0.100 80:5e:c0:99:88:77")
NEW_YEALINK_T54W = ("805ec0445566", "Yealink SIP-T54W 96.86.0.45 80:5e:c0:44:55:66")
KNOWN_CISCO = "0cd0f8a1b2c3"
NEW_CISCO = "0cd0f8998877"  # an enterprise Cisco phone reports no model: it stays at status 0


def live_site(directory: Path, config: str = "") -> Path:
    """The demo inventory copied into ``directory/inventory``, published into ``directory/www``."""
    inventory = directory / "inventory"
    shutil.copytree(REPO / "inventory/demo", inventory)
    publish(directory)
    (inventory / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n" + config)
    return inventory


def publish(directory: Path):
    """Publish the site's fleet into ``directory/www``, as playbooks/publish.yml does."""
    inventory = directory / "inventory"
    return publish_fleet(
        str(inventory / "fleet"), str(directory / "www"), reveal, firmware_dir=str(inventory / "firmware")
    )


def phone_auth_user(vendor: str) -> str:
    """``user:password`` of the demo fleet's phone auth for ``vendor`` (settings.phone_auth), for curl --user."""
    entry = demo_fleet().settings["phone_auth"][vendor]
    assert entry["method"] == "digest", entry["method"]
    return f"{entry['username']}:{reveal(entry['password'])}"


@dataclass
class Fetched:
    status: int
    body: bytes


def curl(
    port: int, path: str, user_agent: str | None = None, digest: str | None = None, source: str | None = None
) -> Fetched:
    """One request as a phone makes it, with curl (``digest``: as a phone of that vendor, with its phone auth);
    the HTTP status and the body. ``source``: the loopback address it comes from (another machine than the
    phone, in the tests of claimed identities)."""
    command = [CURL, "--silent", "--show-error", "--max-time", "10", "--write-out", "\n%{http_code}"]
    if source:
        command += ["--interface", source]
    if user_agent:
        command += ["--user-agent", user_agent]
    if digest:
        command += ["--digest", "--user", phone_auth_user(digest)]
    done = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, check=True)
    body, _newline, code = done.stdout.rpartition(b"\n")
    return Fetched(int(code), body)


def ask_for_config(port: int, phone: tuple) -> Fetched:
    """A Yealink phone fetching its own config file ``<mac>.cfg``."""
    mac, user_agent = phone
    return curl(port, f"/{mac}.cfg", user_agent, digest="yealink")


def ansible_env(**extra: str) -> dict:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    for name in ("PHONEFLEET_SERVICE_URL", "PHONEFLEET_SERVICE_TOKEN"):
        env.pop(name, None)
    env.update(extra)
    return env


def ansible_inventory(inventory: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(inventory / "phonefleet.yml"), *args],
        cwd=REPO,
        env=ansible_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def ansible_playbook(playbook: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "ansible-playbook"), str(playbook), *args],
        cwd=REPO,
        env=ansible_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def plain(value):
    """--list marks strings from inventory plugins as unsafe (never templated): read through the marks."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def listing(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return plain(json.loads(result.stdout))


def recap(output: str) -> dict:
    found = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert found, output
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, found.groups()), strict=True))
