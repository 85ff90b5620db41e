"""From options and host variables to targets, and every outcome (errors included) to a phone's result."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials

from .loopback import Route, SipEndpoint, SipScript, WebPhone

DEFAULTS = request.Defaults(credentials=Credentials("admin", "s3cret"), timeout=2.0)


def test_a_host_becomes_a_target_from_the_inventory_plugins_variables():
    variables = {
        "phone_mac": "80:5e:c0:11:22:33",
        "phone_vendor": "yealink",
        "phone_model": "T54W",
        "phone_name": "Reception",
        "phone_lines": [{"number": "2001", "password": "vaulted"}],
        "ansible_host": "10.20.0.31",
        "phone_status": 3,
        "phone_last_contact": 1700000000,
    }
    phone = request.target_from_vars("805ec0112233", variables, DEFAULTS)
    target = phone.target
    assert (target.mac, target.vendor, target.model, target.address, target.sip_user) == (
        "805ec0112233",
        "yealink",
        "T54W",
        "10.20.0.31",
        "2001",
    )
    assert target.credentials == Credentials("admin", "s3cret")
    assert phone.facts == {"status": 3, "last_contact": 1700000000}


def test_a_host_the_service_has_not_seen_has_no_address_and_the_vendor_comes_from_the_mac():
    phone = request.target_from_vars("805ec0112233", {"ansible_host": "805ec0112233"}, DEFAULTS)
    assert phone.target.address is None and phone.target.vendor == "yealink"


def test_an_address_the_inventory_marked_unproven_is_not_trusted_one_the_engineer_gave_is():
    marked = {"ansible_host": "127.0.0.5", "phone_address_proven": False}
    assert request.target_from_vars("805ec0112233", marked, DEFAULTS).target.address_proven is False
    given = request.target_from_vars("805ec0112233", marked, DEFAULTS, address="10.0.0.9").target
    assert (given.address, given.address_proven) == ("10.0.0.9", True)
    assert request.target_from_vars("805ec0112233", {"ansible_host": "10.0.0.5"}, DEFAULTS).target.address_proven
    proven = {"ansible_host": "10.0.0.5", "phone_address_proven": True}
    assert request.target_from_vars("805ec0112233", proven, DEFAULTS).target.address_proven


def test_batch_entries_are_checked_and_may_override_the_login_and_ports():
    entry = {
        "mac": "00:15:65:4c:4c:26",
        "model": "T31G",
        "address": "10.0.0.2",
        "ports": {"sip": 5062},
        "password": "other",
    }
    target = request.target_from_entry(entry, 0, DEFAULTS).target
    assert target.vendor == "yealink" and target.port("sip") == 5062 and target.port("http") == 80
    # a Cisco MAC names no vendor (enterprise and MPP firmware share the hardware): the entry must say
    assert request.target_from_entry({"mac": "0cd0f8a1b2c3"}, 0, DEFAULTS).target.vendor == "unknown"
    assert target.credentials == Credentials("admin", "other")
    for bad, words in (
        ({"vendor": "yealink"}, "phones[3]: mac is required"),
        ({"mac": "zz"}, "phones[3]: mac:"),
        ({"mac": "805ec0112233", "colour": "red"}, "phones[3]: unknown keys colour"),
        ({"mac": "805ec0112233", "ports": {"sip": "x"}}, "phones[3]: ports.sip: 'x' is not a port number"),
        ({"mac": "805ec0112233", "ports": {"smtp": 25}}, "phones[3]: ports.smtp: not one of"),
        ("805ec0112233", "phones[3]: must be a mapping"),
    ):
        with pytest.raises(request.RequestError, match=words.replace("[", r"\[").replace("]", r"\]")):
            request.target_from_entry(bad, 3, DEFAULTS)


def test_results_for_what_cannot_be_done():
    unknown = request.target_from_entry({"mac": "aabbcc000001", "address": "10.0.0.1"}, 0, DEFAULTS)
    result = request.execute_command(unknown, "resync")
    assert result["status"] == "unsupported" and "no control for the vendor 'unknown'" in result["msg"]
    unseen = request.target_from_entry({"mac": "805ec0112233"}, 0, DEFAULTS)
    assert request.execute_command(unseen, "resync")["status"] == "no_address"
    unify = request.target_from_entry({"mac": "001ae8556677", "vendor": "unify"}, 0, DEFAULTS)
    assert (
        request.execute_command(unify, "reboot")["status"] == "unsupported"
    )  # no service_url: said before the address
    with pytest.raises(request.RequestError, match="command must be one of reboot, resync"):
        request.execute_command(unseen, "factory-reset")


def test_a_sent_resync_says_what_was_sent_and_the_answer():
    endpoint = SipEndpoint(SipScript())
    try:
        phone = request.target_from_entry(
            {"mac": "805ec0112233", "address": "127.0.0.1", "ports": {"sip": endpoint.port}}, 0, DEFAULTS
        )
        result = request.execute_command(phone, "resync")
    finally:
        endpoint.close()
    assert result["status"] == "sent" and result["changed"] is True
    assert result["method"] == "sip" and result["reboots"] is False and result["verified"] is True
    assert result["msg"].startswith("sent resync (no reboot): SIP NOTIFY Event: check-sync to 127.0.0.1:")
    assert "SIP/2.0 200 OK" in result["detail"]


@pytest.fixture
def yealink_web():
    server = WebPhone(
        password="s3cret",
        routes={
            ("GET", "/servlet?phonecfg=get&accounts=1&fw=1"): Route(
                body=b'{"model": "T54W", "firmware": "96.86.0.45", "mac": "80:5e:c0:11:22:33", "ip": "127.0.0.1",'
                b' "accounts": [{"line": 1, "user": "2001", "status": "registered"},'
                b' {"line": 2, "user": "2002", "status": "weird"}]}',
                content_type="application/json",
            ),
            ("GET", "/screencapture"): Route(body=b"\xff\xd8\xff\xe0JFIF", content_type="image/jpeg"),
        },
    ).start()
    yield server
    server.close()


def test_info_and_a_jpeg_screenshot(yealink_web, tmp_path):
    phone = request.target_from_entry(
        {"mac": "805ec0112233", "model": "T54W", "address": "127.0.0.1", "ports": {"http": yealink_web.port}},
        0,
        DEFAULTS,
    )
    result = request.gather(phone, True, str(tmp_path / "shot.png"))
    assert result["info_status"] == "ok" and result["firmware"] == "96.86.0.45"
    assert result["registration"] == [
        {"line": 1, "user": "2001", "status": "registered"},
        {"line": 2, "user": "2002", "status": "unknown"},
    ]
    assert result["screenshot_status"] == "failed" and result["screenshot_error"] == "protocol"
    assert "a jpeg image, not BMP or PNG" in result["screenshot_msg"]
    assert result["status"] == "failed" and not (tmp_path / "shot.png").exists()
    checked = request.gather(phone, False, str(tmp_path / "shot.png"), check=True)
    assert checked["screenshot_status"] == "would_send" and checked["changed"] is True


def test_the_status_table():
    results = [
        {
            "mac": "805ec0112233",
            "name": "Reception",
            "vendor": "yealink",
            "model": "T54W",
            "info_status": "ok",
            "registration": [{"line": 1, "status": "registered"}],
            "firmware": "96.86.0.45",
            "service": {
                "status": 3,
                "status_text": "up to date",
                "last_contact": 1000.0,
                # a mobility user logged in on it since 00:15 UTC
                "mobility_user": "Ivan Petrov",
                "mobility_number": "5001",
                "mobility_since": 900.0,
            },
        },
        {
            "mac": "24d921aabb01",
            "vendor": "avaya",
            "model": "J179",
            "info_status": "unsupported",
            "service": {"status": 2, "firmware": "4.1.6.0.6", "last_contact": 1000.0 - 7200},
        },
        {"mac": "0015654c4c26", "vendor": "yealink", "info_status": "no_address"},
    ]
    lines = request.table(results, now=1000.0 + 300)
    assert lines[0].split() == [
        "PHONE",
        "MODEL",
        "STATUS",
        "LOGGED",
        "IN",
        "REGISTRATION",
        "FIRMWARE",
        "LAST",
        "CONTACT",
    ]
    assert lines[1].split()[:8] == ["805ec0112233", "Reception", "yealink", "T54W", "3", "up", "to", "date"]
    assert "5001 Ivan Petrov since 00:15Z  " in lines[1]
    assert lines[1].index("5001 Ivan Petrov") == lines[0].index("LOGGED IN")
    assert "1:registered" in lines[1] and "96.86.0.45" in lines[1] and "1970-01-01 00:16Z (5m ago)" in lines[1]
    assert "n/a" in lines[2] and "4.1.6.0.6 (service)" in lines[2] and "(2h ago)" in lines[2]
    assert lines[3].split()[1:] == ["yealink", "-", "-", "-", "-", "-"]
    assert request.counts([{"status": "failed"}, {"status": "sent"}, {"status": "sent"}]) == {"sent": 2, "failed": 1}
