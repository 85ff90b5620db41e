# Private to this collection: the Grandstream data sheet.
"""Grandstream GXP21xx and GRP26xx desk phones, HTTP(S) or TFTP provisioning.

Files the phone fetches: ``cfg<mac>.xml`` (MAC lower case). Base URL from DHCP option 66. Format:
``<gs_provision version="1"><config version="1">`` with P-values (``P47`` SIP server, ``P35`` user ID,
``P34`` password …), or ``config version="2"`` with named aliases (``account.1.sip.server.1.address``).
User-Agent ``Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859``. Control: SIP
``check-sync`` (``P26015`` allows it: written); ``/cgi-bin/api-sys_operation?request=REBOOT|PROV``
(the remote-control P-values ``P32050``-``P32052``: written).

Sources: research/phone-vendors.md §6 (wazo ``wazo_grandstream``).

Unverified (``verified=False``): every model's account and key counts, both expansion modules and
their maximum counts (from memory), screenshot (not claimed). OUIs: c074ad appears in a Grandstream
User-Agent; 000b82 and ec74d7 are Grandstream blocks from memory.

Rendering (``GrandstreamDriver``). Format chosen: ``<gs_provision version="1"><config version="1">``
with one ``<Pnnn>`` element per P-value. Every GXP/GRP firmware reads P-values; the alias form
(``config version="2"``, ``<item name="account.1.sip.server.1.address">``) exists only on newer
firmware and not every parameter has an alias. Files:

- ``cfg<mac>.xml``: the phone's whole configuration.
- ``cfg.xml`` (base file, what an unknown phone gets after ``cfg<mac>.xml`` and ``cfg<model>.xml``
  fail): only how to reach us, ``P212`` (protocol) and ``P237`` (config server path).

Extended-set ``params`` must be P-values (``P1362: en``); they are written after ours, in name order,
so a later duplicate of a P-value we write wins if the phone applies the last one (unverified).
Accounts beyond 6 have no known P-values here: rendering such a phone fails loudly.

Verified (research/phone-vendors.md §6, wazo ``wazo_grandstream``, a third-party GXP template,
Grandstream GXP21xx admin guide for the file names ``cfg<mac>.xml`` → ``cfg<model>.xml`` →
``cfg.xml``): account 1 ``P271`` active, ``P270`` account name, ``P47`` SIP server, ``P2312``
secondary server, ``P35`` user ID, ``P36`` auth ID, ``P34`` password, ``P3`` display name, ``P33``
voicemail; accounts 2-4 ``P401``/``P402``/``P404``/``P405``/``P406``/``P407``/``P417``/``P426``
(and 5xx, 6xx); ``P57``/``P58``/``P59`` codec choices; ``P30`` NTP; ``P64`` time zone; ``P51``/``P87``
VLAN and priority, ``P229``/``P230`` PC port; ``P2`` admin password; ``P192`` firmware server,
``P212`` upgrade protocol; legacy multi-purpose keys 1-8: mode ``P323``-``P329`` and ``P353``, with
account/name/value ``P301``-``P321`` and ``P354``-``P356``; the User-Agent.

Verified in Grandstream's P-value configuration templates (research/param-audit.md §8: the GRP26xx
1.0.3.6 template in fusion ``grandstream/grp26xx``, GXP17xx 1.0.1.133; wazo ``base.tpl``):

- accounts 2-6 under bases 400/500/600/700/800 with +1 active, +2 server, +3 outbound proxy, +4 user ID,
  +5 auth ID, +6 password, +7 display name, +17 account name, +26 voicemail, **+48 transport** (``P448``,
  ``P548``…; account 1 ``P130``: 0 UDP, 1 TCP, 2 TLS). Sources disagree on accounts 5-6: the GRP26xx
  template (``P701``…) and wazo (line N at ``(N+2)00``, GXP21xx/GRP26xx) say 700/800; fusion's old GXP2120
  template says 1700/1800. Chosen: 700/800, the one that covers our models (GXP213x-2170, GRP26xx).
- ``P48`` outbound proxy as ``host:port`` (and ``P403``… for accounts 2-6), as the template writes it;
  a proxy without its port would be asked on 5060 whatever the transport.
- ``P26015`` "Allow SIP Reset" (default 0; account N at ``P26015 + 100·(N-1)``): 1, or the phone ignores
  the NOTIFY ``check-sync`` our control sends. (wazo writes ``P26{N+2}15`` for line N, which is account
  N+3's number in Grandstream's template: not followed.)
- Network/Remote Control: ``P32050`` Action URI support 1, ``P32051`` confirmation pop-up 0, ``P32052``
  Action URI allowed IP list = ``settings.phone_control.networks`` joined with commas (the list's
  format beyond "String" is not documented there: unverified).
- Codec slots ``P57``-``P62``, ``P46``, ``P98`` take vocoder codes 0 PCMU, 2 G726-32, 4 G723, 8 PCMA,
  9 G722, 18 G729, 98 iLBC, **125 Opus** (GRP26xx, GXP17xx; 123 is Opus's payload type ``P2385``). The
  GXP21xx P-value template found lists no Opus at all: 125 there is unverified.
- ``P64`` takes a code from the web UI's list (``MSK-3``, ``CET-1CEST-2,M3.5.0/02:00:00,…``, ``auto``)
  or ``customize``, the rule then in ``P246`` (at most 64 characters). Chosen: always ``customize`` with
  the zone's POSIX rule in ``P246``: the listed codes are not the zoneinfo rules of most zones, and one
  form for every zone is one form to test.

Unverified (from memory, check on a real GXP2170/GRP2614): ``P183`` SRTP, ``P32`` expiry in minutes,
``P84`` keep-alive; ``P122`` 24-hour clock; ``P212`` values (0 TFTP, 1 HTTP, 2 HTTPS), ``P237``, ``P232``
firmware prefix, ``P194``/``P193`` automatic check; key modes (0 speed dial, 1 BLF, 6 voicemail,
8 transfer, 9 call park, 10 intercom) and "account" 0-based; multi-purpose keys 9 and up continuing
``P357``… four P-values a key; expansion-module keys ``P6001``… (mode), ``P6201``… (account),
``P6401``… (name), ``P6601``… (value), 40 per module. A key of function ``line`` keeps the phone's
own account key (nothing is written for it).
"""

