"""What the simulator knows of each vendor's real phones, one module per vendor.

The rule: facts from documents. Every fact a real phone knows by itself (the files it fetches, the
parameter names and codes it reads, what its control paths require, the firmware its files name, its MAC
prefix, whether its model can take a screenshot) is written here, in ``vendors/<vendor>.py``, from the
vendor's own documents or from files real phones were given; each rule cites its source, and what no
source confirms is marked unverified ([I]). Nothing here comes from the collection's drivers
(``plugins/module_utils/vendors``): a simulator that takes its facts from the driver agrees with it by
construction and cannot catch a driver that forgets a setting or writes a wrong name.

The protocol: a vendor module may define any of these (the device and its surfaces call them only
through the functions of this package, never a vendor module by name):

- ``OUIS: tuple[str, ...]``: the vendor's MAC prefixes (IEEE registry), the first one used for made-up
  phones;
- ``accounts(files) -> list[configs.SipAccount]``: the SIP accounts the phone reads from the files it
  fetched (``configs.accounts`` dispatches here);
- ``firmware(model, files) -> FirmwareRef | None``: the firmware image its files name, if any;
- ``control_settings(files) -> settings``: what its control paths depend on, read once when it fetched its
  files (``files`` is ``{}`` before any fetch: the vendor's factory defaults then apply). The settings are
  the module's own type, handed back unchanged to the three rules below;
- ``notify(settings, request: Notify, answer: Answer) -> Answer | Refusal``: what the phone does with a SIP
  NOTIFY its SIP surface understood (``answer`` is the surface's answer for the event: resync, reboot or
  nothing); a :class:`Refusal` when the phone's settings do not allow it;
- ``http(settings, request: HttpControl) -> Refusal | None``: whether the phone serves a control request
  to one of its HTTP routes (None: the route answers);
- ``web_login(settings) -> (user, password) | None``: the web interface's login its files set (None: the
  phone keeps the login it has, the simulator's configured one);
- ``screenshot(model) -> bool``: whether a phone of ``model`` answers its screenshot path at all;
- ``codecs(files) -> list[str]``: the audio codecs the phone offers, most preferred first, named as the fleet
  names them (``opus``, ``g722``, ``pcma``, ``pcmu``, ``g729``...: :data:`FLEET_CODECS`); a vendor whose
  phone has one G.711 entry for both laws names it ``g711``;
- ``timezone(files) -> Clock``: the time zone as the phone applies it (its offset or its vendor's zone name,
  and the daylight-saving rule the file gives or leaves to the phone);
- ``keys(files) -> list[Key]``: the programmable keys the files set (line, BLF, speed dial...), by position;
- ``xml_browser_url(files) -> str | None``: the URL the phone's XML browser opens from its own files (Cisco's
  services button, Yealink's XML-browser key), None when its files name none;
- ``xml_browser_headers(): dict``: headers the XML browser adds to its requests (beside the phone's User-Agent);
- ``xml_screen(data, content_type, url) -> Screen``: what the phone shows of an application's answer (``url``:
  where it came from, for relative links); :class:`ScreenRefused` for what the phone does not show.

These three read the files only (no settings, no rule): they state what a phone would apply, so that a test
compares it with what the fleet asked for.

A vendor without a module, or a module without one of these, behaves as the surfaces' defaults say: no
accounts, no firmware, ``{}`` settings, every request it understands obeyed, no screenshot restriction.
"""

from __future__ import annotations

import importlib
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, NamedTuple

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


# -- what the surfaces hand to the rules, and what the rules answer --------------------------------------------


class Answer(NamedTuple):
    """A SIP surface's answer to a NOTIFY: the response's code and reason, the operation the phone then runs
    (``"reboot"``, ``"resync"`` or None: nothing) and extra response headers."""

    code: int
    reason: str
    operation: str | None
    headers: tuple = ()


@dataclass(frozen=True)
class Notify:
    """A SIP NOTIFY as the phone sees it: the event's name (lower case) and parameters, the sender's address
    and the user part of the Request-URI ("" when it names none)."""

    event: str
    params: dict = field(default_factory=dict)
    source: str = ""
    user: str = ""

    @property
    def reboot_asked(self) -> bool:
        """``;reboot=true`` on the event (check-sync)."""
        return self.params.get("reboot", "").lower() == "true"


@dataclass(frozen=True)
class HttpControl:
    """An HTTP control request as the phone sees it: method, path (without the query) and the caller's address."""

    method: str
    path: str
    peer: str = ""


@dataclass(frozen=True)
class Refusal:
    """The phone does not do what it was asked: nothing runs, and the phone logs why.

    ``code`` and ``reason`` are the answer (the SIP response line, or the HTTP status and body text). With
    ``prompt`` the phone instead asks its user "Allow remote control?" and waits (nobody answers here): it
    answers 200 and does nothing. With ``before_login`` the HTTP route is not served at all (an API turned
    off), so the phone answers without asking for its login."""

    why: str
    code: int = 403
    reason: str = "Forbidden"
    prompt: bool = False
    before_login: bool = False


