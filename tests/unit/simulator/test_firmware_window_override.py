"""The firmware window opened by hand (``firmware_upgrade.yml -e phonefleet_ignore_window=true``).

Outside its profile's window a phone's file names no firmware, so a reboot flashes nothing
(test_firmware_window.py). An admin opens the window of a phone for a bounded time through the service's API
(``POST /api/v1/phones/<mac>/firmware-window``): the phone's next fetch gets the in-window copy and it flashes
its kit's version; once the opening is past (or closed) the next fetch gets the normal copy again. The real
service on loopback, the simulated phones, a real SIP NOTIFY to reboot them.
"""

from __future__ import annotations

import http.client
import json
import time

import pytest

from tests.support.firmware_window import closed_windows
from tests.support.service import ADMIN_TOKEN, AUDITOR_TOKEN, published_site, running_service

from .conftest import SipClient
from .test_firmware_window import FIRMWARE_FILES, KIT_VERSIONS, YEALINK

AVAYA = "24d921aabb01"
ROUTE = "/api/v1/phones/{}/firmware-window"


def _call(service, method: str, mac: str, body=None, token: str = ADMIN_TOKEN) -> tuple[int, dict]:
    """One API request with a raw body (bytes sent as they are, anything else as JSON)."""
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    try:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request(method, ROUTE.format(mac), body=data, headers=headers)
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read() or b"null")
    finally:
        connection.close()


def _reboot(fleet, mac: str) -> None:
    client = SipClient()
    try:
        assert client.notify((fleet.phone(mac).host, 5060), "check-sync;reboot=true").code == 200
        fleet.settle()
    finally:
        client.close()


@pytest.fixture
def closed_site(tmp_path, make_fleet):
    """The demo fleet with its windows closed now, served, its Yealink and Avaya phones booted."""
    directory = tmp_path / "site"
    directory.mkdir()
    published_site(directory, closed_windows)
    with running_service(directory) as service:
        fleet = make_fleet(("yealink", "avaya"), site=directory, base_url=f"http://127.0.0.1:{service.port}")
        fleet.settle()
        yield service, fleet, {mac: fleet.phone(mac).device for mac in (YEALINK, AVAYA)}


def test_an_opened_window_flashes_the_phone_now_and_closes_by_itself(closed_site):
    service, fleet, devices = closed_site
    _reboot(fleet, YEALINK)  # outside the window: a reboot flashes nothing
    assert devices[YEALINK].firmware_installs == 0 and devices[YEALINK].firmware != KIT_VERSIONS[YEALINK]

    status, answer = _call(service, "POST", "80:5E:C0:11:22:33", {"minutes": 30})
    assert status == 200, answer
    assert answer["mac"] == YEALINK and answer["minutes"] == 30 and answer["opened_by"] == "admin"
    assert 29 * 60 < answer["until"] - time.time() <= 30 * 60
    _reboot(fleet, YEALINK)
    assert devices[YEALINK].firmware == KIT_VERSIONS[YEALINK]
    assert devices[YEALINK].firmware_installs == 1
    assert any(row["file"].endswith(FIRMWARE_FILES[YEALINK]) for row in service.journal(limit=1000))
    # only the phone asked for: the other one's window stays closed
    _reboot(fleet, AVAYA)
    assert devices[AVAYA].firmware_installs == 0
    row = service.phones()[YEALINK]
    assert row["firmware_pending"] is False and row["status"] == 3, row

    assert b"firmware.url = http" in devices[YEALINK].files[f"/{YEALINK}.cfg"]

    # 31 minutes later (the service's clock moved on): the opening is past, the next fetch gets the normal copy
    provisioner = service.service.provisioner
    later = time.time() + 31 * 60
    provisioner.clock = provisioner.overrides.clock = lambda: later
    _reboot(fleet, YEALINK)
    assert b"firmware.url" not in devices[YEALINK].files[f"/{YEALINK}.cfg"]
    entry = service.service.published.snapshot().manifest.phones[YEALINK]
    assert service.phones()[YEALINK]["fetched_version"] == entry["version"] != entry["window_version"]