from __future__ import annotations

import re
import typing

from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

# Per-account P-values: account 1 has its own numbers, accounts 2-6 share a layout under a base.
_ACCOUNT_1 = {
    "active": 271,
    "name": 270,
    "server": 47,
    "user": 35,
    "auth": 36,
    "password": 34,
    "display": 3,
    "voicemail": 33,
    "transport": 130,
    "outbound": 48,
    "allow_sip_reset": 26015,
}
_ACCOUNT_BASES = {2: 400, 3: 500, 4: 600, 5: 700, 6: 800}
_ACCOUNT_OFFSETS = {
    "active": 1,
    "server": 2,
    "user": 4,
    "auth": 5,
    "password": 6,
    "display": 7,
    "name": 17,
    "voicemail": 26,
    "transport": 48,
    "outbound": 3,
}
#: "Allow SIP Reset" of account N: P26015, P26115, ... (Grandstream's GRP26xx template: account 2 P26115)
_ALLOW_SIP_RESET_STEP = 100
_CODEC_SLOTS = (57, 58, 59, 60, 61, 62, 46, 98)
_TRANSPORTS = {"udp": 0, "tcp": 1, "tls": 2}
_SRTP = {"off": 0, "optional": 1, "required": 2}
_PROTOCOLS = {"http": 1, "https": 2}
_MODULE_KEYS = 40
_P_VALUE = re.compile(r"^P\d+$")
_FIRMWARE_NAME = re.compile(r"[a-z]{3}\d{4}fw\.bin$")
_POSIX_STANDARD = re.compile(r"^(?:<[^>]+>|[A-Za-z]+)[-+]?\d{1,2}(?::\d{2}){0,2}")


def account_p(index: int) -> dict:
    """P-value numbers of account ``index`` (1-6)."""
    if index == 1:
        return dict(_ACCOUNT_1)
    base = _ACCOUNT_BASES[index]
    numbers = {field: base + offset for field, offset in _ACCOUNT_OFFSETS.items()}
    numbers["allow_sip_reset"] = _ACCOUNT_1["allow_sip_reset"] + _ALLOW_SIP_RESET_STEP * (index - 1)
    return numbers


def mpk_p(position: int) -> tuple[int, int, int, int]:
    """(mode, account, name, value) P-values of multi-purpose key ``position`` on the phone."""
    if position <= 7:
        return 322 + position, 298 + 3 * position, 299 + 3 * position, 300 + 3 * position
    base = 353 + 4 * (position - 8)
    return base, base + 1, base + 2, base + 3


def module_key_p(module: int, position: int) -> tuple[int, int, int, int]:
    """(mode, account, name, value) P-values of key ``position`` on expansion module ``module``."""
    number = (module - 1) * _MODULE_KEYS + position
    return 6000 + number, 6200 + number, 6400 + number, 6600 + number


