"""A phone's file names its kit's firmware only inside its profile's firmware window (issue 11, item 5).

Real phones flash whatever firmware the file they fetch names, whenever they fetch it, and they re-check their
config at any hour (``updates.config_check``): a file that named the firmware at all times flashed phones at
noon. Publish now writes each phone's files twice where its firmware window matters (without the firmware,
and, stored under the state, with it), and the service chooses per request from the window. These tests
hold the simulated phones (simulator/phonefleet_simulator/device.py: a phone flashes what its file names, and
nothing else) against the real service on loopback; the window is made closed or open *now* by
tests/support/firmware_window.py, whatever the hour the tests run at.
"""

from __future__ import annotations

import datetime
import json

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.request import SERVICE_FACTS, table
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.manifest import WINDOW_DIR
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.live_facts import check_rows, live_vars
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot

from tests.support.firmware_window import closed_windows, open_windows
from tests.support.service import published_site, republish, running_service

from .conftest import SipClient

YEALINK, CISCO, AVAYA = "805ec0112233", "0cd0f8a1b2c3", "24d921aabb01"
PHONES = (YEALINK, CISCO, AVAYA)
#: what the demo kit 2026-q3 names for these phones' models (inventory/demo/fleet/firmware.yml)
KIT_VERSIONS = {YEALINK: "96.86.0.45", CISCO: "sip8845_65.14-3-1-0001-60", AVAYA: "4.1.6.0.6"}
#: the firmware file each phone's config names inside the window, as the phone asks for it
FIRMWARE_FILES = {
    YEALINK: "T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45.rom",
    CISCO: "sip8845_65.14-3-1-0001-60.loads",
    AVAYA: "FW_S_J169_J179_R4_1_6_0_6.bin",
}


def _firmware_requested(service) -> set[str]:
    """The firmware files of FIRMWARE_FILES anyone asked the service for (Cisco asks by the bare name, and
    tells no MAC: the journal is read whole)."""
    asked = {row["file"] for row in service.journal(limit=1000)}
    return {mac for mac, name in FIRMWARE_FILES.items() if any(file.endswith(name) for file in asked)}


@pytest.fixture
def closed_site(tmp_path, make_fleet):
    """The demo fleet with its windows closed now, served, and its Yealink, Cisco and Avaya phones booted:
    (site directory, service, simulated fleet, {mac: device})."""
    directory = tmp_path / "site"
    directory.mkdir()
    published_site(directory, closed_windows)
    with running_service(directory) as service:
        fleet = make_fleet(("yealink", "cisco", "avaya"), site=directory, base_url=f"http://127.0.0.1:{service.port}")
        fleet.settle()
        yield directory, service, fleet, {mac: fleet.phone(mac).device for mac in PHONES}


def test_outside_its_window_a_phone_flashes_nothing_and_shows_its_firmware_pending(closed_site):
    _directory, service, _fleet, devices = closed_site
    # each phone booted, fetched its config, and found no firmware named in it
    assert {mac: device.firmware_installs for mac, device in devices.items()} == dict.fromkeys(PHONES, 0)
    assert all(device.boot_count == 1 and "firmware" not in device.kinds() for device in devices.values())
    assert all(device.firmware != KIT_VERSIONS[mac] for mac, device in devices.items())
    rows = service.phones()
    assert _firmware_requested(service) == set()
    for mac in PHONES:
        row = rows[mac]
        assert row["status"] == 3, row  # its config is current: only the firmware waits
        assert row["firmware_pending"] is True
        assert row["expected_firmware"] == KIT_VERSIONS[mac]
        assert row["status_text"] == "up to date, firmware pending"
        assert row["firmware_window"].endswith(" 00:00-01:00 Europe/Moscow"), row["firmware_window"]
    # what the inventory gives Ansible, and the status table of playbooks/status.yml
    facts = live_vars(check_rows([rows[YEALINK]])[0])
    assert facts["phone_firmware_pending"] is True and facts["phone_expected_firmware"] == "96.86.0.45"
    results = [{"mac": YEALINK, "service": {name: rows[YEALINK].get(name) for name in SERVICE_FACTS}}]
    assert "96.86.0.45 pending, now 96.86.0.100" in table(results)[1]


