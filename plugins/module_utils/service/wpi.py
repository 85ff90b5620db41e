# Private to this collection: the Unify WPI (DLS mode) responder of the provisioning service.
"""Unify OpenScape Desk Phone CP provisioning over WPI, the phones' own deployment-service protocol.

Which protocol the service uses
-------------------------------
- **WPI, DLS default mode: the main path.** The phone (DHCP option 43 sub-option 3 ``sdlp://<server>:18443``,
  or its admin menu) POSTs ``<WorkpointMessage>`` XML to ``https://<server>:18443/DeploymentService/LoginService``;
  nginx terminates TLS on 18443 and passes the request to the service, and :class:`WpiResponder` answers.
  The phone states its MAC, model and firmware in every start-up, the items are written the moment it starts
  or is woken (:func:`send_contact_me`), a failed item comes back by name, and a phone in a call says ``busy``
  and reconnects when the call ends. The items are the driver's ``UnifyDriver.wpi_items`` of the published
  fleet (the same list the DMS file holds), or of the phone's auto-provisioned config.
- **DMS file mode: the alternative.** Publish renders ``<mac>_config.xml`` from the same items; the phone GETs
  it over the ordinary file path (:mod:`provisioner`). A phone runs either DLS or DMS, never both (a setting
  of the phone), so the choice is made per phone by how it is pointed at the server.

A phone's status becomes 3 when it answers ``accepted`` to the last ``WriteItems`` of the current config
version; a ``busy`` or ``failed`` answer leaves it at 2.

Verified (research/unify-cisco.md part A, from the 2016 WPI developer's guide A31003-S2000-R102-16-7620
"DG", GS3/GS5 and other servers, the 2023 Pentagrid capture "PG"): the path and port; the envelope
``WorkpointMessage`` / ``DLSMessage`` in ``http://www.siemens.com/DLS``; every reply echoes the phone's nonce,
which stays the same for the whole interaction; the reasons ``start-up``, ``solicited``, ``local-changes``,
``inventory-changes``, ``status``, ``reply-to`` (with ``action`` and ``status`` accepted, failed or busy);
per-item ``status`` values in replies; ``CleanUp`` ends the interaction; a ``busy`` phone is sent ``CleanUp``
with ``send-solicited`` = ``true`` and reconnects with ``solicited`` when the call ends (DG: OpenStage V3R3
and later); a phone message with ``fragment="next"`` is answered ``GetNextFragment``; messages are at most
50 kB, and a server may split its items over several ``WriteItems``, each acknowledged by a ``reply-to``,
with related items in one message; the server sets a session cookie (``JSESSIONID``, path
``/DeploymentService``) that the phone returns; contact-me is a form POST to
``http://<phone>:8085/contact_dls.html/ContactDLS`` answered ``204``; WPI carries no User-Agent worth using,
the phone is known by its ``mac-addr`` and ``device-type`` items; default mode authenticates nobody.

Not verified, check on a CP phone: which CP firmware releases speak WPI (the DG covers OpenStage and
OpenScape Desk Phone IP; the research note records a CP ``device-type``, ``OpenScape Desk Phone CP210``,
from its sources, but no CP release notes were read) and whether CP firmware honours
``send-solicited`` (an OpenStage V3R3 feature) and the phone's ``maxItems``; whether a CP phone decodes XML
entities in values (GS3 stripped ``<>&`` for old OpenStage firmware; values are escaped here); whether
``local-changes`` answered with ``WriteItems`` can trigger another ``local-changes``; the nonce's length
(the DG shows 32 and 23 hex characters: 8 to 64 are accepted); "related items" read as "the items of one
index" when the list is split. Firmware is not deployed over WPI yet (``SoftwareDeployment`` would reboot
the phone into a loop if its ``software-version`` spelling never matched the kit's version); the DMS file
carries it.

Reboot (issue 11): a CP phone reboots on ``<Action>Restart</Action>`` (DG p.50-51), which only its deployment
service can send, inside an interaction the phone opens. As the vendor's DLS does, the API queues it
(``POST /api/v1/phones/{mac}/restart``, kept in the store so any worker answers it) and the controller sends a
contact-me: the phone's ``solicited`` message is answered ``Restart`` (journaled ``restart``), its ``reply-to``
gets ``CleanUp``, and it reboots; after the reboot its ``start-up`` is written its items as always. A phone
that says ``busy`` to the Restart gets it again when it calls back after the call (``send-solicited``); a
phone that starts up meanwhile has restarted, which ends what was queued. A Restart goes to whoever claims the
MAC first: it carries no secret, but a stranger claiming the MAC can swallow it (then the phone does not reboot).

Security: in default mode anyone who reaches port 18443 and claims a MAC gets that phone's items, SIP
password included: the phone proves nothing. The responder therefore writes nothing (every phone gets
``CleanUp``, journaled ``refused``) unless the fleet lists ``unify`` in
``settings.provisioning.serve_without_proof`` (an explicit choice, see docs/security.md); the secure way is
DMS with an access key in the phone's DMS URL, or phone auth. Keep 18443 reachable from the voice VLAN only.

A fleet phone without a model (a reference-product export has none; publish leaves it ``awaiting_model``) is
written the items of the model its ``device-type`` names (``OpenScape Desk Phone CP210`` -> CP210), rendered as
the HTTP path renders such a phone (learned_model.py), once the responder writes anything at all (the fleet's
``serve_without_proof: [unify]``, the only "proof" default mode has); the model is saved in the store like a
model learned over HTTP, so the status and the write-back see it. Unverified: the ``device-type`` spelling of
each CP model (the research note has the CP210's from a server's sources only); a spelling the catalog does not
know leaves the phone waiting, journaled ``awaiting-model:...`` with ``wpi-device-type:<as sent>``.

Framework-free, stdlib only. The phone's XML is read by expat with no DTD: a ``DOCTYPE`` or entity declaration
is refused before and during parsing, the body is limited to :data:`MAX_BODY`, elements and depth too.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from xml.parsers import expat
from xml.sax.saxutils import escape

from ..catalog import registry
from ..fleet.proof import ProofPolicy
from ..render.driver import RenderError
from ..render.renderer import FleetRenderer
from . import journal as results
from .autoprovision import Autoprovisioner, AutoprovisionError
from .journal import Journal
from .learned_model import ModelLearner, ModelNotLearned, awaits_model
from .published import PublishedRoot, Snapshot
from .recognition import PHONE, UNKNOWN, Recognition
from .store import AssignmentRefused, Store

PROTOCOL = "wpi"
VENDOR = "unify"
#: where phones POST (GS3, GS5, DLSir and the PG capture); nginx forwards 18443 here
PATH = "/DeploymentService/LoginService"
PATHS = frozenset({PATH})
NAMESPACE = "http://www.siemens.com/DLS"
#: a phone's message is at most 50 kB (DG), larger ones come in fragments
MAX_BODY = 64 << 10
MAX_ELEMENTS = 4096
MAX_DEPTH = 8
#: what one WriteItems of ours may hold, envelope aside (the 50 kB limit of the DG, with room to spare)
MESSAGE_BYTES = 48_000
#: an interaction's state is kept this long (the phone's keep-alive is about 10 s)
SESSION_SECONDS = 600
MAX_SESSIONS = 4096
COOKIE = "JSESSIONID"
COOKIE_PATH = "/DeploymentService"
CONTENT_TYPE = "text/xml; charset=utf-8"

# ReasonForContact values
START_UP = "start-up"
SOLICITED = "solicited"
LOCAL_CHANGES = "local-changes"
INVENTORY_CHANGES = "inventory-changes"
REPLY_TO = "reply-to"
#: reasons answered with the phone's items
WRITE_REASONS = frozenset({START_UP, SOLICITED, LOCAL_CHANGES, INVENTORY_CHANGES})

# actions
WRITE_ITEMS = "WriteItems"
CLEAN_UP = "CleanUp"
GET_NEXT_FRAGMENT = "GetNextFragment"
#: the phone reboots (DG p.50-51); queued through the API (:meth:`Store.queue_wpi_action`) for its next contact
RESTART = "Restart"

# journal results of WPI exchanges (besides served, autoprovisioned, not-found, pool-full, error, refused, rejected)
ACCEPTED = "accepted"  # the phone accepted the last WriteItems: it has the config version journaled
BUSY = "busy"  # the phone is in a call; it reconnects with "solicited" afterwards
FRAGMENT = "fragment"  # a fragment of the phone's message, answered GetNextFragment
CLOSED = "closed"  # anything else (status report, clean-up, unknown reason): answered CleanUp
RESTARTED = "restart"  # a queued Restart was sent: the phone reboots, and writes nothing in this interaction

#: contact-me: plain HTTP to the phone (DG); the phone answers 204 and opens a "solicited" interaction
CONTACT_PORT = 8085
CONTACT_PATH = "/contact_dls.html/ContactDLS"

_NONCE = re.compile(r"[0-9A-Fa-f]{8,64}")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5}")
_CP_MODEL = re.compile(r"\bCP\s?(\d{3}X?)\b", re.IGNORECASE)
_REASONS = {400: "Bad Request", 409: "Conflict", 413: "Payload Too Large"}
_ZERO_MAC = "000000000000"


class WpiError(Exception):
    """A message the responder refuses: ``code`` is the HTTP status, ``why`` goes into the journal."""

    def __init__(self, code: int, why: str) -> None:
        super().__init__(why)
        self.code = code
        self.why = why


@dataclass(frozen=True)
class Item:
    name: str
    index: int | None
    value: str
    status: str | None = None  # set by the phone on an item it could not read or write


@dataclass(frozen=True)
class PhoneMessage:
    """A ``WorkpointMessage`` as the phone sent it."""

    nonce: str
    reason: str
    action: str | None = None
    status: str | None = None
    fragment: str | None = None
    max_items: int = -1
    items: tuple[Item, ...] = ()

    def value(self, name: str) -> str | None:
        """The value of item ``name`` (without index, without a status), or None."""
        for item in self.items:
            if item.name == name and item.index is None and item.status is None:
                return item.value
        return None

    @property
    def failed(self) -> list[Item]:
        return [item for item in self.items if item.status]


@dataclass(frozen=True)
class WpiReply:
    code: int
    body: bytes
    content_type: str = CONTENT_TYPE
    headers: tuple = ()


# -- reading the phone's message ------------------------------------------------------------------------


class _Node:
    __slots__ = ("attributes", "children", "name", "namespace", "text")

    def __init__(self, tag: str, attributes: dict) -> None:
        namespace, _space, name = tag.rpartition(" ")
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.children: list[_Node] = []
        self.text: list[str] = []

    def child(self, name: str) -> _Node | None:
        return next((node for node in self.children if node.name == name), None)

    def value(self) -> str:
        return "".join(self.text).strip()


class _Refused(Exception):
    pass


def _tree(body: bytes) -> _Node:
    """The element tree of a phone's message; WpiError for anything but small, plain, well-formed XML."""
    if len(body) > MAX_BODY:
        raise WpiError(413, "too-large")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WpiError(400, "encoding") from None
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise WpiError(400, "doctype")
    parser = expat.ParserCreate("UTF-8", " ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Node] = []
    roots: list[_Node] = []
    count = 0

    def refuse(*_args):
        raise _Refused("doctype")

    def start(tag: str, attributes: dict) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS:
            raise _Refused("too-many-elements")
        if len(stack) >= MAX_DEPTH:
            raise _Refused("too-deep")
        node = _Node(tag, attributes)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack:
            stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(text.encode("utf-8"), True)
    except _Refused as exc:
        raise WpiError(400, str(exc)) from None
    except expat.ExpatError:
        raise WpiError(400, "xml") from None
    return roots[0]


def _short(node: _Node, name: str, limit: int = 64) -> str | None:
    value = node.attributes.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise WpiError(400, f"attribute-{name}")
    return value


def parse_message(body: bytes) -> PhoneMessage:
    """Read a phone's ``WorkpointMessage``; WpiError (4xx) when it is not one."""
    root = _tree(body)
    if root.name != "WorkpointMessage" or root.namespace not in ("", NAMESPACE):
        raise WpiError(400, "not-a-workpoint-message")
    message = root.child("Message")
    if message is None:
        raise WpiError(400, "no-message")
    nonce = (message.attributes.get("nonce") or "").strip()
    if not _NONCE.fullmatch(nonce):
        raise WpiError(400, "nonce")
    reason_node = message.child("ReasonForContact")
    reason = reason_node.value() if reason_node is not None else ""
    if reason_node is None or not reason or len(reason) > 64:
        raise WpiError(400, "reason")
    try:
        max_items = int(_short(message, "maxItems") or -1)
    except ValueError:
        raise WpiError(400, "attribute-maxItems") from None
    items: list[Item] = []
    for item_list in message.children:
        if item_list.name != "ItemList":
            continue
        for node in item_list.children:
            if node.name != "Item":
                continue
            name = _short(node, "name", 128)
            if not name:
                raise WpiError(400, "item-name")
            index = _short(node, "index")
            if index is not None and not index.isdigit():
                raise WpiError(400, "item-index")
            items.append(Item(name, int(index) if index else None, node.value(), _short(node, "status") or None))
    return PhoneMessage(
        nonce=nonce,
        reason=reason,
        action=_short(reason_node, "action"),
        status=_short(reason_node, "status"),
        fragment=_short(message, "fragment"),
        max_items=max_items,
        items=tuple(items),
    )


# -- writing our reply ----------------------------------------------------------------------------------


def _item_xml(name: str, index: int | None, value: str) -> str:
    where = f' index="{int(index)}"' if index is not None else ""
    return f'<Item name="{escape(name, {chr(34): "&quot;"})}"{where}>{escape(str(value))}</Item>'


def dls_message(nonce: str, action: str, items=()) -> bytes:
    """``<DLSMessage>`` with one ``Message``: the phone's ``nonce``, ``action`` and (name, index, value) items."""
    if not _NONCE.fullmatch(nonce):
        raise ValueError(f"not a nonce: {nonce!r}")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<DLSMessage xmlns="{NAMESPACE}">',
        f'  <Message nonce="{nonce}">',
        f"    <Action>{action}</Action>",
    ]
    if items:
        lines.append("    <ItemList>")
        lines.extend(f"      {_item_xml(*item)}" for item in items)
        lines.append("    </ItemList>")
    lines += ["  </Message>", "</DLSMessage>", ""]
    return "\n".join(lines).encode("utf-8")


