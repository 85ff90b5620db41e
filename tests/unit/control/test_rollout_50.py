"""A firmware rollout over 50 simulated Yealink T54W phones, as an engineer runs it: firmware_upgrade.yml with
the fleet inventory plugin reading live facts from a real provisioning service, the phones on their own
127.x.y.z addresses. It waits for the profile's firmware window, upgrades in batches of 10 that do not
overlap, and stops on the failure threshold before the later batches are touched.

Each test writes the fleet it needs (the phones' kits, the window) and publishes it, so a test runs alone too.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import sys

import pytest
import yaml
from phonefleet_simulator.__main__ import load_bundle

from tests.support.service import AUDITOR_TOKEN, FIRMWARE, running_service
from tests.unit.render_support import DEMO_FLEET

from .test_playbooks import marks, not_today, playbook, publish, recap

PHONES = 50
BATCH = 10
MACS = [f"805ec0{0x500000 + index:06x}" for index in range(PHONES)]  # ascending: the inventory's order
OLD, NEW, NEWER, NEVER = "96.86.0.45", "96.86.0.50", "96.86.0.60", "96.86.0.61"
BROKEN = [MACS[3], MACS[7]]  # in the first batch
DEMO_WINDOW = 'firmware_window: {days: [sat, sun], hours: "02:00-05:00"}'


def rom(version: str) -> str:
    return f"T54W(T57W,T53W,T53,T53C,T54,T57)-{version}.rom"


def firmware_entry(name: str, version: str, image: str, site) -> dict:
    digest = hashlib.sha256((site / "firmware" / image).read_bytes()).hexdigest()
    return {
        "name": name,
        "vendor": "yealink",
        "models": ["T54W", "T57W", "T53W"],
        "version": version,
        "file": image,
        "sha256": digest,
    }


def write_fleet(site, kits: dict, window_open: bool) -> None:
    """Phones ``MACS`` on ``kits`` (mac -> kit), the office profile's firmware window open all week or
    closed today; published, the service told at once."""
    fleet = site / "fleet"
    phones = [
        {
            "mac": mac,
            "name": f"Desk {index:02d}",
            "model": "T54W",
            "firmware_kit": kits[mac],
            "lines": [{"number": str(4000 + index), "display_name": f"Desk {index:02d}", "password": f"Line-{mac}"}],
        }
        for index, mac in enumerate(MACS)
    ]
    (fleet / "phones.yml").write_text(yaml.safe_dump({"phones": phones}, sort_keys=False))
    days = "mon, tue, wed, thu, fri, sat, sun" if window_open else not_today()
    profiles = (DEMO_FLEET / "profiles.yml").read_text()
    assert DEMO_WINDOW in profiles
    (fleet / "profiles.yml").write_text(
        profiles.replace(DEMO_WINDOW, f'firmware_window: {{days: [{days}], hours: "00:00-00:00"}}')
    )
    publish(site)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo fleet's settings and profiles with 50 T54W phones instead of its own, on the 2026-q3 kit.
    Kits: 2026-q3 (the running 96.86.0.45), rollout (96.86.0.50), next (96.86.0.60) and never (names
    96.86.0.61, but its file is the 96.86.0.60 image: a phone installs it and never reports 96.86.0.61)."""
    site = tmp_path_factory.mktemp("rollout-site")
    shutil.copytree(DEMO_FLEET, site / "fleet")
    shutil.copytree(FIRMWARE, site / "firmware")
    for version in (NEW, NEWER):
        (site / "firmware" / rom(version)).write_bytes(b"simulated firmware " + version.encode())
    files = [
        firmware_entry("yealink-t54w-old", OLD, rom(OLD), site),
        firmware_entry("yealink-t54w-new", NEW, rom(NEW), site),
        firmware_entry("yealink-t54w-newer", NEWER, rom(NEWER), site),
        firmware_entry("yealink-t54w-never", NEVER, rom(NEWER), site),
    ]
    kits = {
        "2026-q3": {"description": "Running", "files": ["yealink-t54w-old"]},
        "rollout": {"description": "The rollout", "files": ["yealink-t54w-new"]},
        "next": {"description": "The next one", "files": ["yealink-t54w-newer"]},
        "never": {"description": "A version its image does not carry", "files": ["yealink-t54w-never"]},
    }
    (site / "fleet" / "firmware.yml").write_text(yaml.safe_dump({"firmware": {"files": files, "kits": kits}}))
    # open: the phones boot into the running kit's version (a file names a firmware only inside the window)
    write_fleet(site, dict.fromkeys(MACS, "2026-q3"), window_open=True)
    return site


@pytest.fixture(scope="module")
def service(site):
    with running_service(site) as handle:
        yield handle


@pytest.fixture(scope="module")
def phones(site, service, start_fleet):
    """The 50 phones, booted against the service: each installed 96.86.0.45, its kit's version."""
    bundle = load_bundle(site / "www" / ".phonefleet" / "service.json")
    assert sorted(phone.mac for phone in bundle.phones) == MACS
    fleet = start_fleet(
        bundle.phones,
        f"http://127.0.0.1:{service.port}",
        bundle.control,
        numbers=bundle.numbers,
        labels=bundle.labels,
    )
    yield fleet
    fleet.stop()


