"""Avaya J100 phones in third-party (3PCC, "Open SIP") mode, as the simulator knows them.

Written from Avaya's documents and public provisioning samples, not from the collection's driver.

Sources:

- [AG] *Installing and Administering Avaya J100 Series IP Phones in an Open SIP environment*, R4.1
  (documentation.avaya.com, dev-docs.avaya.com): "Parameters for redundancy provisioning"
  (``SIP_CONTROLLER_LIST``, ``REGISTERWAIT`` 30-86400 s, ``DISCOVER_AVAYA_ENVIRONMENT``: default 1, the
  phone SUBSCRIBEs to ``avaya-cm-feature-status`` at its controller to discover Avaya features; 0: "the
  phone operates in a mode where AST features are not available", "set the parameter to 0 for IP
  Office"), "Pre-configuration of keys" (``PHONEKEY`` ``Key=;Type=;Name=;attr1=;Label=;Forced``: for
  ``Type=line`` the name is ``primary`` or ``bca``).
- [F] fusionpbx ``resources/templates/provision/avaya/J179/{$mac}.cfg`` (research/param-audit.md §5):
  ``Type=line;Name=primary;attr1=<line>``, ``PSTN_VM_NUM``, ``DISCOVER_AVAYA_ENVIRONMENT 0``,
  ``ENABLE_OOD_MSG_TLS_ONLY``.
- [SDK] Avaya's Vantage client SDK ``ConfigParametersNames`` (GitHub, Avaya's own code): ``PSTN_VM_NUM``
  is the voicemail number the client dials; no ``MSGNUM`` exists there or in any source found.
- [AADS] the 46xxsettings.txt template of Avaya Aura Device Services 8.1.5 (tek-tips thread "AADS 8.1.5"):
  ``SIP_CONTROLLER_LIST`` is the list of SIP proxy or registrar servers, "for OpenSIP environment, only one
  SIP controller is supported"; the admin guide's ``SIPDOMAIN`` is "the SIP domain used for SIP registration".
- [PV] research/phone-vendors.md §3 (wazo ``wazo_avaya``): check-sync over SIP NOTIFY; "Out-of-dialog
  REFER / NOTIFY reset is gated by ``ENABLE_OOD_RESET_NOTIFY``"; remote control wants
  ``ENABLE_OOD_RESET_NOTIFY 1`` and ``ENABLE_OOD_MSG_TLS_ONLY 0``.

Rules the phone applies:

- Scripts are ``SET NAME value`` lines (value quoted or not), the last ``SET`` of a name winning; ``GET``
  chains files and ``IF``/``GOTO`` are not evaluated here (the phone evaluates them) [AG].
- One SIP account: ``SIP_CONTROLLER_LIST host:port;transport=x`` (the first entry), ``SIPDOMAIN``,
  ``SIP_USER_ID`` or ``SIP_USER_ACCOUNT user@domain``, ``FORCE_SIP_USERNAME``/``FORCE_SIP_PASSWORD``,
  ``DISPLAY_NAME``, ``REGISTERWAIT`` [AG, F]. A controller without a transport is TLS [AG default]. Every
  request goes to the controller for the domain ``SIPDOMAIN``: a controller other than that domain is an
  outbound proxy [AADS; that a J phone sends REGISTER for SIPDOMAIN to a different controller: I].
- SIP NOTIFY ``check-sync`` (resync; ``;reboot=true`` reboot [M]) is honoured only with
  ``ENABLE_OOD_RESET_NOTIFY 1`` [PV; default 0 M] and, arriving over UDP, only with
  ``ENABLE_OOD_MSG_TLS_ONLY 0`` [PV; default 1 M: out-of-dialog messages over TLS only]. The refusal is
  answered ``403 Forbidden`` [I: what a J phone answers was not seen; any refusal leaves the phone as it was].
- ``DISCOVER_AVAYA_ENVIRONMENT`` other than 0 makes the phone look for Avaya features at a third-party
  registrar first [AG]: :func:`discovers_avaya_features`.
- A ``Type=line`` key without ``Name=primary`` or ``Name=bca`` is not a line key [AG]: :func:`phone_keys`
  refuses it.
"""

from __future__ import annotations

import re

from .. import configs
from ..configs import ConfigError, SipAccount
from . import Answer, Clock, FirmwareRef, Key, Notify, Refusal, first, named_firmware, transition

