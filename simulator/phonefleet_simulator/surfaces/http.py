"""The phones' HTTP control surfaces: one small route table per vendor, on a minimal HTTP/1.1 server.

Each route is (method, path) -> (authentication, handler). Authentication, checked before the handler runs
and only on known paths (an unknown path is 404, a known path with another method 405):

- ``basic``: HTTP Basic with the phone's control user and password (401 with ``WWW-Authenticate``);
- ``polycom``: HTTP Basic with the fixed user ``Polycom`` and the control password (Poly REST API);
- ``passcode``: the query parameter ``passcode`` = the control password (Grandstream ``api-sys_operation``);
- ``none``: no authentication (Atcom ``server.cgi``, Cisco ``/DeviceInformationX``, Unify contact-me).

A failed authentication changes nothing on the phone and is logged as an ``auth-failed`` event.

What the phone's files must allow is its vendor module's ``http`` rule (``vendors/<vendor>.py``, the protocol
of :mod:`phonefleet_simulator.vendors`), given the settings the phone read and the request
(:class:`vendors.HttpControl`: method, path, caller). A :class:`vendors.Refusal` marked ``before_login``
(Poly's REST API turned off) is answered at once; any other is answered after the login is checked: its code
and text (``403``), logged ``refused``, or for a prompt ``200`` with nothing done, logged ``prompt``. A reboot
or resync asked for is run in the background (:meth:`SimulatedDevice.trigger`): the reply is written first.
While a phone is down (booting, rebooting) its connections are reset without a reply.

The routes, with what is verified in the research notes (research/phone-vendors.md, unify-cisco.md,
atcom-qtech.md; [V] verified, [M]/[I] not):

- Yealink: ``GET /servlet?key=Reboot|AutoP`` and the legacy ``/cgi-bin/ConfigManApp.com?key=`` [V paths;
  the two keys M-corroborated]; ``GET /servlet?phonecfg=get&accounts=1&fw=1`` status [V path] as JSON
  ``{"model", "firmware", "mac", "ip", "accounts": [{"line", "user", "status"}]}`` (this JSON layout is ours:
  the real reply's format was not seen); ``GET /screencapture`` BMP [V path]. Another key value is a key
  press: answered, no effect here. Every one of these is an Action URI: the phone's files must allow the caller
  (``vendors/yealink.py`` rule 1: ``features.action_uri_limit_ip``, no prompt), else 403 or a prompt.
- Atcom: ``GET /cgi-bin/server.cgi?key=REBOOT`` without authentication [3P]; no resync key exists; a caller
  not in the phone's allow list gets the phone's prompt, nothing done (``vendors/atcom.py``).
- Cisco enterprise: ``POST /CGI/Execute`` with form field ``XML=<CiscoIPPhoneExecute>`` of 1-3
  ``ExecuteItem``s [V], answered ``<CiscoIPPhoneResponse>`` with a ``ResponseItem Status="0" Data="Success"``
  per item (schemes ``Key:``, ``SoftKey:``, ``Dial:``, ``Init:``, ``Play:``, ``http(s)://``; another scheme
  gets ``Status="6" Data="URI not found"`` [M]); the Basic login is not checked by the phone but sent to
  the authentication URL its config names, as a real phone does (``cisco-authentication-url``, see
  vendors/cisco.py: refused unless the answer is exactly ``AUTHORIZED``); 401 carries
  ``<CiscoIPPhoneError Number="4"/>`` [V]; ``GET /DeviceInformationX`` [V path; fields MACAddress,
  HostName, phoneDN, appLoadID, versionID,
  serialNumber, modelNumber V, their values' spelling M; the serial number is made up from the MAC];
  ``GET /CGI/Screenshot`` BMP, 404 for the models ``vendors/cisco.py`` lists without one [V path].
- Cisco MPP: ``GET /admin/resync``, ``GET /admin/reboot`` [V resync path; reboot M], ``GET /admin/status.xml``
  (not verified; the element names are ours).
- Poly: ``POST /api/v1/mgmt/safeRestart`` (resync-style restart), ``POST /api/v1/mgmt/safeReboot``,
  ``GET /api/v1/mgmt/device/info`` with Basic ``Polycom:<password>`` [V code usage] answered
  ``{"Status": "2000", "data": {...}}``; ``GET /captureScreen`` BMP [M].
- Grandstream: ``GET /cgi-bin/api-sys_operation?passcode=<password>&request=REBOOT|PROV`` [V code usage]
  answered ``{"response": "success"}``; a wrong passcode is 401 here (the real answer was not seen); 403
  when the phone's file does not allow remote control from the caller (``vendors.grandstream``).
- Snom: ``GET /advanced_update.htm?reboot=Reboot`` [V code usage], ``GET /command.htm?key=`` (a key press),
  ``GET /screen.bmp`` BMP [M].
- Fanvil, Qtech (assumed Fanvil platform): ``GET /cgi-bin/ConfigManApp.com?key=Reboot|AutoP`` [M]; 403 when
  the phone's file does not turn remote control on (``vendors.fanvil``).
- Unify: ``POST /contact_dls.html/ContactDLS`` on port 8085, form ``ContactMe=true[&dls_ip_addr=&dls_ip_port=]``,
  answered ``204`` with ``Server: DlsClient``, then the phone opens a ``solicited`` WPI interaction [V DG].
- Avaya: no HTTP control is documented: every path is 404.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import http
import json
import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from .. import vendors
from ..device import REBOOT, RESYNC, SimulatedDevice, XmlRefused, local_name, read_xml
from ..vendors import HttpControl, Refusal
from . import screenshot

LOG = logging.getLogger("phonefleet.simulator.http")

NONE, BASIC, POLYCOM, PASSCODE = "none", "basic", "polycom", "passcode"
#: Cisco enterprise: HTTP Basic, the login checked by the authentication URL of the phone's config
CISCO_URL = "cisco-authentication-url"
MAX_REQUEST = 64 << 10
IDLE_SECONDS = 10.0
JSON = "application/json"
XML = "text/xml; charset=utf-8"
BMP = "image/bmp"
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict  # the first value of each parameter
    headers: dict  # lower-case names
    body: bytes
    peer: str

    def form(self) -> dict:
        """The body as an ``application/x-www-form-urlencoded`` form (first value of each field)."""
        fields = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {name: values[0] for name, values in fields.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = TEXT
    headers: tuple = ()

    def encode(self) -> bytes:
        try:
            reason = http.HTTPStatus(self.status).phrase
        except ValueError:
            reason = "Status"
        lines = [f"HTTP/1.1 {self.status} {reason}"]
        if self.status != 204:
            lines += [f"Content-Type: {self.content_type}", f"Content-Length: {len(self.body)}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if self.status == 204 else self.body)


class Route(NamedTuple):
    auth: str
    handler: Callable[[PhoneHttp, Request], Response]


def _text(status: int, text: str) -> Response:
    return Response(status, (text + "\n").encode())


def _json(data, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), JSON)


def _act(phone: PhoneHttp, request: Request, operation: str) -> bool:
    return phone.device.trigger(operation, f"http {request.method} {request.target}")


def _note(phone: PhoneHttp, request: Request, kind: str, **detail) -> None:
    phone.device.log(kind, f"http {request.method} {request.target}", **detail)


def _screenshot(phone: PhoneHttp, request: Request) -> Response:
    device = phone.device
    canvas = screenshot.render_screen(
        device.model,
        device.primary_number,
        device.label,
        details=(device.phone.colon_mac, f"FW {device.firmware}", device.address or ""),
    )
    _note(phone, request, "screenshot")
    return Response(200, screenshot.bmp(canvas), BMP)


# -- Yealink, Fanvil, Qtech, Atcom ---------------------------------------------------------------------------


def _key(phone: PhoneHttp, request: Request, keys: dict) -> Response:
    key = request.query.get("key")
    if key is None:
        return _text(400, "key missing")
    operation = keys.get(key)
    if operation is None:
        _note(phone, request, "key", key=key)  # a key press: nothing this simulator models
    else:
        _act(phone, request, operation)
    return _text(200, "OK")


_ACTION_URI_KEYS = {"Reboot": REBOOT, "AutoP": RESYNC}


def _action_uri(phone: PhoneHttp, request: Request) -> Response:
    return _key(phone, request, _ACTION_URI_KEYS)


def _yealink_servlet(phone: PhoneHttp, request: Request) -> Response:
    if "key" in request.query:
        return _action_uri(phone, request)
    if request.query.get("phonecfg") == "get":
        device = phone.device
        data: dict = {"model": device.model, "mac": device.phone.colon_mac, "ip": device.address}
        if request.query.get("fw") == "1":
            data["firmware"] = device.firmware
        if request.query.get("accounts") == "1":
            data["accounts"] = device.line_status()
        return _json(data)
    return _text(400, "unsupported servlet request")


def _atcom(phone: PhoneHttp, request: Request) -> Response:
    return _key(phone, request, {"REBOOT": REBOOT})


def _not_obeyed(phone: PhoneHttp, request: Request, refusal: Refusal) -> Response:
    """The answer to a request the vendor's rules refused; a prompt is answered 200 while the phone asks its
    user, who never answers here [I: the HTTP answer while prompting]."""
    if refusal.prompt:
        _note(phone, request, "prompt", peer=request.peer, message=refusal.why)
        return _text(200, "")
    _note(phone, request, "refused", reason=refusal.why, peer=request.peer)
    return _text(refusal.code, refusal.reason)


# -- Cisco enterprise ------------------------------------------------------------------------------------------

_EXECUTE_SCHEMES = ("Key:", "SoftKey:", "Dial:", "Init:", "Play:", "http://", "https://")


def _cisco_error(number: int, status: int = 200) -> Response:
    return Response(status, f'<CiscoIPPhoneError Number="{number}"/>\n'.encode(), XML)


def _cisco_execute(phone: PhoneHttp, request: Request) -> Response:
    xml = request.form().get("XML")
    if not xml:
        return _cisco_error(1)
    try:
        root = read_xml(xml.encode("utf-8"), 16 << 10)
    except XmlRefused:
        return _cisco_error(1)
    if local_name(root.tag) != "CiscoIPPhoneExecute":
        return _cisco_error(1)
    urls = [child.get("URL") or "" for child in root if local_name(child.tag) == "ExecuteItem"]
    if not 1 <= len(urls) <= 3:
        return _cisco_error(2)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<CiscoIPPhoneResponse>"]
    for url in urls:
        known = url.startswith(_EXECUTE_SCHEMES)
        status, data = ("0", "Success") if known else ("6", "URI not found")
        lines.append(f"<ResponseItem Status={quoteattr(status)} Data={quoteattr(data)} URL={quoteattr(url)}/>")
    lines.append("</CiscoIPPhoneResponse>")
    _note(phone, request, "execute", urls=urls)
    return Response(200, ("\n".join(lines) + "\n").encode(), XML)


def _cisco_serial(mac: str) -> str:
    return "FCH" + format(int(mac[-7:], 16) % 10**8, "08d")


def _cisco_information(phone: PhoneHttp, request: Request) -> Response:
    device = phone.device
    upper = device.mac.upper()
    fields = (
        ("MACAddress", upper),
        ("HostName", f"SEP{upper}"),
        ("phoneDN", device.primary_number),
        ("appLoadID", device.firmware),
        ("bootLoadID", ""),
        ("versionID", device.firmware),
        ("serialNumber", _cisco_serial(device.mac)),
        ("modelNumber", device.model),
    )
    body = "\n".join(
        ['<?xml version="1.0" encoding="utf-8"?>', "<DeviceInformation>"]
        + [f"<{name}>{escape(value or '')}</{name}>" for name, value in fields]
        + ["</DeviceInformation>", ""]
    )
    return Response(200, body.encode(), XML)


def _cisco_screenshot(phone: PhoneHttp, request: Request) -> Response:
    if not vendors.has_screenshot("cisco", phone.device.model):
        return _text(404, "Not Found")
    return _screenshot(phone, request)


# -- Cisco MPP -------------------------------------------------------------------------------------------------


def _mpp(operation: str):
    def handler(phone: PhoneHttp, request: Request) -> Response:
        _act(phone, request, operation)
        return Response(200, f"<html><body>{operation} requested</body></html>\n".encode(), HTML)

    return handler


def _mpp_status(phone: PhoneHttp, request: Request) -> Response:
    device = phone.device
    fields = [
        ("Product_Name", device.model),
        ("Software_Version", device.firmware),
        ("MAC_Address", device.mac.upper()),
        ("Current_IP", device.address or ""),
        ("Uptime_Seconds", str(int(device.uptime))),
    ]
    for account in device.line_status():
        fields.append((f"Line_{account['line']}_User_ID", account["user"]))
        fields.append((f"Line_{account['line']}_Registration_State", account["status"]))
    body = "\n".join(
        ['<?xml version="1.0" encoding="utf-8"?>', "<status>"]
        + [f"<{name}>{escape(value)}</{name}>" for name, value in fields]
        + ["</status>", ""]
    )
    return Response(200, body.encode(), XML)


# -- Poly ------------------------------------------------------------------------------------------------------


def _poly(operation: str):
    def handler(phone: PhoneHttp, request: Request) -> Response:
        _act(phone, request, operation)
        return _json({"Status": "2000"})

    return handler


def _poly_info(phone: PhoneHttp, request: Request) -> Response:
    device = phone.device
    days, rest = divmod(int(device.uptime), 86400)
    hours, rest = divmod(rest, 3600)
    data = {
        "ModelNumber": device.model,
        "FirmwareRelease": device.firmware,
        "MACAddress": device.mac,
        "IPV4Address": device.address or "",
        "DeviceVendor": "Polycom",
        "DeviceType": "HardwareEndpoint",
        "UpTimeSinceLastReboot": f"{days} Day {hours}:{rest // 60:02d}:{rest % 60:02d}",
    }
    return _json({"Status": "2000", "data": data})


# -- Grandstream, Snom -----------------------------------------------------------------------------------------

_GRANDSTREAM = {"REBOOT": REBOOT, "PROV": RESYNC}


def _grandstream(phone: PhoneHttp, request: Request) -> Response:
    operation = _GRANDSTREAM.get(request.query.get("request", ""))
    if operation is None:
        return _json({"response": "error", "body": "unsupported request"}, 400)
    _act(phone, request, operation)
    return _json({"response": "success"})


def _snom_update(phone: PhoneHttp, request: Request) -> Response:
    if request.query.get("reboot") == "Reboot":
        _act(phone, request, REBOOT)
        return Response(200, b"<html><body>Rebooting...</body></html>\n", HTML)
    return Response(200, b"<html><body>Advanced update</body></html>\n", HTML)


def _snom_command(phone: PhoneHttp, request: Request) -> Response:
    if "key" in request.query:
        _note(phone, request, "key", key=request.query["key"])
    return Response(200, b"<html><body>OK</body></html>\n", HTML)


# -- Unify ----------------------------------------------------------------------------------------------------


def _contact_me(phone: PhoneHttp, request: Request) -> Response:
    form = request.form()
    if form.get("ContactMe") != "true":
        return _text(400, "ContactMe=true missing")
    dls = None
    if form.get("dls_ip_addr"):
        port = form.get("dls_ip_port") or "18443"
        if not port.isdigit() or not 0 < int(port) < 65536:
            return _text(400, "bad dls_ip_port")
        host = form["dls_ip_addr"]
        dls = f"http://{'[' + host + ']' if ':' in host else host}:{int(port)}"
    phone.device.log("control", f"http POST {request.path}", operation="contact-me", dls=dls)
    phone.device.spawn(phone.device.contact_me(f"http POST {request.path}", dls))
    return Response(204, headers=(("Server", "DlsClient"),))


# -- the tables ---------------------------------------------------------------------------------------------


_FANVIL = {("GET", "/cgi-bin/ConfigManApp.com"): Route(BASIC, _action_uri)}

ROUTES: dict[str, dict[tuple[str, str], Route]] = {
    "yealink": {
        ("GET", "/servlet"): Route(BASIC, _yealink_servlet),
        ("GET", "/cgi-bin/ConfigManApp.com"): Route(BASIC, _action_uri),
        ("GET", "/screencapture"): Route(BASIC, _screenshot),
    },
    "atcom": {("GET", "/cgi-bin/server.cgi"): Route(NONE, _atcom)},
    "cisco": {
        ("POST", "/CGI/Execute"): Route(CISCO_URL, _cisco_execute),
        ("GET", "/DeviceInformationX"): Route(NONE, _cisco_information),
        ("GET", "/CGI/Screenshot"): Route(CISCO_URL, _cisco_screenshot),
    },
    "cisco_mpp": {
        ("GET", "/admin/resync"): Route(BASIC, _mpp(RESYNC)),
        ("GET", "/admin/reboot"): Route(BASIC, _mpp(REBOOT)),
        ("GET", "/admin/status.xml"): Route(BASIC, _mpp_status),
    },
    "poly": {
        ("POST", "/api/v1/mgmt/safeRestart"): Route(POLYCOM, _poly(RESYNC)),
        ("POST", "/api/v1/mgmt/safeReboot"): Route(POLYCOM, _poly(REBOOT)),
        ("GET", "/api/v1/mgmt/device/info"): Route(POLYCOM, _poly_info),
        ("GET", "/captureScreen"): Route(POLYCOM, _screenshot),
    },
    "grandstream": {("GET", "/cgi-bin/api-sys_operation"): Route(PASSCODE, _grandstream)},
    "snom": {
        ("GET", "/advanced_update.htm"): Route(BASIC, _snom_update),
        ("GET", "/command.htm"): Route(BASIC, _snom_command),
        ("GET", "/screen.bmp"): Route(BASIC, _screenshot),
    },
    "fanvil": _FANVIL,
    "qtech": _FANVIL,
    "unify": {("POST", "/contact_dls.html/ContactDLS"): Route(NONE, _contact_me)},
    "avaya": {},
}

_REALMS = {"poly": "PLCM_SPIP", "cisco_mpp": "Cisco", "snom": "snom"}


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class PhoneHttp:
    """The HTTP control surface of one phone."""

    def __init__(self, device: SimulatedDevice, credentials: tuple[str, str]) -> None:
        self.device = device
        self.credentials = credentials
        self.routes = ROUTES.get(device.vendor, {})

    def _authorized(self, auth: str, request: Request) -> bool:
        # the login the phone's files set (Snom http_pass, MPP Admin_Password, Poly localAdminPassword) wins
        user, password = vendors.web_login(self.device.vendor, self.device.control_settings) or self.credentials
        if auth == NONE:
            return True
        if auth == PASSCODE:
            return _same(request.query.get("passcode", ""), password)
        login = self._basic_login(request)
        if login is None:
            return False
        given_user, given_password = login
        expected_user = "Polycom" if auth == POLYCOM else user
        return _same(given_user, expected_user) & _same(given_password, password)

    def _basic_login(self, request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _colon, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    def asks_authentication_url(self, request: Request) -> bool:
        route = self.routes.get((request.method, request.path))
        return route is not None and route.auth == CISCO_URL

    async def handle_cisco(self, request: Request) -> Response:
        """A Cisco route whose login the phone's authentication URL decides (asked before anything runs)."""
        route = self.routes[(request.method, request.path)]
        if route.handler is _cisco_screenshot and not vendors.has_screenshot("cisco", self.device.model):
            return _text(404, "Not Found")  # a model without the CGI: nothing to authenticate
        refusal = self._vendor_refusal(request)
        if refusal is not None and refusal.before_login:
            return _text(refusal.code, refusal.reason)
        login = self._basic_login(request)
        if login is None or not await self.device.authorized(*login):
            return self._refused(route, request)
        if refusal is not None:
            return _not_obeyed(self, request, refusal)
        return route.handler(self, request)

    def _vendor_refusal(self, request: Request) -> Refusal | None:
        """What the phone's files do not allow of ``request``: its vendor module's ``http`` rule decides."""
        control = HttpControl(request.method, request.path, request.peer)
        return vendors.http_refusal(self.device.vendor, self.device.control_settings, control)

    def _refused(self, route: Route, request: Request) -> Response:
        self.device.log("auth-failed", f"http {request.method} {request.path}", peer=request.peer)
        if route.auth == PASSCODE:
            return _json({"response": "error", "body": "unauthorized"}, 401)
        realm = _REALMS.get(self.device.vendor, self.device.vendor.capitalize())
        challenge = (("WWW-Authenticate", f'Basic realm="{realm}"'),)
        if self.device.vendor == "cisco":
            return Response(401, b'<CiscoIPPhoneError Number="4"/>\n', XML, challenge)
        return Response(401, b"Unauthorized\n", TEXT, challenge)

    def handle(self, request: Request) -> Response:
        route = self.routes.get((request.method, request.path))
        if route is None:
            allowed = sorted(method for method, path in self.routes if path == request.path)
            if allowed:
                return Response(405, b"Method Not Allowed\n", headers=(("Allow", ", ".join(allowed)),))
            return _text(404, "Not Found")
        refusal = self._vendor_refusal(request)  # an API turned off, a caller the phone does not obey
        if refusal is not None and refusal.before_login:
            return _text(refusal.code, refusal.reason)
        if not self._authorized(route.auth, request):
            return self._refused(route, request)
        if refusal is not None:
            return _not_obeyed(self, request, refusal)
        return route.handler(self, request)