def host_port(host: str, port: int) -> str:
    """``host:port`` as P47/P48 take it; a host that names its own port keeps it (IPv6 in brackets)."""
    if host.startswith("["):
        return host if "]:" in host else f"{host}:{port}"
    if host.count(":") == 1:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _server_path(url: str) -> str:
    """'https://prov.example/firmware/' -> 'prov.example/firmware': P192/P237 take no scheme."""
    return url.split("://", 1)[-1].rstrip("/")


class GrandstreamDriver(VendorDriver):
    """Grandstream GXP21xx / GRP26xx: one P-value XML file per phone."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    # multi-purpose key mode; None = the phone's own account key, nothing written
    key_functions: typing.ClassVar[dict] = {
        "line": None,
        "speed_dial": 0,
        "blf": 1,
        "voicemail": 6,
        "transfer": 8,
        "park": 9,
        "intercom": 10,
    }
    codec_names: typing.ClassVar[dict] = {
        "pcmu": 0,
        "pcma": 8,
        "g722": 9,
        "g729": 18,
        "g726": 2,
        "g723": 4,
        "ilbc": 98,
        "opus": 125,  # the vocoder code in P57-P62/P46/P98; 123 is Opus's payload type (P2385)
    }
    defaults: typing.ClassVar[dict] = {
        "sip": {"transport": "udp", "expires": 3600},
        "time": {"time_format": "24h"},
    }
    mac_case = "lower"
    requested_files = (
        r"cfg(?P<mac>[0-9a-f]{12})(?:\.xml)?",
        r"cfg(?P<model>[a-z]{2,3}\d{4})\.xml",
        r"cfg\.xml",
    )
    #: the User-Agent ends with ``DevId <mac>``
    requests_state_mac = True
    user_agents = (
        r"Grandstream Model HW (?P<model>\w+)(?:\s+V[^ ]+)? SW (?P<firmware>[\d.]+) DevId (?P<mac>[0-9a-fA-F]{12})",
    )

    @property
    def environment(self):
        environment = super().environment
        if "gs_keys" not in environment.globals:
            environment.globals.update(
                gs_keys=self.key_plan,
                gs_account=account_p,
                gs_timezone=self.timezone,
                gs_firmware=self.firmware,
                server_path=_server_path,
                host_port=host_port,
                codec_slots=_CODEC_SLOTS,
                transport_code=_TRANSPORTS,
                srtp_code=_SRTP,
                protocol_code=_PROTOCOLS,
            )
        return environment

    def key_plan(self, keys: list, modules: list) -> list[dict]:
        """Every key to write: its four P-values and what goes in them."""
        plan = []
        placed = [(mpk_p(key["index"]), key) for key in keys]
        for module in modules:
            placed.extend((module_key_p(module["index"], key["index"]), key) for key in module["keys"])
        for numbers, key in placed:
            mode = self.key_functions[key["function"]]
            if mode is None:
                continue
            values = (mode, key["line"] - 1, key["label"], key["value"])
            plan.append({"items": list(zip(numbers, values, strict=True))})
        return plan

    @staticmethod
    def timezone(time: dict) -> str:
        """P246 (with P64 ``customize``): the zone's POSIX rule, without its DST part when DST is off."""
        if time["dst_enabled"] or not time["dst_start"]:
            return time["posix"]
        standard = _POSIX_STANDARD.match(time["posix"])
        if standard is None:  # the fleet's time zones are POSIX rules, which start with a name and offset
            raise AssertionError("standard is None")
        return standard.group(0)

    @staticmethod
    def firmware(firmware: dict) -> dict:
        """P192 (server path) and P232 (file prefix): the phone asks for <prefix><model>fw.bin."""
        directory, _ignored, name = firmware["url"].rpartition("/")
        match = _FIRMWARE_NAME.search(name)
        return {"path": _server_path(directory), "prefix": name[: match.start()] if match else ""}

    def phone_files(self, context: dict) -> list[FileSpec]:
        who = f"grandstream phone {context['phone']['mac']}"
        if len(context["lines"]) > len(_ACCOUNT_BASES) + 1:
            raise RenderError(f"{who}: {len(context['lines'])} lines; only accounts 1-6 have known P-values")
        bad = [str(name) for name in context["params"] if not _P_VALUE.match(str(name))]
        if bad:
            raise RenderError(f"{who}: extended-set parameter(s) {', '.join(bad)} are not P-values (P1234)")
        return [FileSpec(f"cfg{context['phone']['mac']}.xml", "phone.xml.j2")]

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("cfg.xml", "base.xml.j2")]


DRIVER = GrandstreamDriver()
