# Private to this collection: the Cisco MPP (3PCC) data sheet and rendering driver.
"""Cisco 68xx, 78xx and 88xx desk phones running Multiplatform (MPP, "3PCC") firmware.

Files the phone fetches (HTTP or TFTP): the rules in ``Profile_Rule`` / ``Profile_Rule_B`` /
``Profile_Rule_C`` decide, typically a model common file (``<model>-3PCC.xml``, ``cp-phone.xml``) and
a per-phone ``<mac>.xml``; the factory default asks for ``/Cisco/CP-<model>-3PCC/<mac>.cfg``.
Format: ``<flat-profile>`` XML with parameters such as ``Proxy_1_``, ``Extended_Function_N_`` and
``Unit_M_Key_K_`` (expansion modules, 32 key slots a unit in the profile). Firmware via
``Upgrade_Rule``. User-Agent ``Cisco-CP-<model>-3PCC/<firmware> (<mac>)``, DHCP option 60
``CP-<model>-3PCC``: the model names below are spelt that way. Control: ``/admin/resync``, SIP
``check-sync`` with ``Resync_From_SIP``.

The enterprise (CUCM) firmware on the same hardware is the ``cisco`` vendor; the plain names
(``CP-8845``, ``8845``) belong to it. 68xx exist only as MPP, so ``CP-68x1`` is an alias here.

Sources: research/phone-vendors.md §2 note, research/wazo-provd.md, wazo-provd-plugins
``wazo_cisco_sip`` 11.3.1/12.0.7 capability lists (lines and keys of 6821/6841/6851/6861/6871,
7841/7861, 8811/8841/8851/8861).

Unverified (``verified=False``): 7811/7821/7832 (wazo lists 1 key on 7821, the phone has 2),
8845/8865/8832 (not in wazo), the 6851 expansion module count (wazo says 1, Cisco's data sheet 2),
every expansion module (names, keys, pages) and every maximum module count. Screenshot and
hot-desk (mobility) support are not claimed for MPP. OUIs: the Cisco blocks of the ``cisco`` vendor,
a partial list.

Rendering (``CiscoMppDriver`` below): what it writes, and which facts are unverified (we have no real phone):

* ``<mac>.xml`` (MAC lower case, the ``$MA.xml`` of ``Profile_Rule``): a ``<flat-profile>`` with
  ``Line_Enable_N_``, ``Proxy_N_`` (``host:port``; with a backup registrar the DNS SRV alias form
  ``<alias>:SRV=host:port:p=0|backup:port:p=1`` as wazo writes it, the alias being the registrar's name:
  it is the domain the phone registers under), ``Display_Name_N_``, ``User_ID_N_``,
  ``Password_N_``, ``Auth_ID_N_``, ``Extension_N_`` / ``Short_Name_N_`` / ``Extended_Function_N_``,
  ``Unit_M_Key_K_``, ``Primary_NTP_Server``, ``Time_Zone``, ``Daylight_Saving_Time_*``, ``Enable_VLAN``,
  ``VLAN_ID``, ``Upgrade_Rule``, ``Profile_Rule``, ``Resync_*``, ``Admin_Password``, ``Station_Name``,
  ``Voice_Mail_Number``, ``Call_Pickup_Code`` [names verified in wazo's 11.3.1/12.0.7 templates].
  ``SIP_Transport_N_`` ``UDP``/``TCP``/``TLS`` (the Ext tab's SIP Transport of Cisco's 8800 MPP
  administration guide; the spelling of fusionpbx's 8841 template), ``Register_Expires_N_``,
  ``Outbound_Proxy_N_`` as ``host:port`` (the proxy's own port when the profile gives ``host:port``, else the
  profile's SIP port: a proxy on 5061/TLS must be told so, a bare host is sent to 5060) with
  ``Use_Outbound_Proxy_N_`` [names: the same guide, research/param-audit.md §4].
  Unverified names: ``Use_Auth_ID_N_``, ``Preferred_Codec_N_`` /
  ``Second_Preferred_Codec_N_`` / ``Third_Preferred_Codec_N_`` and their values (``G711u`` ...),
  ``Enable_CDP``, ``Enable_LLDP-MED``.
* Phone auth (``settings.phone_auth.cisco_mpp``): the phone's own ``Profile_Rule`` carries the credentials as
  the URL options ``[--uid <user> --pwd <password>]`` [unverified: the option names come from a FusionPBX
  8841 template, research/param-audit.md]; the model files (served to anyone) never do.
* ``<model>-3PCC.xml`` for every MPP model (base files, what an unknown phone gets): ``Profile_Rule``
  pointing at ``<base_url>$MA.xml``. That the factory profile rule ``/$PSN.xml`` asks for
  ``<model>-3PCC.xml`` is taken from wazo's common file names [unverified]; the factory TFTP request
  ``Cisco/CP-<model>-3PCC/<mac>.cfg`` is recognised (``requested_files``) but no file of that name
  is rendered: the service answers it with the phone's ``<mac>.xml`` (a later issue).
* Keys: ``Extended_Function`` strings ``fnc=sd;ext=X@$PROXY;nme=L`` (speed dial) and
  ``fnc=blf+sd+cp;sub=X@$PROXY;nme=L`` (BLF) as wazo writes them; ``fnc=prk`` (park) and ``fnc=dnd``
  are from memory [unverified]. Line keys set ``Extension_N_`` to the line. Expansion-module keys:
  ``Unit_M_Key_K_`` with K the key's place on the module (``modules[].keys[].index``).
* Time zone: ``Time_Zone`` ``GMT+03:00``; DST rule ``start=M/D/W/H:0:0;end=...;save=H:M:0`` with D the
  first day of the week-of-month (-1 = last) and W the weekday 1 = Monday .. 7 = Sunday, as wazo
  formats it [the phone's reading unverified].
* Extended sets of vendor ``cisco_mpp``: ``params`` are written as flat-profile elements
  ``<Name>value</Name>`` after the driver's own (a later element wins on the phone [unverified]).
"""

