"""Yealink and Atcom phones obey the controller only as far as their files allow (the simulator's rules,
simulator/phonefleet_simulator/vendors/yealink.py and atcom.py, from Yealink's admin guide and the Atcom notes).

The phones boot from the files our drivers render for a fleet whose ``settings.phone_control.networks`` hold
the controller's address (loopback here), then are driven as an engineer does. A fleet without those networks,
or files without the remote-control settings, leaves the phones refusing the HTTP way (Yealink: 403, Atcom:
its user asked) and a Yealink common file the phone does not fetch leaves it rebooting on a plain check-sync.
"""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials
from phonefleet_simulator.boot import SimulatedPhone
from phonefleet_simulator.vendors import yealink

from tests.unit.render_support import DEMO_FLEET

from .rendered_files import FileServer, rendered_files

CREDENTIALS = ("admin", "Ctl-s3cret")
PHONES = {
    "805ec0000101": ("yealink", "T54W"),
    "0015650a0102": ("yealink", "T31G"),
    "805ec0000103": ("yealink", "T42S"),
    "8082870a0104": ("atcom", "A20W"),
}
YEALINKS = sorted(mac for mac, (vendor, _model) in PHONES.items() if vendor == "yealink")
SETTINGS = (DEMO_FLEET / "settings.yml").read_text()
ELSEWHERE = SETTINGS.replace('networks: ["127.0.0.0/8"]', 'networks: ["10.0.5.0/24"]')


def booted(start_fleet, tmp_path_factory, settings: str):
    """The phones booted from the files rendered for a fleet with ``settings``; stopped afterwards."""
    files = rendered_files(tmp_path_factory.mktemp("control-files"), PHONES, settings)
    with FileServer(files) as server:
        fleet = start_fleet([SimulatedPhone(mac, *entry) for mac, entry in PHONES.items()], server.url, CREDENTIALS)
        try:
            yield fleet
        finally:
            fleet.stop()


@pytest.fixture(scope="module")
def allowed(start_fleet, tmp_path_factory):
    yield from booted(start_fleet, tmp_path_factory, SETTINGS)


@pytest.fixture(scope="module")
def elsewhere(start_fleet, tmp_path_factory):
    yield from booted(start_fleet, tmp_path_factory, ELSEWHERE)


def run(fleet, mac: str, command: str, method: str = "auto"):
    handle = fleet.phone(mac)
    entry = {"mac": mac, "vendor": handle.device.vendor, "model": handle.device.model, "address": handle.host}
    entry["ports"] = handle.ports
    defaults = request.Defaults(credentials=Credentials(*CREDENTIALS), timeout=3.0)
    before = len(handle.device.events)
    result = request.execute_command(request.target_from_entry(entry, 0, defaults), command, method)
    fleet.settle()
    return result, [event.kind for event in list(handle.device.events)[before:]]


@pytest.mark.parametrize("mac", YEALINKS)
def test_check_sync_resyncs_without_rebooting(allowed, mac):
    # sip.notify_reboot_enable = 0 is in the model's common file: a phone that fetches another file number
    # keeps the factory 1 and reboots on every check-sync (Yealink admin guide)
    result, kinds = run(allowed, mac, "resync")
    assert result["status"] == "sent" and result["method"] == "sip", result
    assert "resync" in kinds and "reboot" not in kinds, kinds


@pytest.mark.parametrize("mac", [*YEALINKS, "8082870a0104"])
def test_reboot_over_http_from_an_allowed_address(allowed, mac):
    result, kinds = run(allowed, mac, "reboot", "http")
    assert result["status"] == "sent", result
    assert "reboot" in kinds and "prompt" not in kinds, kinds


def test_yealink_status_over_the_action_uri(allowed):
    handle = allowed.phone("805ec0000101")
    entry = {"mac": handle.mac, "vendor": "yealink", "model": "T54W", "address": handle.host, "ports": handle.ports}
    defaults = request.Defaults(credentials=Credentials(*CREDENTIALS), timeout=3.0)
    info = request.gather(request.target_from_entry(entry, 0, defaults))
    assert info["status"] == "ok" and "T54W" in str(info), info


@pytest.mark.parametrize("mac", YEALINKS)
def test_yealink_refuses_http_control_from_an_address_not_in_its_list(elsewhere, mac):
    result, kinds = run(elsewhere, mac, "reboot", "http")
    assert result["status"] == "failed", result
    assert kinds == ["refused"], kinds


def test_atcom_asks_its_user_when_the_caller_is_not_listed(elsewhere):
    _result, kinds = run(elsewhere, "8082870a0104", "reboot", "http")
    assert kinds == ["prompt"], kinds


def test_a_factory_yealink_reboots_on_a_plain_check_sync(start_fleet):
    fleet = start_fleet([SimulatedPhone("805ec0000199", "yealink", "T54W")], "http://127.0.0.1:9", CREDENTIALS)
    try:
        _result, kinds = run(fleet, "805ec0000199", "resync")
        assert "reboot" in kinds, kinds  # sip.notify_reboot_enable defaults to 1
        result, kinds = run(fleet, "805ec0000199", "reboot", "http")
        assert result["status"] == "failed" and kinds == ["refused"], (result, kinds)  # the allow list is blank
    finally:
        fleet.stop()


def test_trusting_only_the_registrar_refuses_the_controller_notify(tmp_path):
    # sip.trust_ctrl = 1 (wazo's choice: its NOTIFY comes from the PBX) would refuse ours, sent from the controller
    files = rendered_files(tmp_path, {"805ec0000101": ("yealink", "T54W")})
    common = files["/y000000000096.cfg"].replace(b"sip.trust_ctrl = 0", b"sip.trust_ctrl = 1")
    ours = yealink.control_settings({**files, "/y000000000096.cfg": common})
    assert not yealink.trusts_source(ours, "127.0.0.1")
    assert yealink.trusts_source(ours, "pbx.demo.invalid")
    assert yealink.trusts_source(yealink.control_settings(files), "127.0.0.1")


def test_a_yealink_trusting_only_its_servers_refuses_the_controller_notify(start_fleet, tmp_path):
    # the same file served to a phone, driven over its SIP surface: the rule is the phone's, not only a function
    files = rendered_files(tmp_path, {"805ec0000101": ("yealink", "T54W")})
    files["/y000000000096.cfg"] = files["/y000000000096.cfg"].replace(b"sip.trust_ctrl = 0", b"sip.trust_ctrl = 1")
    with FileServer(files) as server:
        fleet = start_fleet([SimulatedPhone("805ec0000101", "yealink", "T54W")], server.url, CREDENTIALS)
        try:
            result, kinds = run(fleet, "805ec0000101", "resync", "sip")
        finally:
            fleet.stop()
    assert result["status"] == "failed", result
    assert kinds == ["refused"], kinds