@dataclass(frozen=True)
class FirmwareRef:
    """The firmware a phone's files name."""

    location: str  # a URL or a path on the provisioning server
    version: str
    indirect: bool = False  # Snom: the location is an XML file naming the image


#: the fleet's codec names (docs/fleet-format.md), the values :func:`codecs` readers return
FLEET_CODECS = (
    "opus", "g722", "pcma", "pcmu", "g729", "g726", "g723", "ilbc", "gsm", "amr", "amr-wb", "g722.1", "g722.1c",
    "speex", "l16",
)  # fmt: skip


@dataclass(frozen=True)
class Clock:
    """A phone's time zone as it applies it.

    ``offset``: minutes east of UTC in standard time (None when the phone takes it from ``zone``, a name of
    its vendor's zone list); ``dst``: the daylight-saving rule as ``"M3.5.0/2,M10.5.0/3"`` (POSIX TZ form:
    month, week of the month with 5 the last, weekday with 0 Sunday, the hour it changes at), ``"auto"`` when
    the file leaves the rule to the phone's own table for its zone, None for no daylight saving;
    ``dst_minutes``: how far the clock moves."""

    offset: int | None
    dst: str | None
    dst_minutes: int = 0
    zone: str = ""


@dataclass(frozen=True)
class Key:
    """A programmable key as the phone shows it: its position (1 = the first key, as the fleet counts), its
    function in the fleet's words (``line``, ``blf``, ``speed_dial``...), its value (the line's number 1, 2...
    for a line key; the number or URI it dials or watches) and its label ("" when the file sets none)."""

    position: int
    function: str
    value: str
    label: str = ""


# -- the XML browser: what a phone shows of an application's screens ----------------------------------------


class ScreenRefused(ValueError):
    """The phone does not show what an application sent (malformed XML, an object its vendor does not define, a
    documented limit passed, the wrong Content-Type); the message says why, naming the URL."""


@dataclass(frozen=True)
class ScreenItem:
    """A menu entry: the name shown and the URL the phone fetches when it is chosen."""

    name: str
    url: str


#: what a phone's keypad lets its user type in a field of each kind (``text``: anything)
KEYPAD = {"digits": "0123456789", "dialled": "0123456789*#", "address": "0123456789."}


@dataclass(frozen=True)
class ScreenField:
    """An input field: the query parameter its value is sent as, its label, whether the phone masks what is typed
    (a PIN), the value it starts with and what the keypad lets the user type (a :data:`KEYPAD` name or
    ``text``)."""

    parameter: str
    label: str
    password: bool = False
    default: str = ""
    keypad: str = "text"


@dataclass(frozen=True)
class Screen:
    """One screen of an XML application as the phone shows it.

    ``kind``: ``menu`` (``items`` to choose from), ``input`` (``fields`` submitted to ``action`` with ``method``)
    or ``text``; ``root``: the object's element name; ``url``: where it was fetched."""

    kind: str
    root: str
    url: str
    title: str = ""
    prompt: str = ""
    text: str = ""
    items: tuple[ScreenItem, ...] = ()
    fields: tuple[ScreenField, ...] = ()
    action: str = ""
    method: str = "GET"


def xml_object(data: bytes, url: str, limit: int | None = None) -> ET.Element:
    """The root of an application's XML answer: well-formed, no DOCTYPE or entity declarations (a phone does
    not expand them; refusing them keeps the parse safe), at most ``limit`` bytes when the vendor documents one."""
    if limit is not None and len(data) > limit:
        raise ScreenRefused(f"{url}: {len(data)} bytes, more than the {limit} the phone shows")
    try:
        return untrusted_xml(data)
    except ET.ParseError as exc:
        raise ScreenRefused(f"{url}: not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise ScreenRefused(f"{url}: {exc}") from None


def untrusted_xml(data: bytes) -> ET.Element:
    """The root of XML that comes off the network: ValueError for DOCTYPE or entity declarations (refused, so no
    entity is ever expanded), ``ET.ParseError`` when it is not well-formed."""
    head = data.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ValueError("DOCTYPE or ENTITY declarations")
    return ET.fromstring(data)  # noqa: S314 - DTDs refused above, so no entity expansion


def child_text(element: ET.Element, name: str) -> str:
    """The text of ``element``'s child ``name`` ("" when absent or empty), surrounding white space removed."""
    found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def screen_link(target: str, base: str, name: str) -> str:
    """A URL an object names (``target``), relative ones taken from the page's ``base`` [I: not documented]."""
    if not target:
        raise ScreenRefused(f"{base}: <{name}> without a URL")
    return urllib.parse.urljoin(base, target)


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """``url`` with ``pairs`` appended as its query string (after ``&`` when it has one already)."""
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)


# -- helpers the vendor modules share -------------------------------------------------------------------------

_VERSION = re.compile(r"\d+(?:[._]\d+)+")
_EXTENSIONS = (".rom", ".bin", ".ld", ".loads", ".zip", ".img", ".z")


