"""Fixtures of the simulator tests: the demo fleet published and served, simulated fleets on loopback.

``demo_site`` publishes the demo fleet once per session (worker) and ``service`` runs the provisioning service on it
(tests/support/service.py). ``make_fleet(phones=None, site=..., **options)`` starts a
:class:`SimulatedFleet` of the demo phones (or ``phones``) against that service and stops it after the
test; ``make_wpi_fleet`` does it on ``wpi_site``/``wpi_service``, the demo fleet as a site whose Unify phones
boot over WPI: WPI proves nothing about a phone, so such a site lists unify in ``serve_without_proof``.
Each fleet gets a second address byte of its own (127.<octet>.x.y) from a range reserved for the
pytest-xdist worker (``-n 2``: 20-79 for gw0, 80-139 for gw1...), so workers never share an address; an
address in use anyway (another test run) makes the next octet be tried.
"""

from __future__ import annotations

import itertools
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
for folder in ("simulator", "service"):
    if str(REPO / folder) not in sys.path:
        sys.path.insert(0, str(REPO / folder))

from phonefleet_simulator.__main__ import Bundle, load_bundle  # noqa: E402
from phonefleet_simulator.fleet import SimulatedFleet  # noqa: E402
from phonefleet_simulator.ports import address_in_use  # noqa: E402

from tests.support.firmware_window import open_windows  # noqa: E402
from tests.support.service import published_site, running_service, serve_without_proof  # noqa: E402

OCTETS_PER_WORKER = 60
_fleets = itertools.count(os.getpid() % OCTETS_PER_WORKER)


def bundle_of(site: Path) -> Bundle:
    return load_bundle(site / "www" / ".phonefleet" / "service.json")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("simulated")
    # windows open: the phones boot into their kits' firmware, which the surfaces report (the demo's windows,
    # weekend nights, would make that depend on the hour the tests run)
    published_site(directory, open_windows)
    return directory


@pytest.fixture(scope="session")
def service(demo_site):
    with running_service(demo_site) as handle:
        yield handle


def serve_unify_without_proof(fleet: Path) -> None:
    """What a site whose Unify phones speak WPI (default mode) must set: nothing is written over WPI otherwise.
    Unify's phone auth stays, for DMS."""
    serve_without_proof(fleet, "unify", drop_phone_auth=False)


@pytest.fixture(scope="session")
def wpi_site(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("simulated-wpi")
    published_site(directory, serve_unify_without_proof)
    return directory


@pytest.fixture(scope="session")
def wpi_service(wpi_site):
    with running_service(wpi_site) as handle:
        yield handle


@pytest.fixture(scope="session")
def control(demo_site) -> tuple[str, str]:
    credentials = bundle_of(demo_site).control
    assert credentials is not None
    return credentials


@pytest.fixture(scope="session")
def octets(worker_id):
    number = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    first = 20 + number * OCTETS_PER_WORKER

    def next_octet() -> int:
        return first + next(_fleets) % OCTETS_PER_WORKER

    return next_octet


@pytest.fixture
def make_fleet(demo_site, service, octets):
    started: list[SimulatedFleet] = []

    def make(phones=None, site: Path | None = None, base_url: str | None = None, **options) -> SimulatedFleet:
        """A started fleet of ``phones``: all demo phones (None), those of a vendor or with a MAC (a vendor
        name or MAC, or a tuple of them), or a list of SimulatedPhone."""
        bundle = bundle_of(site or demo_site)
        if phones is None:
            phones = bundle.phones
        elif isinstance(phones, str | tuple):  # vendor names or MACs: those demo phones
            wanted = (phones,) if isinstance(phones, str) else phones
            phones = [phone for phone in bundle.phones if phone.vendor in wanted or phone.mac in wanted]
        options.setdefault("numbers", bundle.numbers)
        options.setdefault("labels", bundle.labels)
        control = options.pop("control", bundle.control)
        base = base_url or f"http://127.0.0.1:{service.port}"
        for _attempt in range(8):
            fleet = SimulatedFleet(phones, base, control, octet=octets(), **options)
            try:
                fleet.start(60)
            except OSError as exc:
                if not address_in_use(exc):
                    raise
                continue
            started.append(fleet)
            return fleet
        raise RuntimeError("no free loopback addresses for a simulated fleet")

    yield make
    for fleet in started:
        fleet.stop()


@pytest.fixture
def make_wpi_fleet(make_fleet, wpi_site, wpi_service):
    """``make_fleet`` on the WPI site: the Unify phones get their items over WPI."""

    def make(phones=None, **options) -> SimulatedFleet:
        return make_fleet(phones, site=wpi_site, base_url=f"http://127.0.0.1:{wpi_service.port}", **options)

    return make


# -- clients -----------------------------------------------------------------------------------------------


@dataclass
class SipReply:
    code: int
    reason: str
    headers: dict  # lower-case name -> list of values
    raw: str

    def header(self, name: str) -> str:
        return self.headers.get(name, [""])[0]


def parse_sip_reply(data: bytes) -> SipReply:
    text = data.decode()
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    _version, code, reason = head[0].split(" ", 2)
    headers: dict = {}
    for line in head[1:]:
        name, _colon, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return SipReply(int(code), reason, headers, text)


class SipClient:
    """A UDP socket sending SIP requests to a phone, as a PBX's NOTIFY sender does (Asterisk sip_notify)."""

    def __init__(self, source: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(3)
        self.host, self.port = self.sock.getsockname()
        self.cseq = 100

    def request(
        self,
        phone: tuple[str, int],
        event: str | None,
        body: str = "",
        content_type: str | None = None,
        method: str = "NOTIFY",
        call_id: str | None = None,
        branch: str | None = None,
        rport: bool = True,
    ) -> bytes:
        self.cseq += 1
        branch = branch or f"z9hG4bK{time.monotonic_ns():x}"
        call_id = call_id or f"{time.monotonic_ns():x}@pbx"
        lines = [
            f"{method} sip:phone@{phone[0]}:{phone[1]} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.host}:{self.port};branch={branch}{';rport' if rport else ''}",
            "Max-Forwards: 70",
            f"From: <sip:pbx@{self.host}>;tag=pbx{self.cseq}",
            f"To: <sip:phone@{phone[0]}>",
            f"Call-ID: {call_id}",
            f"CSeq: {self.cseq} {method}",
            "Subscription-State: active" if method == "NOTIFY" else "User-Agent: tests",
        ]
        if event is not None:
            lines.append(f"Event: {event}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body.encode())}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def send(self, phone: tuple[str, int], raw: bytes, timeout: float = 3) -> SipReply | None:
        self.sock.sendto(raw, phone)
        return self.receive(timeout)

    def receive(self, timeout: float = 3) -> SipReply | None:
        self.sock.settimeout(timeout)
        try:
            data, _sender = self.sock.recvfrom(65535)
        except TimeoutError:
            return None
        return parse_sip_reply(data)

    def notify(self, phone: tuple[str, int], event: str | None, body: str = "", content_type=None) -> SipReply | None:
        return self.send(phone, self.request(phone, event, body, content_type))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sip_client():
    client = SipClient()
    yield client
    client.close()
