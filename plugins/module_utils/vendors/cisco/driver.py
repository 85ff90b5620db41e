# Private to this collection: the Cisco enterprise (CUCM firmware) data sheet and rendering driver.
"""Cisco desk phones running enterprise (CUCM) SIP firmware, provisioned without a CUCM.

Files the phone fetches, over HTTP port 6970 first, then TFTP 69 (server from DHCP option 150 or 66):
``CTLSEP<MAC>.tlv``, ``ITLSEP<MAC>.tlv`` / ``ITLFile.tlv``, then ``SEP<MAC>.cnf.xml`` (MAC upper case),
falling back to ``XMLDefault.cnf.xml``; then the dial template, softkey, locale and ``<load>.loads``
files named inside. With an ITL v1.1 the config comes as ``SEP<MAC>.cnf.xml.sgn`` over HTTPS 6971.
Format: XML ``<device>``. No User-Agent: recognised by file name and DHCP option 60
(``Cisco Systems, Inc. IP Phone CP-8961``). Control: SIP NOTIFY ``Event: service-control``
(``action=restart|reset``), ``POST /CGI/Execute``, screenshot ``GET /CGI/Screenshot`` (69xx: then
``/CGI/lcd4.bmp``), status ``/DeviceInformationX``.

The same 68xx/78xx/88xx hardware can run MPP (3PCC) firmware instead: that is the ``cisco_mpp`` vendor.
Model names here are the enterprise ones (``CP-8845``), with the bare number as alias (``8845``),
as option 60 and ``SEP`` files carry it; MPP models are named ``CP-8845-3PCC`` and never share a name.

Sources: research/phone-vendors.md §2, research/unify-cisco.md part B, wazo-provd-plugins
``wazo_cisco_sip`` (8941/8945 at 9.3: 4 lines, 4 keys; 78xx/88xx key counts from the MPP plugin,
same hardware).

Unverified (``verified=False``): every model not named above, i.e. 3905, 69xx, 7811/7821/7832, 8845,
8865, 8832, 79x1/79x2/79x5/797x (the 7906/7911/7941/7961/7970/7971 of research/unify-cisco.md B.6's locale
list, figures from memory), 8961/99xx and DX70/DX80 (from memory); all key expansion modules (names
from the CUCM ``addOnModules`` device types, key counts and maximum counts from memory). DX70/DX80
run RoomOS/CE: best effort only. OUIs: a partial, unverified list of Cisco blocks seen on phones; Cisco
owns many more, so a Cisco MAC may not be recognised by its prefix.

Rendering (``CiscoDriver`` below): what it writes, and which facts are unverified (we have no real phone):

* ``SEP<MAC>.cnf.xml`` (MAC upper case), a ``<device>`` document; element names from
  research/unify-cisco.md B.2 (usecallmanager.nz) and wazo's 8941/8945 template. The CP-3905 gets its
  own template: the same schema, but its one line names the registrar and port itself instead of
  ``USECALLMANAGER`` (as the CP-3905 configurator tools do) and it has no line keys, softkey file,
  expansion modules or XML services [unverified].
* ``SEP<MAC>-dialplan.xml`` when the profile's Cisco extended sets have dial rules: a
  ``<DIALTEMPLATE>`` of ``<TEMPLATE MATCH= Timeout= User=>`` rules, named in ``<dialTemplate>``. The
  element and attribute names are from memory of CUCM dial plan files [unverified], and so is the
  phone accepting any file name there.
* ``XMLDefault.cnf.xml`` for unknown phones [root element ``<Default>`` verified: a CUCM-style XMLDefault,
  GH#5929097124], as real ones carry it (a public XMLDefault sample, Cisco-SIP.sh 2025: "it really does need a
  callManagerGroup/members/member/callManager with ports/ethernetPhonePort and processNodeName", where the phone
  sends its REGISTER): the ``callManagerGroup`` of the fleet's default profile (``settings.defaults.profile``:
  the profile a phone the fleet does not list would get; its registrar, backup and ports, no secret), then
  ``loadInformation<id> model="Cisco <number>"`` per model of the default kit (``settings.defaults.firmware_kit``)
  whose CUCM device type id is known (``LOAD_INFORMATION_IDS``), then the service's URLs. Loads are left out when
  the default profile has a firmware window: this file is the same at every hour, and a phone flashes what it
  names when it fetches it. Without a default profile there is no ``callManagerGroup``. No line and no password:
  the file is served to whoever asks (render/context.py ``shared_defaults``).
* Keys: one ``<line button=N>`` per key in ``<sipLines>``; ``featureID`` 9 line, 2 speed dial,
  21 BLF (``featureOptionMask`` 1), 22 BLF park, 23 intercom, 20 service URL, 127 pickup, 130 DND
  (B.3). Lines without a line key take the lowest free buttons. Expansion-module keys continue the
  button numbers after the phone's own keys (phone keys, then module 1, module 2 ...) and each module
  is declared in ``<addOnModules>`` with its ``deviceType`` [numbering and device types unverified].
* Transport: ``transportLayerProtocol`` 2 UDP, 4 TCP, 3 TLS. Sources disagree on TCP: wazo's template
  and usecallmanager.nz write 1, but a CP-6921 guide (msergiy87/phone_cisco_6921) lists 1 as "use device
  default", 2 UDP, 4 TCP, and a file CUCM 12.5 exported for 78xx/88xx phones writes 4 (research/param-audit.md
  §3, GH#5929097124; CUCM's default non-secure profile is TCP+UDP, on which the phones open TCP). We write 4,
  what real phones were given and registered with; 3 for TLS (wazo, usecallmanager) [verified in B.2]. The
  driver default is TCP, as UDP gives retransmit errors (B.2); a profile's transport wins.
* Outbound proxy: ``sipProxies/outboundProxy`` is a host and ``outboundProxyPort`` its port (CUCM's file); a
  profile's ``host:port`` is split, a proxy without a port takes the registrar's port.
* Time zone: ``render/windows_zones.windows_zone`` (Windows-style names; mapping unverified).
* Firmware: ``<loadInformation>`` is the kit file's name without ``.loads`` (B.8, verified in UCM);
  the phone then fetches ``<name>.loads`` and its parts from the provisioning server's root.
* VLAN: written to ``vendorConfig/voiceVlanAccess`` as wazo does; the phone may take its voice VLAN
  only from CDP/LLDP [unverified]. DSCP values are written as TOS bytes (DSCP x 4: 46 -> 184) as
  wazo's and CUCM's 184 for EF suggest [unverified].
* Admin: ``commonProfile/phonePassword``, ``sshUserId`` ``admin`` and ``sshPassword`` from
  ``admin_password``; ``sshAccess`` (0 = enabled, inverted) is 0 only when there is a password.
* Extended sets: ``params`` become children of ``<vendorConfig>`` (after and overriding the
  driver's own ones there: webAccess, sshAccess, pcPort, voiceVlanAccess, enableCdpSwPort, ...);
  booleans are written ``true``/``false``. ``cisco.softkey_template`` is not named: nothing produces a soft key
  file (the service serves only what publish wrote), so the phone would ask for a file nobody serves; a set
  that gives one gets a render warning. Dial rules: a literal ``*`` is escaped (``\\*``), as wazo's
  dialplan.xml does; unescaped it is a wildcard [I]. ``cisco.certificates`` are not rendered: the phone
  trusts only certificates in a signed CTL/ITL, which this driver does not make.
* Services: ``authenticationURL`` = ``http://<server>[:http_port]/cisco/authenticate`` and ``servicesURL``
  ``.../cisco/services``; with the fleet's scheme https their ``secureAuthenticationURL`` /
  ``secureServicesURL`` twins carry the https URLs, as CUCM writes them (GH#5929097124); a phone uses the
  secure ones in a secure mode only, and can validate them only with our CA in its ITL [I]. The provisioning
  service answers the authentication URL (``service/cisco_authentication``): ``AUTHORIZED`` for the fleet's
  control login (``settings.phone_control``) on a Cisco phone of the fleet; the phone asks it before it runs
  a pushed CiscoIPPhoneExecute or gives a screenshot (Cisco IP Phone Services development notes).
* Hot-desk login (mobility): a phone whose profile has ``mobility: true`` and whose model supports it (the
  78xx/88xx of the data sheet) gets ``servicesURL`` = ``http://<server>:<applications_http_port>/cisco/mobility
  ?name=SEP<MAC>`` (8080 by default), and with the fleet's scheme https ``secureServicesURL`` on the
  applications HTTPS port (8081): the services button then opens the service's login screens (IP Phone Services
  objects, Cisco IP Phone Services Application Development Notes OL-20949-01). ``#DEVICENAME#`` is Cisco's
  substitution tag for service URLs defined in CUCM (CUCM administration guide, "Adding a Phone Service": the
  phone's request then carries ``SEP<MAC>``); whether the phone itself substitutes it in ``servicesURL`` is not
  documented, so the device name is written out [I]. Other phones keep ``/cisco/services`` on the provisioning
  port.
* Codecs: ``preferredCodec`` (the first of the profile's codecs the phone names), ``advertiseG722Codec``
  and ``vendorConfig/g722CodecSupport``: 0 disabled, 1 system default, 2 enabled (GH#67214006576; files that
  want G.722 write 2), so 2 when the profile has G.722, else 0 [preferredCodec values unverified].
* Families: booleans of line and call features are 1/0 on 78xx/88xx/89xx/99xx, 2/0 on 69xx
  (0/1 off, 2/3 on) and 1/0 on 79xx (B.6) [unverified].
"""

