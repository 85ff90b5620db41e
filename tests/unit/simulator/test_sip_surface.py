"""SIP NOTIFY to simulated phones over real UDP: what each vendor does with each event, and bad input.

The requests are those a PBX sends (Asterisk ``sip_notify.conf`` style, wazo's ``check-sync``, the Cisco
``service-control`` of research/unify-cisco.md B.4). Events per vendor and what is verified:
simulator/phonefleet_simulator/surfaces/sip.py.
"""

from __future__ import annotations

import random

import pytest

from .conftest import SipClient

YEALINK, CISCO, MPP, AVAYA, UNIFY = "805ec0112233", "0cd0f8a1b2c3", "c4b9cd112201", "24d921aabb01", "001ae8556677"
ATCOM, QTECH, POLY, GRANDSTREAM, SNOM, FANVIL = (
    "000945102030",
    "000add102031",
    "64167f010203",
    "c074ad010203",
    "000413010203",
    "0c383e010203",
)
CHECK_SYNC = (YEALINK, AVAYA, ATCOM, QTECH, POLY, GRANDSTREAM, SNOM, FANVIL)
CISCO_BODY = (
    "action={action}\r\nRegisterCallId={{}}\r\nConfigVersionStamp={{00000000-0000-0000-0000-000000000000}}\r\n"
    "DialplanVersionStamp={{}}\r\nSoftkeyVersionStamp={{}}\r\n"
)


def sip_of(handle) -> tuple[str, int]:
    return handle.host, handle.ports["sip"]


@pytest.mark.parametrize("mac", CHECK_SYNC)
def test_check_sync_resyncs(make_fleet, sip_client, mac):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    boots = device.boot_count
    reply = sip_client.notify(sip_of(handle), "check-sync")
    assert reply.code == 200
    fleet.settle()
    assert device.resync_count == 1
    assert device.boot_count == boots
    assert device.kinds()[-2:] == ["control", "resync"]
    assert device.events[-1].cause == "sip NOTIFY check-sync"


@pytest.mark.parametrize("mac", CHECK_SYNC)
def test_check_sync_with_reboot_true_reboots(make_fleet, sip_client, mac):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    boots = device.boot_count
    assert sip_client.notify(sip_of(handle), "check-sync;reboot=true").code == 200
    fleet.settle()
    assert device.boot_count == boots + 1
    assert device.reboot_count == 1
    assert device.resync_count == 0
    assert device.kinds()[-3:] == ["control", "reboot", "boot"]


def test_snom_check_sync_reboot_false_resyncs(make_fleet, sip_client):
    fleet = make_fleet(SNOM)
    handle = fleet.phone(SNOM)
    assert sip_client.notify(sip_of(handle), "check-sync;reboot=false").code == 200
    fleet.settle()
    assert (handle.device.resync_count, handle.device.reboot_count) == (1, 0)


def test_yealink_action_uri_notify(make_fleet, sip_client):
    fleet = make_fleet(YEALINK)
    handle = fleet.phone(YEALINK)
    assert sip_client.notify(sip_of(handle), "ACTION-URI", "key=AutoP", "message/sipfrag").code == 200
    fleet.settle()
    assert (handle.device.resync_count, handle.device.reboot_count) == (1, 0)
    assert sip_client.notify(sip_of(handle), "ACTION-URI", "key=Reboot", "message/sipfrag").code == 200
    fleet.settle()
    assert (handle.device.resync_count, handle.device.reboot_count) == (1, 1)


@pytest.mark.parametrize(("action", "resyncs", "reboots"), [("restart", 1, 0), ("reset", 0, 1)])
def test_cisco_service_control(make_fleet, sip_client, action, resyncs, reboots):
    fleet = make_fleet(CISCO)
    handle = fleet.phone(CISCO)
    device = handle.device
    boots = device.boot_count
    reply = sip_client.notify(sip_of(handle), "service-control", CISCO_BODY.format(action=action), "text/plain")
    assert reply.code == 200
    fleet.settle()
    assert (device.resync_count, device.reboot_count, device.boot_count) == (resyncs, reboots, boots + reboots)
    assert device.events[-1].cause == f"sip NOTIFY service-control action={action}"


def test_cisco_service_control_needs_text_plain_and_a_known_action(make_fleet, sip_client):
    fleet = make_fleet(CISCO)
    handle = fleet.phone(CISCO)
    phone = sip_of(handle)
    wrong_type = sip_client.notify(phone, "service-control", "action=reset\r\n", "application/xml")
    assert wrong_type.code == 415
    assert wrong_type.header("accept") == "text/plain"
    assert sip_client.notify(phone, "service-control", "action=explode\r\n", "text/plain").code == 400
    assert sip_client.notify(phone, "service-control", "action=prt-report\r\n", "text/plain").code == 200
    assert sip_client.notify(phone, "check-sync").code == 489  # not a Cisco enterprise event
    fleet.settle()
    assert (handle.device.resync_count, handle.device.reboot_count) == (0, 0)


@pytest.mark.parametrize(("mac", "allowed"), [(UNIFY, ""), (MPP, ""), (CISCO, "service-control")])
def test_unknown_events_get_489(make_fleet, sip_client, mac, allowed):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    reply = sip_client.notify(sip_of(handle), "check-sync;reboot=true")
    assert reply.code == 489
    assert reply.reason == "Bad Event"
    assert reply.header("allow-events") == allowed
    fleet.settle()
    assert (handle.device.resync_count, handle.device.reboot_count) == (0, 0)


