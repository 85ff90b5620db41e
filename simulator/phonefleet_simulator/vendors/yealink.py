"""What a real Yealink T-series phone does, written from Yealink's documents (not from the collection's driver).

Sources (short names used below):

- **AG**: Yealink "Administrator's Guide for SIP-T2/T3/T4/T5 Series IP Phones" (the Action URI chapter,
  "Accept SIP Trust Server Only", the troubleshooting answer "How to reboot the IP phone remotely?"), read in
  the copies at easymanua.ls/yealink/t21pe2/manual?p=465, easymanua.ls/yealink/t40g/manual/289184?p=518,523,
  manualshive.com/en/manual/yealink/sip-t5-series/..._3909785-497 and manualshive.com/en/manual/yealink/cp969/
  909068?page=779.
- **fusion**: the per-model boot files of FusionPBX's Yealink templates
  (``resources/templates/provision/yealink/<model>/y000000000000.boot``): which common file each model includes.

- **XB**: Yealink "XML Browser Developer's Guide for Yealink SIP-T4X IP Phones" (guide version 71.155; copy at
  38.142.81.21:8001/manual/yealink/sip-t4x/2-specifications-english): nine objects (TextMenu, TextScreen,
  InputScreen, PhoneDirectory, ImageMenu, FormattedTextScreen, PhoneExecute, PhoneConfiguration, PhoneStatus,
  as ``YealinkIPPhone<Name>`` roots; ImageScreen in later editions, SIP VP-T49G guide); "the size of an XML object
  cannot exceed 10000 bytes"; one object per document; an XML browser key (DSS key type "XML Browser") opens its
  URL. The key type's code 27 is FusionPBX's (``app/devices/resources/classes/yealink.php``), not the guide's [I].

XML browser screens (:func:`xml_screen`): TextMenu (``Title``, ``MenuItem`` with ``Prompt`` and ``URI``),
TextScreen (``Title``, ``Text``), InputScreen (``Title``, ``URL``, and either one field given at the root: the
``type`` and ``password`` attributes, ``Prompt``, ``Parameter``, ``Default``, or ``InputField`` children with the
same attributes and elements) [XB]. The form is sent as a GET of ``URL`` with ``Parameter=value`` pairs appended
[I: how every public Yealink application reads it (FreePBX phoneprovision's Yealink logout.php, Gemeinschaft's
pb.php); Aastra's guide documents HTTP GET for the object Yealink's copies]. No Content-Type is documented: none is
checked [I].

Rules the simulated phone enforces (through the package's protocol: :func:`http` and :func:`notify`):

1. Action URI over HTTP (``/servlet?key=``, the old ``/cgi-bin/ConfigManApp.com?key=``, ``phonecfg=get``
   and ``/screencapture``) [AG]: ``features.action_uri.enable`` (default 1) must be 1; the caller's address must
   match ``features.action_uri_limit_ip`` (addresses and ``10.10.*.*`` patterns separated by commas, or
   ``any``; **blank by default, and blank refuses every request**); then, while
   ``features.show_action_uri_option`` is 1 (the default) the phone asks its user "Allow remote control?"
   and does nothing until someone presses OK: nobody does here. The HTTP answer to a refused request is not
   documented: 403 here [I].
2. SIP NOTIFY ``Event: check-sync`` [AG]: ``sip.notify_reboot_enable`` 0 = reboot only when the event carries
   ``reboot=true`` (else re-read the configuration), **1 = always reboot (the default)**, 2 = ignore.
3. Any SIP request [AG "Accept SIP Trust Server Only"]: with ``sip.trust_ctrl = 1`` (default 0) the phone
   accepts SIP messages only from its accounts' SIP servers and outbound proxies. A NOTIFY from the
   controller's own address is then refused. How it refuses (silence or an error) is not documented: 403 here
   [I]. The ``ACTION-URI`` NOTIFY needs Action URI enabled and, with the prompt on, waits for the user [AG].

A phone keeps the factory defaults for what its files do not set (later files win, AG: "the MAC-oriented file
overrides the common file").
"""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import (
    Answer,
    Clock,
    FirmwareRef,
    HttpControl,
    Key,
    Notify,
    Refusal,
    Screen,
    ScreenField,
    ScreenItem,
    ScreenRefused,
    child_text,
    first,
    named_firmware,
    screen_link,
    transition,
    xml_object,
)

