"""Fixtures of the TFTP tests: the demo fleet published, the TFTP server on a free loopback port, clients.

``tftp_site`` publishes the demo fleet (auto-provisioning off, so an unknown phone falls back to its base
file) once per module; ``tftp`` serves it with :class:`TftpServer` in a thread, with SQLite state beside
it and short retransmission timeouts; ``tftp_hpa`` is Debian's tftp client (installed with apt-get when
missing and possible, else the tests that need it are skipped).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "service") not in sys.path:
    sys.path.insert(0, str(REPO / "service"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (  # noqa: E402
    ServiceSettings,
)
from phonefleet_service.app import Service  # noqa: E402
from phonefleet_service.tftp import TftpServer, tftp_server  # noqa: E402

from tests.support.service import published_site  # noqa: E402
from tests.support.tools import missing_tool_outcome  # noqa: E402

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
TIMEOUT = 0.3  # the server's retransmission timeout in these tests (5 retries)


def without_autoprovision(fleet: Path) -> None:
    settings = fleet / "settings.yml"
    settings.write_text(settings.read_text().replace("enabled: true", "enabled: false"))


# -- packets ---------------------------------------------------------------------------------------------


def request(opcode: int, name: str | bytes, mode: str = "octet", **options) -> bytes:
    raw = name.encode() if isinstance(name, str) else name
    fields = [raw, mode.encode()]
    for option, value in options.items():
        fields += [option.encode(), str(value).encode()]
    return struct.pack("!H", opcode) + b"".join(field + b"\0" for field in fields)


def ack(block: int) -> bytes:
    return struct.pack("!HH", ACK, block)


@dataclass
class Packet:
    opcode: int
    block: int = 0  # DATA and ACK; the error code for ERROR
    data: bytes = b""  # DATA's bytes, ERROR's message
    options: dict | None = None  # OACK's

    @classmethod
    def parse(cls, raw: bytes) -> Packet:
        opcode = struct.unpack("!H", raw[:2])[0]
        if opcode == OACK:
            fields = raw[2:].split(b"\0")[:-1]
            return cls(opcode, options={fields[i].decode(): fields[i + 1].decode() for i in range(0, len(fields), 2)})
        block = struct.unpack("!H", raw[2:4])[0]
        return cls(opcode, block, raw[4:].rstrip(b"\0") if opcode == ERROR else raw[4:])


class RawClient:
    """A UDP socket speaking TFTP packet by packet, for what no ordinary client sends."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.server = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(3)
        self.peer: tuple[str, int] | None = None  # the transfer's TID, once the server answered

    def send(self, raw: bytes, to: tuple[str, int] | None = None) -> None:
        self.sock.sendto(raw, to or self.peer or self.server)

    def receive(self, timeout: float = 3) -> Packet | None:
        self.sock.settimeout(timeout)
        try:
            raw, sender = self.sock.recvfrom(70000)
        except TimeoutError:
            return None
        self.peer = sender
        return Packet.parse(raw)

    def fetch(self, name: str, mode: str = "octet", **options) -> tuple[Packet, bytes, list[int]]:
        """Read ``name``: (the first answer, the bytes received, the size of each block)."""
        self.send(request(RRQ, name, mode, **options))
        first = self.receive()
        assert first is not None, "no answer"
        if first.opcode == ERROR:
            return first, b"", []
        if first.opcode == OACK:
            self.send(ack(0))
            data, sizes = self.rest(None, int(first.options.get("blksize", 512)))
        else:
            data, sizes = self.rest(first, 512)
        return first, data, sizes

    def rest(self, first: Packet | None, blksize: int) -> tuple[bytes, list[int]]:
        """The blocks of a transfer from ``first`` (or the next to come) on, each ACKed; a repeated one is skipped."""
        data, sizes, block, packet = b"", [], 1, first or self.receive()
        while True:
            assert packet is not None and packet.opcode == DATA, packet
            if packet.block == block:
                data += packet.data
                sizes.append(len(packet.data))
                block += 1
            self.send(ack(packet.block))
            if packet.block == block - 1 and len(packet.data) < blksize:
                return data, sizes
            packet = self.receive()

    def close(self) -> None:
        self.sock.close()


# -- the server ------------------------------------------------------------------------------------------


