"""SIP NOTIFY on a phone's SIP port (UDP): the PBX-style resync and reboot requests.

A well-formed NOTIFY (request line, Via, From, To, Call-ID, CSeq naming the method, Event) is answered
``200 OK`` (Via, From, To, Call-ID and CSeq copied, a tag added to To, ``received``/``rport`` filled in on
the top Via as RFC 3261 18.2.1 and RFC 3581 ask, the phone's User-Agent), then the operation runs in the
background. An event package the vendor does not handle is ``489 Bad Event`` with ``Allow-Events``; a
message that cannot be read is ``400``; a request other than NOTIFY is ``501`` (``OPTIONS`` is ``200``, an
``ACK`` gets nothing). A retransmitted NOTIFY (same Call-ID, CSeq and branch) gets the same answer again and
does not run the operation twice. Responses that reach the port (to a REGISTER the phone sent, say) go to
``on_response`` if set, which is how a registration client can share the phone's SIP socket
(:meth:`SipEndpoint.send`). A phone that is down answers nothing; CRLF keep-alives are ignored; nothing a
datagram holds stops the endpoint.

Events per vendor (research/phone-vendors.md, unify-cisco.md; [V] verified, [M]/[I] not):

- ``check-sync`` -> resync; ``check-sync;reboot=true`` -> reboot: Yealink (with ``sip.notify_reboot_enable=0``,
  what the Yealink driver renders [V]), Avaya [V event; the reboot parameter M], Poly, Grandstream, Fanvil [V
  event], Snom (``check-sync;reboot=false`` resync [V], ``reboot=true`` reboot [M]), Atcom [I: Yealink
  lineage, untested], Qtech [I: assumed Fanvil platform]. A plain ``check-sync`` resyncs everywhere here;
  on some firmware it reboots (Snom, Poly by default) [M].
- Yealink also: ``Event: ACTION-URI`` with body ``key=Reboot|AutoP`` [V].
- Cisco enterprise: ``Event: service-control`` with ``Content-Type: text/plain`` (else 415) and body lines
  ``action=restart`` (re-download the config and re-register: a resync) or ``action=reset`` (reboot) [V];
  ``prt-report``, ``check-version`` and ``apply-config`` are answered and ignored [V names, behaviour I];
  ``RegisterCallId=``, ``ConfigVersionStamp=`` and the other stamps are not checked [I]. Another action is 400.
- Cisco MPP, Unify: no NOTIFY event is documented (Unify restarts over WPI): every event is 489.

No authentication. What a vendor's phone requires of its files before it obeys is its simulator module's
``notify`` rule (``vendors/<vendor>.py``, the protocol of :mod:`phonefleet_simulator.vendors`): this surface
answers the event as the table above says, then hands that answer, the event, the sender's address and the
Request-URI's user (:class:`vendors.Notify`) to ``vendors.notify_answer`` with the settings the phone read
from its files. The rule may change the operation (Yealink ``sip.notify_reboot_enable``, Poly
``alwaysReboot``, Snom ``checksync_action``) or refuse (:class:`vendors.Refusal`: Yealink ``sip.trust_ctrl``,
Grandstream "Allow SIP Reset", Avaya ``ENABLE_OOD_RESET_NOTIFY``): the phone then answers the refusal's code
(``403`` here) and does nothing, or, for a prompt, answers ``200`` and waits for a user who never comes.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from .. import vendors
from ..device import REBOOT, RESYNC, SimulatedDevice
from ..vendors import Answer, Notify, Refusal

LOG = logging.getLogger("phonefleet.simulator.sip")

MAX_DATAGRAM = 65535
REMEMBERED = 32  # transactions whose answer is kept for retransmissions
_COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "o": "event",
    "l": "content-length",
    "c": "content-type",
    "m": "contact",
    "k": "supported",
    "u": "allow-events",
}
_REQUEST_LINE = re.compile(r"^([A-Za-z]+) (\S+:\S+) SIP/2\.0$")
_CSEQ = re.compile(r"^(\d{1,10})\s+([A-Za-z]+)$")
_PARAM = re.compile(r";\s*([\w.!%*+`'~-]+)(?:\s*=\s*(\"[^\"]*\"|[^;,\s]*))?")


class SipError(Exception):
    def __init__(self, code: int, reason: str, message: SipMessage | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.message = message


@dataclass
class SipMessage:
    method: str
    uri: str
    headers: list  # (lower-case full name, value) in order
    body: bytes

    def get(self, name: str, default: str = "") -> str:
        for header, value in self.headers:
            if header == name:
                return value
        return default

    def all(self, name: str) -> list[str]:
        return [value for header, value in self.headers if header == name]

    @property
    def vias(self) -> list[str]:
        return [part.strip() for value in self.all("via") for part in value.split(",") if part.strip()]


def parameters(value: str) -> tuple[str, dict]:
    """``check-sync;reboot=true`` -> ("check-sync", {"reboot": "true"}); names lower-cased."""
    name, _semicolon, _rest = value.partition(";")
    found = {match.group(1).lower(): (match.group(2) or "").strip('"') for match in _PARAM.finditer(value[len(name) :])}
    return name.strip(), found


def parse(data: bytes) -> SipMessage:
    """A SIP request; SipError(400) when it is not a well-formed one (with what could be read, if anything)."""
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = data.partition(b"\n\n")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError(400, "Bad Request") from None
    lines = text.replace("\r\n", "\n").split("\n")
    headers: list = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # folded header
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise SipError(400, "Bad Request: malformed header")
        key = name.strip().lower()
        headers.append((_COMPACT.get(key, key), value.strip()))
    match = _REQUEST_LINE.match(lines[0].strip())
    partial = SipMessage("", "", headers, b"")
    if match is None:
        raise SipError(400, "Bad Request: request line", partial)
    message = SipMessage(match.group(1).upper(), match.group(2), headers, body)
    for required in ("via", "from", "to", "call-id", "cseq"):
        if not message.get(required):
            raise SipError(400, f"Bad Request: {required} missing", message)
    cseq = _CSEQ.match(message.get("cseq"))
    if cseq is None or cseq.group(2).upper() != message.method:
        raise SipError(400, "Bad Request: CSeq", message)
    length = message.get("content-length")
    if length:
        if not length.isdigit() or int(length) > len(body):
            raise SipError(400, "Bad Request: Content-Length", message)
        message.body = body[: int(length)]
    return message


# -- what each vendor does with an event -----------------------------------------------------------------

Handler = Callable[[SipMessage, dict], Answer]


def _check_sync(message: SipMessage, params: dict) -> Answer:
    return Answer(200, "OK", REBOOT if params.get("reboot", "").lower() == "true" else RESYNC)


def _body_fields(message: SipMessage) -> dict:
    fields = {}
    for line in message.body.decode("utf-8", "replace").splitlines():
        name, equals, value = line.partition("=")
        if equals:
            fields[name.strip().lower()] = value.strip()
    return fields


def _action_uri(message: SipMessage, params: dict) -> Answer:
    key = _body_fields(message).get("key", "")
    return Answer(200, "OK", {"Reboot": REBOOT, "AutoP": RESYNC}.get(key))


_SERVICE_CONTROL = {"restart": RESYNC, "reset": REBOOT, "prt-report": None, "check-version": None, "apply-config": None}


def _service_control(message: SipMessage, params: dict) -> Answer:
    kind = message.get("content-type").split(";")[0].strip().lower()
    if kind != "text/plain":
        return Answer(415, "Unsupported Media Type", None, (("Accept", "text/plain"),))
    action = _body_fields(message).get("action", "").lower()
    if action not in _SERVICE_CONTROL:
        return Answer(400, "Bad Request: action", None)
    return Answer(200, "OK", _SERVICE_CONTROL[action])


_CHECK_SYNC: dict[str, Handler] = {"check-sync": _check_sync}

EVENTS: dict[str, dict[str, Handler]] = {
    "yealink": {"check-sync": _check_sync, "action-uri": _action_uri},
    "atcom": _CHECK_SYNC,
    "avaya": _CHECK_SYNC,
    "poly": _CHECK_SYNC,
    "grandstream": _CHECK_SYNC,
    "snom": _CHECK_SYNC,
    "fanvil": _CHECK_SYNC,
    "qtech": _CHECK_SYNC,
    "cisco": {"service-control": _service_control},
    "cisco_mpp": {},
    "unify": {},
}


# -- the endpoint ----------------------------------------------------------------------------------------


def _top_via(via: str, host: str, port: int) -> str:
    sent_by = via.split(None, 1)[1].split(";", 1)[0].strip() if " " in via else ""
    sent_host = sent_by.rsplit(":", 1)[0].strip("[]") if ":" in sent_by else sent_by
    if ";rport" in via and not re.search(r";rport=", via):
        via = re.sub(r";rport(?=;|$)", f";rport={port}", via, count=1)
    if sent_host != host and ";received=" not in via:
        via += f";received={host}"
    return via


class SipEndpoint(asyncio.DatagramProtocol):
    """The SIP port of one phone."""

    def __init__(self, device: SimulatedDevice, on_response: Callable[[bytes, tuple], None] | None = None) -> None:
        self.device = device
        self.events = EVENTS.get(device.vendor, {})
        self.on_response = on_response
        self.transport: asyncio.DatagramTransport | None = None
        self._recent: collections.OrderedDict | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, data: bytes, address: tuple) -> None:
        if self.transport is not None:
            self.transport.sendto(data, address)

    def error_received(self, exc) -> None:  # an ICMP error for something we sent: nothing to do
        pass

    def datagram_received(self, data: bytes, addr) -> None:
        try:
            self._received(data, addr)
        except Exception:
            LOG.exception("phone %s: SIP datagram from %s", self.device.mac, addr)

    def _received(self, data: bytes, addr) -> None:
        if not data.strip(b"\r\n\0 "):
            return  # CRLF keep-alive (RFC 5626)
        if not self.device.up:
            return
        if data.startswith(b"SIP/2.0 "):
            if self.on_response is not None:
                self.on_response(data, addr)
            return
        try:
            message = parse(data)
        except SipError as exc:
            self.send(self._response(exc.message, exc.code, exc.reason, (), addr), addr)
            return
        if message.method == "ACK":
            return
        key = (message.get("call-id"), message.get("cseq"), message.vias[0] if message.vias else "")
        recent = self._recent
        if recent is not None and key in recent:
            self.send(recent[key], addr)  # a retransmission: the same answer, nothing done again
            return
        operation = None
        if message.method == "NOTIFY":
            code, reason, operation, extra = self._notify(message, addr[0])
        elif message.method == "OPTIONS":
            code, reason, extra = 200, "OK", (("Allow", "INVITE, ACK, CANCEL, BYE, NOTIFY, OPTIONS"),)
        else:
            code, reason, extra = 501, "Not Implemented", ()
        response = self._response(message, code, reason, extra, addr)
        if recent is None:
            recent = self._recent = collections.OrderedDict()
        recent[key] = response
        while len(recent) > REMEMBERED:
            recent.popitem(last=False)
        self.send(response, addr)
        first = message.body.decode("utf-8", "replace").strip().split("\n", 1)[0].strip()
        cause = f"sip NOTIFY {message.get('event')}" + (f" {first}" if first else "")
        if code == 200 and message.method == "NOTIFY":
            if operation is not None:
                self.device.trigger(operation, cause)
            else:
                self.device.log("notify", cause)

    def _notify(self, message: SipMessage, source: str) -> Answer:
        event = message.get("event")
        if not event:
            return Answer(400, "Bad Request: Event missing", None)
        name, params = parameters(event)
        handler = self.events.get(name.lower())
        if handler is None:
            allowed = ", ".join(self.events)
            return Answer(489, "Bad Event", None, (("Allow-Events", allowed),) if allowed else ())
        user = message.uri.partition(":")[2].rpartition("@")[0] if "@" in message.uri else ""
        request = Notify(name.lower(), params, source, user)
        # what the phone's settings allow (NOTIFY trust, what check-sync does): the vendor's own module decides
        decided = vendors.notify_answer(
            self.device.vendor, self.device.control_settings, request, handler(message, params)
        )
        if not isinstance(decided, Refusal):
            return decided
        if decided.prompt:
            self.device.log("prompt", f"sip NOTIFY {event}", message=decided.why)
            return Answer(200, "OK", None)
        self.device.log("refused", f"sip NOTIFY {event}", reason=decided.why, peer=source)
        return Answer(decided.code, decided.reason, None)

    def _response(self, message: SipMessage | None, code: int, reason: str, extra: tuple, addr) -> bytes:
        lines = [f"SIP/2.0 {code} {reason}"]
        if message is not None:
            host, port = addr[0], addr[1]
            for index, via in enumerate(message.vias):
                lines.append(f"Via: {_top_via(via, host, port) if index == 0 else via}")
            for name in ("from", "to", "call-id", "cseq"):
                value = message.get(name)
                if not value:
                    continue
                if name == "to" and ";tag=" not in value.replace(" ", "").lower() and code > 100:
                    value += f";tag={secrets.token_hex(4)}"
                lines.append(f"{'Call-ID' if name == 'call-id' else name.capitalize()}: {value}")
        agent = self.device.user_agent
        if agent:
            lines.append(f"User-Agent: {agent}")
        lines += [f"{name}: {value}" for name, value in extra]
        lines.append("Content-Length: 0")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def serve(device: SimulatedDevice, host: str, port: int) -> tuple[asyncio.DatagramTransport, SipEndpoint]:
    loop = asyncio.get_running_loop()
    try:
        return await loop.create_datagram_endpoint(lambda: SipEndpoint(device), local_addr=(host, port))
    except OSError as exc:
        # asyncio may say only "could not bind to local_addr", its bind's errno in the exception before it: give
        # that errno back, so a caller can tell an address in use (and try another) from other failures
        context = exc.__context__
        if exc.errno is None and isinstance(context, OSError) and context.errno is not None:
            raise OSError(context.errno, f"{host}:{port}: {context.strerror}") from exc
        raise
