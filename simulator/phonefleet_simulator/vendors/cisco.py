"""A Cisco enterprise (CUCM firmware) phone: what it reads from ``SEP<MAC>.cnf.xml`` and what it enforces.

Written from Cisco's documents and from files real phones were given, never from the collection's driver
(plugins/module_utils/vendors/cisco). Sources, cited by their tags below:

- [CUCM] a ``SEP<MAC>.cnf.xml`` exported from CUCM 12.5 and served to 78xx/88xx phones by a Sinatra
  emulator (research/param-audit.md §3, GH#5929097124): ``transportLayerProtocol`` 4 with the default
  non-secure profile, http URLs in ``authenticationURL``/``servicesURL`` and https ones in
  ``secureAuthenticationURL``/``secureServicesURL``, ``outboundProxy`` with ``outboundProxyPort``.
- [6921] msergiy87/phone_cisco_6921 README (GH#1730819813), a CP-6921 on Asterisk:
  ``transportLayerProtocol`` 1 = use device default, 2 = UDP, 4 = TCP.
- [CUCM-SEC] CUCM security guide: a profile's transport is TCP+UDP when not chosen, TLS when the device
  security mode is authenticated or encrypted.
- [WAZO] wazo-provd-plugins ``wazo_cisco_sip`` and usecallmanager.nz (research/unify-cisco.md B.2):
  ``transportLayerProtocol`` 3 = TLS; the ``<device>`` schema; lines of ``featureID`` 9.
- [SDK] Cisco IP Phone Services Application Development Notes, "authentication" (research/phone-vendors.md
  §2, UnifiedFX and UPLINX notes on phone web server authentication): before a pushed
  ``CiscoIPPhoneExecute``, a screenshot or any other authenticated CGI request, the phone sends the
  request's user and password with its device name (``UserID``, ``Password``, ``devicename``) to its
  authentication URL and goes on only when the answer is exactly ``AUTHORIZED``.

Unverified, marked where used: what code 1 ("device default") makes the phone use (UDP is assumed: the
reason [6921] gives for 4 is that UDP is what misbehaves); whether the authentication request is a GET or a
POST (a form POST is sent here, [M]); that a phone in non-secure mode (``deviceSecurityMode`` 1) uses the
plain ``authenticationURL`` and a secure one its ``secureAuthenticationURL`` (CUCM's precedence [I]); that a
phone whose file names no authentication URL refuses every authenticated request [I].
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..configs import SipAccount, _account, _code, _documents, _int
from . import Clock, FirmwareRef, Key, first

#: Cisco's MAC prefix [the IEEE OUI registry's block of Cisco Systems; not re-checked: I]
OUIS = ("00000c",)

#: ``transportLayerProtocol``: 2 UDP [CUCM, 6921, WAZO]; 4 TCP [CUCM (TCP+UDP, the phone opens TCP), 6921];
#: 3 TLS [WAZO, CUCM-SEC]; 1 "use device default" [6921], taken as UDP [unverified]
TRANSPORTS = {"1": "udp", "2": "udp", "3": "tls", "4": "tcp"}
#: what the phone's web server needs from its authentication URL's answer, exactly [SDK]
AUTHORIZED = "AUTHORIZED"
LINE_FEATURE = "9"  # featureID of a line button [WAZO, CUCM]


def _find(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def device(files: dict) -> tuple[str, ET.Element] | None:
    """(path, ``<device>`` root) of the phone's own ``SEP<MAC>.cnf.xml``, the last one fetched; None without one."""
    devices = [(path, root) for path, root in _documents(files, "device") if path.endswith(".cnf.xml")]
    own = [item for item in devices if not item[0].lower().endswith("/xmldefault.cnf.xml")]
    return own[-1] if own else None


def authentication_url(files: dict) -> str | None:
    """The URL the phone asks before an authenticated web request: ``secureAuthenticationURL`` in a secure
    mode, else ``authenticationURL`` [CUCM; the choice by mode: I]; None when its file names none."""
    found = device(files)
    if found is None:
        return None
    _path, root = found
    secure = (_find(root, "deviceSecurityMode") or "1") != "1"
    if secure and _find(root, "secureAuthenticationURL"):
        return _find(root, "secureAuthenticationURL")
    return _find(root, "authenticationURL")


