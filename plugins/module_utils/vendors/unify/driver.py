# Private to this collection: the Unify OpenScape Desk Phone CP data sheet.
"""Unify (ex Siemens) OpenScape Desk Phone CP, SIP firmware.

Two mutually exclusive provisioning modes:
- DLS/WPI: the phone POSTs ``<WorkpointMessage>`` XML to ``https://<dls>:18443/DeploymentService/LoginService``
  and the server answers ``<DLSMessage>`` actions (``ReadAllItems``, ``WriteItems``, ``Restart``,
  ``SoftwareDeployment``, ``CleanUp``); the server wakes the phone with ``POST :8085/contact_dls.html/ContactDLS``.
- DMS (file mode, newer CP firmware): the phone GETs ``<MAC>_config.xml``, then ``000000000000_config.xml``.
Server address from DHCP option 43 (sub-option 1 ``Siemens``, 3 ``sdlp://…`` or URL) or option 66.
No useful User-Agent: identify by the ``mac-addr``/``device-type`` items or the ``macaddress`` header.
No screenshot and no SIP-NOTIFY reboot known.

Sources: research/phone-vendors.md §4, research/unify-cisco.md part A.

Unverified (``verified=False``): every model's key counts and both key modules (from memory; read
the real key indices with ``ReadAllItems``). CP phones register one SIP identity; further lines are
line keys (keyset), counted here as ``lines``: a line 2+ that no key of the fleet names gets a line key on
the lowest free key of the phone (a CP reads no other form of it), and a phone whose keys are all taken cannot
be rendered (the error names the line). The CP110/CP210/CP410/CP710 generation is listed from
memory too (``CP210`` appears as a ``device-type``). CP600E: the CP600's figures, as Unify documents both
in one manual ("OpenScape Desk Phone CP600/CP600E", Key Module 600 operation manual). OUIs: the two
Siemens/Unify blocks seen in GS3; CP-specific blocks were not collected.

Rendering (``UnifyDriver`` below). One item list, two ways to hand it to the phone:

- DMS (file mode): the phone GETs ``<mac>_config.xml`` (per phone) and, on 404, ``000000000000_config.xml``
  (base: an empty ``WriteItems``, so an unknown phone gets an answer and nothing else).
  The file is ``<DLSMessage><Message><Action>WriteItems</Action><ItemList><Item name=".." index="..">``; a
  firmware kit adds a second message with ``SoftwareDeployment``.
- WPI: ``UnifyDriver.wpi_items(context)`` returns the same items as ``(name, index, value)`` tuples for the
  provisioning service to send in its own ``WriteItems`` (it adds the phone's nonce), and
  ``software_items(context)`` the ``SoftwareDeployment`` items. The DMS template renders exactly these
  lists, so the two modes cannot drift apart.

Item names in the notes [V] (Unify WPI developer guide, GS3/GS5): ``e164``, ``sip-user-id``, ``sip-pwd``,
``display-id``, ``display-id-unicode``, ``use-display-id``, ``realm``, ``reg-addr``, ``reg-port``,
``registrar-addr``, ``registrar-port``, ``reg-ttl``, ``server-type``, ``sip-transport`` (0 UDP, 1 TCP,
2 TLS), ``outbound-proxy``, ``sgnl-gateway-addr``/``-port``, ``backup-addr``, ``backup-registration``,
``codec-type[i]`` (0 G.711, 1 G.722, 2 G.729), ``codec-allowed[i]``, ``codec-rank[i]``, ``sntp-addr``,
``sntp-tz-offset``, ``auto-daylight-save``, ``daylight-save-minutes``, ``vlan-method``, ``qos-layer2``,
``l2qos-voice``, ``qos-layer3``, ``l3qos-voice``, ``admin-pwd``, ``call-waiting-enabled``, ``voice-mail-e164``,
``blf-code``, ``function-key-def[idx]`` with feature IDs (1 selected dialling ``select-dial``, 6 forwarding,
13 transfer, 25 DND, 29 group pickup, 31 line with ``line-sip-uri``/``line-sip-user-id``/``line-sip-pwd``/
``line-sip-realm``/``line-primary``, 59 BLF with ``stimulus-led-control-uri``), ``key-label-unicode[idx]``,
``file-https-base-url``, ``file-type``, ``file-priority``; the WPI envelope and actions.

Unverified [M], read them back with ``ReadAllItems`` from a real CP phone: ``vlan-id`` (only commented out
in GS3); ``sntp-tz-offset`` in minutes (GS3 and GS5 send minutes, the manual says hours); booleans
written ``true``/``false``; ``realm`` and ``line-sip-realm`` set to the registrar; CP key indices (the
OpenStage scheme is used: phone keys 1..N, key module ``m`` at ``200 + 100*m + key``, second page +1000);
the DMS envelope (the wiki shows WPI item names, not the envelope) and the MAC's case in the file name
(lower case here, as in the ``macaddress`` header); G.711 A-law or u-law follows ``country-iso``, so
``pcma`` and ``pcmu`` are one codec entry. No User-Agent is known: ``user_agents`` is empty on purpose;
the service identifies a CP phone by the ``macaddress`` header (DMS) or the ``mac-addr`` item (WPI).
"""

