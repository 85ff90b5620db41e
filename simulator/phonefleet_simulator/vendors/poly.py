"""Poly (Polycom) VVX and Edge E phones on UC Software, as the simulator knows them.

Written from Poly's documents, public provisioning samples and the tools that drive these phones, not from
the collection's driver.

Sources:

- [AG] *Polycom UC Software Administrator Guide* (5.x/6.x), provisioning chapters: the master file
  ``<mac>.cfg``/``000000000000.cfg`` with ``CONFIG_FILES`` (the first file listed wins a parameter), ``reg.N.*``
  over ``voIpProt.server.M.*``, transports ``DNSnaptr``/``TCPpreferred``/``UDPOnly``/``TLS``/``TCPOnly``.
- [F] fusionpbx ``resources/templates/provision/polycom/*`` (research/param-audit.md §7): codec names
  ``voice.codecPref.G711_A``, ``G711_Mu``, ``G722``, ``G729_AB``, ``Opus`` (ccx500 ``{$mac}.cfg:411-420``),
  ``iLBC.15_2kbps``; ``voIpProt.SIP.specialEvent.checkSync.alwaysReboot`` in 37 templates.
- [REST] Poly's REST API as third-party tools use it (research/phone-vendors.md §6): a VVX needs
  ``<apps apps.restapi.enabled="1"/>`` (the VVX manager scripts' prerequisite, Centreon's Poly connector:
  "enable the REST API on the phone by setting apps.restapi.enabled=1"); a phone without it answers the
  ``/api/v1/`` paths 404 (a REST client's troubleshooting note).
- [CS] ``voIpProt.SIP.specialEvent.checkSync.alwaysReboot``: 1 reboots on every check-sync (Posh-UCS:
  "must be set to 1" for its NOTIFY reboot); 0 "will only reboot if the files on the settings server have
  changed" (the sip-notify gem's Polycom note).

Rules the phone applies:

- Accounts: ``reg.N.address`` (``user`` or ``user@domain``), ``reg.N.auth.userId``/``.auth.password``,
  ``reg.N.displayName``, ``reg.N.server.1.*`` over ``voIpProt.server.1.*``, outbound proxy
  ``reg.N.outboundProxy.*`` over ``voIpProt.SIP.outboundProxy.*`` [AG]. A port 0 or none is the transport's.
- Codecs: ``voice.codecPref.<name>`` with the names above, 0 = not offered [F]; a name the phone does not
  know (``OPUS``) is a parameter it ignores, not a codec [I: Poly parameter names are case-sensitive].
- The REST API (``/api/v1/...``) answers only with ``apps.restapi.enabled`` 1 [REST]; otherwise 404. Its
  factory default is taken as 0 (every tool asks to enable it).
- The REST API logs in as ``Polycom`` with ``device.auth.localAdminPassword`` when a file sets it [REST, AG];
  a phone whose files set none keeps its own (the simulator's configured login).
- A ``check-sync`` NOTIFY re-reads the configuration with ``alwaysReboot`` 0 and reboots with 1 [CS]. The
  factory default is not verified: taken as 1 here, the stricter of the two, so a file must say 0 for a
  check-sync to be a resync. That 0 still reboots when the files changed [CS] is not simulated.
"""

from __future__ import annotations

import re

from .. import configs
from ..configs import SipAccount
from . import Answer, Clock, FirmwareRef, HttpControl, Key, Notify, Refusal, first, named_firmware, transition

#: Polycom's MAC prefix [the IEEE OUI registry's block of Polycom; not re-checked: I]
OUIS = ("0004f2",)

TRANSPORTS = {"DNSnaptr": "udp", "UDPOnly": "udp", "TCPOnly": "tcp", "TCPpreferred": "tcp", "TLS": "tls"}
#: ``voice.codecPref.<name>`` names [F]
CODECS = ("G711_Mu", "G711_A", "G722", "G729_AB", "Opus", "iLBC.15_2kbps", "G7221.32kbps", "G7221_C.48kbps")
REST_ENABLED = "apps.restapi.enabled"
ADMIN_PASSWORD = "device.auth.localAdminPassword"  # noqa: S105 - the parameter's name
ALWAYS_REBOOT = "voIpProt.SIP.specialEvent.checkSync.alwaysReboot"
_MASTER = re.compile(r"/([0-9a-fA-F]{12})\.cfg$")
_REG = re.compile(r"^reg\.(\d+)\.address$")


