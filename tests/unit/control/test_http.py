"""The HTTP transport against a web server on loopback: Basic sent at once, Digest answered when
challenged, and every failure a typed error naming the phone and never the password."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import http
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.errors import (
    AuthenticationFailed,
    NotSupported,
    ProtocolError,
    UnprovenAddress,
    Unreachable,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials, Target

from .loopback import Route, SipEndpoint, WebPhone, free_tcp_port, silent_tcp_server

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def web():
    made = []

    def make(**options) -> WebPhone:
        options.setdefault("password", PASSWORD)
        made.append(WebPhone(**options).start())
        return made[-1]

    yield make
    for phone in made:
        phone.close()


def phone(port: int, password: str | None = PASSWORD, timeout: float = 3.0) -> Target:
    return Target(
        mac="805ec0112233",
        vendor="yealink",
        model="T54W",
        address="127.0.0.1",
        ports={"http": port},
        credentials=Credentials("admin", password),
        timeout=timeout,
    )


#: a loopback address playing a machine that sent requests claiming to be the phone (never the phone)
CLAIMED = "127.0.0.5"


def unproven(port: int, vendor: str = "yealink", model: str = "T54W") -> Target:
    """The phone at an address the inventory marked unproven (phone_address_proven: false)."""
    return Target(
        mac="805ec0112233",
        vendor=vendor,
        model=model,
        address=CLAIMED,
        ports={"http": port},
        credentials=Credentials("admin", PASSWORD),
        timeout=3.0,
        address_proven=False,
    )


def test_to_an_unproven_address_basic_is_refused_and_the_password_never_sent(web):
    server = web(host=CLAIMED, routes={("GET", "/servlet?key=AutoP"): Route(body=b"done")})
    with pytest.raises(UnprovenAddress) as caught:
        http.request(unproven(server.port), "GET", "/servlet?key=AutoP")
    assert [request[2].get("Authorization") for request in server.requests] == [None]  # asked once, no login
    message = str(caught.value)
    assert message.startswith("805ec0112233 (yealink T54W at 127.0.0.5): GET /servlet?key=AutoP: not sent")
    assert "did not prove they came from this phone" in message
    assert "HTTPS" in message and "Digest" in message and "ansible_host in host_vars" in message
    assert PASSWORD not in message


def test_to_an_unproven_address_a_digest_challenge_is_answered(web):
    server = web(host=CLAIMED, auth="digest", routes={("GET", "/x"): Route(body=b"ok")})
    assert http.request(unproven(server.port), "GET", "/x").body == b"ok"
    assert "Authorization" not in server.requests[0][2]
    assert server.requests[1][2]["Authorization"].startswith("Digest ")  # the password itself never goes


def test_to_an_unproven_address_a_password_in_the_url_is_not_sent(web):
    server = web(host=CLAIMED, auth="none", routes={})
    control = registry.control_for("grandstream")
    with pytest.raises(UnprovenAddress) as caught:
        control.run("reboot", unproven(server.port, "grandstream", "GXP2170"))
    assert server.requests == []
    assert "passcode=********" in str(caught.value) and PASSWORD not in str(caught.value)


def test_an_unproven_snom_is_rebooted_by_sip_notify_which_carries_no_password(web):
    server = web(host=CLAIMED, routes={("GET", "/advanced_update.htm?reboot=Reboot"): Route()})
    endpoint = SipEndpoint(host=CLAIMED)
    try:
        target = replace(unproven(server.port, "snom", "D785"), ports={"http": server.port, "sip": endpoint.port})
        outcome = registry.control_for("snom").run("reboot", target)
    finally:
        endpoint.close()
    assert outcome.method == "sip" and outcome.sent
    assert "not sent" in outcome.tried[0]
    assert [request[2].get("Authorization") for request in server.requests] == [None]
    assert PASSWORD.encode() not in endpoint.received[0][1]


def test_basic_is_sent_with_the_first_request(web):
    server = web(routes={("GET", "/servlet?key=AutoP"): Route(body=b"done")})
    answer = http.request(phone(server.port), "GET", "/servlet?key=AutoP")
    assert (answer.status, answer.body) == (200, b"done")
    assert len(server.requests) == 1
    assert server.requests[0][2]["Authorization"].startswith("Basic ")
    assert server.requests[0][2]["User-Agent"] == http.USER_AGENT


def test_a_digest_challenge_is_answered_once(web):
    server = web(auth="digest", routes={("POST", "/api"): Route(body=b"{}")})
    answer = http.request(phone(server.port), "POST", "/api", form={"a": "1"})
    assert answer.status == 200
    assert len(server.requests) == 2
    assert server.requests[1][2]["Authorization"].startswith("Digest ")
    assert server.requests[1][3] == b"a=1"
    assert server.requests[1][2]["Content-Type"] == "application/x-www-form-urlencoded"


def test_challenge_mode_sends_basic_only_when_asked(web):
    server = web(routes={("GET", "/x"): Route()})
    http.request(phone(server.port), "GET", "/x", auth=http.CHALLENGE)
    assert "Authorization" not in server.requests[0][2]
    assert server.requests[1][2]["Authorization"].startswith("Basic ")


def test_no_auth_sends_no_login(web):
    server = web(auth="none", routes={("GET", "/cgi-bin/server.cgi?key=REBOOT"): Route()})
    http.request(phone(server.port), "GET", "/cgi-bin/server.cgi?key=REBOOT", auth=http.NONE)
    assert "Authorization" not in server.requests[0][2]


@pytest.mark.parametrize("auth", ["basic", "digest"])
def test_a_wrong_password_is_an_authentication_error_that_does_not_show_it(web, auth):
    server = web(auth=auth, routes={("GET", "/x"): Route()})
    with pytest.raises(AuthenticationFailed) as caught:
        http.request(phone(server.port, password="wrong-Secret-9"), "GET", "/x")
    message = str(caught.value)
    assert message.startswith("805ec0112233 (yealink T54W at 127.0.0.1): GET /x: HTTP 401")
    assert "as 'admin'" in message and "wrong username or password" in message
    assert "wrong-Secret-9" not in message and PASSWORD not in message


def test_no_password_given_says_so(web):
    server = web(routes={("GET", "/x"): Route()})
    with pytest.raises(AuthenticationFailed, match="without credentials"):
        http.request(phone(server.port, password=None), "GET", "/x")


def test_a_page_the_firmware_lacks_is_not_supported(web):
    server = web(routes={})
    with pytest.raises(NotSupported, match="HTTP 404 Not Found: this phone's firmware has no such page"):
        http.request(phone(server.port), "GET", "/screencapture")


def test_a_server_error_is_a_protocol_error(web):
    server = web(routes={("GET", "/x"): Route(status=500, body=b"boom")})
    with pytest.raises(ProtocolError, match="HTTP 500"):
        http.request(phone(server.port), "GET", "/x")


def test_the_shown_path_replaces_a_password_in_the_query(web):
    server = web(auth="none", routes={})
    with pytest.raises(NotSupported) as caught:
        http.request(phone(server.port), "GET", f"/api?passcode={PASSWORD}", auth=http.NONE, shown="/api?passcode=***")
    assert PASSWORD not in str(caught.value) and "passcode=***" in str(caught.value)


def test_a_closed_port_is_unreachable():
    with pytest.raises(Unreachable, match=r"connection refused at 127\.0\.0\.1"):
        http.request(phone(free_tcp_port()), "GET", "/x")


def test_a_phone_that_never_answers_is_unreachable_after_the_timeout():
    sock, port = silent_tcp_server()
    with sock, pytest.raises(Unreachable, match=r"no answer from 127\.0\.0\.1:.* within 0\.5 s"):
        http.request(phone(port, timeout=0.5), "GET", "/x")


def test_an_answer_that_is_not_http_is_a_protocol_error():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    import threading

    def answer() -> None:
        connection, _peer = server.accept()
        connection.recv(4096)
        connection.sendall(b"SSH-2.0-OpenSSH\r\n")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    with server, pytest.raises(ProtocolError, match="not an HTTP answer"):
        http.request(phone(port), "GET", "/x")


def test_an_answer_beyond_the_limit_is_refused(web):
    server = web(routes={("GET", "/big"): Route(body=b"x" * 2000)})
    with pytest.raises(ProtocolError, match="larger than 1000 bytes"):
        http.request(phone(server.port), "GET", "/big", max_bytes=1000)


def test_digest_answers_follow_rfc_7616():
    challenge = {"realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093", "qop": "auth"}
    header = http.digest_authorization(challenge, "GET", "/dir/index.html", "Mufasa", "Circle Of Life")
    assert header.startswith('Digest username="Mufasa", realm="testrealm@host.com"')
    assert "qop=auth, nc=00000001" in header
    assert http.digest_authorization({"algorithm": "SHA-512-256"}, "GET", "/", "a", "b") is None
    assert http.digest_authorization({"qop": "auth-int"}, "GET", "/", "a", "b") is None