#: Yealink's MAC prefix [V: research/phone-vendors.md §1 User-Agents, wazo_yealink v86 common.py OUI list]
OUIS = ("001565",)

#: model -> the common file it fetches before ``<mac>.cfg`` [fusion boot files]. A model missing here is
#: one no document names a file for: the simulated phone then fetches only its own ``<mac>.cfg`` (so a
#: driver guessing a number for it is not confirmed by the simulator either).
COMMON_FILES: dict[str, str] = {
    # yealink/t2x/{$mac}.boot
    "T19P E2": "y000000000053.cfg",
    "T21P E2": "y000000000052.cfg",
    "T23P": "y000000000044.cfg",
    "T23G": "y000000000044.cfg",
    "T27G": "y000000000069.cfg",
    "T29G": "y000000000046.cfg",
    # yealink/t27p/y000000000000.boot
    "T27P": "y000000000045.cfg",
    # yealink/t31g, t33g, t34w/y000000000000.boot; T31W from ../shared/research/param-audit.md §1 (fusion)
    "T31G": "y000000000123.cfg",
    "T33G": "y000000000124.cfg",
    "T34W": "y000000000171.cfg",
    "T31W": "y000000000172.cfg",
    # yealink/t4x/y000000000000.boot
    "T40G": "y000000000076.cfg",
    "T40P": "y000000000054.cfg",
    "T41P": "y000000000036.cfg",
    "T42G": "y000000000029.cfg",
    "T46G": "y000000000028.cfg",
    "T48G": "y000000000035.cfg",
    "T41S": "y000000000068.cfg",
    "T42S": "y000000000067.cfg",
    "T46S": "y000000000066.cfg",
    "T48S": "y000000000065.cfg",
    "T42U": "y000000000116.cfg",
    "T43U": "y000000000107.cfg",
    "T46U": "y000000000108.cfg",
    "T48U": "y000000000109.cfg",
    # yealink/t44w/y000000000000.boot
    "T44W": "y000000000174.cfg",
    # yealink/t5x/y000000000000.boot; T54S from yealink/t54s/{$mac}.boot (param-audit.md §1)
    "T53": "y000000000095.cfg",
    "T53W": "y000000000095.cfg",
    "T54W": "y000000000096.cfg",
    "T57W": "y000000000097.cfg",
    "T54S": "y000000000070.cfg",
    # yealink/t58a, t58w/y000000000000.boot
    "T58A": "y000000000058.cfg",
    "T58W": "y000000000150.cfg",
}


def common_file(model: str | None) -> str | None:
    """The common file a phone of ``model`` (``T54W``, ``SIP-T54W``, ``T19P_E2``) fetches; None when unknown."""
    if not model:
        return None
    name = model.removeprefix("SIP-").replace("_", " ").strip().upper()
    for known, file in COMMON_FILES.items():
        if known.upper() == name:
            return file
    return None


# -- reading the files ---------------------------------------------------------------------------------------


def key_values(files: dict) -> dict[str, str]:
    """``key = value`` of every file that starts with ``#!version`` (the phone ignores the others [AG]), in the
    order fetched, a later value winning."""
    values: dict[str, str] = {}
    for body in files.values():
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        if not text.startswith("#!version"):
            continue
        for raw in text.splitlines()[1:]:
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _equals, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _value(values: dict, name: str, default: str) -> str:
    value = values.get(name)
    return default if value in (None, "", "%NULL%") else value


_SERVER_KEYS = re.compile(
    r"^account\.\d+\.(?:sip_server\.\d+\.address|sip_server_host|outbound_proxy\.\d+\.address|outbound_host)$"
)


