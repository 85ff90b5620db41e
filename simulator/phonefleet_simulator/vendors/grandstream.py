"""Grandstream GXP21xx / GRP26xx: how the phone reads its ``cfg<mac>.xml`` and guards its control paths.

Sources (the vendor's own P-value configuration templates, as published with FusionPBX and checked in
research/param-audit.md §8):

- [GRP26xx] "Configuration Template For GRP26xx Firmware Version 1.0.3.6"
  (fusionpbx ``resources/templates/provision/grandstream/grp26xx/{$mac}.xml``);
- [GRP261x] "Configuration Template for GRP261x/2x/3x/5x/7x Firmware Version 1.0.9.103" (the alias form,
  each item commented with its P-value: fusion ``grandstream/grp2616``);
- [GXP17xx] "Configuration Template For GXP1782/1780/1760 Firmware Version 1.0.1.133".

[V] read in one of these; [I] inferred (what the phone does when a value is wrong or missing is never
described there: the answers below are ours, and marked so).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from .. import configs
from . import Answer, Clock, FirmwareRef, HttpControl, Key, Notify, Refusal, first, transition, version_in

#: Grandstream's MAC prefix [the IEEE OUI registry's block of Grandstream Networks; not re-checked: I]
OUIS = ("000b82",)

#: account 1's P-values [GRP26xx "Account 1/General Settings", "SIP Settings"]
ACCOUNT_1 = {
    "active": 271,
    "server": 47,
    "outbound": 48,
    "user": 35,
    "auth": 36,
    "password": 34,
    "display": 3,
    "transport": 130,
    "allow_sip_reset": 26015,
}
#: accounts 2-5 [V GRP26xx: P401…, P501…, P601…, "Account 5 GRP2615 only" P701…]; account 6 at 800
#: [I: the step continues; GRP2616 has six accounts and no P-value template for the sixth was found]
ACCOUNT_BASES = {2: 400, 3: 500, 4: 600, 5: 700, 6: 800}
#: offsets from an account's base [V GRP26xx: P402 server, P403 outbound proxy, P404 user ID, P405
#: auth ID, P406 password, P407 name, P448 "SIP Transport. 0 - UDP, 1 - TCP, 2 - TCP/TLS"]
ACCOUNT_OFFSETS = {
    "active": 1,
    "server": 2,
    "outbound": 3,
    "user": 4,
    "auth": 5,
    "password": 6,
    "display": 7,
    "transport": 48,
}
#: "Allow SIP Reset. 0 - No, 1 - Yes. Default is 0" [V GRP26xx: P26015, P26115, P26215, P26315, P26415]
ALLOW_SIP_RESET_STEP = 100
TRANSPORTS = {"0": "udp", "1": "tcp", "2": "tls"}
#: "Preferred Vocoder … choice 1-8": P57-P62, P46, P98, "Number: 0, 2, 4, 8, 9, 18, 98, 125" [V GRP26xx,
#: GXP17xx: 125 is Opus; "OPUS Payload Type. Default is 123" is P2385, not a vocoder]
VOCODER_SLOTS = ("P57", "P58", "P59", "P60", "P61", "P62", "P46", "P98")
VOCODERS = frozenset({"0", "2", "4", "8", "9", "18", "98", "125"})
#: P64 "Time Zone": the web UI's list [V GRP261x, "Option: TimeZone"], or ``customize`` with the rule in
#: P246 "Self Defined Time Zone. Max length allowed is 64 characters"
TIME_ZONES = frozenset(
    {
        "auto",
        "customize",
        "TAZ+12",
        "TAB+11",
        "HAW10",
        "AKST9AKDT",
        "PST8PDT",
        "PST8PDT,M3.2.0,M11.1.0",
        "MST7MDT",
        "MST7",
        "MST7MDT,M4.1.0,M10.5.0",
        "CST6CDT",
        "CST+6",
        "CST6CDT,M4.1.0,M10.5.0",
        "EST5EDT",
        "EST5",
        "TZf+4:30",
        "AST4ADT",
        "AST4ADT,M3.2.0,M11.1.0",
        "CLT4CLST,M9.1.6/24:00,M4.1.6/24:00",
        "NST+3:30NDT+2:30,M3.2.0/02:00:00,M11.1.0/02:00:00",
        "TZK+3",
        "BRST+3BRDT+2,M11.1.0,M2.3.0",
        "UTC+3",
        "TZL+2",
        "TZM+1",
        "TZM+1TZN+0,M3.4.6/24:00:00,M10.4.0/1:00:00",
        "TZN+0",
        "GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00",
        "WET-0WEST-1,M3.5.0/01:00:00,M10.5.0/02:00:00",
        "GMT+0IST-1,M3.5.0/01:00:00,M10.5.0/02:00:00",
        "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00",
        "TZP-2",
        "EET-2EEST-3,M3.4.5/02:00:00,M10.4.0/02:00:00",
        "EET-2EEST-3,M3.5.0/03:00:00,M10.4.0/04:00:00",
        "EET-2EEST,M3.5.0/3,M10.5.0/4",
        "TZQ-3",
        "MSK-3",
        "IRST-3:30IRDT-4:30,M3.3.5/24:00:00,M9.3.0/24:00:00",
        "TZR-4",
        "TZS-5",
        "TZT-5:30",
        "TZU-5:45",
        "TZV-6",
        "TZW-6:30",
        "TZX-7",
        "WIB-7",
        "TZY-8",
        "SGT-8",
        "ULAT-8",
        "WST-8",
        "TZZ-9",
        "CST-9:30CDT-10:30,M10.5.0/02:00:00,M3.5.0/03:00:00",
        "CST-9:30",
        "TZb-10",
        "EST-10EDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00",
        "EST-10",
        "TZc-11",
        "NZST-12NZDT-13,M9.4.0/02:00:00,M4.1.0/03:00:00",
        "FJT-12FJST-13,M11.2.0/02:00:00,M1.2.0/03:00:00",
        "TZe-13",
    }
)
CUSTOM_ZONE_MAX = 64
_P_VALUE = re.compile(r"^P\d+$")


def p_values(files: dict) -> dict[str, str]:
    """Every P-value of the ``<gs_provision>`` files fetched, later files (and later elements) winning."""
    values: dict[str, str] = {}
    for _path, root in configs._documents(files, "gs_provision"):
        for element in root.iter():
            name = configs._local(element.tag)
            if _P_VALUE.match(name):
                values[name] = (element.text or "").strip()
    return values


def account_numbers(index: int) -> dict[str, int]:
    """The P-value numbers of account ``index`` (1-6)."""
    if index == 1:
        return dict(ACCOUNT_1)
    numbers = {field: ACCOUNT_BASES[index] + offset for field, offset in ACCOUNT_OFFSETS.items()}
    numbers["allow_sip_reset"] = ACCOUNT_1["allow_sip_reset"] + ALLOW_SIP_RESET_STEP * (index - 1)
    return numbers


def _reader(values: dict[str, str], numbers: dict[str, int]) -> Callable[[str], str | None]:
    """The value of one account's field (its P-value in ``numbers``), None when empty or absent."""

    def get(field: str) -> str | None:
        return values.get(f"P{numbers[field]}") or None

    return get


