"""TFTP for the phones that fetch their files over TFTP (Cisco enterprise phones first of all).

Read requests (RFC 1350) with option negotiation (RFC 2347): ``blksize`` (RFC 2348), ``timeout`` and
``tsize`` (RFC 2349). Every read goes through :meth:`Provisioner.answer` exactly as an HTTP request does:
recognised, journaled, and answered with the bytes (or the published file, streamed) or with error 1
"File not found". Write requests get error 2 "Access violation" and nothing is written. Nothing here
looks at the disk by itself: the provisioner alone decides what a name stands for.

The transfers run on tftpy's protocol engine (its packets, per-transfer contexts and states). Its
``TftpServer.listen()`` (0.8.7) is not used, because:

- one malformed datagram (a non-ASCII name, a junk option value, a three-byte ACK) raises out of its
  receive loop and stops the server; its request decoder also refuses an option with an empty value;
- it serves any file under its root straight from disk before asking ``dyn_file_func``, and answers
  names outside the root itself, so neither would be recognised, refused per phone, nor journaled;
- without ``upload_open`` a write request writes into the root;
- transfer sockets listen on every interface, packets from another transfer ID are processed;
- it grants blksize up to 65536 (more than a UDP datagram carries; RFC 2348 stops at 65464), drops the
  timeout option, puts a blksize nobody asked for into its OACK, and retransmits at every loop pass once
  a timeout has passed.

So :class:`TftpServer` keeps tftpy's transfer states and replaces the loop and the handling of a
transfer's first packet, confining every failure to its own transfer. IPv4 only, as tftpy is.
"""

from __future__ import annotations

import io
import logging
import selectors
import signal
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import REFUSED
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.provisioner import Request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import Recognition
from tftpy.TftpContexts import TftpContextServer
from tftpy.TftpPacketTypes import TftpPacketERR, TftpPacketOACK
from tftpy.TftpShared import (
    DEF_TIMEOUT_RETRIES,
    SOCK_TIMEOUT,
    TftpErrors,
    TftpException,
    TftpTimeout,
    TftpTimeoutExpectACK,
)
from tftpy.TftpStates import TftpState, TftpStateExpectACK

from .app import Service

LOG = logging.getLogger("phonefleet.tftp")

MODES = ("octet", "netascii")
MIN_BLKSIZE, MAX_BLKSIZE = 8, 65464  # RFC 2348
# RFC 2349 allows 1 to 255 seconds; the server retransmits at the client's pace, and gives a silent client up
# after ``retries`` timeouts, so a client asking 255 would hold its transfer for over ten minutes. Larger
# values are declined (left out of the OACK): the transfer then runs at the server's own timeout.
MAX_TIMEOUT = 10
RRQ, WRQ = b"\0\1", b"\0\2"
MAX_REQUEST = 1024  # RFC 2347 limits a request to 512 octets; twice that for lenient clients
MAX_SESSIONS = 512  # transfers at once; beyond, requests are dropped (phones retry)
MAX_PER_ADDRESS = 8  # transfers at once from one IP address (a phone fetches one file at a time)
#: a source address over its cap gets one journal row at the first dropped request, then at most one row
#: this often, and one when its last transfer ends, each with the number of requests dropped since the last
REFUSAL_REPORT_SECONDS = 60.0
DATAGRAM = 65536

#: ``open_file(name, ip, mode)``: a binary file to send, or None for "File not found" (tftpy's
#: ``dyn_file_func`` with the client's address and the transfer mode)
Opener = Callable[[str, str, str], BinaryIO | None]
#: ``report_dropped(ip, count)``: ``count`` read requests from ``ip`` were dropped, it had too many transfers
DropReport = Callable[[str, int], None]


@dataclass
class _Drops:
    """Requests dropped since the last report of them."""

    dropped: int = 0
    reported_at: float = float("-inf")  # time.monotonic() of the last report

    def count(self) -> bool:
        """One more dropped request; whether it is time to report them (the first, then once a period)."""
        self.dropped += 1
        return time.monotonic() - self.reported_at >= REFUSAL_REPORT_SECONDS

    def reported(self) -> None:
        self.dropped, self.reported_at = 0, time.monotonic()


@dataclass
class _Source(_Drops):
    """The transfers of one client IP address, and its requests dropped since the last report."""

    transfers: int = 0


class Refused(TftpException):
    """A first datagram that starts no transfer: not TFTP, not a read request, an unknown mode."""


