# Private to this collection: the Poly (Polycom) data sheet.
"""Poly VVX and Edge E desk phones (UC Software / PVOS), HTTP(S), FTP or TFTP provisioning.

Files the phone fetches: the master file ``<mac>.cfg`` (else ``000000000000.cfg``), an
``<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="[PHONE_MAC_ADDRESS]-user.cfg, common.cfg">`` that
names the firmware and the config files fetched next. Format: XML whose attributes are the parameters
(``reg.N.address``, ``reg.N.auth.userId`` …). Server URL from DHCP option 66. User-Agent
``FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application``. Control: SIP ``check-sync``;
REST ``/api/v1/mgmt/safeRestart`` and ``/api/v1/mgmt/device/info`` with Basic auth.

Sources: research/phone-vendors.md §6 (wazo ``wazo_polycom``).

Unverified (``verified=False``): every model's line and key counts, the VVX Color Expansion Module
(keys, pages, maximum) and the CCX range (left out). Screenshot (``/captureScreen``) is only
remembered, so it is not claimed. OUIs: Polycom blocks from memory, not exhaustive (HP-era Edge E
units may carry others).

Rendering (``PolyDriver``), files:

- ``000000000000.cfg`` (base file, what an unknown phone gets): the master file with no firmware and
  ``CONFIG_FILES="[PHONE_MAC_ADDRESS]-phone.cfg"``, so a phone becomes configured as soon as the
  fleet knows it.
- ``<mac>.cfg``: the phone's own master file, fetched before ``000000000000.cfg``;
  ``APP_FILE_PATH`` is the kit's firmware URL (empty without a kit), ``CONFIG_FILES`` names
  ``<mac>-phone.cfg``.
- ``<mac>-phone.cfg``: every setting, as attributes of ``<polycomConfig>`` children.
- ``<mac>-directory.xml``: only when the phone has speed-dial keys (Poly speed dials are contact
  directory entries with an ``sd`` index; ``lineKey.N.category="SpeedDial"`` points at them).

Extended-set ``params`` are written verbatim as attributes of a ``<params>`` element, the last one
of ``<mac>-phone.cfg``; they do not remove the attribute of the same name written earlier.

Verified (research/phone-vendors.md §6, wazo ``wazo_polycom``, Polycom administrator guides):
``reg.N.address``/``.auth.userId``/``.auth.password``/``.displayName``/``.label``,
``device.net.vlanId``, ``device.auth.localAdminPassword`` with ``device.set``/``.set``,
``tcpIpApp.sntp.address``, ``tcpIpApp.sntp.gmtOffset`` (seconds), the
``tcpIpApp.sntp.daylightSavings.*`` rule (``dayOfWeek`` 1 = Sunday, ``date`` 1/8/15/22 for the
week, ``lastInMonth``), ``attendant.resourceList.N.address``/``.label``, ``msg.mwi.N.*``,
``qos.ip.*.dscp``, transports ``UDPOnly``/``TCPOnly``/``TLS``, the master file attributes
``APP_FILE_PATH``/``CONFIG_FILES``, and the User-Agent.

Unverified (from memory, check on a real phone): ``voIpProt.server.N.*`` and
``voIpProt.SIP.outboundProxy.*`` (wazo writes ``reg.N.server.1.*`` instead); the codec names
``G711_Mu``/``G711_A``/``G722``/``G729_AB``/``iLBC.15_2kbps``/``G7221.32kbps``/
``G7221_C.48kbps`` and "0 = not offered"; ``lineKey.reassignment.enabled``/``lineKey.N.category``/
``lineKey.N.index``; ``attendant.resourceList.N.type`` ``automata`` for park orbits; expansion-module
keys numbered on from the phone's last line key; a full URL in ``APP_FILE_PATH`` and an empty one
keeping the running software; ``prov.polling.*``; ``device.net.lldpEnabled``/``cdpEnabled``;
``qos.ethernet.*.user_priority``; ``sec.srtp.*``; ``nat.keepalive.interval``;
``lcl.datetime.time.24HourClock``; the directory fields ``fn``/``ct``/``sd``.

Settled from sources (issue 11; research/param-audit.md §7):

- Opus is ``voice.codecPref.Opus`` (fusionpbx's CCX 500 template and two public VVX configs; Poly
  names are case-sensitive, ``OPUS`` was never offered).
- The control paths need, in the phone's file: ``apps.restapi.enabled="1"`` for the REST API
  (``safeRestart``, ``safeReboot``, ``device/info``: third-party VVX tools and monitoring connectors name it
  as the prerequisite; a phone without it answers 404), and
  ``voIpProt.SIP.specialEvent.checkSync.alwaysReboot="0"`` so a ``check-sync`` NOTIFY re-reads the
  configuration instead of rebooting (1 reboots on every check-sync: Posh-UCS, fusionpbx; 0 "will only
  reboot if the files on the settings server have changed": the sip-notify gem's Polycom note). Their
  factory defaults are not verified; both are written.
"""

