"""A mobility re-sync goes to the address the service knows for the phone (resync.py). When no request proved
that address (no access key, no phone authentication), whoever made one config fetch naming the MAC may be
there: it must not receive the fleet's ``phone_control`` password, even when it answers the SIP NOTIFY with
489 Bad Event so that the control core falls back to the phone's web interface (HTTP Basic).

Real sockets on loopback: a host answering SIP on 5060 and HTTP on 80 of an address of its own."""

from __future__ import annotations

import base64
import errno
import http.server
import random
import re
import socket
import threading
from types import SimpleNamespace

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.resync import Resyncer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import SERVED, Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import Recognition

MAC = "805ec0112233"
PASSWORD = "Fleet-wide-S3cret"


class NothingFlushed:
    """The database knows no address yet (a phone that has just booted): the journal's entries decide."""

    def known_addresses(self, macs):
        return {}


class BadEventHost:
    """A host that answers a SIP NOTIFY with 489 Bad Event and keeps the Authorization of every HTTP request."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []
        for _attempt in range(20):
            self.address = f"127.{random.randint(60, 99)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
            try:
                self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self.sip.bind((self.address, 5060))
                self.web = http.server.HTTPServer((self.address, 80), self._handler())
                break
            except OSError as exc:
                self.sip.close()
                if exc.errno != errno.EADDRINUSE:
                    raise
        else:
            pytest.skip("no free loopback address")
        self.sip.settimeout(0.2)
        self.running = True
        self.threads = [threading.Thread(target=self._answer_sip), threading.Thread(target=self.web.serve_forever)]
        for thread in self.threads:
            thread.start()

    def _handler(self):
        kept = self.authorizations

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kept.append(self.headers.get("Authorization"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler

    def _answer_sip(self) -> None:
        while self.running:
            try:
                data, peer = self.sip.recvfrom(65535)
            except TimeoutError:
                continue
            keep = [line for line in data.decode().split("\r\n") if re.match(r"(?i)(via|from|to|call-id|cseq):", line)]
            answer = "SIP/2.0 489 Bad Event\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
            self.sip.sendto(answer.encode(), peer)

    def stop(self) -> None:
        self.running = False
        self.web.shutdown()
        for thread in self.threads:
            thread.join(5)
        self.web.server_close()
        self.sip.close()


@pytest.fixture
def host():
    started = BadEventHost()
    yield started
    started.stop()


def resync_after_a_fetch_from(host: BadEventHost, proven: bool) -> dict:
    journal = Journal(NothingFlushed())  # type: ignore[arg-type]
    recognition = Recognition("yealink", "SIP-T54W", "96.86.0.100", MAC, f"{MAC}.cfg", "phone", ("user-agent",))
    journal.add("http", host.address, recognition, SERVED, 200, "Yealink SIP-T54W 96.86.0.100", proven=proven)
    phone = SimpleNamespace(vendor="yealink", model="SIP-T54W")
    control = {"phone_control": {"username": "admin", "password": PASSWORD}}
    fleet = SimpleNamespace(phone=lambda mac: phone, settings=control)
    resyncer = Resyncer(NothingFlushed(), journal, lambda mac: "1001", timeout=2.0)  # type: ignore[arg-type]
    return resyncer.send(MAC, SimpleNamespace(fleet=fleet))  # type: ignore[arg-type]


def test_an_address_no_request_proved_gets_no_password_when_it_refuses_the_notify(host):
    result = resync_after_a_fetch_from(host, proven=False)
    assert [way.split(":")[0] for way in result["tried"]] == ["sip"] and "489 Bad Event" in result["tried"][0]
    # the web fallback went without a login (it would wait for a Digest challenge): nothing to read in it
    assert host.authorizations == [None], "the password went to whoever claimed the phone"
    assert PASSWORD not in repr(result)


def test_a_proven_address_gets_the_web_fallback_with_the_login(host):
    result = resync_after_a_fetch_from(host, proven=True)
    assert result["status"] == request.SENT, result
    assert result["method"] == "http"
    assert [base64.b64decode(a.split()[1]).decode() for a in host.authorizations if a] == [f"admin:{PASSWORD}"]
