"""A simulated phone: its state, and boot, resync and reboot as the device does them, each one logged.

State: ``state`` (off, booting, up, rebooting), the running ``firmware``, ``config_version`` (sha256 of the
files fetched at the last boot or resync, each with its path), ``boot_count`` (every boot, power-on and
firmware restarts included), ``reboot_count`` and ``resync_count`` (the ones asked for), ``uptime``, the
last fetch (``fetched``: path and status of each request), the SIP ``accounts`` read from the files by an
``accounts_parser`` (``configs.account_dicts``; parsed when first asked for, as most phones never are)
and their registration state (``registrations``: what ``registration.register`` answered for each line;
a line nobody registered is reported ``failed``).

Operations, each an :class:`Event` in ``events`` so a test tells a reboot from a resync:

- :meth:`SimulatedDevice.boot`: power on; fetch the files in the vendor's order (User-Agent, file names and
  fallbacks of :func:`boot.plan`; Cisco enterprise phones then fetch the files their ``SEP<MAC>.cnf.xml``
  names, over HTTP or TFTP); if the config names a firmware other than the running one, download it,
  "install" it (the firmware version becomes the one named) and boot again.
- :meth:`SimulatedDevice.resync`: fetch the files again; no reboot, no firmware change, uptime goes on.
- :meth:`SimulatedDevice.reboot`: ``reboot_count`` + 1, the phone goes down (``reboot_seconds``), then boots.

Control surfaces call :meth:`SimulatedDevice.trigger`, which runs the operation in the background, so the
reply to the request goes first, as real phones answer before they restart. Operations of one phone run
one at a time; a phone that is not up ignores triggers (it is rebooting) and its surfaces do not answer.

Unify CP phones run DLS/WPI by default (``unify_mode="wpi"``): at boot they POST a ``start-up``
``WorkpointMessage`` to the DLS (the provisioning service's ``/DeploymentService/LoginService``), apply
the ``WriteItems`` they get, answer ``reply-to`` ``accepted``, until ``CleanUp``; a contact-me opens a
``solicited`` interaction the same way (a resync), ``Restart`` reboots, ``SoftwareDeployment`` installs
firmware and reboots, ``ReadAllItems``/``ReadItems`` are answered with the phone's items (passwords left
out). ``unify_mode="dms"`` fetches ``<mac>_config.xml`` instead (and its ``SoftwareDeployment``).

Firmware named in a config: each vendor module's ``firmware(model, files)`` reads it with the parameter
its vendor's documents give (``vendors.firmware``); the version is read from the file name
(``vendors.version_in``) where nothing else names it.

Simulation shortcuts: every absolute URL in a config (firmware on ``https://prov.example/...``) is fetched
from the provisioning service given to the simulator, by its path; HTTPS is not spoken to it (the service
runs plain HTTP behind nginx); a resync never installs firmware (the next boot does); the fetches are the
boot files of ``boot.plan`` (Yealink's old mechanism without ``.boot`` files, the fixed Snom, Poly and
Avaya sequences), not a parse of every include of the fetched files.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import hashlib
import logging
import re
import secrets
import ssl
import struct
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from . import boot, vendors
from .boot import SimulatedPhone
from .vendors import FirmwareRef, version_in
from .vendors import cisco as cisco_phone

LOG = logging.getLogger("phonefleet.simulator")

OFF, BOOTING, UP, REBOOTING = "off", "booting", "up", "rebooting"
REBOOT, RESYNC = "reboot", "resync"

#: running firmware of a simulated phone whose fleet entry does not say (plausible loads of each family)
_CISCO_LOADS = (
    ("CP-3905", "CP3905.9-4-1SR3"),
    ("CP-78", "sip78xx.14-2-1-0101-26"),
    ("CP-8845", "sip8845_65.14-2-1-0101-26"),
    ("CP-8865", "sip8845_65.14-2-1-0101-26"),
    ("CP-88", "sip88xx.14-2-1-0101-26"),
)
UNIFY_FIRMWARE = "V1 R4.7.0"
MAX_BODY = 256 << 20  # a firmware image may be large; configs are small
MAX_HEAD = 64 << 10
EVENTS_KEPT = 256
WPI_PATH = "/DeploymentService/LoginService"
WPI_NAMESPACE = "http://www.siemens.com/DLS"


def default_firmware(vendor: str, model: str | None) -> str:
    if vendor == "cisco":
        name = (model or "").upper()
        for prefix, load in _CISCO_LOADS:
            if name.startswith(prefix):
                return load
        return "sip" + "".join(ch for ch in name if ch.isdigit()) + ".14-2-1-0101-26"
    if vendor == "unify":
        return UNIFY_FIRMWARE
    return boot.DEFAULT_FIRMWARE.get(vendor, boot.DEFAULT_FIRMWARE["fanvil" if vendor == "qtech" else "yealink"])


# -- safe XML ----------------------------------------------------------------------------------------------


class XmlRefused(ValueError):
    pass


def read_xml(data: bytes, limit: int = 1 << 20) -> ET.Element:
    """Parse XML that comes off the network: no DOCTYPE or entity declarations, at most ``limit`` bytes."""
    if len(data) > limit:
        raise XmlRefused("too large")
    head = data.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise XmlRefused("DOCTYPE or ENTITY")
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs refused above, so no entity expansion
    except ET.ParseError as exc:
        raise XmlRefused(str(exc)) from None


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


# -- fetching over HTTP ------------------------------------------------------------------------------------


@dataclass
class HttpReply:
    status: int
    headers: dict  # lower-case names; repeated headers joined with ", " (set-cookie kept as a list)
    body: bytes
    cookies: list = field(default_factory=list)


class FetchError(Exception):
    pass


_AUTH_FIELD = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def _challenge(header: str) -> tuple[str, dict]:
    scheme, _space, rest = header.strip().partition(" ")
    fields = {
        match.group(1).lower(): match.group(2) if match.group(2) is not None else match.group(3)
        for match in _AUTH_FIELD.finditer(rest)
    }
    return scheme.lower(), fields


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def phone_tls(trusted_ca: str | None) -> ssl.SSLContext:
    """The TLS client side of a phone: the server's certificate must chain to a CA the phone trusts and name the
    host of the URL. ``trusted_ca`` is a PEM file of the CAs the phone trusts (what its administrator installed:
    Yealink's custom trusted certificates, Cisco's ITL); without one, the machine's CAs stand for the phone's
    built-in list. Phones check both (Yealink's ``security.trust_certificates``, on by default on current
    firmware; Cisco's ITL), so no phone here accepts an unverified certificate."""
    context = ssl.create_default_context(cafile=trusted_ca)  # cafile given: only those CAs, not the system's
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class HttpFetcher:
    """HTTP/1.1 requests of one phone to a server, on one keep-alive connection from the phone's own source
    address: the simulator's one HTTP and TLS client. Credentials are sent when the server asks (Basic or Digest,
    RFC 7616 MD5 with qop ``auth``), as phones do; the Digest challenge is reused with a growing nonce count. An
    ``https`` URL is spoken over TLS with ``tls`` (:func:`phone_tls`: the CA the phone trusts and the URL's host
    name checked); a certificate the phone does not trust is a FetchError, as the phone gives up."""

    def __init__(
        self,
        base_url: str,
        source: str | None = None,
        credentials=None,
        timeout: float = 10.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the simulator speaks HTTP or HTTPS, not {base_url!r}")
        self.host = parts.hostname
        self.tls = (tls or phone_tls(None)) if parts.scheme == "https" else None
        self.port = parts.port or (443 if self.tls else 80)
        self.prefix = parts.path.rstrip("/")
        self.source = source
        self.credentials = credentials  # (method, username, password) or None
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._digest: dict | None = None
        self._count = 0

    def target(self, path: str) -> str:
        """The request target of ``path`` (a path, or an absolute URL whose path is used: see the module doc)."""
        if "://" in path:
            parts = urllib.parse.urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        elif not path.startswith("/"):
            path = "/" + path
        return urllib.parse.quote(self.prefix + path, safe="/:@!$&'()*+,;=-._~%?")

    async def request(
        self, method: str, path: str, headers: dict | None = None, body: bytes = b"", sink=None
    ) -> HttpReply:
        """One request; ``sink`` (a hashlib object) takes the body instead of keeping it. FetchError when the
        server cannot be reached or answers nonsense."""
        target = self.target(path)
        reply = await self._exchange(method, target, headers or {}, body, self._authorization(method, target), sink)
        if reply.status == 401 and self.credentials:
            scheme, fields = _challenge(reply.headers.get("www-authenticate", ""))
            if scheme == "digest" and fields.get("nonce"):
                self._digest, self._count = fields, 0
            elif scheme == "basic":
                self._basic = True
            else:
                return reply
            retry = self._authorization(method, target)
            reply = await self._exchange(method, target, headers or {}, body, retry, sink)
        return reply

    _basic = False

    def _authorization(self, method: str, target: str) -> str | None:
        """The Authorization header once the server has asked for one (phones wait for the challenge)."""
        if not self.credentials:
            return None
        _kind, username, password = self.credentials
        if self._basic:
            return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        if self._digest is None:
            return None
        challenge = self._digest
        self._count += 1
        realm, nonce = challenge.get("realm", ""), challenge["nonce"]
        cnonce = secrets.token_hex(8)
        ha1 = _md5(f"{username}:{realm}:{password}")
        if (challenge.get("algorithm") or "").lower() == "md5-sess":
            ha1 = _md5(f"{ha1}:{nonce}:{cnonce}")
        ha2 = _md5(f"{method}:{target}")
        qops = [value.strip() for value in (challenge.get("qop") or "").split(",") if value.strip()]
        parts = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{target}"']
        if "auth" in qops:
            count = f"{self._count:08x}"
            response = _md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
            parts += [f'response="{response}"', "qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
        else:
            parts.append(f'response="{_md5(f"{ha1}:{nonce}:{ha2}")}"')
        if challenge.get("algorithm"):
            parts.append(f"algorithm={challenge['algorithm']}")
        if challenge.get("opaque") is not None:
            parts.append(f'opaque="{challenge["opaque"]}"')
        return "Digest " + ", ".join(parts)

    async def _connect(self) -> None:
        local = (self.source, 0) if self.source else None
        async with asyncio.timeout(self.timeout):
            self._reader, self._writer = await asyncio.open_connection(
                self.host,
                self.port,
                local_addr=local,
                limit=MAX_HEAD,
                ssl=self.tls,
                server_hostname=self.host if self.tls else None,
            )

    async def _exchange(self, method, target, headers, body, authorization, sink) -> HttpReply:
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: once more on a new one
            fresh = self._writer is None
            try:
                if fresh:
                    await self._connect()
                async with asyncio.timeout(self.timeout):
                    return await self._once(method, target, headers, body, authorization, sink)
            except (OSError, asyncio.IncompleteReadError, EOFError, TimeoutError, ValueError) as exc:
                await self.close()
                if fresh or attempt == 2:
                    raise FetchError(f"{method} {target}: {type(exc).__name__}: {exc}") from None
        raise FetchError(f"{method} {target}: unreachable")  # pragma: no cover - the loop returns or raises

    async def _once(self, method, target, headers, body, authorization, sink) -> HttpReply:
        assert self._reader is not None and self._writer is not None
        host = self.host if self.port == (443 if self.tls else 80) else f"{self.host}:{self.port}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self._writer.drain()
        try:
            head = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise EOFError("connection closed") from None
            raise
        except asyncio.LimitOverrunError:
            raise ValueError("reply head too large") from None
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, _space, rest = status_line.strip().partition(" ")
        if not version.startswith("HTTP/1."):
            raise ValueError(f"not an HTTP reply: {status_line[:60]!r}")
        status = int(rest.split(" ", 1)[0])
        reply_headers: dict = {}
        cookies: list = []
        for line in header_lines:
            if not line:
                continue
            name, _colon, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            reply_headers[name] = f"{reply_headers[name]}, {value}" if name in reply_headers else value
        keep = sink is None
        data = bytearray()

        def take(chunk: bytes) -> None:
            if sink is not None:
                sink.update(chunk)
            elif len(data) + len(chunk) > MAX_BODY:
                raise ValueError("reply too large")
            else:
                data.extend(chunk)

        closing = reply_headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            pass
        elif "chunked" in reply_headers.get("transfer-encoding", "").lower():
            while True:
                size = int((await self._reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await self._reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                while size:
                    chunk = await self._reader.read(min(size, 1 << 16))
                    if not chunk:
                        raise asyncio.IncompleteReadError(b"", size)
                    take(chunk)
                    size -= len(chunk)
                await self._reader.readline()
        elif "content-length" in reply_headers:
            remaining = int(reply_headers["content-length"])
            while remaining:
                chunk = await self._reader.read(min(remaining, 1 << 16))
                if not chunk:
                    raise asyncio.IncompleteReadError(b"", remaining)
                take(chunk)
                remaining -= len(chunk)
        else:
            while chunk := await self._reader.read(1 << 16):
                take(chunk)
            closing = True
        if closing:
            await self.close()
        return HttpReply(status, reply_headers, bytes(data) if keep else b"", cookies)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 2)


# -- fetching over TFTP (Cisco enterprise phones) -----------------------------------------------------------


class _TftpReceiver(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.queue.put_nowait((data, addr))

    def error_received(self, exc) -> None:
        self.queue.put_nowait((None, exc))


async def tftp_get(
    server: tuple[str, int], name: str, source: str | None, sink=None, timeout: float = 1.0, retries: int = 5
) -> tuple[int, bytes]:
    """Read ``name`` over TFTP (RFC 1350, octet mode, 512-byte blocks) from the phone's own address.
    Returns (200, bytes), (404, b"") for "File not found", (0, b"") when the server does not answer."""
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(_TftpReceiver, local_addr=(source or "127.0.0.1", 0))
    try:
        request = struct.pack("!H", 1) + name.encode("ascii", "replace") + b"\0octet\0"
        packet, peer = request, server
        data = bytearray()
        expected = 1
        while True:
            for _attempt in range(retries):
                transport.sendto(packet, peer)
                try:
                    raw, sender = await asyncio.wait_for(receiver.queue.get(), timeout)
                except TimeoutError:
                    continue
                if raw is None or len(raw) < 4:
                    continue
                break
            else:
                return 0, b""
            opcode, number = struct.unpack("!HH", raw[:4])
            if opcode == 5:
                return (404 if number == 1 else 403), b""
            if opcode != 3:
                continue
            peer = sender  # the transfer's own port
            if number == expected:
                block = raw[4:]
                if sink is not None:
                    sink.update(block)
                else:
                    data += block
                expected = (expected + 1) & 0xFFFF
                packet = struct.pack("!HH", 4, number)
                if len(block) < 512:
                    transport.sendto(packet, peer)
                    return 200, bytes(data)
            else:
                packet = struct.pack("!HH", 4, number)  # a repeated block: acknowledge it again
    finally:
        transport.close()


# -- firmware named by a config ----------------------------------------------------------------------------


def _first(pattern: str, text: str, flags: int = 0) -> str | None:
    match = re.search(pattern, text, flags)
    value = match.group(1).strip() if match else ""
    return value or None


def firmware_named(vendor: str, model: str | None, files: dict[str, bytes]) -> FirmwareRef | None:
    """The firmware the fetched ``files`` (path -> bytes) name for a phone of ``vendor``, or None: what its
    vendor module (``vendors/<vendor>.py``, from the vendor's documents) reads."""
    return vendors.firmware(vendor, model, files)


# -- the phone ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: float  # time.time()
    kind: str  # boot, reboot, resync, firmware, firmware-failed, fetch-failed, ignored, auth-failed, control
    cause: str  # what asked for it: "power-on", "http GET /servlet?key=Reboot", "sip NOTIFY check-sync", ...
    detail: dict = field(default_factory=dict)


#: (vendor, files) -> [{"line": 1, "user": "2001", "enabled": True}, ...]; set by whoever parses configs
AccountsParser = Callable[[str, dict], list]


class LineClient(Protocol):
    """A phone's SIP registration client (sip_lines.PhoneLines): it follows the files after each fetch."""

    async def follow(self) -> None: ...

    def forget(self) -> None: ...


class SimulatedDevice:
    """One simulated phone. Runs on an asyncio loop; surfaces call :meth:`trigger` (on the loop's thread)."""

    def __init__(
        self,
        phone: SimulatedPhone,
        base_url: str,
        *,
        address: str | None = None,
        tftp: tuple[str, int] | None = None,
        unify_mode: str = "wpi",
        number: str | None = None,
        label: str | None = None,
        reboot_seconds: float = 0.0,
        keep_files: bool = True,
        fetch_slots: asyncio.Semaphore | None = None,
        accounts_parser: AccountsParser | None = None,
        trusted_ca: str | None = None,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme != "http":
            raise ValueError(f"the simulator speaks plain HTTP to the provisioning service, not {base_url!r}")
        if phone.firmware is None:
            phone.firmware = default_firmware(phone.vendor, phone.model)
        self.phone = phone
        self.base_url = base_url.rstrip("/")
        self.address = address  # the phone's IP: source of its fetches, what it reports
        self.tftp = tftp
        self.unify_mode = unify_mode
        self.number = number
        self.label = label
        self.reboot_seconds = reboot_seconds
        self.keep_files = keep_files
        self.fetch_slots = fetch_slots
        self.accounts_parser = accounts_parser
        #: PEM file of the CAs the phone trusts for HTTPS (device.phone_tls); None: the machine's CAs
        self.trusted_ca = trusted_ca
        self.ports: dict[str, int] = {}  # filled in by the fleet: where this phone's surfaces listen
        self.state = OFF
        self.boot_count = 0
        self.reboot_count = 0
        self.resync_count = 0
        self.firmware_installs = 0
        self.booted_at: float | None = None
        self.config_version: str | None = None
        self.files: dict[str, bytes] = {}
        self._config_files: dict[str, bytes] = {}
        self.wpi_actions: list[str] = []  # what the DLS asked in the last interaction (Restart, SoftwareDeployment)
        self.fetched: list[tuple[str, int]] = []  # the last fetch sequence: (path, status)
        self._accounts: list[dict] = []
        self._unparsed: dict | None = None  # files whose accounts are read when first asked for
        self._control_files: dict | None = {}  # files whose control settings are read when first asked for
        self._control_settings: object | None = None
        self.registrations: dict[int, str] = {}  # line -> what registration.register() answered for it
        #: the phone's own registration client (sip_lines.PhoneLines), when its lines register from its SIP port
        self.lines: LineClient | None = None
        self.wpi_items: dict[tuple[str, int | None], str] = {}
        self.events: collections.deque[Event] = collections.deque(maxlen=EVENTS_KEPT)
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task] = set()
        self._named: FirmwareRef | None = None  # the firmware the last files fetched name
        self._headers_of: tuple | None = None
        self.authentication_url: str | None = None  # Cisco enterprise: the URL its config names

    # -- what the surfaces show --------------------------------------------------------------------------

    @property
    def mac(self) -> str:
        return self.phone.mac

    @property
    def vendor(self) -> str:
        return self.phone.vendor

    @property
    def model(self) -> str:
        return self.phone.model or ""

    @property
    def firmware(self) -> str:
        return self.phone.firmware or ""

    @property
    def up(self) -> bool:
        return self.state == UP

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.booted_at if self.booted_at is not None and self.state == UP else 0.0

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @property
    def user_agent(self) -> str | None:
        return self._headers().get("User-Agent")

    def line_status(self) -> list[dict]:
        """Each account: line, user, status (``disabled`` when the files say so, else ``registered`` once a
        registration client has said so in ``registrations``, else ``failed``)."""
        rows: list[dict] = []
        for account in self.accounts:
            line = int(account.get("line") or len(rows) + 1)
            status = "disabled" if account.get("enabled") is False else self._registration(line)
            rows.append({"line": line, "user": str(account.get("user") or ""), "status": status})
        if not rows and self.number:
            rows.append({"line": 1, "user": self.number, "status": self._registration(1)})
        return rows

    def _registration(self, line: int) -> str:
        """``registration.register`` says "registered", "disabled" or "failed: <reason>": the first word."""
        state = self.registrations.get(line, "failed")
        return state if state in ("registered", "disabled") else "failed"

    @property
    def primary_number(self) -> str:
        for account in self.accounts:
            if account.get("user"):
                return str(account["user"])
        return self.number or ""

    def kinds(self) -> list[str]:
        """The kinds of the events so far, oldest first."""
        return [event.kind for event in self.events]

    def log(self, kind: str, cause: str, **detail) -> None:
        self.events.append(Event(time.time(), kind, cause, detail))

    # -- control ------------------------------------------------------------------------------------------

    def trigger(self, operation: str, cause: str) -> bool:
        """Run ``reboot`` or ``resync`` in the background; False (and an ``ignored`` event) when not up.
        Call on the loop's thread."""
        if operation not in (REBOOT, RESYNC):
            raise ValueError(f"not an operation: {operation}")
        if self.state != UP:
            self.log("ignored", cause, operation=operation, state=self.state)
            return False
        self.log("control", cause, operation=operation)
        self.spawn(self.reboot(cause) if operation == REBOOT else self.resync(cause))
        return True

    def spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOG.error("phone %s: %s failed", self.mac, task.get_name(), exc_info=task.exception())

    async def settle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    # -- operations ---------------------------------------------------------------------------------------

    async def boot(self, cause: str = "power-on") -> None:
        """Power on (a phone already on is left alone)."""
        async with self._guard():
            if self.state != OFF:
                return
            await self._start(cause)

    async def reboot(self, cause: str = "reboot") -> None:
        async with self._guard():
            self.reboot_count += 1
            self.log(REBOOT, cause, uptime=round(self.uptime, 3))
            await self._down()
            await self._start(cause)

    async def resync(self, cause: str = "resync") -> None:
        async with self._guard():
            if self.state != UP:
                self.log("ignored", cause, operation=RESYNC, state=self.state)
                return
            self.resync_count += 1
            before = self.config_version
            ok = await self._fetch(cause, solicited=True)
            self.log(RESYNC, cause, changed=self.config_version != before, version=self.config_version, ok=ok)
            if self.lines is not None:  # a re-sync re-registers changed accounts, unregisters removed ones
                await self.lines.follow()

    async def power_off(self) -> None:
        async with self._guard():
            self.state = OFF
            self.booted_at = None
            self._lost_registrations()

    async def _down(self) -> None:
        self.state = REBOOTING
        self.booted_at = None
        self._lost_registrations()
        if self.reboot_seconds:
            await asyncio.sleep(self.reboot_seconds)

    async def _start(self, cause: str) -> None:
        """Boot: fetch, install a firmware the config names (then boot again), come up."""
        for _round in range(3):  # a firmware that never reports the version named: give up after two installs
            self.state = BOOTING
            self.boot_count += 1
            self.booted_at = time.monotonic()
            await self._fetch(cause, solicited=False)
            self.log("boot", cause, boot_count=self.boot_count, firmware=self.firmware, fetched=list(self.fetched))
            if not await self._install_named_firmware(cause):
                break
            cause = "firmware"
            await self._down()
        self.state = UP
        self.booted_at = time.monotonic()
        if self.lines is not None:
            await self.lines.follow()

    def _lost_registrations(self) -> None:
        """Power gone: the phone sends nothing; the registrar keeps its bindings until they expire."""
        self.registrations.clear()
        if self.lines is not None:
            self.lines.forget()

    # -- fetching -----------------------------------------------------------------------------------------

    async def _fetch(self, cause: str, solicited: bool) -> bool:
        """Fetch the config (files, or a WPI interaction); True when something was fetched."""
        slots = self.fetch_slots or contextlib.nullcontext()
        async with slots:
            try:
                if self.vendor == "unify" and self.unify_mode == "wpi":
                    return await self._wpi("solicited" if solicited else "start-up", cause)
                return await self._fetch_files()
            except FetchError as exc:
                self.log("fetch-failed", cause, error=str(exc))
                return False

    def _headers(self) -> dict:
        key = (self.phone.model, self.phone.firmware)
        cached = self._headers_of
        if cached is not None and cached[0] == key:
            return cached[1]
        agent, extra, _steps = boot.plan(self.phone)
        headers = dict(extra)
        if agent:
            headers["User-Agent"] = agent
        headers["Accept"] = "*/*"
        self._headers_of = (key, headers)
        return headers

    async def _get(self, client: HttpFetcher, path: str, sink=None) -> tuple[int, bytes]:
        if self.vendor == "cisco" and self.tftp is not None:
            return await tftp_get(self.tftp, path.lstrip("/"), self.address, sink)
        reply = await client.request("GET", path, self._headers(), sink=sink)
        return reply.status, reply.body

    async def authorized(self, user: str, password: str) -> bool:
        """Cisco enterprise: whether the authentication URL of the phone's config answers exactly ``AUTHORIZED``
        for this login (``UserID``, ``Password``, ``devicename`` as a form POST; vendors/cisco). No URL, an
        unreachable server or any other answer: refused."""
        if not self.authentication_url:
            return False
        form = urllib.parse.urlencode({"UserID": user, "Password": password, "devicename": f"SEP{self.mac.upper()}"})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        client = HttpFetcher(self.base_url, self.address)
        try:
            reply = await client.request("POST", self.authentication_url, headers, form.encode())
        except FetchError:
            return False
        finally:
            await client.close()
        return reply.status == 200 and reply.body == cisco_phone.AUTHORIZED.encode()

    def _client(self) -> HttpFetcher:
        return HttpFetcher(self.base_url, self.address, self.phone.credentials)

    async def _fetch_files(self) -> bool:
        _agent, _extra, steps = boot.plan(self.phone)
        fetched: list[tuple[str, int]] = []
        files: dict[str, bytes] = {}
        client = self._client()
        try:
            for step in steps:
                status, body = await self._get(client, step.path)
                fetched.append((step.path, status))
                path = step.path
                if status == 404 and step.fallback:
                    path = step.fallback
                    status, body = await self._get(client, path)
                    fetched.append((path, status))
                if status == 200:
                    files[path] = body
            if self.vendor == "cisco":  # the files the cnf.xml names (dial plan, softkeys, feature policy)
                for path in self._cisco_files(files):
                    status, body = await self._get(client, path)
                    fetched.append((path, status))
                    if status == 200:
                        files[path] = body
        finally:
            await client.close()
        self._took(files, fetched)
        return bool(files)

    @staticmethod
    def _cisco_files(files: dict[str, bytes]) -> list[str]:
        names = []
        for path, body in files.items():
            if not path.endswith(".cnf.xml"):
                continue
            text = body.decode("utf-8", "replace")
            for element in ("dialTemplate", "softKeyFile", "featurePolicyFile"):
                name = _first(rf"<{element}>([^<]*)</{element}>", text)
                if name and "/" + name not in files and "/" + name not in names:
                    names.append("/" + name.lstrip("/"))
        return names

    def _took(self, files: dict[str, bytes], fetched: list) -> None:
        digest = hashlib.sha256()
        for path, body in files.items():
            digest.update(path.encode() + b"\0" + str(len(body)).encode() + b"\0" + body)
        self.fetched = fetched
        self.config_version = digest.hexdigest() if files else None
        self._parse_accounts(files)
        self._named = firmware_named(self.vendor, self.model, files)
        if self.vendor == "cisco":  # what its web server asks before an authenticated request (vendors/cisco)
            self.authentication_url = cisco_phone.authentication_url(files)
        self.files = files if self.keep_files else {}
        if files:  # a phone that fetched nothing keeps what it had (or its factory defaults)
            self.config_files = files

    @property
    def config_files(self) -> dict[str, bytes]:
        """The files the phone holds its settings from (the last fetch that got any), whatever keep_files
        says: what its vendor's control rules (phonefleet_simulator.vendors) read."""
        return self._config_files

    @config_files.setter
    def config_files(self, files: dict[str, bytes]) -> None:
        self._config_files = files
        self._control_files = files  # read again when a surface next asks

    @property
    def control_settings(self) -> object:
        """What the phone's files say about being driven from outside, read by the vendor's simulator module
        (``vendors.<vendor>.control_settings``; factory defaults before any file; ``{}`` for a vendor without
        such rules)."""
        files, self._control_files = self._control_files, None
        if files is not None:
            self._control_settings = vendors.control_settings(self.vendor, files)
        return self._control_settings

    def _parse_accounts(self, files: dict) -> None:
        if self.accounts_parser is not None and files:
            self._unparsed = files  # parsed when a surface first asks (most phones are never asked)

    @property
    def accounts(self) -> list[dict]:
        """The SIP accounts the phone read from its files (``accounts_parser``), each a dict with at least
        ``line``, ``user`` and ``enabled``."""
        files, self._unparsed = self._unparsed, None
        if files is not None and self.accounts_parser is not None:
            try:
                self._accounts = list(self.accounts_parser(self.vendor, files) or [])
            except Exception as exc:  # noqa: BLE001 - another module's parser: a bad config must not stop the phone
                LOG.warning("phone %s: accounts not parsed: %s", self.mac, exc)
        return self._accounts

    @accounts.setter
    def accounts(self, value: list[dict]) -> None:
        self._unparsed = None
        self._accounts = list(value)

    # -- firmware -----------------------------------------------------------------------------------------

    async def _install_named_firmware(self, cause: str) -> bool:
        """Download and install the firmware the config names when it differs: True when installed."""
        named = self._named
        if named is None:
            return False
        client = self._client()
        try:
            location, version = named.location, named.version
            if named.indirect:  # Snom: <firmware_status> names an XML file with <firmware>URL</firmware>
                status, body = await self._get(client, location)
                image = (
                    _first(r"<firmware[^_>]*>([^<]*)</firmware>", body.decode("utf-8", "replace"))
                    if status == 200
                    else None
                )
                if not image:
                    self.log("firmware-failed", cause, file=location, status=status)
                    return False
                location, version = image, version_in(image)
            if not version or version == self.firmware:
                return False
            digest = hashlib.sha256()
            try:
                status, _body = await self._get(client, location, sink=digest)
            except FetchError as exc:
                self.log("firmware-failed", cause, file=location, error=str(exc))
                return False
            if status != 200:
                self.log("firmware-failed", cause, file=location, status=status)
                return False
        finally:
            await client.close()
        previous = self.firmware
        self.phone.firmware = version
        self.firmware_installs += 1
        self.log("firmware", cause, previous=previous, firmware=version, file=location, sha256=digest.hexdigest())
        return True

    # -- Unify WPI ----------------------------------------------------------------------------------------

    def _wpi_identity(self) -> list[tuple[str, int | None, str]]:
        items: list[tuple[str, int | None, str]] = [
            ("mac-addr", None, self.phone.colon_mac.upper()),
            ("device-type", None, f"OpenScape Desk Phone {self.model}".strip()),
            ("software-type", None, "Siemens SIP"),
            ("software-version", None, self.firmware),
        ]
        if self.address:
            items.append(("ipaddress", None, self.address))
            port = self.ports.get("contact_me")
            if port:
                items.append(("contact-me-uri", None, f"http://{self.address}:{port}/contact_dls.html/ContactDLS"))
        e164 = self.wpi_items.get(("e164", None))
        if e164:
            items.append(("e164", None, e164))
        return items

    def _workpoint(self, nonce: str, reason: str, items, action: str | None = None, status: str | None = None) -> bytes:
        attributes = f' action="{action}" status="{status}"' if action else ""
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<WorkpointMessage xmlns="{WPI_NAMESPACE}">',
            f'<Message nonce="{nonce}" maxItems="-1">',
            f"<ReasonForContact{attributes}>{reason}</ReasonForContact>",
            "<ItemList>",
        ]
        for name, index, value in items:
            where = f' index="{index}"' if index is not None else ""
            lines.append(f'<Item name="{_attr(name)}"{where}>{_text(value)}</Item>')
        lines += ["</ItemList>", "</Message>", "</WorkpointMessage>", ""]
        return "\n".join(lines).encode("utf-8")

    async def _wpi(self, reason: str, cause: str, dls: str | None = None) -> bool:
        """One WPI interaction opened by the phone (``start-up`` or ``solicited``); True when items were written."""
        client = HttpFetcher(dls or self.base_url, self.address)
        nonce = secrets.token_hex(16).upper()
        body = self._workpoint(nonce, reason, self._wpi_identity())
        cookie: str | None = None
        written: dict = {}
        after: list[tuple[str, dict]] = []
        try:
            for _step in range(64):
                headers = {"Content-Type": "text/xml; charset=utf-8"}
                if cookie:
                    headers["Cookie"] = cookie
                reply = await client.request("POST", WPI_PATH, headers, body)
                for value in reply.cookies:
                    first = value.split(";", 1)[0].strip()
                    if first.startswith("JSESSIONID="):
                        cookie = first
                if reply.status != 200:
                    self.log("fetch-failed", cause, wpi=reason, status=reply.status)
                    break
                try:
                    action, items = _dls_message(reply.body, nonce)
                except XmlRefused as exc:
                    self.log("fetch-failed", cause, wpi=reason, error=f"DLSMessage: {exc}")
                    break
                if action == "CleanUp" or action is None:
                    break
                if action == "WriteItems":
                    for name, index, value in items:
                        written[(name, index)] = value
                    reply_items = [("mac-addr", None, self.phone.colon_mac.upper())]
                    body = self._workpoint(nonce, "reply-to", reply_items, "WriteItems", "accepted")
                elif action in ("ReadAllItems", "ReadItems"):
                    current = {**dict(self._wpi_identity_map()), **self.wpi_items, **written}
                    if action == "ReadItems":
                        asked = {(name, index) for name, index, _value in items}
                        current = {
                            key: value for key, value in current.items() if key in asked or (key[0], None) in asked
                        }
                    readable = [
                        (name, index, value) for (name, index), value in current.items() if not name.endswith("-pwd")
                    ]
                    body = self._workpoint(nonce, "reply-to", readable, action, "accepted")
                elif action in ("Restart", "SoftwareDeployment"):
                    after.append((action, {(name, index): value for name, index, value in items}))
                    body = self._workpoint(nonce, "reply-to", [], action, "accepted")
                else:
                    body = self._workpoint(nonce, "reply-to", [], action, "failed")
        finally:
            await client.close()
        if written:
            self.wpi_items.update(written)
            files = {WPI_PATH: _items_bytes(self.wpi_items)}
            self._took(files, [(WPI_PATH, 200)])
            if self.accounts_parser is None:
                self.accounts = [{"line": 1, "user": self.wpi_items.get(("e164", None), ""), "enabled": True}]
        else:
            self.fetched = [(WPI_PATH, 200)]
        self.wpi_actions = [action for action, _items in after]
        for action, deployment in after:  # after the interaction: the phone restarts
            if action == "SoftwareDeployment":
                url = deployment.get(("file-https-base-url", None))
                if url:
                    self._named = FirmwareRef(url, deployment.get(("file-sw-version", None)) or version_in(url))
            self.spawn(self._restart_after_wpi(action, cause))
        return bool(written)

    def _wpi_identity_map(self):
        return {(name, index): value for name, index, value in self._wpi_identity()}

    async def _restart_after_wpi(self, action: str, cause: str) -> None:
        if action == "SoftwareDeployment":
            async with self._guard():
                if await self._install_named_firmware(f"{cause}: SoftwareDeployment"):
                    await self._down()
                    await self._start("firmware")
            return
        await self.reboot(f"{cause}: WPI Restart")

    async def contact_me(self, cause: str, dls: str | None = None) -> None:
        """A contact-me: open a ``solicited`` interaction with the DLS (the configured one, or ``dls``)."""
        async with self._guard():
            if self.state != UP:
                self.log("ignored", cause, operation="contact-me", state=self.state)
                return
            if self.unify_mode != "wpi":  # a phone in DMS mode fetches its file again
                self.resync_count += 1
                before = self.config_version
                ok = await self._fetch(cause, solicited=True)
                self.log(RESYNC, cause, changed=self.config_version != before, version=self.config_version, ok=ok)
                return
            before = self.config_version
            slots = self.fetch_slots or contextlib.nullcontext()
            self.wpi_actions = []
            async with slots:
                try:
                    written = await self._wpi("solicited", cause, dls)
                except FetchError as exc:
                    self.log("fetch-failed", cause, error=str(exc))
                    written = False
            if "Restart" in self.wpi_actions:  # the DLS answered Restart: a reboot (logged by itself), no resync
                return
            self.resync_count += 1
            self.log(RESYNC, cause, changed=self.config_version != before, version=self.config_version, ok=written)


def _attr(text: str) -> str:
    return _text(text).replace('"', "&quot;")


def _text(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _items_bytes(items: dict) -> bytes:
    """The items a phone holds as a ``DLSMessage`` ``WriteItems`` document (the form of a DMS file)."""
    lines = [f'<DLSMessage xmlns="{WPI_NAMESPACE}">', "<Message>", "<Action>WriteItems</Action>", "<ItemList>"]
    for (name, index), value in sorted(items.items(), key=lambda pair: (pair[0][0], pair[0][1] or 0)):
        where = f' index="{index}"' if index is not None else ""
        lines.append(f'<Item name="{_attr(name)}"{where}>{_text(value)}</Item>')
    lines += ["</ItemList>", "</Message>", "</DLSMessage>", ""]
    return "\n".join(lines).encode("utf-8")


def _dls_message(body: bytes, nonce: str) -> tuple[str | None, list]:
    """(action, [(name, index, value)]) of the DLS's reply; XmlRefused when it is not one for ``nonce``."""
    root = read_xml(body)
    if local_name(root.tag) != "DLSMessage":
        raise XmlRefused(f"root {local_name(root.tag)}")
    message = next((child for child in root if local_name(child.tag) == "Message"), None)
    if message is None:
        raise XmlRefused("no Message")
    if (message.get("nonce") or "").upper() != nonce.upper():
        raise XmlRefused("nonce differs")
    action = None
    items = []
    for child in message:
        if local_name(child.tag) == "Action":
            action = (child.text or "").strip()
        elif local_name(child.tag) == "ItemList":
            for item in child:
                if local_name(item.tag) == "Item" and item.get("name"):
                    index = item.get("index")
                    items.append((item.get("name"), int(index) if index and index.isdigit() else None, item.text or ""))
    return action, items