def parameters(files: dict) -> dict[str, str]:
    """Every parameter of the config files the master file lists, the first file listed winning [AG]."""
    masters = []
    for path, root in configs._documents(files, "APPLICATION"):
        match = _MASTER.search(path)
        if match:
            masters.append((match.group(1).lower() == "000000000000", path, match.group(1).lower(), root))
    documents = dict(configs._documents(files, "polycomConfig"))
    order = list(documents)
    if masters:
        masters.sort(key=lambda item: item[0])  # the phone's own master file before the default one
        _default, _path, mac, master = masters[0]
        listed = (master.get("CONFIG_FILES") or "").replace("[PHONE_MAC_ADDRESS]", mac)
        order = ["/" + name.strip().lstrip("/") for name in listed.split(",") if name.strip()]
    values: dict[str, str] = {}
    for path in order:
        listed_root = documents.get(path)
        if listed_root is None:
            continue
        for element in listed_root.iter():
            for name, value in element.attrib.items():
                values.setdefault(name, value)
    return values


def accounts(files: dict) -> list[SipAccount]:
    values = parameters(files)
    indices = sorted({int(match.group(1)) for key in values if (match := _REG.match(key))})
    found = []
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
        proxy_port = configs._int(outbound_port, f"{what} outbound proxy port") if outbound else None
        found.append(
            configs._account(
                line=index,
                user=user,
                auth_user=get("auth.userId"),
                password=get("auth.password"),
                display_name=get("displayName"),
                domain=domain or None,
                registrar=get("server.1.address") or "",
                port=configs._int(get("server.1.port"), f"{what}.server.1.port") or None,  # 0: the default
                transport=configs._code(get("server.1.transport"), TRANSPORTS, f"{what}.server.1.transport"),
                expires=configs._int(get("server.1.expires"), f"{what}.server.1.expires"),
                enabled=(get("server.1.register") or "1") != "0",
                outbound_proxy=outbound or None,
                outbound_port=proxy_port or None,
            )
        )
    return found


def codecs_offered(files: dict) -> list[str]:
    """The codecs the phone offers, most preferred first: the known names with a priority above 0 [F]."""
    values = parameters(files)
    ranked = []
    for name in CODECS:
        priority = configs._int(values.get(f"voice.codecPref.{name}"), f"voice.codecPref.{name}", 0)
        if priority:
            ranked.append((priority, name))
    return [name for _priority, name in sorted(ranked)]


def control_settings(files: dict) -> dict:
    values = parameters(files)
    return {name: values[name] for name in (REST_ENABLED, ALWAYS_REBOOT, ADMIN_PASSWORD) if name in values}


def web_login(settings: dict) -> tuple[str, str] | None:
    """The REST API's login: ``Polycom`` with the admin password the files set [REST; AG]."""
    return ("Polycom", settings[ADMIN_PASSWORD]) if ADMIN_PASSWORD in settings else None


def http(settings: dict, request: HttpControl) -> Refusal | None:
    """The REST API is off unless the phone's file turns it on [REST]: its paths are not served at all."""
    if request.path.startswith("/api/") and settings.get(REST_ENABLED) != "1":
        return Refusal(f"{REST_ENABLED} is not 1", 404, "Not Found", before_login=True)
    return None