def version_in(location: str) -> str:
    """The firmware version a file name carries: its last dotted or underscored number group (Avaya's
    ``R4_1_6_0_6`` giving ``4.1.6.0.6``), as nothing else in the files names it."""
    name = urllib.parse.unquote(location.rstrip("/").rpartition("/")[2])
    for extension in _EXTENSIONS:
        if name.lower().endswith(extension):
            name = name[: -len(extension)]
            break
    found = _VERSION.findall(name) or _VERSION.findall(urllib.parse.unquote(location))
    return found[-1].replace("_", ".") if found else name


def first(pattern: str, files: dict, flags: int = 0) -> str | None:
    """The first group of the first match of ``pattern`` in the fetched files (stripped), or None."""
    text = "\n".join(
        body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body) for body in files.values()
    )
    match = re.search(pattern, text, flags)
    value = match.group(1).strip() if match else ""
    return value or None


def transition(month: int, week: int, weekday: int, hour: int) -> str:
    """One daylight-saving change in POSIX TZ form (``M3.5.0/2``): ``week`` 1-5 (5 the last), ``weekday`` 0-6
    (0 Sunday), as :class:`Clock` states them whatever the vendor's own numbering."""
    return f"M{month}.{week}.{weekday % 7}/{hour}"


def named_firmware(url: str | None) -> FirmwareRef | None:
    """A firmware named by its URL, the version read from the file name."""
    return FirmwareRef(url, version_in(url)) if url else None


# -- the protocol ----------------------------------------------------------------------------------------------


def rules_of(vendor: str) -> ModuleType | None:
    """The vendor's module of this package, or None when it has none."""
    if not _NAME.match(vendor):
        return None
    try:
        return importlib.import_module(f"{__name__}.{vendor}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{vendor}":
            raise
        return None


def _hook(vendor: str, name: str) -> Any:
    return getattr(rules_of(vendor), name, None)


def ouis(vendor: str) -> tuple[str, ...]:
    """The vendor's MAC prefixes (lower-case hex, 6 digits); () when its module names none."""
    return tuple(_hook(vendor, "OUIS") or ())


def firmware(vendor: str, model: str | None, files: dict) -> FirmwareRef | None:
    """The firmware the fetched ``files`` name for a phone of ``vendor`` and ``model``, or None."""
    read = _hook(vendor, "firmware")
    return read(model, files) if read is not None and files else None


def control_settings(vendor: str, files: dict) -> object:
    """What the phone's control paths depend on, as its vendor module reads ``files`` ({} without one)."""
    read = _hook(vendor, "control_settings")
    return read(files) if read is not None else {}


def notify_answer(vendor: str, settings: object, request: Notify, answer: Answer) -> Answer | Refusal:
    """What the phone does with a NOTIFY once the vendor's rules have seen its ``settings``."""
    rule = _hook(vendor, "notify")
    return rule(settings, request, answer) if rule is not None else answer


def http_refusal(vendor: str, settings: object, request: HttpControl) -> Refusal | None:
    """A refusal of an HTTP control request by the vendor's rules, or None (the route answers)."""
    rule = _hook(vendor, "http")
    return rule(settings, request) if rule is not None else None


def web_login(vendor: str, settings: object) -> tuple[str, str] | None:
    """The login of the phone's web interface as its files set it, or None (it keeps the one it has)."""
    rule = _hook(vendor, "web_login")
    return rule(settings) if rule is not None else None


def codecs(vendor: str, files: dict) -> list[str] | None:
    """The codecs a phone of ``vendor`` offers, as its module reads ``files``; None when it reads none."""
    read = _hook(vendor, "codecs")
    return read(files) if read is not None else None


def timezone(vendor: str, files: dict) -> Clock | None:
    """The time zone a phone of ``vendor`` applies, as its module reads ``files``; None when it reads none."""
    read = _hook(vendor, "timezone")
    return read(files) if read is not None else None


def keys(vendor: str, files: dict) -> list[Key] | None:
    """The keys a phone of ``vendor`` shows, as its module reads ``files``; None when it reads none."""
    read = _hook(vendor, "keys")
    return read(files) if read is not None else None


def has_screenshot(vendor: str, model: str | None) -> bool:
    """Whether a phone of ``model`` serves its screenshot path (True unless its vendor module says not)."""
    rule = _hook(vendor, "screenshot")
    return rule(model) if rule is not None else True


def xml_browser_url(vendor: str, files: dict) -> str | None:
    """The URL a phone of ``vendor`` opens with its services button or XML-browser key, as its files name it;
    None when they name none (or its vendor module knows no XML browser)."""
    read = _hook(vendor, "xml_browser_url")
    return read(files) if read is not None else None


def xml_browser_headers(vendor: str) -> dict:
    """The headers a phone of ``vendor`` adds to its XML browser's requests ({} when its module names none)."""
    read = _hook(vendor, "xml_browser_headers")
    return dict(read()) if read is not None else {}


def xml_screen(vendor: str, data: bytes, content_type: str, url: str) -> Screen:
    """What a phone of ``vendor`` shows of ``data``, an XML application's answer from ``url``."""
    read = _hook(vendor, "xml_screen")
    if read is None:
        raise ScreenRefused(f"{url}: the simulated {vendor} phone has no XML browser")
    return read(data, content_type, url)