def accounts(files: dict) -> list[configs.SipAccount]:
    """The SIP accounts the phone registers. P47/P48 ``host[:port]``, P32 expiry in minutes (account 1)."""
    values = p_values(files)
    found = []
    for index in range(1, len(ACCOUNT_BASES) + 2):
        get = _reader(values, account_numbers(index))

        user = get("user")
        if user is None:
            continue
        what = f"account {index}"
        registrar, port = configs._host_port(get("server") or "", f"{what} server")
        outbound = get("outbound")
        outbound_host, outbound_port = (
            configs._host_port(outbound, f"{what} outbound proxy") if outbound else (None, None)
        )
        expires = configs._int(values.get("P32"), "P32") if index == 1 else None
        found.append(
            configs._account(
                line=index,
                user=user,
                auth_user=get("auth"),
                password=get("password"),
                display_name=get("display"),
                registrar=registrar,
                port=port,
                transport=configs._code(get("transport"), TRANSPORTS, f"{what} transport"),
                expires=expires * 60 if expires is not None else None,
                enabled=(get("active") or "1") == "1",
                outbound_proxy=outbound_host,
                outbound_port=outbound_port,
            )
        )
    return found


def refused_values(files: dict) -> list[str]:
    """Values the phone's web UI would not take (each named with its P-value): vocoder codes outside the
    list, a time zone neither listed nor ``customize``, a custom rule missing or too long [V the lists
    above; that the phone then keeps its default is I]."""
    values = p_values(files)
    refused = [
        f"{slot}={values[slot]!r}: not a vocoder code ({', '.join(sorted(VOCODERS, key=int))})"
        for slot in VOCODER_SLOTS
        if slot in values and values[slot] not in VOCODERS
    ]
    zone = values.get("P64")
    if zone is not None and zone not in TIME_ZONES:
        refused.append(f"P64={zone!r}: neither a listed time zone nor 'customize'")
    if zone == "customize" and not 0 < len(values.get("P246", "")) <= CUSTOM_ZONE_MAX:
        refused.append(
            f"P246={values.get('P246', '')!r}: P64 'customize' needs a rule of 1-{CUSTOM_ZONE_MAX} characters"
        )
    return refused


