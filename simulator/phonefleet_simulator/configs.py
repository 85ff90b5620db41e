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
- Cisco enterprise: :mod:`.vendors.cisco` (its own module, with what the phone enforces besides).
- Cisco MPP: ``<flat-profile>`` elements, later files winning: ``Line_Enable_N_``, ``Proxy_N_``
  (``host[:port]`` or the inline DNS SRV form ``alias:SRV=host:port:p=0|host:port:p=1``, the alias then
  being the SIP domain), ``Outbound_Proxy_N_`` with ``Use_Outbound_Proxy_N_``, ``SIP_Transport_N_``,
  ``User_ID_N_``, ``Password_N_``, ``Auth_ID_N_`` with ``Use_Auth_ID_N_``, ``Display_Name_N_``,
  ``Register_Expires_N_``.
- Avaya J (3PCC): ``SET NAME "value"`` lines of every script fetched, the last ``SET`` winning (``IF``/``GOTO``
  are not evaluated): ``SIP_CONTROLLER_LIST host:port;transport=x,...`` (the first one), ``SIPDOMAIN``,
  ``SIP_USER_ID`` (or ``SIP_USER_ACCOUNT user@domain``), ``FORCE_SIP_USERNAME``, ``FORCE_SIP_PASSWORD``,
  ``DISPLAY_NAME``, ``REGISTERWAIT``. One account.
- Unify CP: ``<DLSMessage>`` ``<Item name index>``: ``e164`` (the AOR user), ``sip-user-id``, ``sip-pwd``,
  ``reg-addr``/``reg-port`` (the SIP server: the domain), ``registrar-addr``/``registrar-port``,
  ``sip-transport`` (0 UDP, 1 TCP, 2 TLS), ``outbound-proxy`` with ``sgnl-gateway-addr``/``-port``,
  ``reg-ttl``, ``display-id-unicode``; further lines are line keys (``function-key-def`` 31) with
  ``line-sip-uri``, ``line-sip-user-id``, ``line-sip-pwd`` and ``line-primary`` false.
- Poly: the master file (``<mac>.cfg``, else ``000000000000.cfg``) lists ``CONFIG_FILES``, the first listed
  winning; attributes ``reg.N.address`` (``user`` or ``user@domain``), ``reg.N.auth.userId``,
  ``reg.N.auth.password``, ``reg.N.displayName``, ``reg.N.server.M.*`` over ``voIpProt.server.M.*``
  (``address``, ``port``, ``transport`` ``UDPOnly``/``TCPOnly``/``TCPpreferred``/``TLS``/``DNSnaptr``,
  ``expires``, ``register``), outbound proxy ``reg.N.outboundProxy.*`` / ``voIpProt.SIP.outboundProxy.*``.
- Grandstream: ``<gs_provision><config>`` P-values: :mod:`.vendors.grandstream` (Grandstream's P-value
  templates cited there).
- Snom: ``<settings><phone-settings>``, later files winning, each setting with ``idx`` (or the old
  ``user_name1`` form): ``user_active``, ``user_name``, ``user_pname``, ``user_pass``, ``user_realname``,
  ``user_host`` (the domain, ``host[:port][;transport=x]``), ``user_outbound`` (where REGISTERs go),
  ``user_expiry``.
- Fanvil, Qtech (served as the Fanvil platform until a QVP unit is fingerprinted): ``<sysConf><sip>
  <line index>``: :mod:`.vendors.fanvil` and :mod:`.vendors.qtech`.

A port a file leaves out is the transport's default (5060, 5061 for TLS).
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .vendors.yealink import key_values

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


def yealink(files: dict) -> list[SipAccount]:
    values = key_values(files)
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


# -- Cisco MPP -------------------------------------------------------------------------------------------

_MPP_LINE = re.compile(r"^(?:User_ID|Proxy)_(\d+)_$")
_MPP_TRANSPORTS = {"UDP": "udp", "TCP": "tcp", "TLS": "tls", "AUTO": "udp"}