#: Avaya's MAC prefix [the IEEE OUI registry's block of Avaya Inc; not re-checked: I]
OUIS = ("c81fea",)

_SET = re.compile(r'^\s*SET\s+(\w+)\s+(?:"([^"]*)"|(\S.*?))\s*$')
#: the settings a check-sync NOTIFY depends on, and their factory defaults [PV names; defaults M]
NOTIFY_SETTINGS = {"ENABLE_OOD_RESET_NOTIFY": "0", "ENABLE_OOD_MSG_TLS_ONLY": "1"}
LINE_KEY_NAMES = ("primary", "bca")


def script_lines(files: dict) -> list[tuple[str, str]]:
    """Every ``SET`` of the fetched scripts, in order: (name, value)."""
    found = []
    for _path, body in files.items():
        for raw in configs._text(body).splitlines():
            match = _SET.match(raw)
            if match:
                found.append((match.group(1), match.group(2) if match.group(2) is not None else match.group(3)))
    return found


def settings(files: dict) -> dict[str, str]:
    """The value of every name, the last ``SET`` winning."""
    return dict(script_lines(files))


def accounts(files: dict) -> list[SipAccount]:
    values = settings(files)
    account = values.get("SIP_USER_ACCOUNT") or ""
    user = values.get("SIP_USER_ID") or account.partition("@")[0] or None
    controllers = [entry for entry in (values.get("SIP_CONTROLLER_LIST") or "").split(",") if entry.strip()]
    if user is None:
        return []
    controller, port, transport = "", None, "tls"  # a controller without a transport is TLS [AG]
    if controllers:
        controller, port, given = configs._uri_host_port(controllers[0], "SIP_CONTROLLER_LIST")
        transport = given or transport
    domain = values.get("SIPDOMAIN") or account.partition("@")[2] or controller
    # every request goes to the controller, registering in SIPDOMAIN [AADS]: a controller other than the
    # domain is the outbound proxy, and the registrar is the domain behind it (its port the proxy's business)
    through_proxy = bool(controller) and controller != domain
    return [
        configs._account(
            line=1,
            user=user,
            auth_user=values.get("FORCE_SIP_USERNAME"),
            password=values.get("FORCE_SIP_PASSWORD"),
            display_name=values.get("DISPLAY_NAME"),
            domain=domain,
            registrar=domain if through_proxy else controller,
            port=port,
            transport=transport,
            outbound_proxy=controller if through_proxy else None,
            outbound_port=port if through_proxy else None,
            expires=configs._int(values.get("REGISTERWAIT"), "REGISTERWAIT"),
        )
    ]


def phone_keys(files: dict) -> list[dict[str, str]]:
    """The ``PHONEKEY`` keys, each a dict of its fields; a line key must name ``primary`` or ``bca`` [AG]."""
    found = []
    for name, value in script_lines(files):
        if name != "PHONEKEY":
            continue
        fields = dict(part.partition("=")[::2] for part in value.split(";") if part.strip())
        if fields.get("Type", "").lower() == "line" and fields.get("Name", "").lower() not in LINE_KEY_NAMES:
            raise ConfigError(f"PHONEKEY {value!r}: a line key's Name is primary or bca")
        found.append(fields)
    return found


def voicemail_number(files: dict) -> str | None:
    """What the Message key dials: ``PSTN_VM_NUM`` [F, SDK]."""
    return settings(files).get("PSTN_VM_NUM") or None


def control_settings(files: dict) -> dict:
    values = settings(files)
    read = {name: values.get(name, default) for name, default in NOTIFY_SETTINGS.items()}
    read["DISCOVER_AVAYA_ENVIRONMENT"] = values.get("DISCOVER_AVAYA_ENVIRONMENT", "1")  # default 1 [AG]
    return read


def discovers_avaya_features(settings_read: dict) -> bool:
    """Whether the phone first looks for Avaya (AST) features at its registrar [AG]."""
    return settings_read.get("DISCOVER_AVAYA_ENVIRONMENT", "1") != "0"