# -- control -----------------------------------------------------------------------------------------------


def control_settings(files: dict) -> dict[str, str]:
    """The P-values the phone's control paths read (every P-value of its files)."""
    return p_values(files)


def notify_refusal(values: dict[str, str], user: str) -> str | None:
    """Why the phone ignores a NOTIFY ``check-sync`` addressed to ``user`` (None: it acts on it).

    The account the Request-URI names (else account 1) must have "Allow SIP Reset" on: P26015 (account 1),
    P26115… [V GRP26xx, default 0; wazo sets it "to synchronize"]. The phone's answer when it is off is
    not documented: 403 here [I]."""
    chosen = 1
    for index in range(1, len(ACCOUNT_BASES) + 2):
        if user and values.get(f"P{account_numbers(index)['user']}") == user:
            chosen = index
            break
    number = account_numbers(chosen)["allow_sip_reset"]
    if values.get(f"P{number}") != "1":
        return f"Allow SIP Reset (P{number}) of account {chosen} is off"
    return None


def http_refusal(values: dict[str, str], peer: str) -> str | None:
    """Why the phone refuses remote control over HTTP from ``peer`` (None: allowed).

    "Network/Remote Control" [V GRP261x: P32050 "Action URI Support", P32051 "Remote Control Pop up Window
    Support", P32052 "Action URI Allowed IP List" (String)]. That ``api-sys_operation`` obeys them, that an
    empty list allows nobody (Yealink's documented rule for its own list) and that the list takes
    comma-separated addresses and CIDR networks are [I]; a pop-up nobody answers is a refusal [I]."""
    if values.get("P32050") != "1":
        return "Action URI support (P32050) is off"
    if values.get("P32051", "1") != "0":
        return "remote control asks the phone's user first (P32051 pop-up on)"
    if not address_allowed(values.get("P32052", ""), peer):
        return f"{peer} is not in the Action URI allowed IP list (P32052)"
    return None


def notify(values: dict[str, str], request: Notify, answer: Answer) -> Answer | Refusal:
    """The protocol's NOTIFY rule: :func:`notify_refusal` for the Request-URI's user."""
    why = notify_refusal(values, request.user)
    return Refusal(why) if why else answer


def http(values: dict[str, str], request: HttpControl) -> Refusal | None:
    """The protocol's HTTP rule: :func:`http_refusal` for the caller."""
    why = http_refusal(values, request.peer)
    return Refusal(why, reason=f"Forbidden: {why}") if why else None