@pytest.fixture(scope="module")
def inventory(site, service, phones):
    (site / "phonefleet.yml").write_text(
        "plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n"
        f"service_url: http://127.0.0.1:{service.port}\nservice_token: {AUDITOR_TOKEN}\n"
    )
    (site / "servers.yml").write_text(
        "provisioning_servers:\n  hosts:\n    prov1.test.invalid:\n      ansible_connection: local\n"
        f"      ansible_python_interpreter: {sys.executable}\n"
    )
    return site


def events_since(phones, before: dict) -> dict:
    """mac -> the events each phone logged since ``before`` (mac -> event count)."""
    phones.settle()
    return {mac: list(phones.phone(mac).device.events)[before[mac] :] for mac in MACS}


def rollout(inventory, *args: str):
    return playbook(
        inventory,
        "firmware_upgrade.yml",
        "-e",
        f"phonefleet_upgrade_batch={BATCH}",
        "-e",
        "phonefleet_upgrade_delay=1",
        *args,
    )


def test_outside_the_window_nothing_is_rebooted(inventory, service, phones):
    write_fleet(inventory, dict.fromkeys(MACS, "rollout"), window_open=False)
    service.reload()
    before = marks(phones)
    done = rollout(inventory, "-e", "phonefleet_upgrade_timeout=30")
    assert done.returncode == 0, done.stdout + done.stderr
    hosts = recap(done.stdout)
    assert sorted(hosts) == MACS
    assert all(counts["changed"] == 0 and counts["failed"] == 0 for counts in hosts.values()), hosts
    assert done.stdout.count("outside its firmware window") == PHONES
    assert {mac: [event.kind for event in events] for mac, events in events_since(phones, before).items()} == {
        mac: [] for mac in MACS
    }
    assert {phones.phone(mac).device.firmware for mac in MACS} == {OLD}


def test_inside_the_window_all_50_upgrade_in_batches_of_10_that_do_not_overlap(inventory, service, phones):
    write_fleet(inventory, dict.fromkeys(MACS, "rollout"), window_open=True)
    service.reload()
    before = marks(phones)
    done = rollout(inventory, "-e", "phonefleet_upgrade_timeout=60")
    assert done.returncode == 0, done.stdout + done.stderr
    hosts = recap(done.stdout)
    assert sorted(hosts) == MACS
    assert all(counts["changed"] >= 1 and counts["failed"] == 0 for counts in hosts.values()), hosts
    assert {mac: phones.phone(mac).device.firmware for mac in MACS} == dict.fromkeys(MACS, NEW)

    events = events_since(phones, before)
    rebooted = {}
    for mac, logged in events.items():
        kinds = [event.kind for event in logged]
        assert kinds.count("reboot") == 1 and "firmware" in kinds, (mac, kinds)
        rebooted[mac] = next(event.at for event in logged if event.kind == "reboot")
    order = sorted(MACS, key=rebooted.__getitem__)
    batches = [order[start : start + BATCH] for start in range(0, PHONES, BATCH)]
    # the batches are the inventory's phones 10 at a time, in turn
    assert [sorted(batch) for batch in batches] == [MACS[start : start + BATCH] for start in range(0, PHONES, BATCH)]
    # and each was over (rebooted, new firmware installed, verified) before the next one's first reboot
    for batch, following in itertools.pairwise(batches):
        ended = max(event.at for mac in batch for event in events[mac])
        assert ended < min(rebooted[mac] for mac in following), (batch, following)


def test_a_first_batch_over_the_failure_threshold_stops_the_rollout(inventory, service, phones):
    """2 of the first 10 phones never report their kit's version: 20% failed, more than 10%, so the play
    stops; the 8 others of that batch are upgraded, the 40 phones of the later batches are never touched."""
    kits = dict.fromkeys(MACS, "next") | dict.fromkeys(BROKEN, "never")
    write_fleet(inventory, kits, window_open=True)
    service.reload()
    running = {mac: phones.phone(mac).device.firmware for mac in MACS}
    before = marks(phones)
    done = rollout(inventory, "-e", "phonefleet_upgrade_timeout=10", "-e", "phonefleet_max_fail_percentage=10")
    assert done.returncode != 0, done.stdout
    assert "NO MORE HOSTS LEFT" in done.stdout
    hosts = recap(done.stdout)
    assert sorted(hosts) == MACS[:BATCH]  # the later batches never ran
    assert sorted(mac for mac, counts in hosts.items() if counts["failed"]) == BROKEN
    for mac in BROKEN:  # the image was installed; its version is not the kit's
        assert f"{mac} runs {NEWER} after the upgrade, not {NEVER}" in done.stdout

    events = {mac: [event.kind for event in logged] for mac, logged in events_since(phones, before).items()}
    first, later = MACS[:BATCH], MACS[BATCH:]
    assert all("reboot" in events[mac] for mac in first), events
    assert {mac: events[mac] for mac in later} == {mac: [] for mac in later}
    assert {mac: phones.phone(mac).device.firmware for mac in first} == dict.fromkeys(first, NEWER)
    assert {mac: phones.phone(mac).device.firmware for mac in later} == {mac: running[mac] for mac in later}