def accounts(files: dict) -> list[SipAccount]:
    """The SIP accounts of ``SEP<MAC>.cnf.xml``: lines of ``featureID`` 9 with ``name``, ``authName``,
    ``authPassword``, ``displayName`` and ``proxy`` (``USECALLMANAGER``: the first ``callManagerGroup``
    member's ``processNodeName`` and ``sipPort``, ``securedSipPort`` over TLS; else a host with the line's
    ``port``) [WAZO, CUCM]; ``transportLayerProtocol``; ``sipProxies/registerWithProxy``,
    ``outboundProxy`` with ``outboundProxyPort`` [CUCM]; ``timerRegisterExpires``."""
    found = device(files)
    if found is None:
        return []  # XMLDefault.cnf.xml carries no lines
    path, root = found
    transport = _code(_find(root, "transportLayerProtocol"), TRANSPORTS, f"{path} transportLayerProtocol", "udp")
    members = root.findall("devicePool/callManagerGroup/members/member")
    members.sort(key=lambda member: _int(member.get("priority"), f"{path} member priority", 0))
    manager, manager_port = None, None
    if members:
        call_manager = members[0].find("callManager")
        if call_manager is not None:
            manager = _find(call_manager, "processNodeName")
            port_name = "securedSipPort" if transport == "tls" else "sipPort"
            manager_port = _int(_find(call_manager, f"ports/{port_name}"), f"{path} {port_name}")
    profile = root.find("sipProfile")
    if profile is None:
        return []
    register = (_find(profile, "sipProxies/registerWithProxy") or "true").lower() != "false"
    outbound = _find(profile, "sipProxies/outboundProxy")
    if outbound is not None and outbound.upper() == "USECALLMANAGER":
        outbound = None  # [CUCM]: no proxy of its own, REGISTERs go to the call manager
    outbound_port = _int(_find(profile, "sipProxies/outboundProxyPort"), f"{path} outboundProxyPort")
    expires = _int(_find(profile, "sipStack/timerRegisterExpires"), f"{path} timerRegisterExpires")
    found_accounts = []
    for position, line in enumerate(profile.findall("sipLines/line"), start=1):
        feature = _find(line, "featureID")
        name = _find(line, "name")
        if (feature is not None and feature != LINE_FEATURE) or name is None:
            continue  # speed dials, BLF and other buttons
        index = _int(line.get("lineIndex") or line.get("button"), f"{path} line index", position)
        proxy = _find(line, "proxy")
        if proxy is None or proxy.upper() == "USECALLMANAGER":
            registrar, port = manager or "", manager_port
        else:
            registrar, port = proxy, _int(_find(line, "port"), f"{path} line {index} port")
        found_accounts.append(
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
                outbound_port=outbound_port if outbound else None,
            )
        )
    return found_accounts


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``<loadInformation>`` names the load; the phone fetches ``<load>.loads`` and the load name is the
    version [CUCM, WAZO]."""
    load = first(r"<loadInformation[^>]*>([^<]*)</loadInformation>", files)
    return FirmwareRef(load + ".loads", load) if load else None


#: models whose web server has no ``/CGI/Screenshot``: the 6901 and 6911 have no display, the 3905's is a
#: one-line character display, and the 7832/8832 conference phones are not among the phones of the
#: application development notes' screenshot chapter [SDK; the 3905, 7832 and 8832 I: not seen refused]
WITHOUT_SCREENSHOT = frozenset({"CP-3905", "CP-6901", "CP-6911", "CP-7832", "CP-8832"})


def screenshot(model: str | None) -> bool:
    """Whether a phone of ``model`` (``CP-8845``, ``8845``) answers ``/CGI/Screenshot``."""
    name = (model or "").strip().upper()
    name = name if name.startswith("CP-") else f"CP-{name}"
    return name not in WITHOUT_SCREENSHOT


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``<preferredCodec>`` values -> the fleet's [I: CUCM's product-specific field offers g711ulaw, g711alaw,
#: g729, g722 and none; the SEP file's spelling of them is unconfirmed beyond ``none`` and ``g722``]
PREFERRED_CODECS = {"g711ulaw": "pcmu", "g711alaw": "pcma", "g729": "g729", "g729a": "g729", "g722": "g722"}
#: ``<line><featureID>`` -> the fleet's function: 9 line [WAZO, CUCM], 2 speed dial, 21 BLF speed dial
#: (param-audit.md §3: CUCM-exported SEP files)
FEATURES = {"9": "line", "2": "speed_dial", "21": "blf"}


def codecs(files: dict) -> list[str]:
    """The one codec the file prefers (``preferredCodec``); the order of the others is the call manager's
    region's, not the file's. G.722 counts only with ``vendorConfig/g722CodecSupport`` 2 (enabled; 0
    disabled, 1 the system default) [param-audit.md §3]."""
    found = device(files)
    if found is None:
        return []
    preferred = PREFERRED_CODECS.get((_find(found[1], "sipProfile/preferredCodec") or "none").lower())
    if preferred == "g722" and _find(found[1], "vendorConfig/g722CodecSupport") != "2":
        return []
    return [preferred] if preferred else []


def timezone(files: dict) -> Clock:
    """``dateTimeSetting/timeZone``: a name of CUCM's (Windows') zone list; the phone applies its offset and
    daylight saving from its own table [CUCM]."""
    found = device(files)
    zone = (_find(found[1], "devicePool/dateTimeSetting/timeZone") or "") if found else ""
    return Clock(None, "auto", 0, zone)


def keys(files: dict) -> list[Key]:
    """``sipProfile/sipLines/line``: ``button`` the position, ``featureID``, ``featureLabel``; a line's value
    its ``lineIndex``, a speed dial's ``speedDialNumber`` [WAZO, CUCM]."""
    found = device(files)
    if found is None:
        return []
    buttons = []
    for line in found[1].findall("sipProfile/sipLines/line"):
        function = FEATURES.get(_find(line, "featureID") or "", f"feature {_find(line, 'featureID')}")
        value = line.get("lineIndex", "") if function == "line" else _find(line, "speedDialNumber") or ""
        buttons.append(Key(int(line.get("button") or 0), function, value, _find(line, "featureLabel") or ""))
    return sorted(buttons, key=lambda key: key.position)