from __future__ import annotations

import typing

from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

#: ``sip-transport`` values
TRANSPORTS = {"udp": 0, "tcp": 1, "tls": 2}
#: key module ``m`` (1, 2, ...) starts after index ``200 + 100 * m`` (OpenStage scheme, unverified on CP)
MODULE_BASE = 200
#: the second page of keys (shifted level) adds this to the index
SHIFT = 1000

Item = tuple[str, "int | None", str]


def _bool(value) -> str:
    return "true" if value else "false"


class UnifyDriver(VendorDriver):
    """Unify OpenScape Desk Phone CP: WPI items, served as a DMS file or written by the WPI service."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    #: neutral key function -> ``function-key-def`` feature ID
    key_functions: typing.ClassVar[dict] = {
        "line": 31,
        "blf": 59,
        "speed_dial": 1,
        "call_forward": 6,
        "transfer": 13,
        "dnd": 25,
        "pickup": 29,
    }
    #: neutral codec -> ``codec-type`` (G.711 is one entry; A-law or u-law follows ``country-iso``)
    codec_names: typing.ClassVar[dict] = {"pcma": 0, "pcmu": 0, "g722": 1, "g729": 2}
    defaults: typing.ClassVar[dict] = {"sip": {"transport": "udp", "expires": 3600}}
    mac_case = "lower"
    requested_files = (
        r"000000000000_config\.xml",
        r"(?!0{12})(?P<mac>[0-9a-fA-F]{12})_config\.xml",
    )
    #: none known: CP phones send no useful User-Agent (see the module docstring)
    user_agents = ()

    # -- files ------------------------------------------------------------------------------------

    def phone_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec(f"{context['phone']['mac']}_config.xml", "config.xml.j2")]

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("000000000000_config.xml", "config.xml.j2")]

    def render(self, spec: FileSpec, context: dict) -> bytes:
        """Phone files render the item lists of ``wpi_items``; the base file renders none."""
        if "phone" in context:
            items = {"items": self.wpi_items(context), "software": self.software_items(context)}
        else:
            items = {"items": [], "software": []}
        return super().render(spec, {**context, **items})

    # -- the item list ----------------------------------------------------------------------------

    def wpi_items(self, context: dict) -> list[Item]:
        """What ``WriteItems`` sets on the phone: ``(item name, index or None, value)`` in a stable order."""
        items: list[Item] = []
        items += self._registration(context)
        items += self._codecs(context)
        items += self._time(context)
        items += self._network(context)
        items += self._features(context)
        items += self._keys(context)
        if context["admin_password"]:
            items.append(("admin-pwd", None, context["admin_password"]))
        return self._with_params(items, context["params"])

    @staticmethod
    def _with_params(items: list[Item], params: dict) -> list[Item]:
        """Extended-set parameters (``name`` or ``name[index]``) replace the item they name, else come last."""
        position = {(name, index): number for number, (name, index, _ignored) in enumerate(items)}
        result = list(items)
        for key, value in params.items():
            name, _ignored, rest = str(key).partition("[")
            index = int(rest.rstrip("]")) if rest else None
            item = (name, index, str(value))
            if (name, index) in position:
                result[position[(name, index)]] = item
            else:
                position[(name, index)] = len(result)
                result.append(item)
        return result

    def software_items(self, context: dict) -> list[Item]:
        """What ``SoftwareDeployment`` needs for the phone's firmware kit, or [] without one."""
        firmware = context["firmware"]
        if not firmware:
            return []
        return [
            ("file-https-base-url", None, firmware["url"]),
            ("file-type", None, "APP"),
            ("file-priority", None, "normal"),
            ("file-sw-version", None, str(firmware["version"])),
        ]

    @staticmethod
    def _registration(context: dict) -> list[Item]:
        sip = context["sip"]
        items: list[Item] = [
            ("server-type", None, "0"),
            ("reg-addr", None, sip["registrar"]),
            ("reg-port", None, str(sip["port"])),
            ("registrar-addr", None, sip["registrar"]),
            ("registrar-port", None, str(sip["port"])),
            ("reg-ttl", None, str(sip["expires"])),
            ("sip-transport", None, str(TRANSPORTS[sip["transport"]])),
        ]
        if sip["outbound_proxy"]:
            items += [
                ("outbound-proxy", None, "true"),
                ("sgnl-gateway-addr", None, sip["outbound_proxy"]),
                ("sgnl-gateway-port", None, str(sip["port"])),
            ]
        if sip["backup_registrar"]:
            items += [("backup-registration", None, "true"), ("backup-addr", None, sip["backup_registrar"])]
        if context["lines"]:
            line = context["lines"][0]
            items += [
                ("e164", None, line["number"]),
                ("sip-user-id", None, line["auth_username"]),
                ("sip-pwd", None, line["password"]),
                ("realm", None, sip["registrar"]),
                ("display-id", None, line["display_name"]),
                ("display-id-unicode", None, line["display_name"]),
                ("use-display-id", None, "true"),
            ]
        return items

    def _codecs(self, context: dict) -> list[Item]:
        types: list[int] = []
        for codec in context["codecs"]:
            code = self.codec_names[codec]
            if code not in types:
                types.append(code)
        items: list[Item] = []
        for index, code in enumerate(types, 1):
            items += [
                ("codec-type", index, str(code)),
                ("codec-allowed", index, "true"),
                ("codec-rank", index, str(index)),
            ]
        return items

    @staticmethod
    def _time(context: dict) -> list[Item]:
        time = context["time"]
        items: list[Item] = []
        if time["ntp"]:
            items.append(("sntp-addr", None, time["ntp"][0]))
        items += [
            ("sntp-tz-offset", None, str(time["utc_offset_minutes"])),
            ("auto-daylight-save", None, _bool(time["dst_enabled"])),
            ("daylight-save-minutes", None, str(time["dst_offset_minutes"] if time["dst_enabled"] else 0)),
        ]
        return items

    @staticmethod
    def _network(context: dict) -> list[Item]:
        network = context["network"]
        items: list[Item] = [
            ("qos-layer3", None, "true"),
            ("l3qos-voice", None, str(network["dscp_rtp"])),
        ]
        if network["vlan_id"] is None:
            return items
        return [
            ("vlan-method", None, "0"),
            ("vlan-id", None, str(network["vlan_id"])),
            ("qos-layer2", None, "true"),
            ("l2qos-voice", None, str(network["vlan_priority"])),
            *items,
        ]

    @staticmethod
    def _features(context: dict) -> list[Item]:
        features = context["features"]
        items: list[Item] = [("call-waiting-enabled", None, _bool(features["call_waiting"]))]
        voicemail = context["lines"][0]["voicemail"] if context["lines"] else None
        if voicemail:
            items.append(("voice-mail-e164", None, voicemail))
        if features["pickup_code"]:
            items.append(("blf-code", None, features["pickup_code"]))
        return items

    def _keys(self, context: dict) -> list[Item]:
        placed = [(key["index"], key) for key in context["keys"]] + self._keys_of_unkeyed_lines(context)
        per_page = {module.name: module.keys_per_page for module in self.vendor.expansion_modules}
        for module in context["modules"]:
            for key in module["keys"]:
                in_page = (key["index"] - 1) % per_page[module["name"]] + 1
                index = MODULE_BASE + 100 * module["index"] + in_page + (key["page"] - 1) * SHIFT
                placed.append((index, key))
        items: list[Item] = []
        for index, key in placed:
            items += self._key(index, key, context)
        return items

    @staticmethod
    def _keys_of_unkeyed_lines(context: dict) -> list[tuple[int, dict]]:
        """Line keys for lines 2+ that no key names, on the lowest free keys of the phone: a CP phone reads a
        further line only from a line key (module docstring), so a line without one would be dropped unseen."""
        phone, lines = context["phone"], context["lines"]
        keyed = {key["line"] for key in context["keys"] if key["function"] == "line"}
        unkeyed = [line for line in lines[1:] if line["index"] not in keyed]
        if not unkeyed:
            return []
        taken = {key["index"] for key in context["keys"]}
        free = [index for index in range(1, (phone["line_keys"] or 0) + 1) if index not in taken]
        if len(free) < len(unkeyed):
            first = unkeyed[len(free)]["index"]
            raise RenderError(
                f"phone {phone['mac_colon']} ({phone['name']}): lines[{first - 1}]: a {phone['model']} reads line "
                f"{first} only from a line key, and none of its {phone['line_keys'] or 0} keys is free"
            )
        return [
            (index, {"index": index, "function": "line", "line": line["index"], "label": None, "value": None})
            for index, line in zip(free, unkeyed, strict=False)
        ]

    def _key(self, index: int, key: dict, context: dict) -> list[Item]:
        function = key["function"]
        items: list[Item] = [("function-key-def", index, str(self.key_functions[function]))]
        if function == "line":
            lines = context["lines"]
            line = lines[key["line"] - 1] if key["line"] <= len(lines) else None
            if line is not None:
                items += [
                    ("line-sip-uri", index, line["number"]),
                    ("line-sip-user-id", index, line["auth_username"]),
                    ("line-sip-pwd", index, line["password"]),
                    ("line-sip-realm", index, context["sip"]["registrar"]),
                    ("line-primary", index, _bool(key["line"] == 1)),
                ]
            label = key["label"] or (line["label"] if line else "")
        else:
            label = key["label"]
        if function == "blf":
            items.append(("stimulus-led-control-uri", index, key["value"]))
        elif function == "speed_dial":
            items.append(("select-dial", index, key["value"]))
        elif function == "call_forward" and key["value"]:
            items.append(("forwarding-dest", index, key["value"]))
        if label:
            items.append(("key-label-unicode", index, label))
        return items


DRIVER = UnifyDriver()
