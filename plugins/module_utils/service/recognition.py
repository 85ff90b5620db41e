# Private to this collection: who is asking for which file, from one HTTP or TFTP request.
"""Request recognition: vendor, model, firmware and MAC of the phone behind a request, and what it asks for.

The provisioning service calls :func:`recognize` for every HTTP and TFTP request. The facts come from the
vendor drivers' data sheets (``user_agents`` and ``requested_files`` regexes, model catalogs, MAC blocks);
nothing vendor-specific is decided here, except the few model spellings in ``_MODEL_SPELLINGS``.

Evidence, most specific first:

1. the User-Agent: Yealink, Poly, Snom, Grandstream, Fanvil, Avaya and Cisco MPP phones name their model and
   firmware there, most of them their MAC too;
2. the file name: ``SEP<MAC>.cnf.xml`` is Cisco enterprise, ``cfg<mac>.xml`` Grandstream, while ``<mac>.cfg``
   is asked for by six vendors and names none by itself;
3. the MAC block (OUI) of the MAC found (User-Agent, file name, or ``client_mac`` given by the transport,
   e.g. Unify's ``macaddress`` header).

Ambiguity is never settled by guessing: a later source only narrows the vendors an earlier one left, and
when several remain (``<mac>.cfg`` from an unknown MAC block, a Cisco MAC that fits both enterprise and MPP
firmware) the vendor stays None and ``evidence`` says ``ambiguous:<vendors>``.

A path is normalised once here (query dropped, leading slashes stripped, percent-decoded exactly once) and
anything that could climb out of the web root or smuggle a second decoding (``..`` or ``.`` segments,
backslashes, NUL and other control characters, non-ASCII, ``%`` left after decoding) is rejected: kind
``unknown``, vendor None, an empty ``file`` and ``rejected:<why>`` in the evidence. :func:`recognize` never
raises.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

from ..catalog import registry

PHONE = "phone"
SHARED = "shared"
BASE = "base"
FIRMWARE = "firmware"
UNKNOWN = "unknown"

#: longer paths and User-Agents are junk: no phone sends them, and regexes need not read them
MAX_PATH = 1024
MAX_USER_AGENT = 1024
#: the folder firmware is published under (``provisioning.firmware_url`` of the render context)
FIRMWARE_FOLDER = "firmware/"
#: file endings of firmware images and loads (Yealink .rom, Avaya/Grandstream .bin, Poly .ld, Cisco .loads/.sbn/.zz)
FIRMWARE_SUFFIXES = (".rom", ".bin", ".ld", ".loads", ".sbn", ".zz")

#: catalog spellings tried when a request's model string is not a catalog name or alias itself:
#: Cisco MPP phones say "6841" / "7841" (User-Agent ``Cisco-CP-7841-3PCC/…``, file ``7841-3PCC.xml``)
#: while the catalog names the model ``CP-7841-3PCC`` with no bare-number alias.
_MODEL_SPELLINGS: dict[str, tuple[str, ...]] = {"cisco_mpp": ("CP-{}-3PCC",)}

_ZERO_MAC = "000000000000"
_HEX = frozenset("0123456789abcdef")


# a NamedTuple: immutable like a frozen dataclass, and made for every request at a tenth of its cost
class Recognition(NamedTuple):
    """What a request says about the phone that made it.

    ``vendor``: registry name or None; ``model``: catalog name or None (unknown model strings stay None);
    ``firmware``: as reported; ``mac``: 12 lower-case hex digits or None, the requester's own MAC when it
    said so (User-Agent, then ``client_mac``), else the MAC in the file name; ``file``: the requested
    path without leading ``/`` or query, percent-decoded ("" when rejected); ``kind``: ``phone`` (a
    per-phone file), ``shared`` (a file every phone of a vendor or model fetches), ``base`` (what an
    unknown phone gets), ``firmware`` or ``unknown``; ``evidence``: ``user-agent``, ``file-name``, ``oui``
    for what decided, and notes: ``ambiguous:<vendors>`` (still several), ``oui-unknown`` / ``oui-other:<vendors>``
    (the MAC block did not help), ``mac-mismatch`` (the file names another MAC than the requester's own),
    ``user-agent-ignored`` (too long), ``rejected:<why>`` (path refused: see the module docstring);
    ``mac_stated``: the request itself stated a MAC (not only the file name).
    """

    vendor: str | None
    model: str | None
    firmware: str | None
    mac: str | None
    file: str
    kind: str
    evidence: tuple[str, ...] = ()
    mac_stated: bool = False  # the request itself (User-Agent, client_mac) stated the phone's MAC


# -- the rule tables, compiled once --------------------------------------------------------------------


@dataclass(frozen=True)
class _FileRule:
    pattern: re.Pattern
    #: (vendor, names of its base files) for every vendor declaring this regex (a platform shares its own)
    vendors: tuple[tuple[str, frozenset], ...]
    mac_group: int
    model_group: int


@dataclass(frozen=True)
class _AgentRule:
    pattern: re.Pattern
    vendors: tuple[str, ...]
    model_group: int
    firmware_group: int
    mac_group: int


def _base_names(driver, vendor) -> frozenset:
    """The driver's base files that do not depend on the fleet (its base files with every model in the fleet)."""
    try:
        files = driver.base_files({"models": [model.name for model in vendor.models]})
        return frozenset(spec.name for spec in files)
    except Exception:  # noqa: BLE001 - a driver's base_files needing more context only loses the "base" kind
        return frozenset()


def _build_rules() -> tuple[tuple[_FileRule, ...], tuple[_AgentRule, ...]]:
    files: dict[str, list] = {}
    agents: dict[str, list] = {}
    for name, vendor in registry.VENDORS.items():
        driver = registry.driver_for(name)
        if driver is None:
            continue
        base = _base_names(driver, vendor)
        for regex in driver.requested_files:
            files.setdefault(regex, []).append((name, base))
        for regex in driver.user_agents:
            agents.setdefault(regex, []).append(name)
    file_rules = []
    for regex, vendors in files.items():
        pattern = re.compile(regex)
        file_rules.append(
            _FileRule(pattern, tuple(vendors), pattern.groupindex.get("mac", 0), pattern.groupindex.get("model", 0))
        )
    agent_rules = []
    for regex, vendors in agents.items():
        pattern = re.compile(regex)
        index = pattern.groupindex
        agent_rules.append(
            _AgentRule(pattern, tuple(vendors), index.get("model", 0), index.get("firmware", 0), index.get("mac", 0))
        )
    return tuple(file_rules), tuple(agent_rules)


_FILE_RULES, _AGENT_RULES = _build_rules()

#: a regex ending in ``\.ext`` or ``\.(?:ext|ext)``: it can only match names with one of those extensions
_TRAILING_EXTENSIONS = re.compile(r"\\\.(?:([A-Za-z0-9]+)|\(\?:([A-Za-z0-9|]+)\))$")


def _extensions(pattern: re.Pattern) -> tuple[str, ...] | None:
    """The extensions (``.cfg``) a rule's names must end with, or None when the regex text does not say."""
    found = None if pattern.flags & re.IGNORECASE else _TRAILING_EXTENSIONS.search(pattern.pattern)
    if found is None:
        return None
    return tuple("." + extension for extension in (found.group(1) or found.group(2)).split("|"))


def _rules_by_extension() -> tuple[dict[str, tuple[_FileRule, ...]], tuple[_FileRule, ...]]:
    """For each extension, the rules worth trying on a name ending with it (registry order kept); and the
    rules for any other name (those whose regex names no extension)."""
    wanted = {rule: _extensions(rule.pattern) for rule in _FILE_RULES}
    extensions = {extension for found in wanted.values() if found for extension in found}
    table = {
        extension: tuple(rule for rule in _FILE_RULES if (found := wanted[rule]) is None or extension in found)
        for extension in extensions
    }
    return table, tuple(rule for rule in _FILE_RULES if wanted[rule] is None)


_RULES_BY_EXTENSION, _RULES_ANY_EXTENSION = _rules_by_extension()


def _vendor_rules() -> dict[str, tuple]:
    """For each vendor: (its User-Agent rules, its file rules by extension, its rules for other names).

    A request for a file the manifest says is a given vendor's is recognised with that vendor's rules
    only (a few regexes instead of every vendor's); results of other vendors sharing a rule are dropped.
    """
    table = {}
    for vendor in registry.VENDORS:
        agents = tuple(rule for rule in _AGENT_RULES if vendor in rule.vendors)
        mine = {rule for rule in _FILE_RULES if any(name == vendor for name, _base in rule.vendors)}
        by_extension = {
            extension: tuple(r for r in rules if r in mine) for extension, rules in _RULES_BY_EXTENSION.items()
        }
        table[vendor] = (agents, by_extension, tuple(rule for rule in _RULES_ANY_EXTENSION if rule in mine))
    return table


_RULES_OF = _vendor_rules()


# -- small helpers -----------------------------------------------------------------------------------


def _mac(value) -> str | None:
    """12 lower-case hex digits from a MAC in any usual spelling; None for anything else or the zero MAC."""
    if not isinstance(value, str) or len(value) > 17:
        return None
    digits = value.lower().replace(":", "").replace("-", "").replace(".", "")
    if len(digits) != 12 or not _HEX.issuperset(digits) or digits == _ZERO_MAC:
        return None
    return digits


def _owners_by_oui() -> dict[str, frozenset]:
    owners: dict[str, set] = {}
    for vendor in registry.VENDORS.values():
        for oui in vendor.ouis:
            owners.setdefault(oui, set()).add(vendor.name)
    return {oui: frozenset(names) for oui, names in owners.items()}


_OWNERS_BY_OUI = _owners_by_oui()
_NO_OWNER: frozenset = frozenset()


def _oui_vendors(mac: str) -> frozenset:
    """Vendors whose MAC blocks hold ``mac`` (12 lower-case hex digits): registry.vendors_for_mac, as a table."""
    return _OWNERS_BY_OUI.get(mac[:6], _NO_OWNER)


#: evidence of a request whose model string its vendor's catalog lacks, followed by the string (32 characters)
UNKNOWN_MODEL = "model-unknown:"


@functools.lru_cache(maxsize=1024)
def _model_name(vendor: str, reported: str) -> str | None:
    """The catalog name of a model string a phone reported, or None when the catalog has no such model."""
    info = registry.VENDORS[vendor]
    for spelling in ("{}", *_MODEL_SPELLINGS.get(vendor, ())):
        model = info.model(spelling.format(reported))
        if model is not None:
            return model.name
    return None


#: a path every check below would pass as it is: plain segments, none starting with a dot, nothing encoded
_PLAIN_PATH = re.compile(r"/*[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")


def _normalise(path) -> tuple[str, str]:
    """(file, "") for a path safe to look up, ("", why) for one to reject."""
    if not isinstance(path, str):
        return "", "not-text"
    if len(path) > MAX_PATH:
        return "", "too-long"
    if _PLAIN_PATH.fullmatch(path):  # what phones send: no decoding, no traversal, nothing to check
        return path.lstrip("/"), ""
    raw = path.partition("?")[0].partition("#")[0]
    if raw[:7].lower() == "http://" or raw[:8].lower() == "https://":  # absolute-form request target
        raw = raw.partition("//")[2].partition("/")[2]
    try:
        name = unquote(raw, errors="strict").lstrip("/")
    except UnicodeDecodeError:
        return "", "encoding"
    if not name:
        return "", "empty"
    if not (name.isascii() and name.isprintable()) or "\\" in name:
        return "", "characters"
    if "%" in name:  # still encoded after one decoding: double encoding
        return "", "encoding"
    if "//" in name or name.endswith("/") or name in (".", "..") or "/./" in f"/{name}/" or "/../" in f"/{name}/":
        return "", "traversal"
    return name, ""


@functools.lru_cache(maxsize=8192)
def _parse_user_agent(
    user_agent: str, only: str | None = None
) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """(vendor, model as reported, firmware, mac) for every vendor whose User-Agent regexes match
    (``only``: that vendor's regexes, and that vendor's facts)."""
    found: dict[str, list] = {}
    for rule in _AGENT_RULES if only is None else _RULES_OF[only][0]:
        match = rule.pattern.search(user_agent)
        if match is None:
            continue
        model = match.group(rule.model_group) if rule.model_group else None
        firmware = match.group(rule.firmware_group) if rule.firmware_group else None
        mac = _mac(match.group(rule.mac_group)) if rule.mac_group else None
        for vendor in rule.vendors if only is None else (only,):
            facts = found.setdefault(vendor, [None, None, None])
            for index, value in enumerate((model, firmware, mac)):  # a vendor's first regex that tells wins
                if facts[index] is None and value:
                    facts[index] = value
    return tuple((vendor, *facts) for vendor, facts in found.items())


def _match_files(name: str, only: str | None = None) -> list[tuple[str, str, str | None, str | None]]:
    """(vendor, kind, mac, model as named) for every vendor's file regex matching ``name`` (``only``: that vendor's)."""
    found = []
    dot = name.rfind(".")
    by_extension, any_extension = (_RULES_BY_EXTENSION, _RULES_ANY_EXTENSION) if only is None else _RULES_OF[only][1:]
    rules = by_extension.get(name[dot:], any_extension) if dot > name.rfind("/") else any_extension
    for rule in rules:
        match = rule.pattern.fullmatch(name)
        if match is None:
            continue
        mac = None
        if rule.mac_group:
            mac = match.group(rule.mac_group).lower()
            if len(mac) != 12 or mac == _ZERO_MAC or not _HEX.issuperset(mac):
                continue  # not a MAC; the zero MAC names no phone: drivers serving 000000000000.* list it literally
        model = match.group(rule.model_group) if rule.model_group else None
        for vendor, base in rule.vendors:
            if only is None or vendor == only:
                kind = PHONE if mac else BASE if name in base else SHARED
                found.append((vendor, kind, mac, model))
    return found


def _narrow(candidates: list[str], mac: str | None, evidence: list[str]) -> list[str]:
    """The candidates whose MAC blocks hold ``mac``, when that leaves any; notes in ``evidence`` what the OUI did."""
    if len(candidates) < 2 or mac is None:
        return candidates
    owners = _oui_vendors(mac)
    kept = [vendor for vendor in candidates if vendor in owners]
    if kept:
        evidence.append("oui")
        return kept
    evidence.append("oui-other:" + ",".join(sorted(owners)) if owners else "oui-unknown")
    return candidates


def _firmware_file(name: str) -> bool:
    return name.startswith(FIRMWARE_FOLDER) or name.lower().endswith(FIRMWARE_SUFFIXES)


# -- the entry point ---------------------------------------------------------------------------------


def recognize(
    path: str, user_agent: str | None, client_mac: str | None = None, vendor: str | None = None
) -> Recognition:
    """Recognise the phone and the file of one request (HTTP path or TFTP file name); never raises.

    ``vendor``: the vendor the published file belongs to, when the caller knows it (the manifest). The
    request is then read with that vendor's rules alone, unless they do not fit it (a User-Agent of
    another vendor, a file name they do not know): then as without it, so the answer is the same but
    for ``evidence`` notes about narrowing that a known vendor makes moot.
    """
    try:
        return _recognize(path, user_agent, client_mac, vendor if vendor in _RULES_OF else None)
    except Exception:  # noqa: BLE001 - whatever a request holds, the service gets an answer
        return Recognition(None, None, None, None, "", UNKNOWN, ("rejected:error",))


def _recognize(path, user_agent, client_mac, hint) -> Recognition:
    name, why = _normalise(path)
    if why:
        return Recognition(None, None, None, None, "", UNKNOWN, (f"rejected:{why}",))
    evidence: list[str] = []

    agents: tuple = ()
    if isinstance(user_agent, str) and user_agent:
        if len(user_agent) > MAX_USER_AGENT:
            evidence.append("user-agent-ignored")
        else:
            agents = _parse_user_agent(user_agent, hint)
    files = _match_files(name, hint)
    if not files and "/" in name:  # a deployment prefix (``Fanvil/<mac>.cfg``, ``yealink/…``): the base name
        files = _match_files(name.rpartition("/")[2], hint)
    if hint is not None and (not files or (user_agent and not agents and "user-agent-ignored" not in evidence)):
        return _recognize(path, user_agent, client_mac, None)  # the hint does not fit: every vendor's rules
    client = _mac(client_mac)
    file_mac = next((entry[2] for entry in files if entry[2]), None)

    # 1. User-Agent, 2. file name, 3. MAC block: each narrows what the one before left
    vendor = None
    if agents:
        candidates = [entry[0] for entry in agents]
        agent_mac = next((entry[3] for entry in agents if entry[3]), None)
        evidence.append("user-agent")
        if len(candidates) > 1:  # a platform's User-Agent, shared by a brand built on it
            candidates = _narrow(candidates, agent_mac or client or file_mac, evidence)
        if len(candidates) > 1:
            known = [entry[0] for entry in agents if entry[0] in candidates and entry[1] and _model_name(*entry[:2])]
            candidates = known if len(known) == 1 else candidates
    elif files:
        candidates = list(dict.fromkeys(entry[0] for entry in files))
        evidence.append("file-name")
        candidates = _narrow(candidates, client or file_mac, evidence)
    else:
        candidates = sorted(_oui_vendors(client)) if client else []
        if candidates:
            evidence.append("oui")
    if len(candidates) == 1:
        vendor = candidates[0]
    elif candidates:
        evidence.append("ambiguous:" + ",".join(candidates))

    # the facts of the vendor found (or of every candidate's file match when none was)
    reported_model = firmware = None
    agent_mac = next((entry[3] for entry in agents if entry[3]), None)
    for entry in agents:
        if entry[0] == vendor:
            _ignored, reported_model, firmware, agent_mac = entry
    mine = [entry for entry in files if entry[0] == vendor] if vendor else files
    if reported_model is None and vendor:
        reported_model = next((entry[3] for entry in mine if entry[3]), None)
    model = _model_name(vendor, reported_model) if vendor and reported_model else None
    if model is None and vendor and reported_model:  # what it said, for the journal (a phone awaiting its model)
        evidence.append(UNKNOWN_MODEL + reported_model[:32].replace(",", ""))

    kinds = {entry[1] for entry in mine}
    if kinds:  # a name matching a vendor's MAC regex and a common-file regex (f0<hex>.cfg) is the phone's
        kind = next(kind for kind in (PHONE, BASE, SHARED) if kind in kinds)
    else:
        kind = FIRMWARE if _firmware_file(name) else UNKNOWN

    requester = agent_mac or client
    named = next((entry[2] for entry in mine if entry[2]), None)
    if requester and named and requester != named:
        evidence.append("mac-mismatch")
    return Recognition(vendor, model, firmware, requester or named, name, kind, tuple(evidence), requester is not None)