@dataclass(frozen=True)
class ControlSettings:
    """What the phone's files say about being driven from outside (factory defaults where they say nothing)."""

    action_uri_enabled: bool = True
    action_uri_allowed: tuple[str, ...] = ()  # "any", addresses, or patterns with "*"
    action_uri_prompt: bool = True
    notify_reboot: str = "1"
    trust_servers_only: bool = False
    servers: tuple[str, ...] = ()  # the accounts' SIP servers and outbound proxies

    def allows_caller(self, address: str) -> bool:
        return any(_matches(entry, address) for entry in self.action_uri_allowed)


def control_settings(files: dict) -> ControlSettings:
    values = key_values(files)
    allowed = _value(values, "features.action_uri_limit_ip", "")
    return ControlSettings(
        action_uri_enabled=_value(values, "features.action_uri.enable", "1") == "1",
        action_uri_allowed=tuple(entry.strip() for entry in allowed.split(",") if entry.strip()),
        action_uri_prompt=_value(values, "features.show_action_uri_option", "1") == "1",
        notify_reboot=_value(values, "sip.notify_reboot_enable", "1"),
        trust_servers_only=_value(values, "sip.trust_ctrl", "0") == "1",
        servers=tuple(sorted({value for key, value in values.items() if _SERVER_KEYS.match(key) and value})),
    )


def _matches(entry: str, address: str) -> bool:
    """One entry of ``features.action_uri_limit_ip`` against the caller's address [AG]."""
    if entry.lower() == "any":
        return True
    if "*" in entry:
        pattern = re.escape(entry).replace(r"\*", r"(?:25[0-5]|2[0-4]\d|1?\d?\d)")
        return re.fullmatch(pattern, address) is not None
    try:
        return ipaddress.ip_address(entry) == ipaddress.ip_address(address)
    except ValueError:
        return False  # a host name: the phone compares addresses [I]


# -- the rules ---------------------------------------------------------------------------------------------

REFUSED = "refused"  # answered 403, nothing done
PROMPTED = "prompted"  # answered, the phone asks its user, nothing done
ALLOWED = "allowed"
PROMPT = "Allow remote control?"


def http_control(settings: ControlSettings, caller: str) -> str:
    """Rule 1: what the phone does with an Action URI request from ``caller``."""
    if not settings.action_uri_enabled or not settings.allows_caller(caller):
        return REFUSED
    return PROMPTED if settings.action_uri_prompt else ALLOWED


def check_sync(settings: ControlSettings, reboot_asked: bool) -> str | None:
    """Rule 2: ``"reboot"``, ``"resync"`` or None (ignored) for a check-sync NOTIFY."""
    if settings.notify_reboot == "2":
        return None
    if settings.notify_reboot == "0" and not reboot_asked:
        return "resync"
    return "reboot"


def trusts_source(settings: ControlSettings, source: str) -> bool:
    """Rule 3: whether a SIP request from ``source`` is accepted."""
    if not settings.trust_servers_only:
        return True
    return source in settings.servers


def http(settings: ControlSettings, request: HttpControl) -> Refusal | None:
    """Rule 1 on every control route (``/servlet``, ``/cgi-bin/ConfigManApp.com``, ``/screencapture``)."""
    verdict = http_control(settings, request.peer)
    if verdict == REFUSED:
        return Refusal(f"{request.peer} is not allowed Action URI (features.action_uri_limit_ip)")
    if verdict == PROMPTED:
        return Refusal(PROMPT, prompt=True)
    return None