def address_allowed(allow_list: str, peer: str) -> bool:
    """Whether ``peer`` is one of the addresses or networks of ``allow_list`` (commas, semicolons, spaces)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    for entry in re.split(r"[,;\s]+", allow_list.strip()):
        if not entry:
            continue
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # an entry the phone cannot read allows nobody
    return False


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``P192`` "Firmware Server Path" and ``P232`` "Firmware File Prefix" [V GRP26xx]: the phone fetches
    ``<prefix><model>fw.bin`` from that server [I: the image's name per model]."""
    server, prefix = first(r"<P192>([^<]*)</P192>", files), first(r"<P232>([^<]*)</P232>", files) or ""
    if not server:
        return None
    name = f"{prefix}{(model or '').lower().replace(' ', '')}fw.bin"
    url = f"http://{server.split('://', 1)[-1].rstrip('/')}/{name}"
    return FirmwareRef(url, version_in(prefix.rstrip("-_") or server))


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: vocoder numbers -> the fleet's [V GRP26xx, GXP17xx: 0 PCMU, 2 G.726-32, 4 G.723, 8 PCMA, 9 G.722, 18 G.729,
#: 98 iLBC, 125 Opus]
CODECS = {"0": "pcmu", "2": "g726", "4": "g723", "8": "pcma", "9": "g722", "18": "g729", "98": "ilbc", "125": "opus"}
_POSIX = re.compile(
    r"^(?P<std>[A-Za-z]{3,}|<[^>]+>)(?P<offset>[+-]?\d+(?::\d+)?)(?:(?P<dst>[A-Za-z]{3,}|<[^>]+>)"
    r"(?P<dst_offset>[+-]?\d+(?::\d+)?)?(?:,(?P<start>M[\d.]+(?:/[\d:]+)?),(?P<end>M[\d.]+(?:/[\d:]+)?))?)?$"
)
#: multi-purpose key N (1 the first): its mode P-value, then account, name and value [I: the GXP21xx template's
#: P323-P330 modes and P301-P324 triplets, not re-read here]; modes 0 speed dial, 1 BLF, 10 intercom [I]
MPK_MODES = {"0": "speed_dial", "1": "blf", "10": "intercom", "9": "park"}
MPK_MODE_BASE = 323
MPK_FIELDS_BASE = 301
MPK_FIRST_BLOCK = 7  # keys 1-7 (P323-P329, P301-P321); later keys use other blocks, not read here [I]


def codecs(files: dict) -> list[str]:
    """The vocoder slots P57-P62, P46, P98 in order, each code once (a repeat fills a slot, it adds nothing) [V]."""
    values = p_values(files)
    found: list[str] = []
    for slot in VOCODER_SLOTS:
        codec = CODECS.get(values.get(slot, ""), "")
        if codec and codec not in found:
            found.append(codec)
    return found


def _minutes(text: str) -> int:
    hours, _colon, minutes = text.lstrip("+-").partition(":")
    return (-1 if text.startswith("-") else 1) * (int(hours) * 60 + int(minutes or 0))


def _posix_change(change: str) -> str:
    date, _slash, at = change.partition("/")
    month, week, weekday = (int(part) for part in date[1:].split("."))
    return transition(month, week, weekday, int(at.partition(":")[0] or 2))


def timezone(files: dict) -> Clock:
    """P64, a code of the phone's list or ``customize`` with the POSIX rule in P246 [V]; both are POSIX TZ
    strings (west of UTC positive, the change at 02:00 unless given). ``auto`` (the default) takes the zone
    from DHCP: no offset."""
    values = p_values(files)
    zone = values.get("P64", "auto")
    rule = values.get("P246", "") if zone == "customize" else zone
    match = _POSIX.match(rule)
    if match is None:
        return Clock(None, None, 0, zone)
    offset = -_minutes(match.group("offset"))
    if not match.group("dst"):
        return Clock(offset, None)
    dst_offset = -_minutes(match.group("dst_offset")) if match.group("dst_offset") else offset + 60
    changes = (match.group("start"), match.group("end"))
    dst = ",".join(_posix_change(change) for change in changes) if all(changes) else "auto"
    return Clock(offset, dst, dst_offset - offset)


def keys(files: dict) -> list[Key]:
    """The multi-purpose keys: mode (-1 or missing: none), name, value [I]. The phone's line keys are its
    own (each account on its line key), not programmable keys: none is listed here."""
    values = p_values(files)
    found = []
    for position in range(1, MPK_FIRST_BLOCK + 1):
        mode = values.get(f"P{MPK_MODE_BASE + position - 1}")
        if mode is None or mode == "-1":
            continue
        base = MPK_FIELDS_BASE + 3 * (position - 1)
        function = MPK_MODES.get(mode, f"mode {mode}")
        found.append(Key(position, function, values.get(f"P{base + 2}", ""), values.get(f"P{base + 1}", "")))
    return found
