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
- ``keys(files) -> list[Key]``: the programmable keys the files set (line, BLF, speed dial...), by position.

These three read the files only (no settings, no rule): they state what a phone would apply, so that a test
compares it with what the fleet asked for.

A vendor without a module, or a module without one of these, behaves as the surfaces' defaults say: no
accounts, no firmware, ``{}`` settings, every request it understands obeyed, no screenshot restriction.
"""

from __future__ import annotations

import importlib
import re
import urllib.parse
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