def negotiate(requested: dict) -> dict:
    """The options of a read request the server accepts, as its OACK states them (RFC 2347: the rest is ignored)."""
    accepted: dict = {}
    for name, value in requested.items():
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            continue
        number, name = int(value), name.lower()
        if name == "blksize" and number >= MIN_BLKSIZE:
            accepted["blksize"] = min(number, MAX_BLKSIZE)
        elif name == "timeout" and 1 <= number <= MAX_TIMEOUT:
            accepted["timeout"] = number
        elif name == "tsize":
            accepted["tsize"] = 0  # the size, once the file is known
    return accepted


def parse_request(buffer: bytes) -> tuple[str, str, dict] | None:
    """(name, mode, options) of a request datagram (RFC 1350, 2347), or None when it is not one.

    Ours rather than tftpy's decoder, which refuses an option with an empty value (RFC 2090's
    ``multicast``) and any byte above 127; a name a phone cannot mean is the provisioner's to reject.
    """
    fields = buffer[2:].split(b"\0")
    if len(buffer) > MAX_REQUEST or len(fields) < 3 or len(fields) % 2 == 0 or fields[-1]:
        return None
    name, mode, *rest = (field.decode("latin-1") for field in fields[:-1])
    return name, mode.lower(), {rest[index].lower(): rest[index + 1] for index in range(0, len(rest), 2)}


def netascii(data: bytes) -> bytes:
    """RFC 764's network ASCII, as tftp-hpa sends it: CR LF for a line end, CR NUL for a lone CR."""
    return data.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n")


class _Read(TftpState):
    """The answer to a read request: its first DATA block or an OACK; tftpy's ExpectACK state sends the rest."""

    def read(self, name: str, mode: str, options: dict):
        context = self.context
        if mode not in MODES:
            self.sendError(TftpErrors.IllegalTftpOp)
            raise Refused("unknown mode")
        context.file_to_transfer = name
        context.fileobj = context.dyn_file_func(name, context.host, mode)
        if context.fileobj is None:
            self.sendError(TftpErrors.FileNotFound)
            raise TftpException("file not found")
        context.options = negotiate(options)  # tftpy's block size is 512 unless options say otherwise
        if not context.options:
            context.next_block = 1
            context.pending_complete = self.sendDAT()
            return TftpStateExpectACK(context)
        if "timeout" in context.options:
            context.timeout = context.options["timeout"]
        if "tsize" in context.options:
            context.options["tsize"] = context.fileobj.seek(0, io.SEEK_END)
            context.fileobj.seek(0)
        oack = TftpPacketOACK()
        oack.options = context.options
        context.sock.sendto(oack.encode().buffer, (context.host, context.tidport))
        context.last_pkt = oack
        context.next_block = 0  # the client's ACK of block 0 answers the OACK
        return TftpStateExpectACK(context)


class _Transfer(TftpContextServer):
    """One transfer: tftpy's server context, on a socket of the listening address, from one client's TID only."""

    sock: socket.socket  # tftpy's context (untyped) holds it; ours replaces tftpy's in __init__

    def __init__(self, client: tuple[str, int], local_ip: str, timeout: float, retries: int, open_file: Opener):
        super().__init__(client[0], client[1], timeout, "", dyn_file_func=open_file, retries=retries, flock=False)
        self.sock.close()  # tftpy's is unbound: it would listen on every interface
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind((local_ip, 0))
        self.tidport = client[1]

    def start(self, buffer: bytes) -> None:
        self.metrics.start_time = self.last_update = time.time()
        reply = _Read(self)
        if buffer[:2] == WRQ:
            reply.sendError(TftpErrors.AccessViolation)
            raise Refused("write request")
        request = parse_request(buffer) if buffer[:2] == RRQ else None
        if request is None:
            reply.sendError(TftpErrors.IllegalTftpOp)
            raise Refused("not a read request")
        self.state = reply.read(*request)

    def cycle(self) -> None:
        buffer, (address, port) = self.sock.recvfrom(DATAGRAM)
        if address != self.address or port != self.tidport:  # RFC 1350: tell the stranger, go on
            error = TftpPacketERR()
            error.errorcode = TftpErrors.UnknownTID
            self.sock.sendto(error.encode().buffer, (address, port))
            return
        self.last_update = time.time()
        self.state = self.state.handle(self.factory.parse(buffer), address, port)
        self.retry_count = 0


