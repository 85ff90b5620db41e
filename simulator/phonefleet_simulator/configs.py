"""The SIP accounts a phone reads from its configuration files: one parser per vendor format.

A parser plays the phone. It gets the files the phone fetched, as served (``{path asked for: bytes}`` in
the order fetched, 200 answers only), reads them with the vendor's own parameter names and rules, and
returns the phone's SIP accounts: where it registers, as whom, with which credentials. It knows nothing
of the collection's drivers or fleet files, so a parameter a template misnames is a parameter the phone
does not see. :func:`fetched_files` boots a simulated phone against a provisioning service and keeps the
bodies. :func:`account_dicts` is the ``(vendor, files) -> [dict]`` form ``device.SimulatedDevice`` takes.

Formats and names (research/phone-vendors.md, unify-cisco.md, atcom-qtech.md, wazo-provd.md):

- Yealink, Atcom (Yealink platform): ``key = value`` files read only when ``#!version`` is their first
  line, later files winning; ``account.N.enable``, ``user_name``, ``auth_name``, ``password``,
  ``display_name``, ``sip_server.1.address/port/transport_type/expires`` (0 UDP, 1 TCP, 2 TLS, 3 DNS-NAPTR)
  or the V7x ``sip_server_host/_port``, ``transport``, ``expires``; outbound proxy
  ``outbound_proxy_enable`` with ``outbound_proxy.1.address/port`` or ``outbound_host/_port``.
- Cisco enterprise: ``SEP<MAC>.cnf.xml``: ``<sipLines><line>`` of ``featureID`` 9 with ``name``,
  ``authName``, ``authPassword``, ``displayName`` and ``proxy`` (``USECALLMANAGER``: the first
  ``callManagerGroup`` member's ``processNodeName`` and ``sipPort``/``securedSipPort``; else a host with
  the line's ``port``); ``transportLayerProtocol`` (1 TCP, 2 UDP, 3 TLS, 4 TCP preferred);
  ``sipProxies/registerWithProxy``, ``outboundProxy``/``outboundProxyPort``; ``timerRegisterExpires``.
- Cisco MPP: ``vendors/cisco_mpp.py`` (its sources and rules there).
- Avaya J (3PCC): ``vendors/avaya.py``.
- Unify CP: ``vendors/unify.py``.
- Poly: ``vendors/poly.py``.
- Grandstream: ``<gs_provision><config>`` P-values, later files winning. Account 1: ``P271`` active,
  ``P47`` server (``host[:port]``), ``P48`` outbound proxy, ``P35`` user ID, ``P36`` auth ID, ``P34``
  password, ``P3`` display name, ``P130`` transport (0 UDP, 1 TCP, 2 TLS), ``P32`` expiry in minutes.
  Accounts 2-4 at bases 400/500/600, 5-6 at 1700/1800: +1 active, +2 server, +3 outbound proxy, +4 user,
  +5 auth, +6 password, +7 display name, +48 transport [M: from memory of Grandstream's config templates;
  the driver writes +30].
- Snom: ``vendors/snom.py``.
- Fanvil, Qtech (served as the Fanvil platform until a QVP unit is fingerprinted): ``<sysConf><sip>
  <line index>``: ``PhoneNumber`` (the AOR user), ``RegisterUser``, ``RegisterPswd``, ``DisplayName``,
  ``RegisterAddr``, ``RegisterPort``, ``Transport`` (0 UDP, 1 TCP, 3 TLS), ``RegisterTTL``, ``EnableReg``,
  ``ProxyAddr``/``ProxyPort``.

A port a file leaves out is the transport's default (5060, 5061 for TLS).
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import httpx

TRANSPORTS = ("udp", "tcp", "tls")
_MAX_XML = 1 << 20


class ConfigError(ValueError):
    """A file the phone fetched says something the phone would not accept; the message names the file and value."""


@dataclass(frozen=True)
class SipAccount:
    """One SIP account (line) as the phone read it."""

    line: int  # the phone's account number, 1-based
    user: str  # the user part of the AOR
    auth_user: str
    password: str
    domain: str  # the host part of the AOR: the registrar or SIP domain the files name
    registrar: str  # the registrar host ("" when the files name none)
    port: int
    transport: str  # udp, tcp or tls
    display_name: str = ""
    expires: int | None = None
    enabled: bool = True  # False: the files say not to register this line
    outbound_proxy: str | None = None  # where REGISTERs go instead of the registrar
    outbound_port: int | None = None

    @property
    def aor(self) -> str:
        return f"{self.user}@{self.domain}"

    @property
    def destination(self) -> tuple[str, int]:
        """Where the phone sends its REGISTERs: the outbound proxy when there is one, else the registrar."""
        if self.outbound_proxy:
            return self.outbound_proxy, self.outbound_port or default_port(self.transport)
        return self.registrar, self.port


def default_port(transport: str) -> int:
    return 5061 if transport == "tls" else 5060


# -- reading files ---------------------------------------------------------------------------------------


def _text(body: bytes) -> str:
    return body.decode("utf-8-sig", "replace")


def _xml(path: str, body: bytes) -> ET.Element | None:
    """The document's root, or None when the file is not XML (a phone skips what it cannot read)."""
    if len(body) > _MAX_XML:
        raise ConfigError(f"{path}: larger than {_MAX_XML} bytes")
    head = body.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ConfigError(f"{path}: DOCTYPE or ENTITY declarations")
    try:
        return ET.fromstring(body)  # noqa: S314 - DTDs refused above, so no entity expansion
    except ET.ParseError:
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _documents(files: dict, root: str) -> list[tuple[str, ET.Element]]:
    """(path, root) of every fetched XML file whose root element is ``root``, in fetch order."""
    found = []
    for path, body in files.items():
        if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"<":
            continue  # not XML: another format of the same phone (Avaya scripts, Yealink text)
        element = _xml(path, body)
        if element is not None and _local(element.tag) == root:
            found.append((path, element))
    return found