def notify(settings_read: dict, request: Notify, answer: Answer) -> Answer | Refusal:
    """check-sync only when out-of-dialog NOTIFY reset is on and allowed over UDP [PV]."""
    if request.event != "check-sync":
        return answer
    allowed = {**NOTIFY_SETTINGS, **settings_read}
    if allowed["ENABLE_OOD_RESET_NOTIFY"] != "1":
        why = "ENABLE_OOD_RESET_NOTIFY is not 1"
        return Refusal(why, reason=f"Forbidden ({why})")
    if allowed["ENABLE_OOD_MSG_TLS_ONLY"] != "0":
        why = "ENABLE_OOD_MSG_TLS_ONLY: out-of-dialog NOTIFY over TLS only"
        return Refusal(why, reason=f"Forbidden ({why})")
    return answer


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``SET APPNAME`` names the image the upgrade script installs [AG "Upgrading the phone software"]."""
    return named_firmware(first(r'^[ \t]*SET[ \t]+APPNAME[ \t]+"?([^"\r\n]+?)"?[ \t]*$', files, re.MULTILINE))


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``CODEC_PRIORITY`` names -> the fleet's, and the ``ENABLE_*`` that turns each off [F; wazo base-J100series]
CODECS = {"G711U": "pcmu", "G711A": "pcma", "G722": "g722", "G729": "g729", "G726": "g726", "OPUS": "opus"}
CODEC_SWITCHES = {"G722": "ENABLE_G722", "G729": "ENABLE_G729", "OPUS": "ENABLE_OPUS", "G726": "ENABLE_G726"}
_GMT = re.compile(r"^([+-]?)(\d+)(?::(\d+))?$")
#: ``DSTSTART``/``DSTSTOP`` ``odddmmmhL``: which (1-4, L last), day, month, hour ("L" local) [AG "DSTSTART"]
_DST_CHANGE = re.compile(r"^([1-4L])(Sun|Mon|Tue|Wed|Thu|Fri|Sat)([A-Z][a-z]{2})(\d+)L$")
_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: ``PHONEKEY Type=feature Name=…`` -> the fleet's function [I: "busy-indicator" is the J100 feature name in
#: AG's feature list; ``blf`` as a Name is not documented]
FEATURE_KEYS = {"busy-indicator": "blf", "blf": "blf", "callpark": "park", "call-park": "park", "dnd": "dnd"}


def codecs(files: dict) -> list[str]:
    """``CODEC_PRIORITY`` in order, less those whose ``ENABLE_*`` is 0 [F, wazo]."""
    values = settings(files)
    listed = [name.strip().upper() for name in (values.get("CODEC_PRIORITY") or "").split(",") if name.strip()]
    offered = [name for name in listed if values.get(CODEC_SWITCHES.get(name, ""), "1") != "0"]
    return [CODECS.get(name, name.lower()) for name in offered]


def timezone(files: dict) -> Clock:
    """``GMTOFFSET "+1:00"`` [F]; ``DAYLIGHT_SAVING_SETTING_MODE`` 0 off, 1 manual (``DSTOFFSET`` now), 2 by
    ``DSTSTART``/``DSTSTOP`` with ``DSTOFFSET`` hours [AG; the modes' numbers I]."""
    values = settings(files)
    match = _GMT.match(values.get("GMTOFFSET") or "")
    offset = None
    if match:
        offset = (-1 if match.group(1) == "-" else 1) * (int(match.group(2)) * 60 + int(match.group(3) or 0))
    mode = values.get("DAYLIGHT_SAVING_SETTING_MODE") or "2"
    if mode == "0":
        return Clock(offset, None)
    shift = int(values.get("DSTOFFSET") or "1") * 60
    changes = [_DST_CHANGE.match(values.get(name) or "") for name in ("DSTSTART", "DSTSTOP")]
    if mode != "2" or not all(changes):
        return Clock(offset, "auto", shift)
    rule = ",".join(
        transition(_MONTHS.index(month) + 1, 5 if which == "L" else int(which), _DAYS.index(day), int(hour))
        for which, day, month, hour in (change.groups() for change in changes if change)
    )
    return Clock(offset, rule, shift)


def keys(files: dict) -> list[Key]:
    """``PHONEKEY`` ``Key``, ``Type`` (line: value ``attr1`` the line; autodial: ``attr1`` the number;
    feature: by ``Name``), ``Label`` [AG "Pre-configuration of keys"]."""
    found = []
    for fields in phone_keys(files):
        kind = fields.get("Type", "").lower()
        if kind == "line":
            function = "line"
        elif kind == "autodial":
            function = "speed_dial"
        else:
            name = fields.get("Name", "")
            function = FEATURE_KEYS.get(name.lower(), f"{kind} {name}")
        found.append(Key(int(fields.get("Key") or 0), function, fields.get("attr1", ""), fields.get("Label", "")))
    return sorted(found, key=lambda key: key.position)