def test_inside_its_window_the_phone_flashes_the_kits_firmware_and_nothing_is_pending(closed_site):
    directory, service, fleet, devices = closed_site
    assert all(device.firmware_installs == 0 for device in devices.values())

    open_windows(directory / "fleet")  # the window opens (here: the profile's window is made "now")
    republish(directory)
    service.reload()
    client = SipClient()
    try:  # a resync installs nothing, even with the firmware named; the next boot does
        for mac in (YEALINK, AVAYA):
            assert client.notify((fleet.phone(mac).host, 5060), "check-sync;reboot=true").code == 200
        body = "action=reset\r\nRegisterCallId={}\r\n"
        assert client.notify((fleet.phone(CISCO).host, 5060), "service-control", body, "text/plain").code == 200
        fleet.settle()
    finally:
        client.close()
    assert {mac: device.firmware for mac, device in devices.items()} == KIT_VERSIONS
    assert all(device.firmware_installs == 1 for device in devices.values())
    rows = service.phones()
    assert _firmware_requested(service) == set(PHONES)
    for mac in PHONES:
        assert rows[mac]["status"] == 3
        assert rows[mac]["firmware_pending"] is False
        assert "pending" not in rows[mac]["status_text"]


def test_publish_stores_the_window_variant_under_the_state_and_drops_it_with_the_window(tmp_path):
    www = published_site(tmp_path, closed_windows)
    manifest = json.loads((www / ".phonefleet" / "manifest.json").read_text())
    entry = manifest["phones"][YEALINK]
    assert entry["firmware"] == "96.86.0.45"
    assert entry["window"]["timezone"] and entry["window"]["hours"] == "00:00-01:00"
    assert entry["window_version"] != entry["version"]
    name = f"{YEALINK}.cfg"
    assert name in manifest["window_files"] and name in entry["window_files"]
    assert b"firmware.url" not in (www / name).read_bytes()
    assert b"firmware.url = http" in (www / WINDOW_DIR / name).read_bytes()

    # a profile without a window: any time will do, the file names the firmware always, no variant is left
    profiles = tmp_path / "fleet" / "profiles.yml"
    profiles.write_text("\n".join(line for line in profiles.read_text().splitlines() if "firmware_window" not in line))
    result = republish(tmp_path)
    assert WINDOW_DIR + name in result.removed
    manifest = json.loads((www / ".phonefleet" / "manifest.json").read_text())
    assert manifest["window_files"] == {}
    assert "window" not in manifest["phones"][YEALINK]
    assert manifest["phones"][YEALINK]["firmware"] == "96.86.0.45"
    assert b"firmware.url = http" in (www / name).read_bytes()
    assert not (www / WINDOW_DIR / name).exists()


def test_the_window_opens_and_closes_on_its_minutes_in_the_profiles_time_zone(tmp_path):
    def saturday_night(fleet):
        profiles = fleet / "profiles.yml"
        text = profiles.read_text()
        # the office profile (Europe/Moscow, UTC+3 all year): Saturday 02:00-05:00 local
        text = text.replace(
            'firmware_window: {days: [sat, sun], hours: "02:00-05:00"}',
            'firmware_window: {days: [sat], hours: "02:00-05:00"}',
        )
        profiles.write_text(text)

    www = published_site(tmp_path, saturday_night)
    snapshot = PublishedRoot(str(www)).reload()
    assert snapshot.manifest.phones[YEALINK]["window"]["timezone"] == "Europe/Moscow"

    def at(text: str) -> float:
        return datetime.datetime.fromisoformat(text).timestamp()

    # Saturday 2026-08-01, Moscow time; each call later than the one before, as a clock runs
    assert snapshot.window_open(YEALINK, at("2026-08-01T01:59:59+03:00")) is False
    assert snapshot.window_open(YEALINK, at("2026-08-01T02:00:00+03:00")) is True
    assert snapshot.window_open(YEALINK, at("2026-08-01T04:59:59+03:00")) is True
    assert snapshot.window_open(YEALINK, at("2026-08-01T05:00:00+03:00")) is False
    assert snapshot.window_open(YEALINK, at("2026-08-02T03:00:00+03:00")) is False  # Sunday: not in days
    assert snapshot.window_open(YEALINK, at("2026-08-08T02:30:00+03:00")) is True
    # Friday 23:30 UTC is Saturday 02:30 in Moscow
    assert snapshot.window_open(YEALINK, at("2026-08-14T23:30:00+00:00")) is True