def _mpp_proxy(value: str, what: str) -> tuple[str, str, int | None]:
    """(domain, host, port) of a ``Proxy_N_``: ``host[:port]``, or ``alias:SRV=host:port:p=0|...``."""
    if ":SRV=" not in value:
        host, port = _host_port(value, what)
        return host, host, port
    alias, _srv, targets = value.partition(":SRV=")
    best = None
    for target in targets.split("|"):
        host, _colon, rest = target.strip().partition(":")
        fields = rest.split(":")
        port = _int(fields[0], what) if fields and fields[0] else None
        priority = next((_int(f[2:], what) for f in fields[1:] if f.startswith("p=")), 0)
        if host and (best is None or priority < best[0]):
            best = (priority, host, port)
    if best is None:
        raise ConfigError(f"{what}: no SRV target in {value!r}")
    return alias.strip(), best[1], best[2]


def cisco_mpp(files: dict) -> list[SipAccount]:
    values: dict[str, str] = {}
    for _path, root in _documents(files, "flat-profile"):
        for element in root.iter():
            if element is not root:
                values[_local(element.tag)] = (element.text or "").strip()
    indices = sorted({int(match.group(1)) for key in values if (match := _MPP_LINE.match(key))})
    accounts = []
    for index in indices:

        def get(name: str, index: int = index) -> str | None:
            return values.get(f"{name}_{index}_") or None

        user = get("User_ID")
        if user is None:
            continue
        what = f"Proxy_{index}_"
        domain, registrar, port = _mpp_proxy(get("Proxy") or "", what)
        outbound = get("Outbound_Proxy") if (get("Use_Outbound_Proxy") or "No").lower() == "yes" else None
        outbound_host, outbound_port = _host_port(outbound, f"Outbound_Proxy_{index}_") if outbound else (None, None)
        use_auth = (get("Use_Auth_ID") or "No").lower() == "yes"
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=get("Auth_ID") if use_auth else None,
                password=get("Password"),
                display_name=get("Display_Name"),
                domain=domain,
                registrar=registrar,
                port=port,
                transport=_code(get("SIP_Transport"), _MPP_TRANSPORTS, f"SIP_Transport_{index}_"),
                expires=_int(get("Register_Expires"), f"Register_Expires_{index}_"),
                enabled=(get("Line_Enable") or "Yes").lower() == "yes",
                outbound_proxy=outbound_host,
                outbound_port=outbound_port,
            )
        )
    return accounts


# -- Avaya J ---------------------------------------------------------------------------------------------

_AVAYA_SET = re.compile(r'^\s*SET\s+(\w+)\s+(?:"([^"]*)"|(\S.*?))\s*$')