def _int(value: str | None, what: str, default: int | None = None) -> int | None:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(f"{what}: {value!r} is not a number") from None


def _code(value: str | None, codes: dict, what: str, default: str = "udp") -> str:
    if value is None or value.strip() == "":
        return default
    key = value.strip()
    if key not in codes:
        raise ConfigError(f"{what}: unknown transport {value!r}")
    return codes[key]


def _host_port(value: str, what: str) -> tuple[str, int | None]:
    """``host`` or ``host:port`` (an IPv6 address in brackets)."""
    value = value.strip()
    if value.startswith("["):
        host, _bracket, rest = value[1:].partition("]")
        return host, _int(rest[1:], what) if rest.startswith(":") else None
    host, colon, port = value.partition(":")
    return host, _int(port, what) if colon else None


def _uri_host_port(value: str, what: str) -> tuple[str, int | None, str | None]:
    """``[sip:]host[:port][;transport=x]`` -> (host, port, transport)."""
    value = value.strip()
    if value.lower().startswith("sip:"):
        value = value[4:]
    address, *parameters = value.split(";")
    transport = None
    for parameter in parameters:
        name, _equals, setting = parameter.partition("=")
        if name.strip().lower() == "transport":
            transport = setting.strip().lower()
            if transport not in TRANSPORTS:
                raise ConfigError(f"{what}: unknown transport {setting!r}")
    host, port = _host_port(address, what)
    return host, port, transport


def _account(**fields) -> SipAccount:
    transport = fields["transport"]
    fields["port"] = fields.get("port") or default_port(transport)
    fields["auth_user"] = fields.get("auth_user") or fields["user"]
    fields["password"] = fields.get("password") or ""
    fields["display_name"] = fields.get("display_name") or ""
    fields["domain"] = fields.get("domain") or fields["registrar"]
    if fields.get("outbound_proxy") and not fields.get("outbound_port"):
        fields["outbound_port"] = default_port(transport)
    return SipAccount(**fields)


# -- Yealink and Atcom -----------------------------------------------------------------------------------

_YEALINK_TRANSPORTS = {"0": "udp", "1": "tcp", "2": "tls", "3": "udp"}  # 3: DNS NAPTR, UDP when it finds nothing
_ACCOUNT_KEY = re.compile(r"^account\.(\d+)\.")


def _key_values(files: dict) -> dict[str, str]:
    values: dict[str, str] = {}
    for _path, body in files.items():
        text = _text(body)
        if not text.startswith("#!version"):
            continue  # the phone ignores a file without the version line
        for raw in text.splitlines()[1:]:
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _equals, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def yealink(files: dict) -> list[SipAccount]:
    values = _key_values(files)
    indices = sorted({int(match.group(1)) for key in values if (match := _ACCOUNT_KEY.match(key))})
    accounts = []
    for index in indices:

        def get(name: str, index: int = index) -> str | None:
            value = values.get(f"account.{index}.{name}")
            return value if value not in (None, "", "%NULL%") else None

        user = get("user_name")
        if user is None:
            continue
        what = f"account.{index}"
        transport = _code(
            get("sip_server.1.transport_type") or get("transport"), _YEALINK_TRANSPORTS, f"{what} transport"
        )
        outbound = get("outbound_proxy.1.address") or get("outbound_host")
        outbound_port = get("outbound_proxy.1.port") or get("outbound_port")
        use_outbound = get("outbound_proxy_enable") == "1" and outbound
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=get("auth_name"),
                password=get("password"),
                display_name=get("display_name"),
                registrar=get("sip_server.1.address") or get("sip_server_host") or "",
                port=_int(get("sip_server.1.port") or get("sip_server_port"), f"{what} port"),
                transport=transport,
                expires=_int(get("sip_server.1.expires") or get("expires"), f"{what} expires"),
                enabled=get("enable") == "1",
                outbound_proxy=outbound if use_outbound else None,
                outbound_port=_int(outbound_port, f"{what} outbound port") if use_outbound else None,
            )
        )
    return accounts