def split_items(items: list, max_items: int = -1, budget: int = MESSAGE_BYTES) -> list[list]:
    """The items in messages of at most ``max_items`` items (-1: any number) and ``budget`` bytes.

    Items of one index (a key's definition, label, URI...) stay in one message; a group larger than the
    limits alone gets a message of its own. Always at least one message.
    """
    groups: list[list] = []
    for item in items:
        if groups and item[1] is not None and groups[-1][0][1] == item[1]:
            groups[-1].append(item)
        else:
            groups.append([item])
    messages: list[list] = [[]]
    size = 0
    for group in groups:
        weight = sum(len(_item_xml(*item).encode("utf-8")) for item in group)
        full = max_items > 0 and len(messages[-1]) + len(group) > max_items
        if messages[-1] and (full or size + weight > budget):
            messages.append([])
            size = 0
        messages[-1].extend(group)
        size += weight
    return messages


# -- an interaction's state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    """What the server sent in one interaction (one nonce): kept in memory and, signed, in the session cookie,
    so a reply-to reaching another worker process is still understood."""

    mac: str
    version: str  # the config version being written ("" when unknown)
    chunk: int  # the WriteItems message last sent (0-based); -1 while the phone's fragments arrive
    max_items: int
    result: str  # served or autoprovisioned
    issued: int

    def payload(self) -> str:
        return f"{self.mac}.{self.version or '-'}.{self.chunk}.{self.max_items}.{self.result}.{self.issued}"

    def token(self, nonce: str, secret: bytes) -> str:
        payload = self.payload()
        return f"{payload}.{_signature(secret, nonce, payload)}"

    @classmethod
    def from_token(cls, token: str, nonce: str, secret: bytes) -> _Session | None:
        payload, _dot, signature = token.rpartition(".")
        if not hmac.compare_digest(signature.encode(), _signature(secret, nonce, payload).encode()):
            return None
        try:
            mac, version, chunk, max_items, result, issued = payload.split(".")
            return cls(mac, "" if version == "-" else version, int(chunk), int(max_items), result, int(issued))
        except ValueError:
            return None


def _signature(secret: bytes, nonce: str, payload: str) -> str:
    return hmac.new(secret, f"{nonce.upper()}|{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def _cookie(header: str | None) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        name, _equals, value = part.strip().partition("=")
        if name == COOKIE:
            return value.strip().strip('"')
    return None


def _mac(value: str | None) -> str | None:
    if not value or not _MAC.fullmatch(value.strip()):
        return None
    mac = value.strip().replace(":", "").replace("-", "").lower()
    return None if mac == _ZERO_MAC else mac


def _model(device_type: str | None) -> str | None:
    """The catalog model of a ``device-type`` such as ``OpenScape Desk Phone CP210``, or None."""
    match = _CP_MODEL.search(device_type or "")
    if match is None:
        return None
    model = registry.VENDORS[VENDOR].model("CP" + match.group(1).upper())
    return model.name if model else None


def _note(text: str) -> str:
    """Free text fit for the journal's comma-separated evidence."""
    return text.replace(",", ";")[:120]