class TftpServer:
    """A TFTP server of read requests answered by ``open_file``; single-threaded, :meth:`stop` from anywhere."""

    def __init__(
        self,
        open_file: Opener,
        timeout: float = SOCK_TIMEOUT,
        retries: int = DEF_TIMEOUT_RETRIES,
        max_sessions: int = MAX_SESSIONS,
        max_per_address: int = MAX_PER_ADDRESS,
        report_dropped: DropReport | None = None,
    ) -> None:
        self.open_file = open_file
        self.timeout = timeout
        self.retries = retries
        self.max_sessions = max_sessions
        self.max_per_address = max_per_address
        self.report_dropped = report_dropped
        self.sessions: dict[tuple[str, int], _Transfer] = {}
        self.sources: dict[str, _Source] = {}  # addresses with transfers under way
        self._full = _Drops()  # requests dropped because all max_sessions transfers were under way
        self.sock: socket.socket | None = None
        self.host = ""
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake = socket.socketpair()
        self._wake.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ, "wake")
        self._stopping = False

    def bind(self, host: str, port: int) -> int:
        """Listen on ``host``:``port`` (0: any free port); returns the port."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind((host, port))
        self.host = host
        self._selector.register(self.sock, selectors.EVENT_READ, None)
        return self.sock.getsockname()[1]

    def stop(self) -> None:
        """End :meth:`serve_forever` at once (transfers under way are dropped; phones retry)."""
        self._stopping = True
        try:
            self._wake.send(b"\0")
        except OSError:
            pass

    def serve_forever(self) -> None:
        try:
            while not self._stopping:
                for key, _events in self._selector.select(self._next_timeout()):
                    if key.data is None:
                        self._request()
                    elif key.data != "wake":
                        transfer = self.sessions.get(key.data)
                        if transfer is not None and transfer.sock is key.fileobj:  # not ended meanwhile
                            self._step(key.data, transfer.cycle)
                self._timeouts()
        finally:
            for client in list(self.sessions):
                self._end(client)
            self._selector.close()
            for sock in (self.sock, self._wake_read, self._wake):
                if sock is not None:
                    sock.close()

    def _request(self) -> None:
        assert self.sock is not None  # the listening socket is ready: bind registered it
        try:
            buffer, client = self.sock.recvfrom(DATAGRAM)
        except OSError:  # nothing after all, or an ICMP error of an earlier reply
            return
        if client in self.sessions:  # a retransmitted request: its transfer answers it
            return
        source = self.sources.get(client[0])
        if source is not None and source.transfers >= self.max_per_address:
            # Dropped, not refused with an error: a phone takes an ERROR as the answer (it gives that file up
            # and boots without it) but retransmits an unanswered request, by when its own transfer has
            # ended; and a flood with a forged source address gets nothing sent back to anyone.
            if source.count():
                self._report(client[0], source)
            return
        if len(self.sessions) >= self.max_sessions:
            if self._full.count():  # logged as the per-address drops are journaled: not one line a request
                LOG.warning("tftp: %d transfers under way; %d requests dropped", len(self.sessions), self._full.dropped)
                self._full.reported()
            return
        try:
            transfer = _Transfer(client, self.host, self.timeout, self.retries, self.open_file)
        except OSError as exc:
            LOG.error("tftp: cannot open a transfer socket (%s)", exc.strerror)
            return
        self.sessions[client] = transfer
        self.sources.setdefault(client[0], _Source()).transfers += 1
        self._selector.register(transfer.sock, selectors.EVENT_READ, client)
        self._step(client, transfer.start, buffer)

    def _step(self, client: tuple[str, int], action, *arguments) -> None:
        """Run one step of a transfer; any failure ends that transfer only."""
        transfer = self.sessions[client]
        transfer.timeout_expectACK = False
        try:
            action(*arguments)
        except BlockingIOError:
            return
        except TftpTimeoutExpectACK:  # duplicate ACKs after the timeout: resend at once
            transfer.timeout_expectACK = True
            return
        except (TftpException, struct.error, ValueError) as exc:  # the client's doing: an error, junk...
            LOG.debug("tftp: transfer with %s ends (%s: %s)", client[0], type(exc).__name__, exc)
            self._end(client)
            return
        except Exception as exc:  # noqa: BLE001 - the system's (a socket error) or a bug: that transfer only
            LOG.warning("tftp: transfer with %s failed (%s)", client[0], type(exc).__name__)
            self._end(client)
            return
        if transfer.state is None:
            self._end(client)

    def _next_timeout(self) -> float | None:
        """Seconds until the first transfer times out (None: no transfer, sleep until a packet comes)."""
        if not self.sessions:
            return None
        due = min(transfer.last_update + transfer.timeout for transfer in self.sessions.values())
        return max(0.0, due - time.time()) + 0.01

    def _timeouts(self) -> None:
        now = time.time()
        for client, transfer in list(self.sessions.items()):
            try:
                transfer.checkTimeout(now)
            except TftpTimeout:
                transfer.retry_count += 1
                if transfer.retry_count >= transfer.retries:
                    LOG.debug("tftp: %s stopped answering", client[0])
                    self._end(client)
                    continue
                transfer.last_update = now  # the next retransmission one timeout later
                self._step(client, transfer.state.resendLast)

    def _report(self, ip: str, source: _Source) -> None:
        LOG.warning("tftp: %s has %d transfers under way; %d requests dropped", ip, source.transfers, source.dropped)
        if self.report_dropped is not None:
            self.report_dropped(ip, source.dropped)
        source.reported()

    def _end(self, client: tuple[str, int]) -> None:
        transfer = self.sessions.pop(client)
        source = self.sources[client[0]]
        source.transfers -= 1
        if not source.transfers:  # the burst is over: what was dropped since the last report, then forget it
            if source.dropped:
                self._report(client[0], source)
            del self.sources[client[0]]
        self._selector.unregister(transfer.sock)
        try:
            transfer.end()
        except Exception as exc:  # noqa: BLE001 - closing must not stop the server
            LOG.debug("tftp: closing the transfer with %s: %s", client[0], type(exc).__name__)


def opener(service: Service) -> Opener:
    """``open_file`` for :class:`TftpServer`: the service's provisioner answers, as it does over HTTP."""

    def open_file(name: str, ip: str, mode: str) -> BinaryIO | None:
        try:
            answer = service.provisioner.answer(Request(protocol="tftp", path=name, ip=ip))
        except Exception as exc:  # noqa: BLE001 - one request's failure is a "File not found", not a crash
            LOG.error("tftp: answering %s failed (%s)", ip, type(exc).__name__)
            return None
        if answer.code != 200:
            return None
        if answer.file is not None:  # firmware: sent as it is, whatever the mode
            try:
                return open(answer.file, "rb")  # the transfer closes it
            except OSError:
                return None
        return io.BytesIO(netascii(answer.body) if mode == "netascii" else answer.body)

    return open_file