@dataclass
class TftpHandle:
    directory: Path
    port: int
    service: Service
    server: TftpServer
    thread: threading.Thread

    @property
    def web_root(self) -> Path:
        return self.directory / "www"

    def raw(self, source: str = "127.0.0.1") -> RawClient:
        """A raw client on ``source`` (any address of 127/8)."""
        return RawClient(self.port, source)

    def journal(self, since: float) -> list[dict]:
        """The journal since ``since``, oldest first (pending entries are written first)."""
        self.service.journal.flush()  # no flusher thread runs: its store is the test's to read
        return list(reversed(self.service.journal.store.journal(since=since)))

    def contacts(self) -> dict:
        self.service.journal.flush()
        return self.service.journal.store.contacts()

    def idle(self, within: float = 5.0) -> bool:
        """Whether every transfer has ended (waiting up to ``within`` seconds)."""
        deadline = time.monotonic() + within
        while self.server.sessions and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.server.sessions


@contextlib.contextmanager
def serving(directory: Path):
    """:class:`TftpServer` on a free 127.0.0.1 port for the web root ``directory/www``, in a thread."""
    logging.getLogger("tftpy").setLevel(logging.CRITICAL)  # as serve_tftp does
    settings = ServiceSettings(
        web_root=str(directory / "www"),
        database_url=f"sqlite:///{directory / 'state.db'}",
        secret="test-secret-for-nonces",
    )
    service = Service(settings)
    server = tftp_server(service, timeout=TIMEOUT, retries=5)
    port = server.bind("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="tftp", daemon=True)
    thread.start()
    try:
        yield TftpHandle(directory, port, service, server, thread)
    finally:
        server.stop()
        thread.join(timeout=10)
        service.stop()


@pytest.fixture(scope="module")
def tftp_site(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tftp")
    published_site(directory, without_autoprovision)
    return directory


@pytest.fixture(scope="module")
def tftp(tftp_site) -> TftpHandle:
    with serving(tftp_site) as handle:
        yield handle


# -- Debian's tftp client --------------------------------------------------------------------------------


def _install_tftp_hpa() -> str | None:
    """Why tftp-hpa's client cannot be had, or None once it is installed (one installer at a time)."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "apt-get is missing or this is not root"
    lock_path = REPO / "build" / "tftp-hpa-install.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shutil.which("tftp"):
            return None
        try:
            done = subprocess.run(
                ["apt-get", "install", "-y", "-q", "tftp-hpa"],
                check=False,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"apt-get install tftp-hpa failed: {exc}"
        if done.returncode != 0:
            return f"apt-get install tftp-hpa failed: {done.stderr.strip()[-300:]}"
    return None


@dataclass
class TftpHpa:
    """``tftp 127.0.0.1 <port> -m <mode> -c get|put ...``: Debian's tftp-hpa client."""

    command: str
    workdir: Path

    def get(self, port: int, remote: str, mode: str = "binary") -> tuple[bytes, str]:
        """(the bytes received, the client's messages: "Error code 1: File not found" and the like)."""
        local = self.workdir / f"got-{threading.get_ident()}-{time.monotonic_ns()}"
        done = subprocess.run(
            [self.command, "127.0.0.1", str(port), "-m", mode, "-c", "get", remote, str(local)],
            check=False,
            capture_output=True,
            text=True,
            timeout=20,
        )
        data = local.read_bytes() if local.exists() else b""
        local.unlink(missing_ok=True)
        return data, (done.stdout + done.stderr).strip()

    def put(self, port: int, local: Path, remote: str) -> str:
        done = subprocess.run(
            [self.command, "127.0.0.1", str(port), "-m", "binary", "-c", "put", str(local), remote],
            check=False,
            capture_output=True,
            text=True,
            timeout=20,
        )
        return (done.stdout + done.stderr).strip()


@pytest.fixture(scope="session")
def tftp_hpa(tmp_path_factory) -> TftpHpa:
    if shutil.which("tftp") is None:
        reason = _install_tftp_hpa()
        if reason is not None:
            missing_tool_outcome(
                f"Debian's tftp client (apt-get install tftp-hpa) is missing and cannot be installed: {reason}", "tftp"
            )
    command = shutil.which("tftp")
    if command is None:
        missing_tool_outcome("Debian's tftp client (apt-get install tftp-hpa) is missing", "tftp")
    return TftpHpa(command, tmp_path_factory.mktemp("tftp-hpa"))
