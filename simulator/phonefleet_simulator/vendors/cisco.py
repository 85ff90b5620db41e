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

- [XSI] Cisco Unified IP Phone Services Application Development Notes (OL-20949-01, Release 7.1(3); chapter
  "HTTP Requests and Header Settings" also in the 9.1(1) edition on cisco.com): the fifteen CiscoIPPhone objects;
  ``CiscoIPPhoneMenu`` (``Title``, ``Prompt``, ``MenuItem`` with ``Name`` and ``URL``; at most 100 MenuItems,
  a Name of at most 64 characters); ``CiscoIPPhoneText`` (``Title``, ``Prompt``, ``Text``);
  ``CiscoIPPhoneInput`` (``Title``, ``Prompt``, ``URL``, at most five ``InputItem`` with ``DisplayName``,
  ``QueryStringParam``, ``DefaultValue``, ``InputFlags``: A ASCII, T telephone number (digits, # and *),
  N numeric, E equation, U upper case, L lower case, P a password modifier, e.g. ``AP``); the input is sent to
  ``URL`` with one ``name=value`` pair per item appended as a query string, and "CiscoIPPhoneInput objects do not
  use the HTTP POST method"; the phone GETs a service URL and "parses the XML object if ContentType is text/xml";
  its ``Accept`` header offers ``x-CiscoIPPhone/*``.
- [XSI-ADMIN] Cisco Unified IP Phone Services Application Development Notes (OL-22505-01), chapter 9 "IP Phone
  Service Administration and Subscription", table 9-2, Secure-Service URL (copy at
  38.142.81.21:8001/manual/cisco/ol-6900-01/specifications-english/page-101.html): a device given both URLs
  chooses by its capabilities, one given no secure URL uses the nonsecure one.
- [CUCM-EM] CUCM administration guide, "Adding a Phone Service": ``#DEVICENAME#`` in a service URL reaches the
  application as the phone's device name (``SEP<MAC>``).

Unverified, marked where used: what code 1 ("device default") makes the phone use (UDP is assumed: the
reason [6921] gives for 4 is that UDP is what misbehaves); whether the authentication request is a GET or a
POST (a form POST is sent here, [M]); that a phone in non-secure mode (``deviceSecurityMode`` 1) uses the
plain ``authenticationURL`` and a secure one its ``secureAuthenticationURL`` (CUCM's precedence [I]); that a
phone whose file names no authentication URL refuses every authenticated request [I].
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..configs import SipAccount, _account, _code, _documents, _int
from . import (
    Clock,
    FirmwareRef,
    Key,
    Screen,
    ScreenField,
    ScreenItem,
    ScreenRefused,
    child_text,
    first,
    screen_link,
    xml_object,
)

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


# -- the XML browser: services button and IP Phone Services objects ---------------------------------------------

#: the objects of [XSI], "XML Object Definitions"; the simulator shows the first three
XML_OBJECTS = frozenset(
    "CiscoIPPhone" + name
    for name in (
        "Menu", "Text", "Input", "Directory", "Image", "ImageFile", "GraphicMenu", "GraphicFileMenu", "IconMenu",
        "IconFileMenu", "Status", "StatusFile", "Execute", "Response", "Error",
    )
)  # fmt: skip
MAX_MENU_ITEMS = 100  # [XSI] CiscoIPPhoneMenu
MAX_MENU_NAME = 64  # [XSI] MenuItem Name
MAX_INPUT_ITEMS = 5  # [XSI] CiscoIPPhoneInput
#: InputFlags -> what the keypad lets the user type [XSI]; E (numbers and math symbols) and U/L (one case of
#: letters) are taken as free text here [I: the simulator checks digits only]
INPUT_FLAGS = {"A": "text", "T": "dialled", "N": "digits", "E": "text", "U": "text", "L": "text"}
MASKED_FLAG = "P"  # [XSI] password field: the only modifier, with one of the others ("AP", "NP")


def xml_browser_url(files: dict) -> str | None:
    """What the services button opens [CUCM]: ``secureServicesURL`` of the phone's ``SEP<MAC>.cnf.xml`` when its
    file has one, else ``servicesURL`` [XSI-ADMIN: "If you do not provide a Secure-Service URL, the device uses the
    nonsecure URL. If you provide both ..., the device chooses the appropriate URL, based on its capabilities";
    every 78xx/88xx speaks HTTPS, so the secure one: I, as the guide says it of CUCM's service definitions, which
    CUCM writes into these two elements]. A ``#DEVICENAME#`` in it is sent as the phone's device name [CUCM-EM]."""
    found = device(files)
    if found is None:
        return None
    url = _find(found[1], "secureServicesURL") or _find(found[1], "servicesURL")
    if url is None:
        return None
    name = found[0].rpartition("/")[2].removesuffix(".cnf.xml")  # SEP<MAC>
    return url.replace("#DEVICENAME#", name)


def xml_browser_headers() -> dict:
    """The phone offers every CiscoIPPhone object [XSI, Accept header]."""
    return {"Accept": "x-CiscoIPPhone/*"}


def xml_screen(data: bytes, content_type: str, url: str) -> Screen:
    """What the phone shows of an application's answer [XSI]: parsed only when its Content-Type is text/xml
    (else the phone shows the body as plain text: refused here, as no Cisco application means that), one of the
    CiscoIPPhone objects, within the documented limits."""
    media = content_type.partition(";")[0].strip().lower()
    if media != "text/xml":
        raise ScreenRefused(f"{url}: Content-Type {content_type or 'none'!r}: the phone parses only text/xml")
    root = xml_object(data, url)
    name = root.tag
    if name not in XML_OBJECTS:
        raise ScreenRefused(f"{url}: <{name}> is not a CiscoIPPhone object")
    title, prompt = child_text(root, "Title"), child_text(root, "Prompt")
    if name == "CiscoIPPhoneText":
        return Screen("text", name, url, title, prompt, text=child_text(root, "Text"))
    if name == "CiscoIPPhoneMenu":
        items = tuple(
            ScreenItem(child_text(item, "Name"), screen_link(child_text(item, "URL"), url, name))
            for item in root.findall("MenuItem")
        )
        if len(items) > MAX_MENU_ITEMS:
            raise ScreenRefused(f"{url}: {len(items)} MenuItems, more than the phone's {MAX_MENU_ITEMS}")
        for item in items:
            if len(item.name) > MAX_MENU_NAME:
                raise ScreenRefused(f"{url}: MenuItem name {item.name[:20]!r}... longer than {MAX_MENU_NAME}")
        return Screen("menu", name, url, title, prompt, items=items)
    if name == "CiscoIPPhoneInput":
        fields = tuple(_input_item(item, url) for item in root.findall("InputItem"))
        if not fields or len(fields) > MAX_INPUT_ITEMS:
            raise ScreenRefused(f"{url}: {len(fields)} InputItems; the phone takes 1 to {MAX_INPUT_ITEMS}")
        action = screen_link(child_text(root, "URL"), url, name)
        return Screen("input", name, url, title, prompt, fields=fields, action=action, method="GET")
    raise ScreenRefused(f"{url}: <{name}> is a CiscoIPPhone object the simulator does not show")


def _input_item(item: ET.Element, url: str) -> ScreenField:
    parameter = child_text(item, "QueryStringParam")
    flags = child_text(item, "InputFlags").upper()
    kind = flags.replace(MASKED_FLAG, "")
    if not parameter or len(kind) > 1 or (kind and kind not in INPUT_FLAGS):
        raise ScreenRefused(f"{url}: InputItem {parameter or '(no QueryStringParam)'}: InputFlags {flags!r}")
    return ScreenField(
        parameter,
        child_text(item, "DisplayName"),
        password=MASKED_FLAG in flags,
        default=child_text(item, "DefaultValue"),
        keypad=INPUT_FLAGS[kind or "A"],
    )