def notify(settings: ControlSettings, request: Notify, answer: Answer) -> Answer | Refusal:
    """Rules 3, then 2 (check-sync) or 1's enable and prompt (ACTION-URI)."""
    if not trusts_source(settings, request.source):
        return Refusal(f"sip.trust_ctrl: {request.source} is not a SIP server of the phone")  # [AG; code I]
    if answer.code != 200:
        return answer
    if request.event == "check-sync":
        return Answer(200, "OK", check_sync(settings, request.reboot_asked))
    if request.event == "action-uri" and answer.operation is not None:
        if not settings.action_uri_enabled:
            return Refusal("features.action_uri.enable is 0")
        if settings.action_uri_prompt:
            return Refusal(PROMPT, prompt=True)
    return answer


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``static.firmware.url`` (the older ``firmware.url``) [AG "Firmware Upgrade"]."""
    return named_firmware(first(r"^[ \t]*(?:static\.)?firmware\.url[ \t]*=[ \t]*(\S[^\r\n]*)$", files, re.MULTILINE))


# -- what the phone applies: codecs, time zone, keys [AG "Audio Codecs", "Time and Date", "Line Keys"] ----------

#: ``account.1.codec.<name>.enable/.priority`` -> the fleet's name [AG, the V81+ names; ``g722_1_24kpbs`` is
#: Yealink's own spelling]
CODECS = {
    "opus": "opus", "g722": "g722", "pcma": "pcma", "pcmu": "pcmu", "g729": "g729", "g726_32": "g726",
    "g723_53": "g723", "g723_63": "g723", "ilbc": "ilbc", "amr": "amr", "amrwb": "amr-wb",
    "g722_1_24kpbs": "g722.1", "g722_1c_48kpbs": "g722.1c",
}  # fmt: skip
#: ``linekey.N.type`` -> the fleet's function [AG "Line Keys": 3 Transfer, 5 DND, 9 Directed Pickup,
#: 10 Call Park, 12 Voice Mail, 13 Speed Dial, 14 Intercom, 15 Line, 16 BLF, 17 URL]
KEY_TYPES = {
    "3": "transfer", "5": "dnd", "9": "pickup", "10": "park", "12": "voicemail", "13": "speed_dial",
    "14": "intercom", "15": "line", "16": "blf", "17": "url",
}  # fmt: skip
_LINE_KEY = re.compile(r"^linekey\.(\d+)\.type$")


def codecs(files: dict) -> list[str]:
    """Account 1's enabled codecs by ``priority`` (1 the first) [AG]."""
    values = key_values(files)
    ranked = []
    for name, fleet_name in CODECS.items():
        if values.get(f"account.1.codec.{name}.enable") == "1":
            ranked.append((int(values.get(f"account.1.codec.{name}.priority") or 99), fleet_name))
    return [fleet_name for _priority, fleet_name in sorted(ranked)]


def timezone(files: dict) -> Clock:
    """``local_time.time_zone`` (hours, ``+5:30`` form), ``local_time.summer_time`` (0 off, 1 on, 2 the phone's
    own rule for ``time_zone_name``: the default), with ``dst_time_type`` 1 ``start_time``/``end_time`` as
    ``month/week/weekday/hour`` (week 5 the last, weekday 1 Monday to 7 Sunday) and ``offset_time`` minutes
    [AG]. ``dst_time_type`` 0 (fixed dates) is read as no rule [I: not used by our fleet]."""
    values = key_values(files)
    hours, _colon, minutes = (values.get("local_time.time_zone") or "+8").partition(":")
    sign = -1 if hours.strip().startswith("-") else 1
    offset = sign * (abs(int(hours)) * 60 + int(minutes or 0))
    summer = values.get("local_time.summer_time", "2")
    zone = values.get("local_time.time_zone_name", "")
    if summer == "0":
        return Clock(offset, None, 0, zone)
    if summer == "2":
        return Clock(offset, "auto", 0, zone)
    rule = None
    if values.get("local_time.dst_time_type") == "1":
        changes = [values.get(f"local_time.{edge}_time", "").split("/") for edge in ("start", "end")]
        rule = ",".join(transition(*(int(part) for part in change)) for change in changes)
    return Clock(offset, rule, int(values.get("local_time.offset_time") or 60), zone)


