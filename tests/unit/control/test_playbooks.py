"""The playbooks and modules as an engineer runs them: ansible-playbook with the fleet inventory plugin
reading live facts from a real provisioning service, against the demo fleet's phones simulated on their own
127.x.y.z addresses (they fetched their configs from the service, which gave the inventory their addresses).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet
from phonefleet_simulator.__main__ import load_bundle

from tests.support.service import AUDITOR_TOKEN, FIRMWARE, running_service, serve_without_proof
from tests.unit.render_support import DEMO_FLEET, reveal

from .test_image import decode_png

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
T54W = "805ec0112233"
NEW_T54W_FIRMWARE = "96.86.0.50"
NEW_T54W_FILE = f"T54W(T57W,T53W,T53,T53C,T54,T57)-{NEW_T54W_FIRMWARE}.rom"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def not_today() -> str:
    """A weekday that is not today in Moscow (the demo profiles' time zone)."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Moscow")).weekday()
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(today + 3) % 7]


def publish(site: Path) -> None:
    publish_fleet(str(site / "fleet"), str(site / "www"), reveal, firmware_dir=str(site / "firmware"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo fleet, its office window open all week and the warehouse's closed today, a WPI site, published."""
    site = tmp_path_factory.mktemp("control-site")
    shutil.copytree(DEMO_FLEET, site / "fleet")
    shutil.copytree(FIRMWARE, site / "firmware")
    profiles = site / "fleet" / "profiles.yml"
    edit(
        profiles,
        'firmware_window: {days: [sat, sun], hours: "02:00-05:00"}',
        'firmware_window: {days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-00:00"}',
    )
    edit(
        profiles,
        'firmware_window: {days: [sun], hours: "03:00-04:00"}',
        f'firmware_window: {{days: [{not_today()}], hours: "03:00-04:00"}}',
    )
    # the demo's Unify phone boots over WPI, which proves nothing: a WPI site lists unify explicitly
    serve_without_proof(site / "fleet", "unify", drop_phone_auth=False)
    publish(site)
    return site


@pytest.fixture(scope="module")
def service(site):
    with running_service(site) as handle:
        yield handle


@pytest.fixture(scope="module")
def phones(site, service, start_fleet):
    """The demo phones, booted against the service (each fetched its files from its own address)."""
    bundle = load_bundle(site / "www" / ".phonefleet" / "service.json")
    fleet = start_fleet(
        bundle.phones,
        f"http://127.0.0.1:{service.port}",
        bundle.control,
        numbers=bundle.numbers,
        labels=bundle.labels,
    )
    yield fleet
    fleet.stop()


#: the demo's Unify phone speaks WPI and Cisco enterprise phones fetch from the TFTP root: they prove nothing
#: about themselves, so the engineer gives their addresses (docs/security.md)
UNPROVEN_VENDORS = ("unify", "cisco")


@pytest.fixture(scope="module")
def inventory(site, service, phones):
    (site / "host_vars").mkdir()
    for handle in phones:
        if handle.device.vendor in UNPROVEN_VENDORS:
            (site / "host_vars" / f"{handle.mac}.yml").write_text(f"ansible_host: {handle.host}\n")
    (site / "phonefleet.yml").write_text(
        "plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n"
        f"service_url: http://127.0.0.1:{service.port}\nservice_token: {AUDITOR_TOKEN}\n"
    )
    (site / "servers.yml").write_text(
        "provisioning_servers:\n  hosts:\n    prov1.test.invalid:\n      ansible_connection: local\n"
        f"      ansible_python_interpreter: {sys.executable}\n      phonefleet_web_root: {site / 'www'}\n"
        f"      phonefleet_firmware_dir: {site / 'firmware'}\n"
    )
    return site


def playbook(inventory: Path, name: str, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    service = ("PHONEFLEET_SERVICE_URL", "PHONEFLEET_SERVICE_TOKEN")
    for variable in (*service, "PHONEFLEET_PHONE_USERNAME", "PHONEFLEET_PHONE_PASSWORD"):
        env.pop(variable, None)
    env.update(environment)
    path = name if name.startswith("/") else str(REPO / "playbooks" / name)
    done = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(inventory / "phonefleet.yml"),
            "-i",
            str(inventory / "servers.yml"),
            path,
            *args,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if os.environ.get("PHONEFLEET_TEST_LOG"):
        Path(os.environ["PHONEFLEET_TEST_LOG"]).write_text(done.stdout + done.stderr)
    return done


def recap(output: str) -> dict:
    """host -> {ok, changed, unreachable, failed, skipped}."""
    found = {}
    for match in re.finditer(
        r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", output, re.M
    ):
        found[match.group(1)] = dict(
            zip(("ok", "changed", "unreachable", "failed", "skipped"), map(int, match.groups()[1:]), strict=True)
        )
    return found


def kinds_since(phones, marks: dict) -> dict:
    """mac -> kinds of the events each phone logged since ``marks`` (mac -> event count)."""
    phones.settle()
    return {
        handle.mac: [event.kind for event in list(handle.device.events)[marks[handle.mac] :]]
        for handle in phones
        if handle.mac in marks
    }


def marks(phones) -> dict:
    phones.settle()
    return {handle.mac: len(handle.device.events) for handle in phones}


def test_resync_in_one_batch_resyncs_every_phone_without_a_reboot(inventory, phones):
    before = marks(phones)
    done = playbook(inventory, "resync.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "phone_command resync: 14 phones: 14 sent" in done.stdout
    events = kinds_since(phones, before)
    for mac, kinds in events.items():
        assert "resync" in kinds and "reboot" not in kinds, (mac, kinds)


def test_check_mode_sends_nothing_and_says_what_it_would_send(inventory, phones):
    before = marks(phones)
    done = playbook(inventory, "reboot.yml", "--check", "-v")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "13 would_send, 1 unsupported" in done.stdout  # Unify cannot be rebooted from the controller
    assert "SIP NOTIFY Event: check-sync;reboot=true to 127." in done.stdout
    assert all(kinds == [] for kinds in kinds_since(phones, before).values())


def test_per_host_mode_reboots_each_phone_in_its_own_task(inventory, phones):
    before = marks(phones)
    done = playbook(inventory, "reboot.yml", "-l", "vendor_yealink:vendor_unify", "-e", "phonefleet_batch=false")
    assert done.returncode == 0, done.stdout + done.stderr
    hosts = recap(done.stdout)
    assert hosts["805ec0112233"]["changed"] == 1 and hosts["0015654c4c26"]["changed"] == 1
    assert hosts["001ae8556677"]["changed"] == 0 and hosts["001ae8556677"]["skipped"] >= 1
    events = kinds_since(phones, before)
    assert "reboot" in events["805ec0112233"] and "reboot" in events["0015654c4c26"]
    assert events["001ae8556677"] == []


def test_a_service_url_without_a_token_in_the_environment_fails_no_run(inventory, service, phones):
    """AWX or a shell may set PHONEFLEET_SERVICE_URL alone: a resync and phone_info never ask the service (nor
    read its URL), and a reboot without a token reports the Unify phone unsupported with what to give, as without
    the service."""
    alone = {"PHONEFLEET_SERVICE_URL": f"http://127.0.0.1:{service.port}"}
    before = marks(phones)
    done = playbook(inventory, "resync.yml", "-l", "vendor_yealink", **alone)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no API token" not in done.stdout
    assert "resync" in kinds_since(phones, before)["805ec0112233"]
    done = playbook(inventory, "status.yml", "-l", "vendor_yealink", **alone)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "805ec0112233 Reception" in done.stdout
    # a run that never asks the service does not even read its URL
    unused = {"PHONEFLEET_SERVICE_URL": "ftp://127.0.0.1/", "PHONEFLEET_SERVICE_TOKEN": "unused-token"}
    done = playbook(inventory, "status.yml", "-l", "vendor_yealink", **unused)
    assert done.returncode == 0, done.stdout + done.stderr
    done = playbook(inventory, "reboot.yml", "--check", "-v", "-l", "vendor_yealink:vendor_unify", **alone)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "would_send, 1 unsupported" in done.stdout
    assert "only its deployment service can send: give service_url and an admin service_token" in done.stdout


def test_status_prints_a_table(inventory, phones):
    done = playbook(inventory, "status.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PHONE" in done.stdout and "REGISTRATION" in done.stdout and "LAST CONTACT" in done.stdout
    row = next(line for line in done.stdout.splitlines() if "805ec0112233 Reception" in line)
    assert "yealink T54W" in row and "96.86.0.45" in row and "Z (" in row
    assert re.search(r"\b3 ", row) or re.search(r"\b2 ", row)
    avaya = next(line for line in done.stdout.splitlines() if "24d921aabb01" in line)
    assert "n/a" in avaya and "(service)" in avaya  # no status interface: the firmware the service saw


def test_screenshots_for_the_models_that_have_one(inventory, phones, tmp_path):
    done = playbook(inventory, "screenshot.yml", "-e", f"phonefleet_screenshot_dir={tmp_path}")
    assert done.returncode == 0, done.stdout + done.stderr
    saved = sorted(path.name for path in tmp_path.iterdir())
    assert {"805ec0112233.png", "0cd0f8a1b2c3.png", "64167f010203.png", "000413010203.png"} <= set(saved)
    assert "2c3f38aa0001.png" not in saved  # the CP-3905 has no screenshot
    assert "screenshot is not supported on this model (CP-3905)" in done.stdout
    width, height, _rows = decode_png((tmp_path / "805ec0112233.png").read_bytes())
    assert width > 0 and height > 0


def test_wrong_credentials_fail_the_batch_with_a_clear_message(inventory, phones, tmp_path):
    play = tmp_path / "wrong.yml"
    play.write_text(
        "- hosts: vendor_poly:vendor_cisco_mpp\n  gather_facts: false\n  tasks:\n"
        "    - phonefleet.provisioning.phone_command:\n        command: resync\n"
        "        phones: '{{ ansible_play_hosts }}'\n        username: admin\n        password: Not-The-Pa55word\n"
        "      run_once: true\n"
    )
    before = marks(phones)
    done = playbook(inventory, str(play))
    assert done.returncode == 2, done.stdout
    assert "2 failed, more than max_fail_percentage=0" in done.stdout
    assert "wrong username or password" in done.stdout
    assert "Not-The-Pa55word" not in done.stdout + done.stderr
    events = kinds_since(phones, before)
    assert events["64167f010203"] == ["auth-failed"] and events["c4b9cd112201"] == ["auth-failed"]


def test_the_login_from_the_environment_wins_over_the_fleet_one(inventory, phones):
    # as AWX's phone control credential injects it: resync.yml unchanged, with a login the phones refuse
    before = marks(phones)
    done = playbook(
        inventory,
        "resync.yml",
        "-l",
        "vendor_poly:vendor_cisco_mpp",
        PHONEFLEET_PHONE_USERNAME="admin",
        PHONEFLEET_PHONE_PASSWORD="Env-Not-The-Pa55word",
    )
    assert done.returncode == 2, done.stdout
    assert "wrong username or password" in done.stdout
    assert "Env-Not-The-Pa55word" not in done.stdout + done.stderr
    events = kinds_since(phones, before)
    assert events["64167f010203"] == ["auth-failed"] and events["c4b9cd112201"] == ["auth-failed"]


def test_batch_of_given_phones_on_localhost(inventory, phones, tmp_path):
    handle = phones.phone(T54W)
    play = tmp_path / "given.yml"
    entries = [
        {"mac": T54W, "vendor": "yealink", "model": "T54W", "address": handle.host},
        {"mac": "0015654c4c26", "vendor": "yealink"},
    ]
    play.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - phonefleet.provisioning.phone_info:\n"
        f"        phones: {json.dumps(entries)}\n"
        f"        fleet_dir: {inventory / 'fleet'}\n"
        "      register: read\n"
        "    - ansible.builtin.copy:\n        content: '{{ read | to_json }}'\n"
        f"        dest: {tmp_path / 'read.json'}\n        mode: '0600'\n"
    )
    done = playbook(inventory, str(play))
    assert done.returncode == 0, done.stdout + done.stderr
    read = json.loads((tmp_path / "read.json").read_text())
    assert read["counts"] == {"no_address": 1, "ok": 1}
    first = read["phones"][0]
    assert first["firmware"] == handle.device.firmware and first["expected_firmware"] == "96.86.0.45"
    assert first["in_firmware_window"] is True and first["info_verified"] is False


def test_firmware_upgrade_waits_for_the_window_then_upgrades_and_verifies(inventory, service, phones):
    fleet = inventory / "fleet"
    profiles = fleet / "profiles.yml"
    # a new firmware for the T54W in the kit
    image = inventory / "firmware" / NEW_T54W_FILE
    image.write_bytes(b"simulated firmware " + NEW_T54W_FIRMWARE.encode())
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    firmware = fleet / "firmware.yml"
    edit(
        firmware,
        "  kits:\n",
        f"""    - name: yealink-t54w-{NEW_T54W_FIRMWARE}
      vendor: yealink
      models: [T54W, T57W, T53W]
      version: {NEW_T54W_FIRMWARE}
      file: {NEW_T54W_FILE}
      sha256: {digest}
  kits:
""",
    )
    edit(firmware, "files: [yealink-t54w-96.86.0.45,", f"files: [yealink-t54w-{NEW_T54W_FIRMWARE},")
    publish(inventory)
    service.reload()
    device = phones.phone(T54W).device
    assert device.firmware == "96.86.0.45"

    # outside the window: nothing happens
    edit(
        profiles,
        'days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-00:00"',
        f'days: [{not_today()}], hours: "00:00-00:00"',
    )
    before = marks(phones)
    done = playbook(inventory, "firmware_upgrade.yml", "-l", T54W)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "outside its firmware window" in done.stdout
    assert kinds_since(phones, before)[T54W] == []

    # inside: rebooted, upgraded, verified
    edit(
        profiles,
        f'days: [{not_today()}], hours: "00:00-00:00"',
        'days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-00:00"',
    )
    done = playbook(
        inventory,
        "firmware_upgrade.yml",
        "-l",
        f"{T54W}:0cd0f8a1b2c3",
        "-e",
        "phonefleet_upgrade_delay=1",
        "-e",
        "phonefleet_upgrade_timeout=30",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert device.firmware == NEW_T54W_FIRMWARE
    assert "0cd0f8a1b2c3: already runs sip8845_65.14-3-1-0001-60" in done.stdout
    hosts = recap(done.stdout)
    assert hosts[T54W]["failed"] == 0 and hosts[T54W]["changed"] >= 1


def test_firmware_upgrade_stops_when_a_batch_fails(inventory, service, phones):
    """Phones whose reboot does not bring the kit's version (the service does not have the file) fail the
    batch; max_fail_percentage 0 stops the play before the next batch."""
    firmware = inventory / "fleet" / "firmware.yml"
    edit(firmware, "version: 4.1.6.0.6", "version: 4.1.7.0.1")  # Avaya J179: the phone never reports it
    try:
        done = playbook(
            inventory,
            "firmware_upgrade.yml",
            "-l",
            "24d921aabb01:64167f010203",
            "-e",
            "phonefleet_upgrade_batch=1",
            "-e",
            "phonefleet_max_fail_percentage=0",
            "-e",
            "phonefleet_upgrade_settle=1",
        )
    finally:
        edit(firmware, "version: 4.1.7.0.1", "version: 4.1.6.0.6")
    assert done.returncode != 0, done.stdout
    assert "24d921aabb01 reported 4.1.6.0.6 to the provisioning service, not 4.1.7.0.1" in done.stdout
    assert "NO MORE HOSTS LEFT" in done.stdout
    assert "64167f010203" not in recap(done.stdout)  # the next batch (the Poly phone, later in the inventory) never ran


def test_publish_resyncs_the_contacted_phones_whose_config_changed(inventory, service, phones):
    edit(
        inventory / "fleet" / "profiles.yml",
        "ntp: [ntp.demo.invalid], timezone: Europe/Moscow, dst: auto",
        "ntp: [ntp2.demo.invalid], timezone: Europe/Moscow, dst: auto",
    )
    before = marks(phones)
    done = playbook(
        inventory,
        "publish.yml",
        "-e",
        "phonefleet_resync_changed=true",
        "-e",
        f"phonefleet_fleet_dir={inventory / 'fleet'}",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "phone_command resync: 11 phones: 11 sent" in done.stdout  # the office profile's phones
    events = kinds_since(phones, before)
    assert "resync" in events["805ec0112233"] and "reboot" not in events["805ec0112233"]
    assert events["000945102030"] == []  # a warehouse phone: its config did not change
