"""The authentication URL Cisco enterprise configs name (``/cisco/authenticate``), answered by the real service.

A Cisco phone sends ``UserID``, ``Password`` and ``devicename`` there before it runs a pushed
CiscoIPPhoneExecute or gives a screenshot, and goes on only on ``AUTHORIZED`` (Cisco IP Phone Services
development notes). Before this service answered it, the URL was a 404: every Cisco control request failed.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from tests.support.service import published_site, running_service
from tests.unit.render_support import demo_fleet, reveal

DIRECTOR = "SEP0CD0F8A1B2C3"  # a Cisco enterprise phone of the demo fleet
MPP = "SEPC4B9CD112201"  # a phone of the fleet, but Cisco MPP: it has no authentication URL
STRANGER = "SEP0CD0F8FFFFFF"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cisco-auth")
    published_site(directory)
    with running_service(directory) as service:
        yield directory, service


@pytest.fixture(scope="module")
def control() -> tuple[str, str]:
    settings = demo_fleet().settings["phone_control"]
    return settings["username"], reveal(settings["password"])


def ask(service, user: str, password: str, device: str, source: str, method: str = "GET"):
    fields = urllib.parse.urlencode({"UserID": user, "Password": password, "devicename": device})
    if method == "GET":
        return service.get("/cisco/authenticate?" + fields, source=source)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(fields))}
    return _post(service, fields.encode(), headers, source)


def _post(service, body: bytes, headers: dict, source: str):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("POST", "/cisco/authenticate", body=body, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def test_the_url_the_config_names_is_the_one_answered(site):
    directory, _service = site
    config = (directory / "www" / f"{DIRECTOR}.cnf.xml").read_bytes()
    url = urllib.parse.urlsplit(ET.fromstring(config).findtext("authenticationURL"))
    assert url.path == "/cisco/authenticate"


def test_the_control_login_of_a_fleet_phone_is_authorized_and_journaled_without_the_password(site, control):
    _directory, service = site
    reply = ask(service, *control, DIRECTOR, "127.0.5.1")
    assert (reply.status, reply.body) == (200, b"AUTHORIZED")  # exactly, no newline
    assert ask(service, *control, DIRECTOR, "127.0.5.1", method="POST") == (200, b"AUTHORIZED")
    service.service.flush()
    rows = [row for row in service.journal(limit=50) if row["file"] == "cisco/authenticate"]
    assert rows and rows[0]["result"] == "authorized" and rows[0]["mac"] == "0cd0f8a1b2c3"
    assert "cisco-auth:control-login" in rows[0]["evidence"] and f"user:{control[0]}" in rows[0]["evidence"]
    assert all(control[1] not in str(row) for row in rows)


@pytest.mark.parametrize(
    ("user", "password", "device", "why"),
    [
        (None, "Wrong-pass-1", DIRECTOR, "wrong-login"),
        ("someone", None, DIRECTOR, "wrong-login"),
        (None, None, STRANGER, "not-a-fleet-phone"),
        (None, None, MPP, "not-a-fleet-phone"),
    ],
)
def test_anything_else_is_un_authorized(site, control, user, password, device, why):
    _directory, service = site
    reply = ask(service, user or control[0], password or control[1], device, "127.0.5.2")
    assert (reply.status, reply.body) == (200, b"UN-AUTHORIZED")
    service.service.flush()
    (row,) = [row for row in service.journal(limit=1) if row["file"] == "cisco/authenticate"]
    assert row["result"] == "unauthorized" and f"cisco-auth:{why}" in row["evidence"]


def test_a_request_without_the_fields_is_an_error(site):
    _directory, service = site
    reply = service.get("/cisco/authenticate?UserID=admin", source="127.0.5.3")
    assert (reply.status, reply.body) == (200, b"ERROR")


def test_failures_are_limited_per_source_address(site, control):
    _directory, service = site
    for _attempt in range(10):
        assert ask(service, control[0], "guess", DIRECTOR, "127.0.5.4").body == b"UN-AUTHORIZED"
    # the limit is reached: even the right password is refused from this address, for a minute
    assert ask(service, *control, DIRECTOR, "127.0.5.4").body == b"UN-AUTHORIZED"
    service.service.flush()
    (row,) = service.journal(limit=1)
    assert "cisco-auth:rate-limited" in row["evidence"]
    # another address is not affected
    assert ask(service, *control, DIRECTOR, "127.0.5.5").body == b"AUTHORIZED"


def test_a_granted_login_is_no_contact_of_the_phone_it_names(site, control):
    """The devicename is only claimed: a login from anywhere must not make a never-contacted phone contacted
    nor move its address (the inventory's ansible_host)."""
    _directory, service = site
    accounting = "SEP001B54C2D3E4"  # a fleet Cisco phone no test of this module fetches a file for
    reply = ask(service, *control, accounting, "127.0.5.9")
    assert (reply.status, reply.body) == (200, b"AUTHORIZED")
    service.service.flush()
    row = service.phones()[accounting[3:].lower()]
    assert row["status"] == 1 and row["last_ip"] is None, row