def keys(files: dict) -> list[Key]:
    """``linekey.N.type``/``.line``/``.value``/``.label`` [AG]; a line key's value is its account (``line``,
    1 the first on current firmware [AG])."""
    values = key_values(files)
    found = []
    for name, code in values.items():
        match = _LINE_KEY.match(name)
        if not match or code in ("", "0"):
            continue
        index = match.group(1)
        function = KEY_TYPES.get(code, f"type {code}")
        value = values.get(f"linekey.{index}.{'line' if function == 'line' else 'value'}", "")
        found.append(Key(int(index), function, value, values.get(f"linekey.{index}.label", "")))
    return sorted(found, key=lambda key: key.position)


# -- the XML browser: an XML-browser key and the YealinkIPPhone objects -------------------------------------------

#: DSS key type "XML Browser" [I: FusionPBX's list, see XB above]
XML_BROWSER_KEY = "27"
#: the keys that may hold it: line keys, programmable (soft) keys, expansion-module keys [AG]
_XML_KEY = re.compile(r"^(?:linekey\.\d+|programablekey\.\d+|expansion_module\.\d+\.key\.\d+)\.type$")
XML_OBJECTS = frozenset(
    "YealinkIPPhone" + name
    for name in (
        "TextMenu", "TextScreen", "InputScreen", "Directory", "ImageMenu", "FormattedTextScreen", "Execute",
        "Configuration", "Status", "ImageScreen",
    )
)  # fmt: skip
MAX_OBJECT_BYTES = 10000  # [XB]
#: InputScreen ``type`` -> what the keypad lets the user type [XB names the types; the keypad of each: I]
INPUT_TYPES = {"string": "text", "number": "digits", "IP": "address"}


def xml_browser_url(files: dict) -> str | None:
    """The value of the first key of type XML browser in the phone's files (programmable keys, then line keys,
    then expansion-module keys, in file order); None when no key is one."""
    values = key_values(files)
    for name, value in values.items():
        if _XML_KEY.match(name) and value == XML_BROWSER_KEY:
            url = _value(values, name.removesuffix(".type") + ".value", "")
            if url:
                return url
    return None


def xml_screen(data: bytes, content_type: str, url: str) -> Screen:
    """What the phone shows of an application's answer [XB]: one well-formed YealinkIPPhone object of at most
    10000 bytes."""
    root = xml_object(data, url, MAX_OBJECT_BYTES)
    name = root.tag
    if name not in XML_OBJECTS:
        raise ScreenRefused(f"{url}: <{name}> is not a YealinkIPPhone object")
    title = child_text(root, "Title")
    if name == "YealinkIPPhoneTextScreen":
        return Screen("text", name, url, title, text=child_text(root, "Text"))
    if name == "YealinkIPPhoneTextMenu":
        items = tuple(
            ScreenItem(child_text(item, "Prompt"), screen_link(child_text(item, "URI"), url, name))
            for item in root.findall("MenuItem")
        )
        return Screen("menu", name, url, title, items=items)
    if name == "YealinkIPPhoneInputScreen":
        fields = [_input_field(field, root, url) for field in root.findall("InputField")]
        if not fields:  # one field given at the root
            fields = [_input_field(root, root, url)]
        action = screen_link(child_text(root, "URL"), url, name)
        return Screen("input", name, url, title, child_text(root, "Prompt"), fields=tuple(fields), action=action)
    raise ScreenRefused(f"{url}: <{name}> is a YealinkIPPhone object the simulator does not show")


def _input_field(field: ET.Element, root: ET.Element, url: str) -> ScreenField:
    """A field's attributes, else the root's (the single-field form); ``type`` string by default [XB]."""
    parameter = child_text(field, "Parameter")
    kind = field.get("type") or root.get("type") or "string"
    if not parameter or kind not in INPUT_TYPES:
        raise ScreenRefused(f"{url}: InputField {parameter or '(no Parameter)'} of type {kind!r}")
    password = (field.get("password") or root.get("password") or "no").lower() == "yes"
    return ScreenField(
        parameter, child_text(field, "Prompt"), password, child_text(field, "Default"), INPUT_TYPES[kind]
    )