def avaya(files: dict) -> list[SipAccount]:
    values: dict[str, str] = {}
    for _path, body in files.items():
        for raw in _text(body).splitlines():
            match = _AVAYA_SET.match(raw)
            if match:
                values[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
    account = values.get("SIP_USER_ACCOUNT") or ""
    user = values.get("SIP_USER_ID") or account.partition("@")[0] or None
    controllers = [entry for entry in (values.get("SIP_CONTROLLER_LIST") or "").split(",") if entry.strip()]
    if user is None:
        return []
    registrar, port, transport = "", None, "tls"  # an Avaya J without a transport asks for TLS
    if controllers:
        registrar, port, given = _uri_host_port(controllers[0], "SIP_CONTROLLER_LIST")
        transport = given or transport
    return [
        _account(
            line=1,
            user=user,
            auth_user=values.get("FORCE_SIP_USERNAME"),
            password=values.get("FORCE_SIP_PASSWORD"),
            display_name=values.get("DISPLAY_NAME"),
            domain=values.get("SIPDOMAIN") or account.partition("@")[2] or registrar,
            registrar=registrar,
            port=port,
            transport=transport,
            expires=_int(values.get("REGISTERWAIT"), "REGISTERWAIT"),
        )
    ]


# -- Unify -----------------------------------------------------------------------------------------------

_UNIFY_TRANSPORTS = {"0": "udp", "1": "tcp", "2": "tls"}


def unify(files: dict) -> list[SipAccount]:
    items: dict[tuple[str, int | None], str] = {}
    for path, root in _documents(files, "DLSMessage"):
        for item in root.iter():
            if _local(item.tag) != "Item" or not item.get("name"):
                continue
            index = _int(item.get("index"), f"{path} item {item.get('name')} index")
            items[(item.get("name"), index)] = (item.text or "").strip()

    def get(name: str, index: int | None = None) -> str | None:
        return items.get((name, index)) or None

    user = get("e164")
    if user is None:
        return []
    domain = get("reg-addr") or get("registrar-addr") or ""
    registrar = get("registrar-addr") or domain
    port = _int(get("registrar-port") or get("reg-port"), "registrar-port")
    transport = _code(get("sip-transport"), _UNIFY_TRANSPORTS, "sip-transport")
    use_gateway = (get("outbound-proxy") or "false").lower() == "true"
    gateway = get("sgnl-gateway-addr") if use_gateway else None
    gateway_port = _int(get("sgnl-gateway-port"), "sgnl-gateway-port") if gateway else None
    common = {
        "domain": domain,
        "registrar": registrar,
        "port": port,
        "transport": transport,
        "expires": _int(get("reg-ttl"), "reg-ttl"),
        "outbound_proxy": gateway,
        "outbound_port": gateway_port,
    }
    accounts = [
        _account(
            line=1,
            user=user,
            auth_user=get("sip-user-id"),
            password=get("sip-pwd"),
            display_name=get("display-id-unicode") or get("display-id"),
            **common,
        )
    ]
    keys = sorted(index for (name, index), value in items.items() if name == "function-key-def" and value == "31")
    for index in keys:
        uri = get("line-sip-uri", index)
        if uri is None or (get("line-primary", index) or "false").lower() == "true":
            continue
        line_user = uri.removeprefix("sip:").partition("@")[0]
        accounts.append(
            _account(
                line=len(accounts) + 1,
                user=line_user,
                auth_user=get("line-sip-user-id", index),
                password=get("line-sip-pwd", index),
                display_name=get("key-label-unicode", index),
                **common,
            )
        )
    return accounts


# -- Poly ------------------------------------------------------------------------------------------------

_POLY_TRANSPORTS = {"DNSnaptr": "udp", "UDPOnly": "udp", "TCPOnly": "tcp", "TCPpreferred": "tcp", "TLS": "tls"}
_POLY_MASTER = re.compile(r"/([0-9a-fA-F]{12})\.cfg$")
_POLY_REG = re.compile(r"^reg\.(\d+)\.address$")


def _poly_parameters(files: dict) -> dict[str, str]:
    masters = []
    for path, root in _documents(files, "APPLICATION"):
        match = _POLY_MASTER.search(path)
        if match:
            masters.append((match.group(1).lower() == "000000000000", path, match.group(1).lower(), root))
    configs = dict(_documents(files, "polycomConfig"))
    order = list(configs)
    if masters:
        masters.sort(key=lambda item: item[0])  # the phone's own master file before the default one
        _default, _path, mac, master = masters[0]
        listed = (master.get("CONFIG_FILES") or "").replace("[PHONE_MAC_ADDRESS]", mac)
        order = ["/" + name.strip().lstrip("/") for name in listed.split(",") if name.strip()]
    parameters: dict[str, str] = {}
    for path in order:  # the first file listed wins
        root = configs.get(path)
        if root is None:
            continue
        for element in root.iter():
            for name, value in element.attrib.items():
                parameters.setdefault(name, value)
    return parameters


def poly(files: dict) -> list[SipAccount]:
    values = _poly_parameters(files)
    indices = sorted({int(match.group(1)) for key in values if (match := _POLY_REG.match(key))})
    accounts = []
    for index in indices:

        def get(name: str, index: int = index) -> str | None:
            value = values.get(f"reg.{index}.{name}")
            if value in (None, ""):
                value = values.get(f"voIpProt.{name}") if name.startswith("server.") else None
            return value if value not in (None, "") else None

        address = get("address")
        if address is None:
            continue
        user, _at, domain = address.removeprefix("sip:").partition("@")
        what = f"reg.{index}"
        outbound = values.get(f"reg.{index}.outboundProxy.address") or values.get("voIpProt.SIP.outboundProxy.address")
        outbound_port = values.get(f"reg.{index}.outboundProxy.port") or values.get("voIpProt.SIP.outboundProxy.port")
        port = _int(get("server.1.port"), f"{what}.server.1.port")
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=get("auth.userId"),
                password=get("auth.password"),
                display_name=get("displayName"),
                domain=domain or None,
                registrar=get("server.1.address") or "",
                port=port or None,  # 0: the transport's default
                transport=_code(get("server.1.transport"), _POLY_TRANSPORTS, f"{what}.server.1.transport"),
                expires=_int(get("server.1.expires"), f"{what}.server.1.expires"),
                enabled=(get("server.1.register") or "1") != "0",
                outbound_proxy=outbound or None,
                outbound_port=(_int(outbound_port, f"{what} outbound proxy port") or None) if outbound else None,
            )
        )
    return accounts