from __future__ import annotations

import re
import typing

from ...render.addresses import with_port
from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

_ELEMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_TRANSPORT = {"udp": "UDP", "tcp": "TCP", "tls": "TLS"}


def _rule(transition) -> str:
    """A DST transition as ``month/day/weekday/hour:0:0`` (day -1 = last; weekday 1 = Monday .. 7 = Sunday)."""
    day = -1 if transition.week == 5 else (transition.week - 1) * 7 + 1
    return f"{transition.month}/{day}/{transition.weekday or 7}/{transition.hour}:0:0"


class CiscoMppDriver(VendorDriver):
    """Cisco MPP firmware: ``<flat-profile>`` XML in ``<mac>.xml``; ``<model>-3PCC.xml`` for unknown phones."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    mac_case = "lower"
    key_functions: typing.ClassVar[dict] = {
        "line": "line",
        "speed_dial": "sd",
        "blf": "blf+sd+cp",
        "park": "prk",
        "dnd": "dnd",
        "none": None,
    }
    codec_names: typing.ClassVar[dict] = {
        "pcmu": "G711u",
        "pcma": "G711a",
        "g722": "G722",
        "g729": "G729a",
        "opus": "OPUS",
        "ilbc": "iLBC",
    }
    defaults: typing.ClassVar[dict] = {}
    requested_files = (
        r"(?P<mac>(?!0{12})[0-9a-f]{12})\.xml",
        r"(?P<model>\d{4})-3PCC\.xml",
        r"Cisco/CP-(?P<model>\d{4})-3PCC/(?P<mac>[0-9a-f]{12})\.cfg",
    )
    #: the User-Agent ends with ``(<mac>)``
    requests_state_mac = True
    user_agents = (r"^Cisco-CP-(?P<model>\d{4})-3PCC/(?P<firmware>\S+) \((?P<mac>[0-9A-Fa-f]{12})\)$",)

    def phone_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec(f"{context['phone']['mac']}.xml", "phone.xml.j2")]

    def base_files(self, context: dict) -> list[FileSpec]:
        names = sorted({model.name[len("CP-") :] for model in self.vendor.models})
        return [FileSpec(f"{name}.xml", "model.xml.j2") for name in names]

    def render(self, spec: FileSpec, context: dict) -> bytes:
        if "phone" in context:
            context = {**context, "device": self.device(context)}
        return super().render(spec, context)

    def device(self, context: dict) -> dict:
        phone = context["phone"]
        who = f"phone {phone['mac_colon']} ({phone['name']})"
        sip = context["sip"]
        time = context["time"]
        dst = None
        if time["dst_enabled"] and time["dst_start"] is not None:
            hours, minutes = divmod(time["dst_offset_minutes"], 60)
            dst = f"start={_rule(time['dst_start'])};end={_rule(time['dst_end'])};save={hours}:{minutes}:0"
        offset = time["utc_offset_minutes"]
        sign = "-" if offset < 0 else "+"
        for name in context["params"]:
            if not _ELEMENT.match(str(name)):
                raise RenderError(f"{who}: Cisco MPP extended set parameter '{name}' is not an XML element name")
        updates = context["updates"]
        return {
            "time_zone": f"GMT{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}",
            "dst_rule": dst,
            "transport": _TRANSPORT[sip["transport"]],
            "proxies": {line["index"]: self.proxy(sip) for line in context["lines"]},
            "outbound_proxy": with_port(sip["outbound_proxy"], sip["port"]) if sip["outbound_proxy"] else None,
            "codecs": [self.codec_names[codec] for codec in context["codecs"]][:3],
            "function_keys": [self.key(key) for key in context["keys"]],
            "units": [
                {"index": module["index"], "keys": [self.key(key) for key in module["keys"]]}
                for module in context["modules"]
            ],
            "resync_seconds": (updates["check_every_minutes"] or 0) * 60,
            "params": [
                (str(name), "Yes" if value is True else "No" if value is False else str(value))
                for name, value in context["params"].items()
            ],
        }

    @staticmethod
    def proxy(sip: dict) -> str:
        if sip["backup_registrar"]:
            backup_port = sip["backup_port"] or sip["port"]
            # the alias is the domain the phone registers under: named after the registrar, so a registrar
            # that checks the domain of an AOR accepts it (an invented alias would not be its domain)
            return (
                f"{sip['registrar']}:SRV={sip['registrar']}:{sip['port']}:p=0|"
                f"{sip['backup_registrar']}:{backup_port}:p=1"
            )
        return f"{sip['registrar']}:{sip['port']}"

    def key(self, key: dict) -> dict:
        """One key: ``line`` (the line's index) or ``function`` (the Extended_Function string), or neither."""
        code = self.key_functions[key["function"]]
        label = key["label"] or key["value"]
        if code == "line":
            return {"index": key["index"], "line": key["line"], "label": label, "function": ""}
        if code is None:
            return {"index": key["index"], "line": None, "label": "", "function": ""}
        if code == "sd":
            function = f"fnc=sd;ext={key['value']}@$PROXY;nme={label}"
        elif code in ("blf+sd+cp", "prk"):
            function = f"fnc={code};sub={key['value']}@$PROXY;nme={label}"
        else:
            function = f"fnc={code};nme={label}"
        return {"index": key["index"], "line": None, "label": label, "function": function}


DRIVER = CiscoMppDriver()
