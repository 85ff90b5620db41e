"""Cisco 68xx/78xx/88xx phones on Multiplatform (MPP, "3PCC") firmware, as the simulator knows them.

Written from Cisco's documents and public provisioning samples, not from the collection's driver.

Sources:

- [AG] *Cisco IP Phone 8800 Series Multiplatform Phones Administration Guide* (11.x), "Configure the SIP
  Settings for Extensions" and "Configure the SIP Proxy Server" (Ext N tab: Line Enable, User ID,
  Password, Use Auth ID, Auth ID, Display Name, SIP Transport, Register Expires; Proxy and Registration:
  Proxy, Outbound Proxy, Use Outbound Proxy); the 6800 Series MPP guide says the same. XML names are the
  web names with ``_`` for spaces and ``_N_`` for the extension (``Line_Enable_1_``).
- [SPA] *Cisco SPA100 Series Administration Guide*, p. 59/63: "Resync From SIP: Enables a resync to be
  triggered via a SIP NOTIFY message. Default: yes" (the same provisioning engine as MPP).
- [F] fusionpbx ``resources/templates/provision/cisco/8841/{$mac}.xml`` (research/param-audit.md §4):
  ``SIP_Transport_1_`` written ``UDP``/``TCP``/``TLS``; ``[--uid --pwd]`` in ``Profile_Rule``.
- [W] wazo-provd-plugins ``wazo_cisco_sip`` v12.0.7 ``common.py``: the DNS SRV form of ``Proxy_N_``,
  ``alias:SRV=host:port:p=0|host:port:p=1``.

Rules the phone applies (what a file that breaks them gets on a real phone):

- ``SIP_Transport_N_`` is one of ``UDP``, ``TCP``, ``TLS``, ``AUTO`` [AG; spelling F]. A TCP line sends its
  REGISTERs over TCP and a TLS line over TLS: a file that swaps them registers over the wrong transport,
  which a registrar on 5061/TLS refuses. ``AUTO`` lets NAPTR/SRV choose: read here as UDP [I: a loopback
  registrar publishes no NAPTR]. Another value is refused (the web page offers only these).
- ``Proxy_N_`` is ``host[:port]`` or the SRV form [W]; without a port the transport's default [AG].
- ``Outbound_Proxy_N_`` is ``host[:port]``, used only when ``Use_Outbound_Proxy_N_`` is ``Yes`` [AG];
  without a port the phone sends to 5060 (5061 for TLS) [I: the AG's field takes "host:port"; that a
  bare host means the transport's default port is not stated].
- ``Auth_ID_N_`` counts only when ``Use_Auth_ID_N_`` is ``Yes``; otherwise the User ID authenticates [AG].
- ``Line_Enable_N_`` ``No``: the line does not register [AG]. Booleans are ``Yes``/``No`` [AG].
- Later files override earlier ones (one parameter space, the profile rules run in order) [AG:
  "Profile_Rule ... Profile_Rule_D"].
- The web interface's ``/admin/`` pages (``/admin/resync``, ``/admin/reboot``) log in as ``admin`` with
  ``Admin_Password`` when a file sets it [AG: "Admin Password"; the user name ``admin`` M]; a phone whose
  files set none keeps its own (the simulator's configured login).
"""

from __future__ import annotations

import re

from .. import configs
from ..configs import ConfigError, SipAccount
from . import Clock, FirmwareRef, Key, first, named_firmware, transition

#: Cisco's MAC prefix [the IEEE OUI registry's block of Cisco Systems; not re-checked: I]
OUIS = ("00000c",)

#: SIP_Transport_N_ as the phone's web page offers it [AG, spelling F]; AUTO read as UDP [I]
TRANSPORTS = {"UDP": "udp", "TCP": "tcp", "TLS": "tls", "AUTO": "udp"}
_LINE = re.compile(r"^(?:User_ID|Proxy)_(\d+)_$")


def parameters(files: dict) -> dict[str, str]:
    """Every ``<flat-profile>`` parameter of the fetched files, later files winning."""
    values: dict[str, str] = {}
    for _path, root in configs._documents(files, "flat-profile"):
        for element in root.iter():
            if element is not root:
                values[configs._local(element.tag)] = (element.text or "").strip()
    return values


def proxy(value: str, what: str) -> tuple[str, str, int | None]:
    """(domain, host, port) of a ``Proxy_N_``: ``host[:port]``, or ``alias:SRV=host:port:p=0|...`` [W]."""
    if ":SRV=" not in value:
        host, port = configs._host_port(value, what)
        return host, host, port
    alias, _srv, targets = value.partition(":SRV=")
    best = None
    for target in targets.split("|"):
        host, _colon, rest = target.strip().partition(":")
        fields = rest.split(":")
        port = configs._int(fields[0], what) if fields and fields[0] else None
        priority = next((configs._int(f[2:], what, 0) for f in fields[1:] if f.startswith("p=")), 0)
        if host and (best is None or priority < best[0]):
            best = (priority, host, port)
    if best is None:
        raise ConfigError(f"{what}: no SRV target in {value!r}")
    return alias.strip(), best[1], best[2]


def _yes(value: str | None, default: str = "No") -> bool:
    return (value or default).strip().lower() == "yes"


