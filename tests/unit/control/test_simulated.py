"""Every vendor against its simulated phone (phonefleet_simulator): each on its own 127.x.y.z address at
the vendor's real ports, speaking the vendor's real surface. A reboot and a resync are told apart by the
phone's event log; wrong credentials are a clear error and change nothing on the phone."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.batch import run_batch
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials
from phonefleet_simulator.boot import SimulatedPhone

from .rendered_files import FileServer, rendered_files
from .test_image import decode_png

CREDENTIALS = ("admin", "Ctl-s3cret")
PHONES = {
    "805ec0000001": ("yealink", "T54W"),
    "0cd0f8000002": ("cisco", "CP-8845"),
    "2c3f38000003": ("cisco", "CP-3905"),
    "24d921000004": ("avaya", "J179"),
    "001ae8000005": ("unify", "CP400"),
    "64167f000006": ("poly", "VVX 450"),
    "c074ad000007": ("grandstream", "GXP2170"),
    "000413000008": ("snom", "D785"),
    "0c383e000009": ("fanvil", "X6U"),
    "00094500000a": ("atcom", "A20W"),
    "00562b00000b": ("cisco_mpp", "CP-8845-3PCC"),
    "001fce00000c": ("qtech", "QVP-95R"),
}
#: mac -> (what the phone logs as the cause of a resync, and of a reboot) with the default method
CAUSES = {
    "805ec0000001": ("sip NOTIFY check-sync", "sip NOTIFY check-sync;reboot=true"),
    "0cd0f8000002": ("sip NOTIFY service-control action=restart", "sip NOTIFY service-control action=reset"),
    "2c3f38000003": ("sip NOTIFY service-control action=restart", "sip NOTIFY service-control action=reset"),
    # these phones boot with no service, so with factory settings, which keep their control paths shut (the
    # simulator's vendors/avaya.py and vendors/poly.py): test_provisioned_control.py drives them provisioned
    "24d921000004": (None, None),
    "001ae8000005": ("http POST /contact_dls.html/ContactDLS", None),
    "64167f000006": (None, None),
    "c074ad000007": ("request=PROV", "request=REBOOT"),
    "000413000008": ("sip NOTIFY check-sync;reboot=false", "http GET /advanced_update.htm?reboot=Reboot"),
    "0c383e000009": ("sip NOTIFY check-sync", "http GET /cgi-bin/ConfigManApp.com?key=Reboot"),
    "00094500000a": ("sip NOTIFY check-sync", "http GET /cgi-bin/server.cgi?key=REBOOT"),
    "00562b00000b": ("http GET /admin/resync", "http GET /admin/reboot"),
    "001fce00000c": ("sip NOTIFY check-sync", "http GET /cgi-bin/ConfigManApp.com?key=Reboot"),
}
#: vendors whose simulated phones obey only what their files allow: they boot from our rendered files (the
#: others find nothing and keep their defaults)
READ_THEIR_FILES = ("yealink", "atcom", "grandstream", "fanvil", "qtech")


@pytest.fixture(scope="module")
def fleet(start_fleet, tmp_path_factory):
    """One simulated phone per vendor (and a CP-3905), each on its own 127.x.y.z address."""
    phones = [SimulatedPhone(mac, vendor, model) for mac, (vendor, model) in PHONES.items()]
    rendered = {mac: entry for mac, entry in PHONES.items() if entry[0] in READ_THEIR_FILES}
    with FileServer(rendered_files(tmp_path_factory.mktemp("simulated-files"), rendered)) as server:
        started = start_fleet(phones, server.url, CREDENTIALS, second_login=("debug", "debug"))
        yield started
        started.stop()


def phone(fleet, mac: str, password: str = CREDENTIALS[1]) -> request.Phone:
    entry = fleet.phone(mac).inventory_entry()
    defaults = request.Defaults(credentials=Credentials(CREDENTIALS[0], password), timeout=3.0)
    return request.target_from_entry(entry, 0, defaults)


def events_after(fleet, mac: str, action):
    """Run ``action``, let the phone finish what it started; (result, the phone's new events)."""
    device = fleet.phone(mac).device
    before = len(device.events)
    result = action()
    fleet.settle()
    return result, [(event.kind, event.cause) for event in list(device.events)[before:]]


@pytest.mark.parametrize("mac", sorted(mac for mac in PHONES if CAUSES[mac][0]))
def test_resync_resyncs_and_does_not_reboot(fleet, mac):
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), "resync"))
    assert result["status"] == "sent", result
    assert result["reboots"] is False
    kinds = [kind for kind, _cause in events]
    assert "resync" in kinds and "reboot" not in kinds and "boot" not in kinds, events
    assert any(CAUSES[mac][0] in cause for kind, cause in events if kind == "resync"), events


@pytest.mark.parametrize("mac", sorted(mac for mac in PHONES if CAUSES[mac][1]))
def test_reboot_reboots(fleet, mac):
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), "reboot"))
    assert result["status"] == "sent", result
    assert result["reboots"] is True
    kinds = [kind for kind, _cause in events]
    assert "reboot" in kinds and "boot" in kinds and "resync" not in kinds, events
    assert any(CAUSES[mac][1] in cause for kind, cause in events if kind == "reboot"), events


@pytest.mark.parametrize("command", ["resync", "reboot"])
def test_an_avaya_phone_with_factory_settings_refuses_check_sync(fleet, command):
    """ENABLE_OOD_RESET_NOTIFY is 0 until a settings file says 1."""
    mac = "24d921000004"
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), command))
    assert (result["status"], result["error"]) == ("failed", "authentication"), result
    assert "403" in result["msg"] and "ENABLE_OOD_RESET_NOTIFY" in result["msg"], result
    assert [kind for kind, _cause in events] == ["refused"], events  # logged, and nothing ran