def journal_dropped(service: Service) -> DropReport:
    """``report_dropped`` for :class:`TftpServer`: a journal row (``refused``, code 429) per report."""

    def report_dropped(ip: str, count: int) -> None:
        recognition = Recognition(None, None, None, None, "", "unknown", ("too-many-transfers", f"dropped:{count}"))
        service.journal.add("tftp", ip, recognition, REFUSED, 429, None)

    return report_dropped


def tftp_server(service: Service, timeout: float = SOCK_TIMEOUT, retries: int = DEF_TIMEOUT_RETRIES) -> TftpServer:
    """The TFTP server of ``service``: its provisioner answers, its journal records dropped requests."""
    return TftpServer(
        opener(service),
        timeout=timeout,
        retries=retries,
        max_per_address=service.settings.tftp_max_transfers_per_address,
        report_dropped=journal_dropped(service),
    )


def serve_tftp(settings) -> int:
    """``python -m phonefleet_service tftp``: serve until SIGTERM or SIGINT, then flush the journal."""
    if not settings.tftp_enabled:
        LOG.info("tftp: disabled (tftp_enabled is false)")
        return 0
    # The journal records every request; tftpy's own log would name files (access keys included) and
    # every error a client sends.
    logging.getLogger("tftpy").setLevel(logging.CRITICAL)
    service = Service(settings)
    server = tftp_server(service)
    try:
        port = server.bind(settings.tftp_host, settings.tftp_port)
    except OSError as exc:
        LOG.error("tftp: cannot listen on %s port %s (%s)", settings.tftp_host, settings.tftp_port, exc)
        service.stop()
        return 1
    previous = {number: signal.signal(number, lambda *_: server.stop()) for number in (signal.SIGTERM, signal.SIGINT)}
    service.start()
    LOG.info("tftp: serving %s on %s port %d", settings.web_root, settings.tftp_host, port)
    try:
        server.serve_forever()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        service.stop()  # the journal's last entries are written here
    LOG.info("tftp: stopped")
    return 0
