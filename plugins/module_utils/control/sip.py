# Private to this collection: an out-of-dialog SIP NOTIFY from the controller to a phone.
"""Send one NOTIFY over UDP and wait for the phone's final answer (RFC 3261 non-INVITE client transaction).

The request goes straight to the phone's SIP port (not through the PBX), from an ephemeral UDP port of
the controller, with ``rport`` in the Via so the answer comes back to that port. It is retransmitted on
the RFC 3261 schedule (timer E, the non-INVITE twin of timer A: T1 = 500 ms, doubling, at most T2 = 4 s
apart, T2 apart once a provisional answer came) until a final answer or ``timeout`` (a few seconds,
much shorter than timer F's 32 s: a phone on the LAN answers in milliseconds or not at all).

The socket is connected to the phone, so an ICMP "port unreachable" is reported at once, and only the
phone's own answers are read; an answer must also carry our Via branch, Call-ID and ``CSeq: 1 NOTIFY``.

Phones act on such a NOTIFY only when they trust its source: their registrar, or any address when the
vendor's setting allows it (Yealink ``sip.trust_ctrl``, Avaya ``ENABLE_OOD_RESET_NOTIFY``...). A phone that
does not trust the controller either answers 403/401 (reported as :class:`AuthenticationFailed`) or says
nothing (:class:`Unreachable`, with that hint).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from .errors import AuthenticationFailed, NotSupported, ProtocolError, Unreachable
from .target import Target

T1 = 0.5
T2 = 4.0
MAX_DATAGRAM = 65535
USER_AGENT = "phonefleet-control/1"


@dataclass(frozen=True)
class SipResponse:
    status: int
    reason: str
    attempts: int
    elapsed: float

    def __str__(self) -> str:
        tries = "" if self.attempts == 1 else f", {self.attempts} sends"
        return f"SIP/2.0 {self.status} {self.reason} in {self.elapsed * 1000:.0f} ms{tries}"


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def build_notify(
    target: Target,
    local: tuple,
    event: str,
    body: bytes = b"",
    content_type: str | None = None,
    headers: tuple = (),
    ids: tuple | None = None,
) -> tuple[bytes, str, str]:
    """The NOTIFY datagram, its Via branch and Call-ID. ``local`` is our (address, port)."""
    branch, call_id, tag = ids or ("z9hG4bK" + os.urandom(8).hex(), os.urandom(10).hex(), os.urandom(4).hex())
    local_host, local_port = _host(local[0]), local[1]
    phone = _host(str(target.address))
    user = f"{target.sip_user}@" if target.sip_user else ""
    port = target.port("sip")
    lines = [
        f"NOTIFY sip:{user}{phone}:{port} SIP/2.0",
        f"Via: SIP/2.0/UDP {local_host}:{local_port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:phonefleet@{local_host}>;tag={tag}",
        f"To: <sip:{user}{phone}:{port}>",
        f"Call-ID: {call_id}@{local_host}",
        "CSeq: 1 NOTIFY",
        f"Contact: <sip:phonefleet@{local_host}:{local_port}>",
        f"Event: {event}",
        *headers,
        f"User-Agent: {USER_AGENT}",
    ]
    if body:
        lines.append(f"Content-Type: {content_type or 'text/plain'}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body, branch, f"{call_id}@{local_host}"


def parse_response(data: bytes) -> tuple[int, str, dict] | None:
    """(status, reason, headers with lower-case names, compact forms expanded) of a SIP answer, or None."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[0] != "SIP/2.0" or not parts[1].isdigit():
        return None
    compact = {"v": "via", "i": "call-id", "f": "from", "t": "to", "l": "content-length", "c": "content-type"}
    headers: dict = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name = name.strip().lower()
        headers.setdefault(compact.get(name, name), []).append(value.strip())
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def _ours(headers: dict, branch: str, call_id: str) -> bool:
    via = (headers.get("via") or [""])[0]
    cseq = (headers.get("cseq") or [""])[0].split()
    return (
        f"branch={branch}" in via
        and (headers.get("call-id") or [""])[0] == call_id
        and len(cseq) == 2
        and cseq[1].upper() == "NOTIFY"
    )


def notify(
    target: Target,
    event: str,
    body: bytes = b"",
    content_type: str | None = None,
    headers: tuple = (),
    timeout: float | None = None,
) -> SipResponse:
    """Send ``NOTIFY`` with ``Event: event`` to the phone; its 2xx answer, or a typed error."""
    timeout = target.timeout if timeout is None else timeout
    port = target.port("sip")
    where = f"{target.address}:{port}"
    shown = f"SIP NOTIFY (Event: {event})"
    try:
        family, _kind, _proto, _name, address = socket.getaddrinfo(target.address, port, type=socket.SOCK_DGRAM)[0]
    except (OSError, UnicodeError) as exc:
        raise Unreachable(target.label, f"{shown}: cannot resolve {target.address}: {exc}") from None
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
        except OSError as exc:
            raise Unreachable(target.label, f"{shown}: cannot reach {where}: {exc}") from None
        message, branch, call_id = build_notify(target, sock.getsockname()[:2], event, body, content_type, headers)
        started = time.monotonic()
        deadline = started + timeout
        interval, attempts, provisional = T1, 0, False
        next_send = started
        while True:
            now = time.monotonic()
            if now >= deadline:
                hint = "" if provisional else ": the phone is off, not at this address, or ignores NOTIFY from here"
                raise Unreachable(
                    target.label,
                    f"{shown}: no final answer from {where} within {timeout:g} s ({attempts} sends){hint}",
                )
            if now >= next_send:
                try:
                    sock.send(message)
                except ConnectionRefusedError:
                    raise Unreachable(target.label, f"{shown}: nothing listens at {where} (port unreachable)") from None
                except OSError as exc:
                    raise Unreachable(target.label, f"{shown}: cannot send to {where}: {exc}") from None
                attempts += 1
                next_send = now + (T2 if provisional else interval)
                interval = min(interval * 2, T2)
            sock.settimeout(max(0.001, min(next_send, deadline) - time.monotonic()))
            try:
                data = sock.recv(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except ConnectionRefusedError:
                raise Unreachable(target.label, f"{shown}: nothing listens at {where} (port unreachable)") from None
            except OSError as exc:
                raise Unreachable(target.label, f"{shown}: {where}: {exc}") from None
            parsed = parse_response(data)
            if parsed is None or not _ours(parsed[2], branch, call_id):
                continue
            status, reason, _headers = parsed
            if status < 200:
                provisional = True
                next_send = time.monotonic() + T2
                continue
            answer = SipResponse(status, reason, attempts, time.monotonic() - started)
            if status < 300:
                return answer
            raise _status_error(target, shown, answer)


def _status_error(target: Target, shown: str, answer: SipResponse) -> Exception:
    said = f"{shown}: {answer.status} {answer.reason}".rstrip()
    if answer.status in (401, 407):
        return AuthenticationFailed(
            target.label, f"{said}: the phone wants NOTIFY authenticated (it takes them from its registrar only)"
        )
    if answer.status == 403:
        return AuthenticationFailed(target.label, f"{said}: the phone does not accept NOTIFY from this address")
    if answer.status in (405, 481, 489, 501):
        return NotSupported(target.label, f"{said}: the phone does not act on this event")
    return ProtocolError(target.label, said)