from __future__ import annotations

import re
import typing

from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

_TRANSPORTS = {"udp": "UDPOnly", "tcp": "TCPOnly", "tls": "TLS"}
_SRTP = {"off": ("0", "0", "0"), "optional": ("1", "1", "0"), "required": ("1", "1", "1")}
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _hhmm(hours: str | None, part: int) -> str | None:
    return hours.split("-")[part] if hours else None


class PolyDriver(VendorDriver):
    """Poly UC Software: a master file per phone, one XML config file, a contact directory."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    # lineKey.N.category; BLF and park keys are attendant resource-list entries, speed dials directory entries
    key_functions: typing.ClassVar[dict] = {
        "line": "Line",
        "blf": "BLF",
        "park": "BLF",
        "speed_dial": "SpeedDial",
    }
    codec_names: typing.ClassVar[dict] = {
        "g722": "G722",
        "pcma": "G711_A",
        "pcmu": "G711_Mu",
        "g729": "G729_AB",
        "opus": "Opus",
        "ilbc": "iLBC.15_2kbps",
        "g722.1": "G7221.32kbps",
        "g722.1c": "G7221_C.48kbps",
    }
    defaults: typing.ClassVar[dict] = {
        "sip": {"transport": "udp", "expires": 3600},
        "time": {"time_format": "24h"},
        "network": {"lldp": True, "cdp": True},
    }
    mac_case = "lower"
    requested_files = (
        r"000000000000\.cfg",
        r"(?!0{12})(?P<mac>[0-9a-f]{12})\.cfg",
        r"(?P<mac>(?!0{12})[0-9a-f]{12})-phone\.cfg",
        r"(?P<mac>(?!0{12})[0-9a-f]{12})-directory\.xml",
    )
    user_agents = (r"FileTransport Polycom\w*-(?P<model>\w+?)-UA/(?P<firmware>[\d.]+)",)

    @property
    def environment(self):
        environment = super().environment
        if "poly_keys" not in environment.globals:
            environment.globals.update(
                poly_keys=self.key_plan, transport_name=_TRANSPORTS, srtp_values=_SRTP, hhmm=_hhmm
            )
        return environment

    def key_plan(self, keys: list, modules: list, line_keys: int | None) -> dict:
        """Line keys numbered across phone and modules, with their resource-list and speed-dial entries."""
        plan: dict = {"line_keys": [], "resources": [], "speed_dials": []}
        placed = [(key["index"], key) for key in keys]
        offset = line_keys or 0
        for module in modules:
            sheet = self.vendor.expansion_module(module["name"])
            placed.extend((offset + key["index"], key) for key in module["keys"])
            offset += sheet.keys if sheet else 0
        for number, key in placed:
            function = key["function"]
            if function in ("blf", "park"):
                plan["resources"].append(
                    {"address": key["value"], "label": key["label"], "automata": function == "park"}
                )
                index = len(plan["resources"])
            elif function == "speed_dial":
                plan["speed_dials"].append({"number": key["value"], "label": key["label"] or key["value"]})
                index = len(plan["speed_dials"])
            else:
                index = key["line"]
            plan["line_keys"].append({"number": number, "category": self.key_functions[function], "index": index})
        return plan

    def phone_files(self, context: dict) -> list[FileSpec]:
        bad = [name for name in context["params"] if not _PARAM_NAME.match(str(name))]
        if bad:
            raise RenderError(f"poly: extended-set parameter(s) {', '.join(map(str, bad))} are not Poly names")
        mac = context["phone"]["mac"]
        files = [FileSpec(f"{mac}.cfg", "master.cfg.xml.j2"), FileSpec(f"{mac}-phone.cfg", "phone.cfg.xml.j2")]
        has_speed_dials = any(key["function"] == "speed_dial" for key in context["keys"]) or any(
            key["function"] == "speed_dial" for module in context["modules"] for key in module["keys"]
        )
        if has_speed_dials:
            files.append(FileSpec(f"{mac}-directory.xml", "directory.xml.j2"))
        return files

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("000000000000.cfg", "base-master.cfg.xml.j2")]


DRIVER = PolyDriver()
