"""playbooks/publish.yml as an engineer runs it against a copy of the demo site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.modelless import MODELLESS, YEALINK, add_modelless_phones

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")


@pytest.fixture
def site(tmp_path):
    inventory = tmp_path / "inventory" / "demo"
    shutil.copytree(REPO / "inventory/demo", inventory)
    return inventory


def run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    return subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(site), str(REPO / "playbooks/publish.yml"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def recap(output: str) -> dict:
    found = re.search(r"prov1\.demo\.invalid\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert found, output
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, found.groups()), strict=True))


def test_publish_then_publish_again_changes_nothing(site):
    first = run(site)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)["changed"] == 1
    web_root = site.parent.parent / "build/demo/www"
    assert (web_root / "805ec0112233.cfg").exists()
    assert (web_root / "SEP0CD0F8A1B2C3.cnf.xml").exists()
    second = run(site)
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)["changed"] == 0
    assert "nothing changed since the last publish (14 phones)" in second.stdout


def test_check_diff_shows_a_profile_edit_per_phone_with_passwords_masked(site):
    assert run(site).returncode == 0
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(
        profiles.read_text().replace(
            "ntp: [ntp.demo.invalid], timezone: Europe/Moscow, dst: auto",
            "ntp: [ntp2.demo.invalid], timezone: Europe/Moscow, dst: auto",
        )
    )
    checked = run(site, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert recap(checked.stdout)["changed"] == 1
    out = checked.stdout
    assert "ntp2.demo.invalid" in out
    for header in ("80:5e:c0:11:22:33, Reception", "0c:d0:f8:a1:b2:c3, Director", "24:d9:21:aa:bb:01, Sales"):
        assert header in out
    assert "********" in out
    assert "demo-" not in out  # every demo secret starts with "demo-"
    web_root = site.parent.parent / "build/demo/www"
    assert "ntp2.demo.invalid" not in (web_root / "805ec0112233.cfg").read_text()


@pytest.mark.parametrize(
    ("edit", "before", "after"),
    [
        (("access_keys: false", "access_keys: true"), "access_keys: false", "access_keys: true"),
        (("password_length: 16", "password_length: 20"), "password_length: 16", "password_length: 20"),
    ],
)
def test_a_change_only_the_service_sees_is_reported_with_its_diff(site, edit, before, after):
    """access_keys and autoprovision change no rendered file, but what the service serves and decides."""
    assert run(site).returncode == 0
    settings = site / "fleet/settings.yml"
    settings.write_text(settings.read_text().replace(*edit))
    checked = run(site, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert recap(checked.stdout)["changed"] == 1
    out = checked.stdout
    assert ".phonefleet/service.json (what the provisioning service serves and decides)" in out
    assert re.search(rf"^-settings\.yml: settings\.\S+\.{before}$", out, re.MULTILINE), out
    assert re.search(rf"^\+settings\.yml: settings\.\S+\.{after}$", out, re.MULTILINE), out
    assert "demo-" not in out  # every demo secret starts with "demo-"
    applied = run(site)
    assert applied.returncode == 0 and recap(applied.stdout)["changed"] == 1, applied.stdout + applied.stderr
    assert "what the provisioning service serves changed" in applied.stdout
    again = run(site)
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout + again.stderr


def test_publish_through_the_connection_sends_only_what_changed(site, tmp_path):
    web_root, staging = tmp_path / "server-www", tmp_path / "staging"
    play = tmp_path / "publish-remote.yml"
    play.write_text(
        "- hosts: provisioning_servers\n  gather_facts: false\n  tasks:\n"
        "    - phonefleet.provisioning.publish:\n"
        f"        fleet_dir: {site / 'fleet'}\n        web_root: {web_root}\n"
        f"        firmware_dir: {site / 'firmware'}\n        staging_dir: {staging}\n        transfer: always\n"
        "      register: published\n"
        '    - ansible.builtin.debug:\n        msg: "{{ published.msg }}"\n'
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")

    def run_remote() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ANSIBLE_PLAYBOOK), "-i", str(site), str(play)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    first = run_remote()
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)["changed"] == 1
    for name in ("805ec0112233.cfg", "SEP0CD0F8A1B2C3.cnf.xml", "firmware/FW_S_J169_J179_R4_1_6_0_6.bin"):
        assert (web_root / name).read_bytes() == (staging / name).read_bytes()
    assert (web_root / ".phonefleet/manifest.json").exists()
    assert not list(web_root.rglob("*.phonefleet-tmp"))
    second = run_remote()
    assert recap(second.stdout)["changed"] == 0, second.stdout
    phones = site / "fleet/phones.yml"
    text = phones.read_text()
    phones.write_text(text[: text.index("  - mac: 0c:38:3e:01:02:03")])
    third = run_remote()
    assert recap(third.stdout)["changed"] == 1, third.stdout + third.stderr
    assert not (web_root / "0c383e010203.cfg").exists()
    assert (web_root / "805ec0112233.cfg").exists()


def test_phones_without_a_model_are_named_and_the_rest_is_published(site):
    add_modelless_phones(site / "fleet")
    first = run(site, "-v")
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)["changed"] == 1
    out = first.stdout + first.stderr
    assert "17 phones, 14 rendered" in out and "3 phones without a model wait for their first request" in out
    for mac, (vendor, _number) in MODELLESS.items():
        assert mac in out  # in awaiting_model
        assert f"(No model {vendor}): waits for its first request to learn its model ({vendor})" in out
    web_root = site.parent.parent / "build/demo/www"
    assert (web_root / "805ec0112233.cfg").exists() and not (web_root / f"{YEALINK}.cfg").exists()
    again = run(site)
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0
    assert "nothing changed since the last publish (17 phones); 3 phones without a model wait" in again.stdout