from __future__ import annotations

import re
import typing

from ...render.addresses import host_and_port
from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from ...render.windows_zones import windows_zone
from .datasheet import VENDOR

#: model -> the CUCM device type id of its ``loadInformation<id>`` element in XMLDefault.cnf.xml. From a public
#: XMLDefault sample (Nosey Nick Waterman's Cisco-SIP.sh, 2025): 6921 495, 6941 496, 6961 497, 8811 36217,
#: 8841 683, 8851 684, 8861 685. From memory of CUCM's TypeModel table [M]: 7821 621, 7841 622, 7861 623,
#: 8845 36213, 8865 36214.
LOAD_INFORMATION_IDS = {
    "CP-6921": 495,
    "CP-6941": 496,
    "CP-6961": 497,
    "CP-8811": 36217,
    "CP-8841": 683,
    "CP-8851": 684,
    "CP-8861": 685,
    "CP-7821": 621,
    "CP-7841": 622,
    "CP-7861": 623,
    "CP-8845": 36213,
    "CP-8865": 36214,
}
#: where the provisioning service answers the phone's authentication requests and services menu
AUTHENTICATION_PATH = "cisco/authenticate"
SERVICES_PATH = "cisco/services"
#: the hot-desk login of the service's phone applications (applications ports, docs/mobility.md)
MOBILITY_PATH = "cisco/mobility"
#: ``transportLayerProtocol``; TCP is 4, not 1: see "Transport" in the module docstring
_TRANSPORT = {"tcp": 4, "udp": 2, "tls": 3}
#: a dial rule's literal ``*``: escaped, as an unescaped one is a wildcard (wazo's dialplan.xml writes ``\*``)
_LITERAL_STAR = r"\\*"
_UNESCAPED_STAR = re.compile(r"(?<!\\)\*")
_ELEMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
#: expansion module -> ``addOnModule/deviceType`` [unverified; BEKEM / CP-8800-* from UCM B.6]
_DEVICE_TYPES = {
    "CP-BEKEM": "BEKEM",
    "CP-8800-Audio": "CP-8800-Audio",
    "CP-8800-Video": "CP-8800-Video",
    "CP-CKEM": "CKEM",
    "CP-7914": "7914",
    "CP-7915": "7915",
    "CP-7916": "7916",
}


