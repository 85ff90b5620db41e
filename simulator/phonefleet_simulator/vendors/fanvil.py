"""Fanvil X-series: how the phone reads its ``<mac>.cfg`` (XML ``<sysConf>``) and guards its control paths.

Sources (research/param-audit.md §10): wazo ``wazo_fanvil`` (``common/common.py``, the X-series template
``common/templates/base-new.tpl``) and FusionPBX's Fanvil X6U template (``fanvil/x6u/{$mac}.cfg``), both
written for real phones; no Fanvil administrator guide was found. [V] read there; [I] inferred.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .. import configs
from . import Clock, FirmwareRef, HttpControl, Key, Refusal, first, named_firmware, transition

#: Fanvil's MAC prefix [V: research/atcom-qtech.md §3 brand_macs]
OUIS = ("0c383e",)

#: ``<sip><line index><Transport>`` [V wazo common.py: 0 UDP, 1 TCP, 3 TLS; fusion x6u the same]
TRANSPORTS = {"0": "udp", "1": "tcp", "3": "tls"}
#: ``<ap><FlashProtocol>`` with the scheme of ``<FlashServerIP>`` [V: wazo writes 4 with an http URL,
#: fusion x6u 5 with an https one; that 4 is HTTP and 5 HTTPS, and that the phone then fails to fetch, is I]
FLASH_PROTOCOLS = {"http": "4", "https": "5"}


def documents(files: dict) -> list[tuple[str, ET.Element]]:
    return configs._documents(files, "sysConf")


def setting(files: dict, path: str) -> str | None:
    """The text of ``path`` (under ``<sysConf>``) in the last file that has it."""
    found = None
    for _path, root in documents(files):
        element = root.find(path)
        if element is not None:
            found = (element.text or "").strip()
    return found


def accounts(files: dict) -> list[configs.SipAccount]:
    """``<sip><line index>``: ``PhoneNumber`` (the AOR user), ``RegisterUser``, ``RegisterPswd``,
    ``DisplayName``, ``RegisterAddr``/``RegisterPort``, ``Transport``, ``RegisterTTL``, ``EnableReg``,
    ``ProxyAddr``/``ProxyPort`` [V wazo base-new.tpl, fusion x6u]; later files winning."""
    lines: dict[int, dict[str, str]] = {}
    for path, root in documents(files):
        for line in root.findall("sip/line"):
            index = configs._int(line.get("index"), f"{path} sip line index")
            if index is None:  # the line's number is its index: there is no line without one
                raise configs.ConfigError(f"{path}: sip line without an index")
            fields = lines.setdefault(index, {})
            for child in line:
                fields[configs._local(child.tag)] = (child.text or "").strip()
    found = []
    for index in sorted(lines):
        fields = {name: value for name, value in lines[index].items() if value}
        user = fields.get("PhoneNumber")
        if user is None:
            continue
        what = f"sip line {index}"
        found.append(
            configs._account(
                line=index,
                user=user,
                auth_user=fields.get("RegisterUser"),
                password=fields.get("RegisterPswd"),
                display_name=fields.get("DisplayName"),
                registrar=fields.get("RegisterAddr") or "",
                port=configs._int(fields.get("RegisterPort"), f"{what} RegisterPort"),
                transport=configs._code(fields.get("Transport"), TRANSPORTS, f"{what} Transport"),
                expires=configs._int(fields.get("RegisterTTL"), f"{what} RegisterTTL"),
                enabled=fields.get("EnableReg", "1") == "1",
                outbound_proxy=fields.get("ProxyAddr"),
                outbound_port=configs._int(fields.get("ProxyPort"), f"{what} ProxyPort"),
            )
        )
    return found


def refused_values(files: dict) -> list[str]:
    """Settings the phone cannot act on: a provisioning URL whose scheme ``FlashProtocol`` does not speak."""
    server = setting(files, "ap/FlashServerIP") or ""
    scheme = server.partition("://")[0].lower() if "://" in server else None
    protocol = setting(files, "ap/FlashProtocol")
    if scheme in FLASH_PROTOCOLS and protocol != FLASH_PROTOCOLS[scheme]:
        return [f"FlashProtocol={protocol!r} with FlashServerIP {server!r}: {scheme} needs {FLASH_PROTOCOLS[scheme]}"]
    return []


# -- control -----------------------------------------------------------------------------------------------


def control_settings(files: dict) -> dict[str, str]:
    """What the control paths read: ``<web><RemoteControl>`` ("" when no file sets it)."""
    return {"RemoteControl": setting(files, "web/RemoteControl") or ""}


def http(settings: dict[str, str], request: HttpControl) -> Refusal | None:
    """The Action URI (``/cgi-bin/ConfigManApp.com?key=…``) needs ``<web><RemoteControl>1`` [V: wazo
    base-new.tpl and fusion x6u both write it; that the phone refuses without it is I]. No allow list is
    enforced: fusion's ``<cti><ActiveUriIP>`` may be one, its format is unknown [I]."""
    if settings.get("RemoteControl") != "1":
        why = "remote control (<web><RemoteControl>) is off"
        return Refusal(why, reason=f"Forbidden: {why}")
    return None