class _NoConfig(Exception):
    def __init__(self, result: str, why: str = "") -> None:
        super().__init__(why)
        self.result = result
        self.why = why


# -- the responder ---------------------------------------------------------------------------------------


class WpiResponder:
    """Answers Unify phones' WPI messages for one web root. One per worker process; not for several threads.

    ``secret`` signs the session cookie (the service's secret, the same on every worker).
    """

    def __init__(self, published: PublishedRoot, journal: Journal, store: Store, secret: bytes) -> None:
        self.published = published
        self.journal = journal
        self.store = store
        self.secret = secret
        self._sessions: dict[str, _Session] = {}
        self._of: Snapshot | None = None
        self._renderer: FleetRenderer | None = None
        self._autoprovisioner: Autoprovisioner | None = None
        self._learner = ModelLearner(None)
        self._learned: dict[str, str] = {}  # mac -> the model saved in the store as learned, by this process
        self._refusal: str | None = "wpi-refused:no-proof"  # why items are not written, or None
        self._items: dict = {}

    # -- one message -------------------------------------------------------------------------------------

    def answer(self, body: bytes, ip: str | None, cookie: str | None = None) -> WpiReply:
        """The reply to one POST of a phone: ``body`` as read (the caller stops reading past MAX_BODY),
        ``cookie`` the request's Cookie header. Input problems are 4xx replies, never exceptions."""
        try:
            message = parse_message(body)
        except WpiError as exc:
            return self._refuse(ip, exc)
        nonce = message.nonce.upper()
        session = self._session(nonce, _cookie(cookie))
        if message.fragment == "next":
            return self._fragment(message, ip, session)
        if message.reason == REPLY_TO:
            return self._reply_to(message, ip, session)
        if message.reason in WRITE_REASONS:
            return self._write(message, ip, session)
        mac = _mac(message.value("mac-addr")) or (session.mac if session else None)
        self._forget(nonce)
        return self._clean_up(message, ip, self._recognition(message, mac), CLOSED)

    def _write(self, message: PhoneMessage, ip, session: _Session | None) -> WpiReply:
        mac = _mac(message.value("mac-addr")) or (session.mac if session else None)
        if mac is None:
            return self._refuse(ip, WpiError(400, "mac-addr"), message)
        recognition = self._recognition(message, mac)
        # a queued Restart goes to the phone's solicited contact, as a DLS sends it after a contact-me; a phone
        # that starts up has just restarted, so its start-up ends what was queued
        if message.reason in (SOLICITED, START_UP) and self.store.take_wpi_action(mac) == RESTART:
            if message.reason == SOLICITED:
                restarting = _Session(mac, "", 0, message.max_items, RESTARTED, int(time.time()))
                headers = self._remember(message.nonce.upper(), restarting)  # its reply-to ends the interaction
                self.journal.add(PROTOCOL, ip, recognition, RESTARTED, 200, None)
                return WpiReply(200, dls_message(message.nonce, RESTART), headers=headers)
        snapshot = self._policy()
        if self._refusal:
            return self._clean_up(message, ip, recognition, results.REFUSED, self._refusal)
        try:
            items, version, result = self._plan(snapshot, mac, recognition.model, ip, assign=True)
        except _NoConfig as exc:
            self._forget(message.nonce.upper())
            return self._clean_up(message, ip, recognition, exc.result, exc.why)
        started = _Session(mac, version or "", 0, message.max_items, result, int(time.time()))
        return self._send(message, ip, recognition, started, split_items(items, started.max_items), result)

    def _reply_to(self, message: PhoneMessage, ip, session: _Session | None) -> WpiReply:
        nonce = message.nonce.upper()
        if session is None or session.chunk < 0:
            return self._refuse(ip, WpiError(409, "no-session"), message, _mac(message.value("mac-addr")))
        reported = _mac(message.value("mac-addr"))
        if reported is not None and reported != session.mac:
            return self._refuse(ip, WpiError(409, "mac-mismatch"), message, reported)
        recognition = self._recognition(message, session.mac)
        failed = [
            "wpi-item:" + _note(f"{item.name}{'' if item.index is None else f'[{item.index}]'}={item.status}")
            for item in message.failed[:10]
        ]
        if failed:
            recognition = recognition._replace(evidence=(*recognition.evidence, *failed))
        status = (message.status or "").lower()
        if message.action == RESTART and status == "busy":  # in a call: restart when it calls back after it
            self.store.queue_wpi_action(session.mac, RESTART)
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, BUSY, solicit=True)
        if message.action != WRITE_ITEMS:
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, CLOSED)
        if status == "busy":
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, BUSY, solicit=True)
        if status != "accepted":
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, results.ERROR, "wpi-status:" + _note(status or "none"))
        snapshot = self._policy()
        if self._refusal:  # published without the choice during the interaction
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, results.REFUSED, self._refusal)
        try:
            items, version, result = self._plan(snapshot, session.mac, recognition.model, ip, assign=False)
        except _NoConfig as exc:
            self._forget(nonce)
            return self._clean_up(message, ip, recognition, exc.result, exc.why)
        messages = split_items(items, session.max_items)
        if (version or "") != session.version:  # published again meanwhile: write the new version from the start
            restarted = replace(session, version=version or "", chunk=0, result=result)
            return self._send(message, ip, recognition, restarted, messages, result)
        if session.chunk + 1 < len(messages):
            return self._send(message, ip, recognition, replace(session, chunk=session.chunk + 1), messages, result)
        self._forget(nonce)
        if session.result == results.AUTOPROVISIONED and session.version:  # its status must survive a kill
            self.store.assignment_served(session.mac, VENDOR, recognition.model, session.version)
        return self._clean_up(message, ip, recognition, ACCEPTED, version=session.version or None)

    def _fragment(self, message: PhoneMessage, ip, session: _Session | None) -> WpiReply:
        """The phone sends its message in parts: ask for the next one (remembering its MAC for the last)."""
        nonce = message.nonce.upper()
        mac = _mac(message.value("mac-addr")) or (session.mac if session else None)
        if message.reason == REPLY_TO and (session is None or session.chunk < 0):
            return self._refuse(ip, WpiError(409, "no-session"), message, mac)
        headers: tuple = ()
        if session is None and mac is not None:
            collecting = _Session(mac, "", -1, message.max_items, results.SERVED, int(time.time()))
            headers = self._remember(nonce, collecting)
        self.journal.add(PROTOCOL, ip, self._recognition(message, mac), FRAGMENT, 200, None)
        return WpiReply(200, dls_message(message.nonce, GET_NEXT_FRAGMENT), headers=headers)

    # -- what to write ----------------------------------------------------------------------------------

    def _policy(self) -> Snapshot:
        """The current publish, with the renderer, auto-provisioning and proof policy of its fleet."""
        snapshot = self.published.snapshot()
        if snapshot is not self._of:
            fleet = snapshot.fleet
            self._renderer = FleetRenderer(fleet, str) if fleet is not None else None
            self._autoprovisioner = Autoprovisioner(fleet) if fleet is not None else None
            self._learner = ModelLearner(fleet)
            settings = fleet.settings if fleet is not None else {}
            # WPI default mode proves nothing about the phone: items only when the fleet chose that explicitly
            unproven_allowed = ProofPolicy(settings).unproven_allowed(VENDOR)
            self._refusal = None if unproven_allowed else "wpi-refused:no-proof"
            self._items = {}
            self._of = snapshot
        return snapshot

    def _plan(self, snapshot: Snapshot, mac: str, reported_model: str | None, ip, assign: bool) -> tuple:
        """(items, config version, journal result) for the phone ``mac``; _NoConfig when it gets none."""
        if mac in snapshot.manifest.phones:
            phone = snapshot.fleet.phone(mac) if snapshot.fleet is not None else None
            if phone is None:
                raise _NoConfig(results.ERROR, "wpi-fleet-not-loaded")
            if phone.vendor != VENDOR:
                raise _NoConfig(results.NOT_FOUND, "wpi-vendor:" + _note(str(phone.vendor)))
            if awaits_model(snapshot.manifest.phones, mac):
                return self._learned_model(phone, reported_model)
            return self._items_of(phone, (mac,)), snapshot.phone_version(mac), results.SERVED
        autoprovisioner = self._autoprovisioner
        if autoprovisioner is None or not autoprovisioner.accepts(VENDOR):
            raise _NoConfig(results.NOT_FOUND)
        if not autoprovisioner.allows(ip):
            raise _NoConfig(results.AUTOPROVISION_REFUSED, "autoprovision-refused:network")
        assignment = self.store.assignment(mac)
        if assignment is not None and (assignment.vendor or VENDOR) != VENDOR:
            raise _NoConfig(results.NOT_FOUND, "wpi-vendor:" + _note(str(assignment.vendor)))
        model = (assignment.model if assignment else None) or reported_model
        why = autoprovisioner.cannot_render(VENDOR, model)
        if why is not None:  # as over HTTP: no number is spent on a phone whose config cannot be made
            raise _NoConfig(results.NOT_FOUND, "autoprovision-failed:" + _note(why))
        if assignment is None:
            if not assign:
                raise _NoConfig(results.NOT_FOUND, "wpi-assignment-released")
            try:
                assignment = autoprovisioner.assign(self.store, mac, ip)
            except AssignmentRefused as refused:
                raise _NoConfig(results.AUTOPROVISION_REFUSED, "autoprovision-refused:" + refused.reason) from None
            if assignment is None:
                raise _NoConfig(results.POOL_FULL)
        try:
            version = autoprovisioner.render(assignment, VENDOR, model)[1]
        except AutoprovisionError as exc:
            raise _NoConfig(results.ERROR, "autoprovision-failed:" + _note(str(exc))) from None
        if assignment.vendor is None:
            self.store.set_assignment_device(mac, VENDOR, model)
        phone = autoprovisioner.phone(assignment, VENDOR, model)
        key = (mac, assignment.number, model)
        return self._items_of(phone, key), version, results.AUTOPROVISIONED

    def _learned_model(self, phone, reported_model: str | None) -> tuple:
        """(items, version, result) of fleet phone ``phone`` that awaits its model, rendered with the model its
        ``device-type`` names (the version of the DMS file publish would make with it, as status counts it)."""
        if reported_model is None:  # a reply-to names no device-type: the model its start-up taught (any worker)
            reported_model = self._learned.get(phone.mac) or self.store.learned_model(phone.mac)
        try:
            model, config = self._learner.config(phone.mac, reported_model, VENDOR)
        except ModelNotLearned as why:
            raise _NoConfig(results.NOT_FOUND, "awaiting-model:" + _note(str(why))) from None
        items = self._items_of(replace(phone, model=model), (phone.mac, model))
        if self._learned.get(phone.mac) != model:
            # saved before the items leave, not with the journal: the status and the write-back read it
            self.store.learn_model(phone.mac, model)
            self._learned[phone.mac] = model
        return items, config.entry["version"], results.SERVED

    def _items_of(self, phone, key: tuple) -> list:
        items = self._items.get(key)
        if items is not None:
            return items
        driver = registry.driver_for(VENDOR)
        model = driver.vendor.model(phone.model) if phone.model else None
        if model is None:
            raise _NoConfig(results.ERROR, "wpi-model-unknown:" + _note(str(phone.model)))
        if self._renderer is None:
            raise _NoConfig(results.ERROR, "wpi-fleet-not-loaded")
        try:
            context, _warnings = self._renderer.contexts.phone_context(phone, driver, model)
            items = driver.wpi_items(context)
        except (RenderError, KeyError, ValueError) as exc:
            raise _NoConfig(results.ERROR, "wpi-render-failed:" + _note(str(exc))) from None
        self._items[key] = items
        return items

    # -- replies and the journal ------------------------------------------------------------------------

    def _send(self, message, ip, recognition, session: _Session, messages: list, result: str) -> WpiReply:
        session = replace(session, issued=int(time.time()))  # expires SESSION_SECONDS after its last step
        headers = self._remember(message.nonce.upper(), session)
        self.journal.add(PROTOCOL, ip, recognition, result, 200, None)
        return WpiReply(200, dls_message(message.nonce, WRITE_ITEMS, messages[session.chunk]), headers=headers)

    def _clean_up(self, message, ip, recognition, result, why="", version=None, solicit=False) -> WpiReply:
        if why:
            recognition = recognition._replace(evidence=(*recognition.evidence, why))
        self.journal.add(PROTOCOL, ip, recognition, result, 200, None, version)
        items = [("send-solicited", None, "true")] if solicit else []
        return WpiReply(200, dls_message(message.nonce, CLEAN_UP, items))

    def _refuse(self, ip, error: WpiError, message: PhoneMessage | None = None, mac: str | None = None) -> WpiReply:
        if message is not None:
            recognition = self._recognition(message, mac)
            recognition = recognition._replace(kind=UNKNOWN, evidence=(f"rejected:wpi-{error.why}",))
        else:
            recognition = Recognition(None, None, None, None, "", UNKNOWN, (f"rejected:wpi-{error.why}",))
        self.journal.add(PROTOCOL, ip, recognition, results.REJECTED, error.code, None)
        text = f"{_REASONS.get(error.code, 'Bad Request')}: {error.why}\n"
        return WpiReply(error.code, text.encode(), "text/plain; charset=utf-8")

    @staticmethod
    def _recognition(message: PhoneMessage, mac: str | None) -> Recognition:
        device = message.value("device-type")
        model = _model(device)
        firmware = message.value("software-version")
        evidence = ("wpi",) if model or not device else ("wpi", "wpi-device-type:" + _note(device))
        what = message.reason
        if message.reason == REPLY_TO:
            what = f"{what}:{message.action or '-'}:{message.status or '-'}"
        return Recognition(
            VENDOR, model, firmware[:64] if firmware else None, mac, what, PHONE, evidence, mac is not None
        )

    # -- sessions ---------------------------------------------------------------------------------------

    def _session(self, nonce: str, token: str | None) -> _Session | None:
        now = time.time()
        while self._sessions:  # oldest first: drop what expired
            oldest = next(iter(self._sessions))
            if now - self._sessions[oldest].issued <= SESSION_SECONDS:
                break
            del self._sessions[oldest]
        session = self._sessions.get(nonce)
        if session is None and token:
            session = _Session.from_token(token, nonce, self.secret)
        if session is not None and now - session.issued > SESSION_SECONDS:
            return None
        return session

    def _remember(self, nonce: str, session: _Session) -> tuple:
        self._sessions.pop(nonce, None)
        self._sessions[nonce] = session
        while len(self._sessions) > MAX_SESSIONS:
            del self._sessions[next(iter(self._sessions))]
        cookie = f"{COOKIE}={session.token(nonce, self.secret)}; Path={COOKIE_PATH}; Secure; HttpOnly"
        return (("set-cookie", cookie),)

    def _forget(self, nonce: str) -> None:
        self._sessions.pop(nonce, None)


