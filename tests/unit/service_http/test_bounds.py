"""What one client can make the service hold, without nginx in front: bounded heads, headers and time.

Each attack runs over a real socket against uvicorn with the service's own protocol and options
(``phonefleet_service.http_bounds``), while a phone is served meanwhile.
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.support.service import published_site, read_until_closed, running_service, serve_without_proof

FANVIL_MAC = "0c383e010203"
FANVIL_AGENT = f"Fanvil X6U 2.10.2.6887 {FANVIL_MAC}"
REQUEST_TIMEOUT = 1.0  # http_request_timeout in these tests
HALF_A_BODY = b"POST /DeploymentService/LoginService HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<Work"
HEAD = f"GET /{FANVIL_MAC}.cfg HTTP/1.1\r\nHost: x\r\nUser-Agent: {FANVIL_AGENT}\r\n".encode()


def fanvil_without_proof(fleet) -> None:
    """These tests are about HTTP itself: raw requests of a phone's file without a digest round trip, so the
    fleet serves Fanvil phones without proof (its explicit choice; proof is tests/unit/security's)."""
    serve_without_proof(fleet, "fanvil")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bounds")
    published_site(directory, fanvil_without_proof)
    with running_service(directory, http_request_timeout=REQUEST_TIMEOUT) as service:
        yield directory, service


def connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def published(directory, name: str) -> bytes:
    return (directory / "www" / name).read_bytes()


def test_a_huge_header_is_answered_431_before_it_is_read_whole(site):
    directory, service = site
    with connect(service.port) as connection:
        # 32 KiB of User-Agent, the head never ending: unbounded, the server would wait for the rest
        connection.sendall(b"GET /XMLDefault.cnf.xml HTTP/1.1\r\nHost: x\r\nUser-Agent: " + b"a" * 32768)
        connection.settimeout(REQUEST_TIMEOUT / 2)  # before the request timeout could close it
        response = read_until_closed(connection)
    assert status_of(response) == 431, response[:200]
    assert response.endswith(b"\r\n\r\nRequest Header Fields Too Large\n")
    assert service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT).body == published(directory, f"{FANVIL_MAC}.cfg")


def test_the_64_mib_user_agent_of_the_attack_is_cut_off_early(site):
    directory, service = site
    sent, started = 0, time.monotonic()
    with connect(service.port) as connection:
        connection.sendall(b"GET /XMLDefault.cnf.xml HTTP/1.1\r\nHost: x\r\nUser-Agent: ")
        chunk = b"a" * 65536
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            while sent < 64 << 20:
                connection.sendall(chunk)
                sent += len(chunk)
    # the server stopped reading after 16 KiB; what was sent beyond sat in socket buffers until the reset
    assert sent < 16 << 20 and time.monotonic() - started < 3
    assert service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT).body == published(directory, f"{FANVIL_MAC}.cfg")


def test_a_head_just_under_the_bound_is_served(site):
    directory, service = site
    agent = FANVIL_AGENT + " " + "x" * 12000  # a long User-Agent, still a phone's (the service reads its start)
    reply = service.get(f"/{FANVIL_MAC}.cfg", agent)
    assert reply.status == 200 and reply.body == published(directory, f"{FANVIL_MAC}.cfg")


def test_too_many_headers_are_answered_431(site):
    directory, service = site
    with connect(service.port) as connection:
        many = b"".join(b"X-Header-%d: v\r\n" % index for index in range(200))  # 3 KiB: small, but 200 of them
        connection.sendall(HEAD + many + b"\r\n")
        response = read_until_closed(connection)
    assert status_of(response) == 431, response[:200]
    reply = service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT, headers={f"X-Header-{index}": "v" for index in range(90)})
    assert reply.status == 200 and reply.body == published(directory, f"{FANVIL_MAC}.cfg")


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # connects and says nothing
        HEAD,  # half a request: the head never ends (slowloris)
        HALF_A_BODY,  # a body that never ends
    ],
    ids=["idle", "half-a-head", "half-a-body"],
)
def test_a_stalled_connection_is_closed_within_the_bound_while_phones_are_served(site, sent):
    directory, service = site
    stalled = [connect(service.port) for _index in range(20)]
    try:
        started = time.monotonic()
        for connection in stalled:
            connection.sendall(sent)
        for _round in range(3):  # a phone meanwhile: served at once, every time
            asked = time.monotonic()
            reply = service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT)
            assert reply.status == 200 and reply.body == published(directory, f"{FANVIL_MAC}.cfg")
            assert time.monotonic() - asked < 0.5
        responses = [read_until_closed(connection) for connection in stalled]
        closed_after = time.monotonic() - started
    finally:
        for connection in stalled:
            connection.close()
    assert responses == [b""] * len(stalled)  # closed without an answer: nobody waits for one
    assert REQUEST_TIMEOUT * 0.9 <= closed_after < REQUEST_TIMEOUT + 2


def served_on(connection: socket.socket, directory) -> None:
    """One phone request on an open connection, answered in full (the connection stays open)."""
    connection.sendall(HEAD + b"\r\n")
    response = b""
    while not response.endswith(published(directory, f"{FANVIL_MAC}.cfg")):
        chunk = connection.recv(65536)
        assert chunk, f"closed after {response[:100]!r}"
        response += chunk
    assert status_of(response) == 200


def test_a_keep_alive_connection_is_not_cut_between_requests_by_the_request_bound(site):
    directory, service = site
    with connect(service.port) as connection:
        served_on(connection, directory)
        time.sleep(REQUEST_TIMEOUT * 1.5)  # longer than a request may take, shorter than keep-alive (5 s)
        served_on(connection, directory)


def test_a_second_request_that_stalls_on_a_keep_alive_connection_is_closed_within_the_bound(site):
    directory, service = site
    with connect(service.port) as connection:
        served_on(connection, directory)
        started = time.monotonic()
        connection.sendall(HEAD)  # uvicorn's keep-alive timer stops at its first byte
        assert read_until_closed(connection) == b""
        assert time.monotonic() - started < REQUEST_TIMEOUT + 2


def test_connections_beyond_the_bound_are_answered_503_and_phones_served_once_they_go(tmp_path):
    published_site(tmp_path, fanvil_without_proof)
    with running_service(tmp_path, http_max_connections=5) as service:
        held = [connect(service.port) for _index in range(5)]
        try:
            time.sleep(0.2)  # accepted by the server
            assert service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT).status == 503
        finally:
            for connection in held:
                connection.close()
        time.sleep(0.2)
        reply = service.get(f"/{FANVIL_MAC}.cfg", FANVIL_AGENT)
        assert reply.status == 200 and reply.body == published(tmp_path, f"{FANVIL_MAC}.cfg")