# NOTIFY ``check-sync``: no setting that gates it is documented in the sources (wazo resyncs Fanvil phones
# with it and sets nothing for it): never refused here [I], so this module has no ``notify`` rule.


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``<Auto_Image_URL>`` [V wazo base-new.tpl]."""
    return named_firmware(first(r"<Auto_Image_URL>([^<]*)</Auto_Image_URL>", files))


# -- what the phone applies: codecs, time zone, keys [V: wazo_fanvil and fusion x6u templates] ------------------

#: ``<mm><capability><AudioCodecSets>`` names -> the fleet's [V: fusion fanvil templates name G729, OPUS]
CODECS = {"PCMU": "pcmu", "PCMA": "pcma", "G722": "g722", "G729": "g729", "G726-32": "g726", "G723": "g723",
          "ILBC": "ilbc", "OPUS": "opus", "AMR": "amr", "AMR-WB": "amr-wb"}  # fmt: skip
#: ``<Fkey><Type>`` 1 memory key (its kind the value's ``/`` suffix), 2 line [V: wazo_fanvil funckey
#: templates]; the suffixes: ``f`` speed dial, ``ba`` BLF, ``i`` intercom, ``p`` pickup [I: wazo names f and ba]
MEMORY_KINDS = {"f": "speed_dial", "ba": "blf", "b": "blf", "i": "intercom", "p": "pickup"}
_OFFSET = re.compile(r"^UTC([+-])(\d+)(?::(\d+))?$")


def codecs(files: dict) -> list[str]:
    """``AudioCodecSets``: the codecs in order, the first preferred [V]."""
    listed = setting(files, "mm/capability/AudioCodecSets") or ""
    return [CODECS.get(name.strip().upper(), name.strip().lower()) for name in listed.split(",") if name.strip()]


def timezone(files: dict) -> Clock:
    """``<phone><date>``: the offset of ``TimeZoneName`` (``UTC+3`` [V wazo]; the ``TimeZone`` index beside it
    is Fanvil's table's, not checked here [I]); ``EnableDST`` non-zero with ``DSTStartMon/Week/Wday/Hour`` and
    the ``End`` ones (week -1 the last, weekday 0 Sunday) and ``DSTMinOffset`` minutes [I: names from the
    fusion x6u template, their values' meaning unconfirmed]."""
    match = _OFFSET.match(setting(files, "phone/date/TimeZoneName") or "")
    offset = None
    if match:
        offset = (1 if match.group(1) == "+" else -1) * (int(match.group(2)) * 60 + int(match.group(3) or 0))
    if (setting(files, "phone/date/EnableDST") or "0") == "0":
        return Clock(offset, None)
    rule = []
    for edge in ("Start", "End"):
        week = int(setting(files, f"phone/date/DST{edge}Week") or "-1")
        rule.append(
            transition(
                int(setting(files, f"phone/date/DST{edge}Mon") or "0"),
                5 if week < 0 else week,
                int(setting(files, f"phone/date/DST{edge}Wday") or "0"),
                int(setting(files, f"phone/date/DST{edge}Hour") or "0"),
            )
        )
    return Clock(offset, ",".join(rule), int(setting(files, "phone/date/DSTMinOffset") or "60"))


def keys(files: dict) -> list[Key]:
    """``<dsskey><dssSide index=1><Fkey index>``: ``Type``, ``Value`` (``SIP<n>`` for a line key; for a memory
    key ``<number>@<line>/<kind>``) and ``Title`` [V wazo; kinds I]."""
    found = []
    for _path, root in documents(files):
        for key in root.findall("dsskey/dssSide[@index='1']/Fkey"):
            kind, value = key.findtext("Type", "").strip(), key.findtext("Value", "").strip()
            if kind == "2":
                function, value = "line", value.removeprefix("SIP")
            elif kind == "1":
                target, _slash, suffix = value.partition("/")
                function, value = MEMORY_KINDS.get(suffix, f"memory {suffix}"), target.partition("@")[0]
            else:
                continue
            found.append(Key(int(key.get("index") or 0), function, value, key.findtext("Title", "").strip()))
    return sorted(found, key=lambda key: key.position)