def notify(settings: dict, request: Notify, answer: Answer) -> Answer | Refusal:
    """check-sync resyncs with alwaysReboot 0, reboots otherwise [CS; the default taken as 1]."""
    if request.event == "check-sync" and answer.code == 200 and settings.get(ALWAYS_REBOOT, "1") != "0":
        return answer._replace(operation="reboot")
    return answer


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``APP_FILE_PATH`` of the master file names the application image [AG "master configuration file"]."""
    return named_firmware(first(r'APP_FILE_PATH="([^"]*)"', files))


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``voice.codecPref.<name>`` -> the fleet's [F]
FLEET_NAMES = {"G711_Mu": "pcmu", "G711_A": "pcma", "G722": "g722", "G729_AB": "g729", "Opus": "opus",
               "iLBC.15_2kbps": "ilbc", "G7221.32kbps": "g722.1", "G7221_C.48kbps": "g722.1c"}  # fmt: skip
#: ``lineKey.N.category`` -> the fleet's function [AG "Flexible Line Key Assignment"]
KEY_CATEGORIES = {"Line": "line", "BLF": "blf", "SpeedDial": "speed_dial"}


def codecs(files: dict) -> list[str]:
    """:func:`codecs_offered`, in the fleet's names."""
    return [FLEET_NAMES[name] for name in codecs_offered(files)]


def timezone(files: dict) -> Clock:
    """``tcpIpApp.sntp.gmtOffset`` (seconds) and ``tcpIpApp.sntp.daylightSavings.*``: with ``fixedDayEnable``
    0, ``start/stop.month``, ``.dayOfWeek`` (1 Sunday to 7 Saturday), ``.dayOfWeek.lastInMonth`` or the first
    such day on or after ``.date``, ``.time`` (hour) [AG "Time and Date"]; the shift is an hour [AG]."""
    values = parameters(files)
    prefix = "tcpIpApp.sntp.daylightSavings"
    seconds = values.get("tcpIpApp.sntp.gmtOffset")
    offset = int(seconds) // 60 if seconds else None
    if values.get(f"{prefix}.enable", "1") != "1":
        return Clock(offset, None)
    if values.get(f"{prefix}.fixedDayEnable", "0") != "0":
        return Clock(offset, "fixed dates", 60)  # [I: not written by our fleet]
    changes = []
    for edge in ("start", "stop"):
        last = values.get(f"{prefix}.{edge}.dayOfWeek.lastInMonth", "0") == "1"
        week = 5 if last else (int(values.get(f"{prefix}.{edge}.date", "1")) + 6) // 7
        changes.append(
            transition(
                int(values.get(f"{prefix}.{edge}.month", "0")),
                week,
                int(values.get(f"{prefix}.{edge}.dayOfWeek", "1")) - 1,
                int(values.get(f"{prefix}.{edge}.time", "2")),
            )
        )
    return Clock(offset, ",".join(changes), 60)


def _speed_dials(files: dict) -> dict[str, tuple[str, str]]:
    """The contact directory's speed-dial entries by ``sd`` index: (number ``ct``, name ``fn``) [AG]."""
    found = {}
    for _path, root in configs._documents(files, "directory"):
        for item in root.iter("item"):
            index = (item.findtext("sd") or "").strip()
            if index:
                found[index] = ((item.findtext("ct") or "").strip(), (item.findtext("fn") or "").strip())
    return found


def keys(files: dict) -> list[Key]:
    """With ``lineKey.reassignment.enabled`` 1 (else the phone ignores the assignments [AG]): ``lineKey.N``
    ``.category`` and ``.index`` — a Line's registration, a BLF's ``attendant.resourceList.<index>`` entry
    (``address``, ``label``), a SpeedDial's directory entry with ``sd`` = index [AG]."""
    values = parameters(files)
    if values.get("lineKey.reassignment.enabled") != "1":
        return []
    dials = _speed_dials(files)
    found = []
    for name, category in values.items():
        match = re.match(r"^lineKey\.(\d+)\.category$", name)
        if not match or category not in KEY_CATEGORIES:
            continue
        index = values.get(f"lineKey.{match.group(1)}.index", "")
        function = KEY_CATEGORIES[category]
        if function == "line":
            value, label = index, values.get(f"reg.{index}.label", "")
        elif function == "blf":
            value = values.get(f"attendant.resourceList.{index}.address", "")
            label = values.get(f"attendant.resourceList.{index}.label", "")
        else:
            value, label = dials.get(index, ("", ""))
        found.append(Key(int(match.group(1)), function, value, label))
    return sorted(found, key=lambda key: key.position)