# -- Cisco enterprise ------------------------------------------------------------------------------------

_CISCO_TRANSPORTS = {"1": "tcp", "2": "udp", "3": "tls", "4": "tcp"}


def _find(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def cisco(files: dict) -> list[SipAccount]:
    devices = [(path, root) for path, root in _documents(files, "device") if path.endswith(".cnf.xml")]
    own = [item for item in devices if not item[0].lower().endswith("/xmldefault.cnf.xml")]
    if not own:
        return []  # XMLDefault.cnf.xml carries no lines
    path, device = own[-1]
    transport = _code(
        _find(device, "transportLayerProtocol"), _CISCO_TRANSPORTS, f"{path} transportLayerProtocol", "tcp"
    )
    members = device.findall("devicePool/callManagerGroup/members/member")
    members.sort(key=lambda member: _int(member.get("priority"), f"{path} member priority", 0))
    manager, manager_port = None, None
    if members:
        call_manager = members[0].find("callManager")
        if call_manager is not None:
            manager = _find(call_manager, "processNodeName")
            port_name = "securedSipPort" if transport == "tls" else "sipPort"
            manager_port = _int(_find(call_manager, f"ports/{port_name}"), f"{path} {port_name}")
    profile = device.find("sipProfile")
    if profile is None:
        return []
    register = (_find(profile, "sipProxies/registerWithProxy") or "true").lower() != "false"
    outbound = _find(profile, "sipProxies/outboundProxy")
    outbound_port = _int(_find(profile, "sipProxies/outboundProxyPort"), f"{path} outboundProxyPort")
    expires = _int(_find(profile, "sipStack/timerRegisterExpires"), f"{path} timerRegisterExpires")
    accounts = []
    for position, line in enumerate(profile.findall("sipLines/line"), start=1):
        feature = _find(line, "featureID")
        name = _find(line, "name")
        if (feature is not None and feature != "9") or name is None:
            continue  # speed dials, BLF and other buttons
        index = _int(line.get("lineIndex") or line.get("button"), f"{path} line index", position)
        proxy = _find(line, "proxy")
        if proxy is None or proxy.upper() == "USECALLMANAGER":
            registrar, port = manager or "", manager_port
        else:
            registrar, port = proxy, _int(_find(line, "port"), f"{path} line {index} port")
        accounts.append(
            _account(
                line=index,
                user=name,
                auth_user=_find(line, "authName"),
                password=_find(line, "authPassword"),
                display_name=_find(line, "displayName"),
                registrar=registrar,
                port=port,
                transport=transport,
                expires=expires,
                enabled=register,
                outbound_proxy=outbound,
                outbound_port=outbound_port,
            )
        )
    return accounts


# -- Grandstream -----------------------------------------------------------------------------------------

_GS_ACCOUNT_1 = {
    "active": 271,
    "server": 47,
    "outbound": 48,
    "user": 35,
    "auth": 36,
    "password": 34,
    "display": 3,
    "transport": 130,
}
_GS_BASES = {2: 400, 3: 500, 4: 600, 5: 1700, 6: 1800}
_GS_OFFSETS = {
    "active": 1,
    "server": 2,
    "outbound": 3,
    "user": 4,
    "auth": 5,
    "password": 6,
    "display": 7,
    "transport": 48,
}
_GS_TRANSPORTS = {"0": "udp", "1": "tcp", "2": "tls"}
_P_VALUE = re.compile(r"^P\d+$")


def grandstream(files: dict) -> list[SipAccount]:
    values: dict[str, str] = {}
    for _path, root in _documents(files, "gs_provision"):
        for element in root.iter():
            if _P_VALUE.match(_local(element.tag)):
                values[_local(element.tag)] = (element.text or "").strip()
    accounts = []
    for index in range(1, 7):
        numbers = _GS_ACCOUNT_1 if index == 1 else {k: _GS_BASES[index] + v for k, v in _GS_OFFSETS.items()}

        def get(field: str, numbers: dict = numbers) -> str | None:  # pylint: disable=dangerous-default-value
            # (bound per account on purpose: the loop's numbers, never mutated)
            return values.get(f"P{numbers[field]}") or None

        user = get("user")
        if user is None:
            continue
        what = f"account {index}"
        registrar, port = _host_port(get("server") or "", f"{what} server")
        outbound, outbound_port = (
            _host_port(get("outbound"), f"{what} outbound proxy") if get("outbound") else (None, None)
        )
        expires = _int(values.get("P32"), "P32") if index == 1 else None
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=get("auth"),
                password=get("password"),
                display_name=get("display"),
                registrar=registrar,
                port=port,
                transport=_code(get("transport"), _GS_TRANSPORTS, f"{what} transport"),
                expires=expires * 60 if expires is not None else None,
                enabled=(get("active") or "1") == "1",
                outbound_proxy=outbound,
                outbound_port=outbound_port,
            )
        )
    return accounts