def test_a_closed_window_serves_the_normal_copy_again(closed_site):
    service, fleet, devices = closed_site
    assert _call(service, "POST", YEALINK, {"minutes": 240})[0] == 200
    status, answer = _call(service, "DELETE", YEALINK)
    assert (status, answer) == (200, {"mac": YEALINK, "closed": True})
    assert _call(service, "DELETE", YEALINK)[1]["closed"] is False  # nothing left to close
    _reboot(fleet, YEALINK)
    assert devices[YEALINK].firmware_installs == 0
    assert b"firmware.url" not in devices[YEALINK].files[f"/{YEALINK}.cfg"]
    # journaled with who asked (the token's name), newest first; not the phone's contact
    rows = [row for row in service.journal(mac=YEALINK, limit=1000) if row["protocol"] == "api"]
    assert [(row["result"], row["evidence"]) for row in rows] == [
        ("window-closed", "by:admin"),
        ("window-closed", "by:admin"),
        ("window-opened", "by:admin,minutes:240"),
    ]


@pytest.fixture
def plain_site(tmp_path):
    published_site(tmp_path, closed_windows)
    with running_service(tmp_path) as service:
        yield service


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"minutes": 0}, "minutes must be a whole number from 1 to 240, not '0'"),
        ({"minutes": 241}, "minutes must be a whole number from 1 to 240, not '241'"),
        ({"minutes": "60"}, "minutes must be a whole number from 1 to 240, not '60'"),
        ({"minutes": True}, "minutes must be a whole number from 1 to 240, not 'True'"),
        ({"minutes": 1.5}, "minutes must be a whole number from 1 to 240, not '1.5'"),
        ({}, "minutes must be a whole number from 1 to 240, not 'None'"),
        ({"minutes": 60, "until": 0}, "unknown field 'until': the body has only minutes"),
        ([60], 'the body must be a JSON object such as {"minutes": 60}'),
        (None, 'the body must be a JSON object such as {"minutes": 60}'),
        (b"minutes=60", 'the body must be a JSON object such as {"minutes": 60}'),
    ],
)
def test_the_route_refuses_bad_input_naming_the_field(plain_site, body, message):
    status, answer = _call(plain_site, "POST", YEALINK, body)
    assert (status, answer) == (400, {"error": message})
    assert plain_site.service.store.open_windows(time.time()) == {}


def test_the_route_is_for_administrators_and_api_and_known_phones(plain_site):
    assert _call(plain_site, "POST", YEALINK, {"minutes": 5}, token=AUDITOR_TOKEN) == (
        403,
        {"error": "the role auditor may not do this (allowed: administrator, api)"},
    )
    assert _call(plain_site, "DELETE", YEALINK, token=AUDITOR_TOKEN)[0] == 403
    assert _call(plain_site, "POST", YEALINK, {"minutes": 5}, token="not-a-token")[0] == 401
    assert _call(plain_site, "POST", "not-a-mac", {"minutes": 5}) == (400, {"error": "not a MAC address: 'not-a-mac'"})
    assert _call(plain_site, "POST", "001122334455", {"minutes": 5}) == (
        404,
        {"error": "no phone 001122334455 in the published fleet or among auto-provisioned phones"},
    )
    assert plain_site.service.store.open_windows(time.time()) == {}
    # an opening is journaled, but it is not a contact of the phone: one that never asked still never did
    assert _call(plain_site, "POST", YEALINK, {"minutes": 5})[0] == 200
    row = plain_site.phones()[YEALINK]
    assert row["last_contact"] is None and row["status_text"].startswith("configured, never contacted"), row


def test_phone_controls_client_opens_the_window_and_says_what_it_needs(plain_site):
    """What phone_command's firmware_window_minutes calls (plugin_utils/service_api.py), against the service."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import ServiceLinkError
    from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import (
        ControlServiceLink,
        ServiceApi,
    )

    url = f"http://127.0.0.1:{plain_site.port}"
    ControlServiceLink(ServiceApi(url, ADMIN_TOKEN)).open_firmware_window(YEALINK, 45)
    until = plain_site.service.store.open_windows(time.time())[YEALINK]
    assert 44 * 60 < until - time.time() <= 45 * 60
    with pytest.raises(
        ServiceLinkError,
        match=r"refused the API token's role .*auditor may not do this \(allowed: administrator, api\)",
    ):
        ControlServiceLink(ServiceApi(url, AUDITOR_TOKEN)).open_firmware_window(YEALINK, 45)