def test_a_poly_phone_with_factory_settings_has_no_rest_api_and_its_check_sync_reboots(fleet):
    """apps.restapi.enabled is off and check-sync reboots until the phone's file says otherwise."""
    mac = "64167f000006"
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), "resync"))
    assert result["status"] == "sent" and result["method"] == "sip", result  # the REST API answered 404
    assert "reboot" in [kind for kind, _cause in events], events
    result = request.execute_command(phone(fleet, mac), "reboot")
    assert result["status"] == "unsupported" and "404" in result["msg"], result


def test_unify_reboot_is_not_supported_and_nothing_is_sent(fleet):
    result, events = events_after(
        fleet, "001ae8000005", lambda: request.execute_command(phone(fleet, "001ae8000005"), "reboot")
    )
    assert result["status"] == "unsupported" and "deployment service" in result["msg"]
    assert events == []


@pytest.mark.parametrize(
    ("mac", "method", "cause"),
    [
        ("0cd0f8000002", "ssh", "ssh reset"),
        ("2c3f38000003", "telnet", "telnet reset"),
        ("805ec0000001", "http", "http GET /servlet?key=Reboot"),
    ],
)
def test_reboot_over_a_chosen_transport(fleet, mac, method, cause):
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), "reboot", method))
    assert result["status"] == "sent" and result["method"] == method, result
    assert any(kind == "reboot" and cause in logged for kind, logged in events), events


def test_a_cisco_phone_without_an_authentication_url_refuses_cgi_execute(fleet):
    """These phones fetched no config: a Cisco phone checks a login only through the authentication URL its
    config names, so it refuses (tests/unit/simulator/test_http_surface.py: the same through the service)."""
    mac = "0cd0f8000002"
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone(fleet, mac), "resync", "http"))
    assert result["status"] == "failed" and result["error"] == "authentication", result
    assert [kind for kind, _cause in events] == ["auth-failed"]


@pytest.mark.parametrize("mac", ["805ec0000001", "c074ad000007", "000413000008", "0c383e000009", "00562b00000b"])
def test_wrong_credentials_are_a_clear_error_and_change_nothing(fleet, mac):
    result, events = events_after(
        fleet, mac, lambda: request.execute_command(phone(fleet, mac, "Wrong-pass-1"), "reboot", "http")
    )
    assert result["status"] == "failed" and result["error"] == "authentication", result
    assert "wrong username or password" in result["msg"] and "Wrong-pass-1" not in result["msg"]
    assert [kind for kind, _cause in events] == ["auth-failed"]


def test_wrong_ssh_password(fleet):
    result = request.execute_command(phone(fleet, "0cd0f8000002", "Wrong-pass-1"), "reboot", "ssh")
    assert result["status"] == "failed" and result["error"] == "authentication"
    assert result["msg"].endswith("SSH " + fleet.phone("0cd0f8000002").host + ":22: the login 'admin' was refused")


@pytest.mark.parametrize(
    ("mac", "model", "lines"),
    [
        ("805ec0000001", "T54W", True),
        ("0cd0f8000002", "CP-8845", True),
        ("00562b00000b", "CP-8845-3PCC", True),
    ],
)
def test_info_reports_model_firmware_and_ip(fleet, mac, model, lines):
    result = request.gather(phone(fleet, mac))
    device = fleet.phone(mac).device
    assert result["status"] == "ok", result
    assert result["info"]["model"] == model
    assert result["firmware"] == device.firmware
    assert result["info"]["ip"] == fleet.phone(mac).host


def test_cisco_info_over_ssh(fleet):
    result = request.gather(phone(fleet, "0cd0f8000002"), method="ssh")
    assert result["status"] == "ok", result
    assert result["info"]["model"] == "CP-8845"
    assert result["firmware"] == fleet.phone("0cd0f8000002").device.firmware


# Cisco enterprise: through its authentication URL, with a service (tests/unit/simulator/test_http_surface.py)
@pytest.mark.parametrize("mac", ["805ec0000001", "64167f000006", "000413000008"])
def test_screenshots_are_saved_as_png(fleet, mac, tmp_path):
    path = tmp_path / f"{mac}.png"
    result = request.gather(phone(fleet, mac), want_info=False, screenshot_path=str(path))
    assert result["screenshot_status"] == "ok", result
    width, height, rows = decode_png(path.read_bytes())
    assert [width, height] == result["screenshot_size"] and len(rows) == height


@pytest.mark.parametrize("mac", ["2c3f38000003", "24d921000004", "001ae8000005", "c074ad000007"])
def test_screenshots_where_the_model_has_none_say_so(fleet, mac, tmp_path):
    result = request.gather(phone(fleet, mac), want_info=False, screenshot_path=str(tmp_path / "x.png"))
    assert result["status"] == "unsupported" and "screenshot is not supported" in result["msg"]
    assert not (tmp_path / "x.png").exists()


def test_a_batch_over_every_vendor(fleet):
    phones = [phone(fleet, mac) for mac in PHONES]
    results = run_batch(phones, lambda item: request.execute_command(item, "resync"), concurrency=4)
    fleet.settle()
    assert [result["mac"] for result in results] == list(PHONES)
    assert request.counts(results) == {"sent": len(PHONES) - 1, "failed": 1}  # the factory Avaya refuses