def parse_request(head: bytes, body: bytes, peer: str) -> Request | None:
    """The request in ``head`` (request line and headers, without the blank line), or None when malformed."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes everything
        return None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[0].isalpha():
        return None
    method, target, _version = parts
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            return None
        headers[name.strip().lower()] = value.strip()
    split = urllib.parse.urlsplit(target)
    fields = urllib.parse.parse_qs(split.query, keep_blank_values=True)
    query = {name: values[0] for name, values in fields.items()}
    return Request(method.upper(), target, urllib.parse.unquote(split.path), query, headers, body, peer)


class _Connection(asyncio.Protocol):
    """One connection: one request, one reply, then close (as the phones' small web servers often do)."""

    transport: asyncio.Transport  # given by connection_made, which asyncio calls before any data arrives

    def __init__(self, surface: PhoneHttp) -> None:
        self.surface = surface
        self.buffer = bytearray()
        self.timer: asyncio.TimerHandle | None = None
        self.task: asyncio.Task | None = None  # a reply waiting on the phone's authentication URL
        self.done = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        if not self.surface.device.up:  # the phone is down: nothing answers
            transport.abort()
            self.done = True
            return
        self.timer = asyncio.get_running_loop().call_later(IDLE_SECONDS, transport.abort)

    def connection_lost(self, exc) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_REQUEST:
                self._reply(_text(431, "Request Header Fields Too Large"))
            return
        peer = (self.transport.get_extra_info("peername") or ("?",))[0]
        request = parse_request(bytes(self.buffer[:end]), b"", peer)
        if request is None:
            self._reply(_text(400, "Bad Request"))
            return
        if "chunked" in request.headers.get("transfer-encoding", "").lower():
            self._reply(_text(411, "Length Required"))
            return
        length = request.headers.get("content-length", "0")
        if not length.isdigit():
            self._reply(_text(400, "Bad Content-Length"))
            return
        if int(length) > MAX_REQUEST:
            self._reply(_text(413, "Payload Too Large"))
            return
        if len(self.buffer) < end + 4 + int(length):
            return
        request.body = bytes(self.buffer[end + 4 : end + 4 + int(length)])
        if not self.surface.device.up:
            self.transport.abort()
            self.done = True
            return
        if self.surface.asks_authentication_url(request):
            self.task = asyncio.get_running_loop().create_task(self._reply_after_asking(request))
            return
        try:
            response = self.surface.handle(request)
        except Exception:
            LOG.exception("phone %s: %s %s", self.surface.device.mac, request.method, request.target)
            response = _text(500, "Internal Server Error")
        self._reply(response)

    async def _reply_after_asking(self, request: Request) -> None:
        self.done = True  # one request per connection: what else arrives is ignored
        try:
            response = await self.surface.handle_cisco(request)
        except Exception:
            LOG.exception("phone %s: %s %s", self.surface.device.mac, request.method, request.target)
            response = _text(500, "Internal Server Error")
        if not self.transport.is_closing():
            self._reply(response)

    def _reply(self, response: Response) -> None:
        self.done = True
        self.transport.write(response.encode())
        self.transport.close()


async def serve(device: SimulatedDevice, credentials: tuple[str, str], host: str, port: int) -> asyncio.Server:
    """Listen for ``device``'s HTTP control requests on ``host``:``port`` (0: any free port)."""
    surface = PhoneHttp(device, credentials)
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _Connection(surface), host, port, reuse_address=True, backlog=64)