# -- waking a phone: contact-me ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactResult:
    ok: bool
    code: int | None = None
    error: str | None = None


def contact_me_request(
    phone_ip: str, port: int = CONTACT_PORT, dls_address: tuple[str, int] | None = None
) -> urllib.request.Request:
    """The contact-me POST to a phone (``ContactMe=true``; ``dls_address`` = (host, port) makes the phone call
    that DLS back instead of its configured one). ValueError for a phone address that is not an IP address."""
    address = ipaddress.ip_address(phone_ip)
    if not 0 < int(port) < 65536:
        raise ValueError(f"not a port: {port}")
    host = f"[{address}]" if address.version == 6 else str(address)
    fields = {"ContactMe": "true"}
    if dls_address is not None:
        dls_host, dls_port = dls_address
        if not dls_host or not 0 < int(dls_port) < 65536:
            raise ValueError(f"not a DLS address: {dls_address!r}")
        fields.update(dls_ip_addr=str(dls_host), dls_ip_port=str(int(dls_port)))
    return urllib.request.Request(
        f"http://{host}:{int(port)}{CONTACT_PATH}",
        data=urllib.parse.urlencode(fields).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):  # a phone does not redirect: report the 3xx
        return None


#: no proxies (a phone is on the LAN, whatever the environment says) and no redirects
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def send_contact_me(
    phone_ip: str, port: int = CONTACT_PORT, dls_address: tuple[str, int] | None = None, timeout: float = 3.0
) -> ContactResult:
    """Ask the phone to open a ``solicited`` interaction; ``ok`` when it answered 2xx (204 expected)."""
    request = contact_me_request(phone_ip, port, dls_address)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(4096)
            return ContactResult(200 <= response.status < 300, response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return ContactResult(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        reason = getattr(exc, "reason", exc)
        return ContactResult(False, None, str(reason) or type(reason).__name__)