def test_the_200_copies_the_request_and_tags_to(make_fleet, sip_client):
    fleet = make_fleet(YEALINK)
    handle = fleet.phone(YEALINK)
    raw = sip_client.request(sip_of(handle), "check-sync", call_id="abc@pbx", branch="z9hG4bKone")
    reply = sip_client.send(sip_of(handle), raw)
    assert reply.code == 200
    request = raw.decode()
    assert reply.header("call-id") == "abc@pbx"
    assert reply.header("cseq") == f"{sip_client.cseq} NOTIFY"
    assert reply.header("from") in request
    to = reply.header("to")
    assert to.startswith(f"<sip:phone@{handle.host}>;tag=")
    via = reply.header("via")
    assert via.startswith(f"SIP/2.0/UDP {sip_client.host}:{sip_client.port};branch=z9hG4bKone")
    assert f";rport={sip_client.port}" in via  # RFC 3581
    assert reply.header("user-agent").startswith("Yealink SIP-T54W 96.86.0.45")
    assert reply.header("content-length") == "0"


def test_a_retransmitted_notify_is_answered_again_but_acted_on_once(make_fleet, sip_client):
    fleet = make_fleet(GRANDSTREAM)
    handle = fleet.phone(GRANDSTREAM)
    raw = sip_client.request(sip_of(handle), "check-sync", call_id="once@pbx", branch="z9hG4bKsame")
    first = sip_client.send(sip_of(handle), raw)
    second = sip_client.send(sip_of(handle), raw)
    assert first.code == second.code == 200
    assert first.header("to") == second.header("to")  # the same answer, tag and all
    fleet.settle()
    assert handle.device.resync_count == 1


def test_bad_requests_get_400_and_the_port_keeps_working(make_fleet, sip_client):
    fleet = make_fleet(FANVIL)
    handle = fleet.phone(FANVIL)
    phone = sip_of(handle)
    no_event = sip_client.notify(phone, None)
    assert (no_event.code, no_event.reason) == (400, "Bad Request: Event missing")
    good = sip_client.request(phone, "check-sync").decode()
    wrong_cseq = good.replace(f"CSeq: {sip_client.cseq} NOTIFY", f"CSeq: {sip_client.cseq} INVITE")
    assert sip_client.send(phone, wrong_cseq.encode()).code == 400
    no_call_id = "\r\n".join(line for line in good.split("\r\n") if not line.startswith("Call-ID"))
    assert sip_client.send(phone, no_call_id.encode()).code == 400
    long_body = good.replace("Content-Length: 0", "Content-Length: 50")
    assert sip_client.send(phone, long_body.encode()).code == 400
    for junk in (b"hello phone", b"\xff\xfe\x00garbage\r\n\r\n", b"NOTIFY\r\n\r\n"):
        assert sip_client.send(phone, junk).code == 400
    assert sip_client.send(phone, b"SIP/2.0 200 OK\r\n\r\n", 0.3) is None  # a response: not answered
    assert sip_client.send(phone, b"\r\n\r\n", 0.3) is None  # a keep-alive: no answer
    fleet.settle()
    assert handle.device.resync_count == 0
    assert sip_client.notify(phone, "check-sync").code == 200  # still answering
    fleet.settle()
    assert handle.device.resync_count == 1


def test_options_and_other_methods(make_fleet, sip_client):
    fleet = make_fleet(SNOM)
    handle = fleet.phone(SNOM)
    phone = sip_of(handle)
    options = sip_client.send(phone, sip_client.request(phone, None, method="OPTIONS"))
    assert options.code == 200
    assert "NOTIFY" in options.header("allow")
    assert sip_client.send(phone, sip_client.request(phone, None, method="MESSAGE")).code == 501
    assert sip_client.send(phone, sip_client.request(phone, None, method="ACK"), 0.3) is None


def test_a_phone_that_is_down_does_not_answer(make_fleet, sip_client):
    fleet = make_fleet(FANVIL, reboot_seconds=1.5)
    handle = fleet.phone(FANVIL)
    assert sip_client.notify(sip_of(handle), "check-sync;reboot=true").code == 200
    fleet.wait_for(lambda: handle.device.state == "rebooting", 2)
    client = SipClient()
    try:
        client.sock.sendto(client.request(sip_of(handle), "check-sync"), sip_of(handle))
        assert client.receive(timeout=0.2) is None
    finally:
        client.close()
    fleet.settle()
    assert handle.device.reboot_count == 1
    assert handle.device.resync_count == 0


def test_no_datagram_stops_the_port(make_fleet, sip_client, caplog):
    fleet = make_fleet(CISCO)
    handle = fleet.phone(CISCO)
    phone = sip_of(handle)
    rng = random.Random(5)
    good = sip_client.request(phone, "service-control", "action=restart\r\n", "text/plain")
    for _round in range(300):  # mutated requests: bytes flipped, cut short, lines dropped
        raw = bytearray(good)
        for _flip in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        if rng.random() < 0.3:
            raw = raw[: rng.randrange(len(raw))]
        sip_client.sock.sendto(bytes(raw), phone)
    fleet.settle()
    while sip_client.receive(0.2) is not None:  # whatever was answered
        pass
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert sip_client.notify(phone, "service-control", "action=restart\r\n", "text/plain").code == 200
    fleet.settle()
    assert handle.device.up