def accounts(files: dict) -> list[SipAccount]:
    values = parameters(files)
    indices = sorted({int(match.group(1)) for key in values if (match := _LINE.match(key))})
    found = []
    for index in indices:

        def get(name: str, index: int = index) -> str | None:
            return values.get(f"{name}_{index}_") or None

        user = get("User_ID")
        if user is None:
            continue
        domain, registrar, port = proxy(get("Proxy") or "", f"Proxy_{index}_")
        outbound = get("Outbound_Proxy") if _yes(get("Use_Outbound_Proxy")) else None
        outbound_host, outbound_port = (
            configs._host_port(outbound, f"Outbound_Proxy_{index}_") if outbound else (None, None)
        )
        found.append(
            configs._account(
                line=index,
                user=user,
                auth_user=get("Auth_ID") if _yes(get("Use_Auth_ID")) else None,
                password=get("Password"),
                display_name=get("Display_Name"),
                domain=domain,
                registrar=registrar,
                port=port,
                transport=configs._code(get("SIP_Transport"), TRANSPORTS, f"SIP_Transport_{index}_"),
                expires=configs._int(get("Register_Expires"), f"Register_Expires_{index}_"),
                enabled=_yes(get("Line_Enable"), "Yes"),
                outbound_proxy=outbound_host,
                outbound_port=outbound_port,
            )
        )
    return found


def control_settings(files: dict) -> dict:
    values = parameters(files)
    return {"Admin_Password": values["Admin_Password"]} if "Admin_Password" in values else {}


def web_login(settings: dict) -> tuple[str, str] | None:
    """``admin`` with the files' ``Admin_Password`` [AG]."""
    return ("admin", settings["Admin_Password"]) if "Admin_Password" in settings else None


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``Upgrade_Rule`` names the image [AG "Firmware Upgrade"]."""
    return named_firmware(first(r"<Upgrade_Rule[^>]*>([^<]*)</Upgrade_Rule>", files))


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``Preferred_Codec_N_`` values -> the fleet's [F: ``G711u|G711a|G729a|G722|…|OPUS``; param-audit.md §4]
CODECS = {"G711u": "pcmu", "G711a": "pcma", "G729a": "g729", "G722": "g722", "G722.2": "amr-wb", "iLBC": "ilbc",
          "OPUS": "opus"}  # fmt: skip
CODEC_SLOTS = ("Preferred_Codec", "Second_Preferred_Codec", "Third_Preferred_Codec")
_ZONE = re.compile(r"^GMT([+-])(\d\d):(\d\d)$")
#: one change of ``Daylight_Saving_Time_Rule``: ``month/day/weekday/h[:m:s]``, day -1 the last, weekday 1
#: Monday to 7 Sunday [AG "Daylight Saving Time Rule", the SPA rule syntax]
_CHANGE = re.compile(r"^(\d+)/(-?\d+)/(\d)/(\d+)")
_FUNCTION = re.compile(r"(?:^|;)fnc=([^;]+)")
_TARGET = re.compile(r"(?:^|;)(?:sub|ext)=([^;@]+)")


def codecs(files: dict) -> list[str]:
    """Extension 1's three preferred codecs in order (``Preferred_Codec_1_``, ``Second_…``, ``Third_…``) [AG]."""
    values = parameters(files)
    found = [values.get(f"{slot}_1_", "") for slot in CODEC_SLOTS]
    return [CODECS.get(name, name.lower()) for name in found if name and name != "Unspecified"]


def timezone(files: dict) -> Clock:
    """``Time_Zone`` ``GMT+03:00`` [W], ``Daylight_Saving_Time_Enable`` and its ``…_Rule``
    ``start=3/-1/7/2:0:0;end=10/-1/7/3:0:0;save=1`` [AG]."""
    values = parameters(files)
    match = _ZONE.match(values.get("Time_Zone", ""))
    offset = (1 if match.group(1) == "+" else -1) * (int(match.group(2)) * 60 + int(match.group(3))) if match else None
    if not _yes(values.get("Daylight_Saving_Time_Enable"), "Yes"):
        return Clock(offset, None)
    fields = dict(part.partition("=")[::2] for part in values.get("Daylight_Saving_Time_Rule", "").split(";"))
    changes = [_CHANGE.match(fields.get(edge, "")) for edge in ("start", "end")]
    if not all(changes):
        return Clock(offset, "auto")
    rule = ",".join(
        transition(int(month), 5 if int(day) < 0 else (int(day) + 6) // 7, int(weekday), int(hour))
        for month, day, weekday, hour in (change.groups() for change in changes if change)
    )
    save = fields.get("save", "1").split(":")
    return Clock(offset, rule, int(save[0]) * 60 + (int(save[1]) if len(save) > 1 else 0))


def keys(files: dict) -> list[Key]:
    """Line key N: ``Extension_N_`` (the extension it shows, ``Disabled`` for none), ``Short_Name_N_``, and
    ``Extended_Function_N_`` ``fnc=blf+sd+cp;sub=…`` (BLF) or ``fnc=sd;ext=…`` (speed dial) [AG "Line Key
    Configuration"]."""
    values = parameters(files)
    found = []
    for name, extension in values.items():
        match = re.match(r"^Extension_(\d+)_$", name)
        if not match:
            continue
        index = match.group(1)
        extended = values.get(f"Extended_Function_{index}_", "")
        label = values.get(f"Short_Name_{index}_", "")
        function = _FUNCTION.search(extended)
        target = _TARGET.search(extended)
        if function:
            kinds = function.group(1).split("+")
            kind = "blf" if "blf" in kinds else "speed_dial" if "sd" in kinds else function.group(1)
            found.append(Key(int(index), kind, target.group(1) if target else "", label))
        elif extension.isdigit():
            found.append(Key(int(index), "line", extension, label))
    return sorted(found, key=lambda key: key.position)
