"""The SIP NOTIFY transport against a UDP endpoint on loopback: the message, retransmission on the
RFC 3261 schedule, provisional answers, and every final answer turned into the right typed error."""

from __future__ import annotations

import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import sip
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.errors import (
    AuthenticationFailed,
    NotSupported,
    ProtocolError,
    Unreachable,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Target

from .loopback import SipEndpoint, SipScript, free_udp_port, response


@pytest.fixture
def endpoint():
    made = []

    def make(**script) -> SipEndpoint:
        made.append(SipEndpoint(SipScript(**script)))
        return made[-1]

    yield make
    for item in made:
        item.close()


def phone(port: int, **extra) -> Target:
    values = {"mac": "805ec0112233", "vendor": "yealink", "model": "T54W", "address": "127.0.0.1"}
    values.update(extra)
    return Target(ports={"sip": port}, **values)


def test_a_notify_is_answered_and_carries_what_rfc_3261_asks(endpoint):
    peer = endpoint()
    answer = sip.notify(phone(peer.port, sip_user="2001"), "check-sync")
    assert (answer.status, answer.reason, answer.attempts) == (200, "OK", 1)
    assert "200 OK" in str(answer)
    sent = peer.headers()
    assert sent["request-line"] == f"NOTIFY sip:2001@127.0.0.1:{peer.port} SIP/2.0"
    assert sent["event"] == "check-sync"
    assert sent["cseq"] == "1 NOTIFY"
    assert sent["via"].startswith("SIP/2.0/UDP 127.0.0.1:")
    assert ";branch=z9hG4bK" in sent["via"] and sent["via"].endswith(";rport")
    assert sent["max-forwards"] == "70"
    assert ";tag=" in sent["from"] and "tag" not in sent["to"]
    assert sent["content-length"] == "0" and "content-type" not in sent


def test_a_body_goes_with_its_type_and_length(endpoint):
    peer = endpoint()
    body = b"action=restart\r\nRegisterCallId={}\r\n"
    sip.notify(phone(peer.port), "service-control", body, "text/plain", ("Subscription-State: active",))
    sent = peer.headers()
    assert sent["content-type"] == "text/plain"
    assert sent["content-length"] == str(len(body))
    assert sent["subscription-state"] == "active"
    assert sent["body"].encode() == body


def test_lost_datagrams_are_sent_again_after_t1_then_2_t1(endpoint):
    peer = endpoint(drop=2)
    answer = sip.notify(phone(peer.port), "check-sync", timeout=4)
    assert answer.attempts == 3
    times = [moment for moment, _data in peer.received]
    assert times[1] - times[0] == pytest.approx(0.5, abs=0.15)
    assert times[2] - times[1] == pytest.approx(1.0, abs=0.15)
    assert {data for _moment, data in peer.received} == {peer.received[0][1]}  # the same request each time


def test_a_provisional_answer_is_not_final(endpoint):
    peer = endpoint(trying=True)
    assert sip.notify(phone(peer.port), "check-sync").status == 200


def test_answers_to_someone_else_are_ignored(endpoint):
    stray = response(
        b"NOTIFY sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKother\r\n"
        b"Call-ID: other\r\nCSeq: 1 NOTIFY\r\n\r\n",
        403,
        "Forbidden",
    )
    peer = endpoint(extra_response=stray)
    assert sip.notify(phone(peer.port), "check-sync").status == 200


@pytest.mark.parametrize(
    ("status", "reason", "error", "words"),
    [
        (489, "Bad Event", NotSupported, "does not act on this event"),
        (501, "Not Implemented", NotSupported, "does not act on this event"),
        (403, "Forbidden", AuthenticationFailed, "does not accept NOTIFY from this address"),
        (401, "Unauthorized", AuthenticationFailed, "wants NOTIFY authenticated"),
        (500, "Server Error", ProtocolError, "500 Server Error"),
    ],
)
def test_final_answers_become_typed_errors_naming_the_phone(endpoint, status, reason, error, words):
    peer = endpoint(status=status, reason=reason)
    with pytest.raises(error) as caught:
        sip.notify(phone(peer.port), "check-sync")
    assert words in str(caught.value)
    assert str(caught.value).startswith("805ec0112233 (yealink T54W at 127.0.0.1): SIP NOTIFY (Event: check-sync)")


def test_a_silent_phone_is_unreachable_after_the_timeout_with_every_retransmission(endpoint):
    peer = endpoint(silent=True)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        sip.notify(phone(peer.port), "check-sync", timeout=2.0)
    assert 1.9 < time.monotonic() - started < 2.6
    assert len(peer.received) == 3  # at 0, 0.5 and 1.5 s
    assert "no final answer" in str(caught.value) and "(3 sends)" in str(caught.value)


def test_a_closed_port_is_reported_at_once():
    started = time.monotonic()
    with pytest.raises(Unreachable, match="nothing listens"):
        sip.notify(phone(free_udp_port()), "check-sync", timeout=3.0)
    assert time.monotonic() - started < 1.5


def test_a_name_that_does_not_resolve_is_unreachable():
    with pytest.raises(Unreachable, match="cannot resolve"):
        sip.notify(phone(5060, address="phone.invalid"), "check-sync", timeout=1)


def test_responses_are_parsed_with_compact_headers():
    status, reason, headers = sip.parse_response(b"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP x;branch=z9hG4bKa\r\ni: c1\r\n\r\n")
    assert (status, reason) == (200, "OK")
    assert headers["via"] == ["SIP/2.0/UDP x;branch=z9hG4bKa"] and headers["call-id"] == ["c1"]
    assert sip.parse_response(b"NOTIFY sip:x SIP/2.0\r\n\r\n") is None