def _family(model: str) -> str:
    """'3905', '69xx', '79xx' or 'modern' (78xx, 88xx, 89xx, 99xx, DX)."""
    digits = "".join(ch for ch in model if ch.isdigit())
    if digits == "3905":
        return "3905"
    if digits.startswith("69"):
        return "69xx"
    if digits.startswith("79"):
        return "79xx"
    return "modern"


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_name(file: str) -> str:
    """``<loadInformation>``: the load file's name without ``.loads`` (dots inside the name stay)."""
    return file[: -len(".loads")] if file.lower().endswith(".loads") else file


class CiscoDriver(VendorDriver):
    """Cisco enterprise SIP firmware: ``SEP<MAC>.cnf.xml``, a dial plan, ``XMLDefault.cnf.xml``."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    mac_case = "upper"
    key_functions: typing.ClassVar[dict] = {
        "line": 9,
        "speed_dial": 2,
        "url": 20,
        "blf": 21,
        "park": 22,
        "intercom": 23,
        "pickup": 127,
        "dnd": 130,
        "none": None,
    }
    codec_names: typing.ClassVar[dict] = {
        "pcmu": "g711ulaw",
        "pcma": "g711alaw",
        "g722": "g722",
        "g729": "g729a",
        "ilbc": "ilbc",
    }
    defaults: typing.ClassVar[dict] = {"sip": {"transport": "tcp"}}
    requested_files = (
        r"SEP(?P<mac>[0-9A-F]{12})\.cnf\.xml",
        r"SEP(?P<mac>[0-9A-F]{12})\.cnf\.xml\.sgn",
        r"CTLSEP(?P<mac>[0-9A-F]{12})\.tlv",
        r"ITLSEP(?P<mac>[0-9A-F]{12})\.tlv",
        r"CTLFile\.tlv",
        r"ITLFile\.tlv",
        r"XMLDefault\.cnf\.xml",
        r"SEP(?P<mac>[0-9A-F]{12})-dialplan\.xml",
    )
    #: enterprise phones fetch over TFTP and HTTP 6970 without a User-Agent worth matching
    user_agents = ()

    def phone_files(self, context: dict) -> list[FileSpec]:
        mac = context["phone"]["mac_upper"]
        family = _family(context["phone"]["model"])
        files = [FileSpec(f"SEP{mac}.cnf.xml", "sep-3905.cnf.xml.j2" if family == "3905" else "sep.cnf.xml.j2")]
        if context["cisco"]["dial_rules"]:
            files.append(FileSpec(f"SEP{mac}-dialplan.xml", "dialplan.xml.j2"))
        return files

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("XMLDefault.cnf.xml", "XMLDefault.cnf.xml.j2")]

    def render(self, spec: FileSpec, context: dict) -> bytes:
        urls = self.service_urls(context["provisioning"])
        extra: dict[str, object] = {"urls": urls}
        if "phone" in context:
            extra["device"] = self.device(context)
            if context["mobility"]:
                urls.update(self.mobility_urls(context["applications"], context["phone"]["mac_upper"]))
        else:  # XMLDefault.cnf.xml: the default profile's registrar and the default kit's loads
            extra["sip"] = context["defaults"]["sip"]
            extra["loads"] = self.default_loads(context["defaults"]["firmware"])
        return super().render(spec, {**context, **extra})

    def default_loads(self, firmware: list[dict]) -> list[dict]:
        """``loadInformation<id> model="Cisco <number>"`` entries of the default kit, for the models whose CUCM
        device type id is known (``LOAD_INFORMATION_IDS``); a model without one gets no load from this file."""
        loads: dict[int, dict] = {}
        for item in firmware:
            for name in item["models"]:
                model = self.vendor.model(name)
                device_type = LOAD_INFORMATION_IDS.get(model.name) if model else None
                if model is not None and device_type is not None:
                    label = "Cisco " + model.name.removeprefix("CP-")
                    loads[device_type] = {"id": device_type, "model": label, "load": load_name(item["file"])}
        return [loads[device_type] for device_type in sorted(loads)]

    @staticmethod
    def service_urls(provisioning: dict) -> dict:
        """URLs of the provisioning service the phone calls: plain http in ``authenticationURL`` and
        ``servicesURL``, https (when the fleet's scheme is https) in their ``secure…URL`` twins, as CUCM writes
        them; the phone uses the secure ones only in a secure mode, with our CA in its ITL."""
        server, http_port, https_port = provisioning["server"], provisioning["http_port"], provisioning["https_port"]
        plain = f"http://{server}" + ("" if http_port == 80 else f":{http_port}") + "/"
        secure = f"https://{server}" + ("" if https_port == 443 else f":{https_port}") + "/"
        with_tls = provisioning["scheme"] == "https"
        return {
            "authentication": plain + AUTHENTICATION_PATH,
            "services": plain + SERVICES_PATH,
            "secure_authentication": secure + AUTHENTICATION_PATH if with_tls else None,
            "secure_services": secure + SERVICES_PATH if with_tls else None,
        }

    @staticmethod
    def mobility_urls(applications: dict, mac_upper: str) -> dict:
        """``servicesURL`` (and its secure twin with the fleet's scheme https) of a phone offering the hot-desk
        login: the service's phone applications, the phone named by its device name (``SEP<MAC>``) in the
        ``name`` parameter, as Cisco's example of the substitution names it (``?name=#DEVICENAME#``). The name is
        written out, not left to the ``#DEVICENAME#`` substitution: this file is the phone's own, and Cisco
        documents the substitution for service URLs defined in CUCM, not for ``servicesURL`` [I]."""
        query = "?name=SEP" + mac_upper
        secure = applications["url"].startswith("https:")
        return {
            "services": applications["http_url"] + MOBILITY_PATH + query,
            "secure_services": applications["https_url"] + MOBILITY_PATH + query if secure else None,
        }

    def warnings(self, context: dict) -> list[str]:
        softkeys = context["cisco"]["softkey_template"]
        if softkeys:
            return [
                f"cisco softkey_template '{softkeys}' is not named in the phone's file: the collection does not "
                "produce soft key files, and the phone would ask for one nobody serves"
            ]
        return []

    # -- per phone values the templates need beyond the neutral context -------------------------

    def device(self, context: dict) -> dict:
        phone = context["phone"]
        family = _family(phone["model"])
        who = f"phone {phone['mac_colon']} ({phone['name']})"
        firmware = context["firmware"]
        sip = context["sip"]
        network = context["network"]
        on, off = ("2", "0") if family == "69xx" else ("1", "0")
        return {
            "family": family,
            "on": on,
            "off": off,
            "timezone": windows_zone(context["time"]["timezone"]),
            "date_template": "D/M/Y" + ("A" if context["time"]["time_format"] == "12h" else ""),
            "transport": _TRANSPORT[sip["transport"]],
            "load": load_name(firmware["file"]) if firmware else None,
            "buttons": self.buttons(context),
            "add_ons": [
                {"index": module["index"], "type": _DEVICE_TYPES.get(module["name"], module["name"])}
                for module in context["modules"]
            ],
            "outbound_proxy": (host_and_port(sip["outbound_proxy"], sip["port"]) if sip["outbound_proxy"] else None),
            "preferred_codec": self.codec_names[context["codecs"][0]] if context["codecs"] else "none",
            "g722": "g722" in context["codecs"],
            "dscp_audio": network["dscp_rtp"] * 4,
            "dscp_signalling": network["dscp_sip"] * 4,
            "vendor_config": self.vendor_config(context, who),
            "dial_template": f"SEP{phone['mac_upper']}-dialplan.xml" if context["cisco"]["dial_rules"] else None,
            "dial_rules": [
                {
                    "match": _UNESCAPED_STAR.sub(_LITERAL_STAR, rule["pattern"]),
                    "timeout": rule.get("timeout"),
                    "user": "IP" if rule.get("user") == "ip" else "Phone",
                }
                for rule in context["cisco"]["dial_rules"]
            ],
        }

    def vendor_config(self, context: dict, who: str) -> list[tuple[str, str]]:
        """``<vendorConfig>`` children: the driver's, then the extended sets' ``params`` (which win)."""
        network = context["network"]
        own = {
            "pcPort": 0,
            "settingsAccess": 1,
            "garp": 0,
            "webAccess": 0,
            "sshAccess": 0 if context["admin_password"] else 1,
            "enableCdpSwPort": int(bool(network["cdp"])),
            "enableLldpSwPort": int(bool(network["lldp"])),
            # 0 disabled, 1 system default, 2 enabled: 1 does not turn G.722 on (module docstring)
            "g722CodecSupport": 2 if "g722" in context["codecs"] else 0,
        }
        if network["vlan_id"] is not None:
            own["voiceVlanAccess"] = network["vlan_id"]
        for name in context["params"]:
            if not _ELEMENT.match(str(name)):
                raise RenderError(f"{who}: Cisco extended set parameter '{name}' is not an XML element name")
        merged = {**own, **context["params"]}
        return [(str(name), _xml_value(value)) for name, value in merged.items()]

    def buttons(self, context: dict) -> list[dict]:
        """``<line button>`` entries: keys on the phone, lines without a line key, then module keys."""
        lines = {line["index"]: line for line in context["lines"]}
        line_keys = context["phone"]["line_keys"] or 0
        buttons: dict[int, dict] = {}
        placed_lines: set[int] = set()
        for key in context["keys"]:
            code = self.key_functions[key["function"]]
            if code is None:
                continue
            if key["function"] == "line":
                if key["line"] not in lines or key["line"] in placed_lines:
                    continue
                placed_lines.add(key["line"])
                buttons[key["index"]] = {"button": key["index"], "feature": 9, "line": lines[key["line"]]}
            else:
                buttons[key["index"]] = self._feature(key["index"], code, key)
        free = (index for index in range(1, 10_000) if index not in buttons)
        for index, line in lines.items():
            if index not in placed_lines:
                button = next(free)
                buttons[button] = {"button": button, "feature": 9, "line": line}
        offset = line_keys
        for module in context["modules"]:
            for key in module["keys"]:
                code = self.key_functions[key["function"]]
                if code is not None and key["function"] != "line":
                    buttons[offset + key["index"]] = self._feature(offset + key["index"], code, key)
            info = self.vendor.expansion_module(module["name"])
            offset += info.keys if info else 0
        return [buttons[button] for button in sorted(buttons)]

    @staticmethod
    def _feature(button: int, code: int, key: dict) -> dict:
        return {
            "button": button,
            "feature": code,
            "line": None,
            "label": (key["label"] or key["value"])[:30],
            "value": key["value"],
            "blf": key["function"] == "blf",
            "url": key["function"] == "url",
        }


DRIVER = CiscoDriver()
