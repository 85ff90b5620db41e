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
- Cisco MPP: ``vendors/cisco_mpp.py`` (its sources and rules there).
- Avaya J (3PCC): ``vendors/avaya.py``.
- Unify CP: ``vendors/unify.py``.
- Poly: ``vendors/poly.py``.
- Grandstream: ``<gs_provision><config>`` P-values: :mod:`.vendors.grandstream` (Grandstream's P-value
  templates cited there).
- Snom: ``vendors/snom.py``.
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
from typing import overload

import httpx

from .vendors import untrusted_xml
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
    try:
        return untrusted_xml(body)
    except ET.ParseError:
        return None
    except ValueError as exc:  # DOCTYPE or ENTITY declarations
        raise ConfigError(f"{path}: {exc}") from None


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


@overload
def _int(value: str | None, what: str, default: int) -> int: ...


@overload
def _int(value: str | None, what: str, default: None = None) -> int | None: ...


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


# -- Grandstream ----------------------------------------------------------------------------------------


def grandstream(files: dict) -> list[SipAccount]:
    """Grandstream's accounts: :mod:`.vendors.grandstream`, where the phone's P-values are written down."""
    from .vendors import grandstream as vendor  # the vendor module reads with this module's helpers

    return vendor.accounts(files)


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

from .vendors import avaya, cisco_mpp, poly, snom, unify  # noqa: E402 - they read files with the helpers above
from .vendors import cisco as cisco_phone  # noqa: E402


def _read_by(module) -> Callable[[dict], list[SipAccount]]:
    """``module.accounts``, looked up when called: a vendor module imported first finds this module before its
    own names exist."""

    def read(files: dict) -> list[SipAccount]:
        return module.accounts(files)

    return read


#: the parser of each vendor's phones (Atcom runs the Yealink platform; Qtech is served as Fanvil's)
PARSERS: dict[str, Callable[[dict], list[SipAccount]]] = {
    "yealink": yealink,
    "atcom": yealink,
    "cisco": _read_by(cisco_phone),
    "cisco_mpp": _read_by(cisco_mpp),
    "avaya": _read_by(avaya),
    "unify": _read_by(unify),
    "poly": _read_by(poly),
    "grandstream": grandstream,
    "snom": _read_by(snom),
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