# -- Grandstream ----------------------------------------------------------------------------------------


def grandstream(files: dict) -> list[SipAccount]:
    """Grandstream's accounts: :mod:`.vendors.grandstream`, where the phone's P-values are written down."""
    from .vendors import grandstream as vendor  # the vendor module reads with this module's helpers

    return vendor.accounts(files)


# -- Snom ------------------------------------------------------------------------------------------------

_SNOM_OLD = re.compile(r"^(user_[a-z_]+?)(\d+)$")


def snom(files: dict) -> list[SipAccount]:
    values: dict[tuple[str, int], str] = {}
    for _path, root in _documents(files, "settings"):
        for block in root:
            if _local(block.tag) != "phone-settings":
                continue
            for setting in block:
                name, index = _local(setting.tag), setting.get("idx")
                old = _SNOM_OLD.match(name) if index is None else None
                if old:
                    name, index = old.group(1), old.group(2)
                if name.startswith("user_") and index is not None:
                    values[(name, int(index))] = (setting.text or "").strip()
    indices = sorted({index for name, index in values if name == "user_name"})
    accounts = []
    for index in indices:

        def get(name: str, index: int = index) -> str | None:
            return values.get((name, index)) or None

        user = get("user_name")
        if user is None:
            continue
        what = f"user_host idx {index}"
        domain, port, transport = _uri_host_port(get("user_host") or "", what)
        outbound, outbound_port, outbound_transport = (
            _uri_host_port(get("user_outbound"), f"user_outbound idx {index}")
            if get("user_outbound")
            else (None, None, None)
        )
        transport = outbound_transport or transport or "udp"
        accounts.append(
            _account(
                line=index,
                user=user,
                auth_user=get("user_pname"),
                password=get("user_pass"),
                display_name=get("user_realname"),
                domain=domain,
                registrar=domain,
                port=port,
                transport=transport,
                expires=_int(get("user_expiry"), f"user_expiry idx {index}"),
                enabled=(get("user_active") or "on") == "on",
                outbound_proxy=outbound,
                outbound_port=outbound_port,
            )
        )
    return accounts


# -- Fanvil and Qtech ------------------------------------------------------------------------------------


def fanvil(files: dict) -> list[SipAccount]:
    """Fanvil's accounts: :mod:`.vendors.fanvil`."""
    from .vendors import fanvil as vendor  # the vendor module reads with this module's helpers

    return vendor.accounts(files)


def qtech(files: dict) -> list[SipAccount]:
    """Qtech QVP's accounts: :mod:`.vendors.qtech` (the Fanvil platform, unverified)."""
    from .vendors import qtech as vendor

    return vendor.accounts(files)


# -- by vendor -------------------------------------------------------------------------------------------

from .vendors import cisco as cisco_phone  # noqa: E402 - it reads files with the helpers above

#: the parser of each vendor's phones (Atcom runs the Yealink platform; Qtech is served as Fanvil's)
PARSERS: dict[str, Callable[[dict], list[SipAccount]]] = {
    "yealink": yealink,
    "atcom": yealink,
    "cisco": lambda files: cisco_phone.accounts(files),
    "cisco_mpp": cisco_mpp,
    "avaya": avaya,
    "unify": unify,
    "poly": poly,
    "grandstream": grandstream,
    "snom": snom,
    "fanvil": fanvil,
    "qtech": qtech,
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