# -- Fanvil and Qtech ------------------------------------------------------------------------------------

_FANVIL_TRANSPORTS = {"0": "udp", "1": "tcp", "3": "tls"}


def fanvil(files: dict) -> list[SipAccount]:
    documents = _documents(files, "sysConf")
    lines: dict[int, dict[str, str]] = {}
    for path, root in documents:
        for line in root.findall("sip/line"):
            index = _int(line.get("index"), f"{path} sip line index")
            fields = lines.setdefault(index, {})
            for child in line:
                fields[_local(child.tag)] = (child.text or "").strip()
    accounts = []
    for index in sorted(lines):
        fields = {name: value for name, value in lines[index].items() if value}
        user = fields.get("PhoneNumber")
        if user is None:
            continue
        what = f"sip line {index}"
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=fields.get("RegisterUser"),
                password=fields.get("RegisterPswd"),
                display_name=fields.get("DisplayName"),
                registrar=fields.get("RegisterAddr") or "",
                port=_int(fields.get("RegisterPort"), f"{what} RegisterPort"),
                transport=_code(fields.get("Transport"), _FANVIL_TRANSPORTS, f"{what} Transport"),
                expires=_int(fields.get("RegisterTTL"), f"{what} RegisterTTL"),
                enabled=fields.get("EnableReg", "1") == "1",
                outbound_proxy=fields.get("ProxyAddr"),
                outbound_port=_int(fields.get("ProxyPort"), f"{what} ProxyPort"),
            )
        )
    return accounts


# -- by vendor -------------------------------------------------------------------------------------------

# the vendors whose rules live in their own module (vendors/<vendor>.py) import the helpers above
from .vendors import avaya, cisco_mpp, poly, snom, unify  # noqa: E402

#: the parser of each vendor's phones (Atcom runs the Yealink platform; Qtech is served as Fanvil's)
PARSERS: dict[str, Callable[[dict], list[SipAccount]]] = {
    "yealink": yealink,
    "atcom": yealink,
    "cisco": cisco,
    # looked up when called: a vendor module imported first finds this module before its own names exist
    "cisco_mpp": lambda files: cisco_mpp.accounts(files),
    "avaya": lambda files: avaya.accounts(files),
    "unify": lambda files: unify.accounts(files),
    "poly": lambda files: poly.accounts(files),
    "grandstream": grandstream,
    "snom": lambda files: snom.accounts(files),
    "fanvil": fanvil,
    "qtech": fanvil,
}


def accounts(vendor: str, files: dict) -> list[SipAccount]:
    """The SIP accounts a ``vendor`` phone reads from ``files`` ({path: bytes}, in the order fetched)."""
    parser = PARSERS.get(vendor)
    if parser is None:
        raise ConfigError(f"no parser for the configuration files of vendor {vendor!r}")
    return parser(files)


def account_dicts(vendor: str, files: dict) -> list[dict]:
    """:func:`accounts` as plain dicts (line, user, enabled, ...): the ``AccountsParser`` of ``device``."""
    return [dataclasses.asdict(account) for account in accounts(vendor, files)]


def fetched_files(base_url: str, phone, client: httpx.Client | None = None) -> dict[str, bytes]:
    """Boot ``phone`` (a ``boot.SimulatedPhone``) against ``base_url`` as the device does; {path: body} of each 200."""
    from .boot import boot, new_client  # the boot plan names files from the drivers' data; the parsers do not

    files: dict[str, bytes] = {}

    def keep(response: httpx.Response) -> None:
        if response.status_code == 200:
            response.read()
            files[response.request.url.raw_path.decode("ascii")] = response.content

    own = client or new_client()
    own.event_hooks["response"] = [*own.event_hooks["response"], keep]
    try:
        boot(base_url, phone, own)
    finally:
        own.event_hooks["response"] = [hook for hook in own.event_hooks["response"] if hook is not keep]
        if client is None:
            own.close()
    return files
