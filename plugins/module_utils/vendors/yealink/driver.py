# Private to this collection: the Yealink driver (data sheet and rendering).
"""Yealink T19P … T58W desk phones, provisioned over HTTP(S) or TFTP.

Files the phone fetches: ``<mac>.boot`` (else ``y000000000000.boot``), whose ``include:config`` lines
name the CFG files; without boot files, the model common file ``y0000000000XX.cfg`` then ``<mac>.cfg``
(lowercase MAC, no separators). Format: ``key = value`` text whose first line is ``#!version:1.0.0.1``.
User-Agent: ``Yealink SIP-<model> <firmware> <mac with colons>``, hence the ``SIP-<model>`` aliases.
Control: Action URI ``/servlet?key=…``, SIP NOTIFY ``check-sync``, screenshot ``/screencapture``.

Sources: research/phone-vendors.md §1 and wazo-provd-plugins ``wazo_yealink`` v84/v86, whose per-model
SIP-account and line-key tables give the verified figures below; the older T19P, T21P, T27P, T40P, T41P,
T42G, T46G and T48G from the same tables in ``wazo_yealink/common/common.py`` (``_NB_SIP_ACCOUNTS``,
``_NB_LINEKEY``, and six expansion modules on T27P/T46G/T48G).

Unverified (``verified=False``): T29G (not in the wazo tables), T53C (assumed equal to T53),
T44U/T44W (wazo's key table says 24, its capability list says 21; expansion module unknown),
T40G (in wazo's v81 model list but not its tables: assumed equal to T40P), T52S (in no table: assumed a
T53 with the T5x EXP50), T19 E2 and T21 E2 (the models without PoE, assumed equal to T19P E2/T21P E2).
The older models' screenshot and hot-desk support is the platform's and not checked on those firmwares.
Expansion modules: the key totals (EXP40 40 keys, up to 6; EXP43/EXP50 60 keys, up to 3) are verified;
the split into pages (20 keys a page) is from the vendor's data sheets and not checked on a unit.

Rendering (``YealinkDriver`` below), files:

- ``y0000000000XX.cfg`` (shared, one per model ID of the fleet's models): how to reach us and the
  settings every phone shares (auto-provisioning server, PnP off, ``check-sync`` without reboot).
- ``y0000000000XX.cfg`` for every other model ID (base): only the auto-provisioning server, so an
  unknown phone of any listed model reaches us. No ``y000000000000.boot`` is served: a common boot file
  replaces the phone's own file list and has no MAC variable, so it would hide ``<mac>.cfg``.
- ``<mac>.cfg`` (per phone): accounts, codecs, time, VLAN, admin password, keys, expansion-module keys,
  auto-provisioning schedule, firmware URL, then the extended sets' ``params`` verbatim (last wins).

Parameter names [V] (wazo v86 base.tpl / Yealink reference template, research/phone-vendors.md §1):
``account.N.enable/label/display_name/auth_name/user_name/password``, ``account.N.sip_server.M.address/
port/transport_type`` (0 UDP, 1 TCP, 2 TLS), ``account.N.srtp_encryption``, ``account.N.codec.<name>.enable``,
``voice_mail.number.N``, ``call_waiting.enable``, ``local_time.ntp_server1``, ``local_time.time_zone``,
``local_time.summer_time/dst_time_type/start_time/end_time/offset_time`` (week form ``M/W/D/H``),
``static.network.vlan.internet_port_*``/``pc_port_*``, ``static.security.user_name.admin``,
``static.security.user_password = admin:<pwd>``, ``linekey.N.type/line/value/label/extension`` and
``expansion_module.X.key.Y.*`` (types 15 line, 13 speed dial, 16 BLF, 10 park), ``static.firmware.url``,
``static.auto_provision.server.url/pnp_enable/custom.protect/weekly.*``, ``sip.notify_reboot_enable``.
Unverified: ``static.auto_provision.server.username/password`` (settings.phone_auth, in the phone's own file
only: common and base files are served without authentication and must carry no secret; a new phone gets
the credentials with its provisioning URL, ``https://user:password@server/`` in DHCP option 66 or by hand).

Hot-desk login (mobility): a phone whose profile has ``mobility: true`` and whose model supports it (every
T-series model of the data sheet) gets soft key ``programablekey.3`` of type 27 (XML browser) whose ``value`` is
``http(s)://<server>:<applications port>/yealink/mobility`` (8080 HTTP, 8081 HTTPS with the fleet's scheme
https), label "Hot desk": the XML browser then walks the service's ``YealinkIPPhoneInputScreen`` /
``TextScreen`` / ``TextMenu`` objects (XML Browser Developer's Guide for Yealink SIP-T4X, "Configuring an XML
Browser Key"). Unverified [I]: type 27 (FusionPBX's Yealink key list, ``app/devices/resources/classes/yealink.php``:
27 xml_browser, 34 hot_desking; the admin guide's DSS key table was not found in the documents searched),
``programablekey.N.value`` holding the URL, soft key 3 being DND by default; the model's own Hot Desking (type 34,
``hotdesking.*``: research/phone-vendors.md) asks for SIP credentials, not a number and PIN, so it is not used.

Unverified [M], check on a real unit: ``account.N.codec.<name>.priority`` (order of preference);
``account.N.sip_server.1.expires``, ``account.N.outbound_proxy_enable``/``outbound_proxy.1.*``,
``account.N.nat.udp_update_enable/udp_update_time``; ``static.auto_provision.repeat.enable/minutes``;
the ``weekly.dayofweek`` digits (0 = Sunday) and ``begin_time``/``end_time`` form; the weekday in
``start_time`` (1..7, 7 = Sunday); ``features.dnd.allow``, ``features.fwd.allow``,
``features.intercom.allow``; ``static.network.lldp.enable``, ``static.network.cdp.enable``,
``static.network.qos.signaltos/audiotos``; key types 14 intercom, 9 directed pickup, 5 DND, 3 transfer,
12 voicemail, 17 URL, 0 none; codec names ``g726_32``, ``g723_63``, ``amrwb``. Model IDs: see ``MODEL_IDS``.
"""

from __future__ import annotations

import functools
import ipaddress
import typing

from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

# -- rendering ---------------------------------------------------------------------------------------

#: model -> (ID of its common file ``y0000000000XX.cfg``, verified). The file each model includes is listed
#: in FusionPBX's per-model Yealink boot files (``resources/templates/provision/yealink/<dir>/y000000000000.boot``:
#: ``t2x/{$mac}.boot`` T19P E2 53, T21P E2 52, T23P/T23G 44, T27G 69, T29G 46; ``t4x`` T40G 76, T40P 54,
#: T41P 36, T41S 68, T42G 29, T42S 67, T46G 28, T46S 66, T48G 35, T48S 65, T42U 116, T43U 107, T46U 108, T48U 109;
#: ``t5x`` T53/T53W 95, T54W 96, T57W 97; ``t27p`` 45, ``t31g`` 123,
#: ``t33g`` 124, ``t34w`` 171, ``t44w`` 174, ``t58a`` 58, ``t58w`` 150; T31W 172 and T54S 70 from
#: ../shared/research/param-audit.md §1). It is NOT the firmware's first number (T31G runs 124.x firmware and
#: fetches ``y000000000123.cfg``): we wrote the firmware prefix before, so those models never read their
#: common file. Unverified (no source names their file): T30/T30P (assumed the T31G's 123, their firmware
#: family), T31/T31P (123, as T31G), T33P (124, as T33G), T41U (assumed the T4xU family's 108), T44U (the
#: T44W's 174), T53C (the T53's 95), T52S (the T54S's 70, same 70.x firmware), T19 E2/T21 E2 (the PoE
#: models' 53/52), T19P 31 and T21P 34 (their firmware prefix, wazo's User-Agent samples ``SIP-T21P 34.72``:
#: the older models' files match their firmware prefix, T40P 54 … T48G 35 above, but no source names these).
MODEL_IDS: dict[str, tuple[int, bool]] = {
    "T19P": (31, False),
    "T19P E2": (53, True),
    "T19 E2": (53, False),
    "T21P": (34, False),
    "T21P E2": (52, True),
    "T21 E2": (52, False),
    "T23P": (44, True),
    "T23G": (44, True),
    "T27P": (45, True),
    "T27G": (69, True),
    "T29G": (46, True),
    "T30": (123, False),
    "T30P": (123, False),
    "T31": (123, False),
    "T31P": (123, False),
    "T31G": (123, True),
    "T31W": (172, True),
    "T33P": (124, False),
    "T33G": (124, True),
    "T34W": (171, True),
    "T40P": (54, True),
    "T40G": (76, True),
    "T41P": (36, True),
    "T42G": (29, True),
    "T46G": (28, True),
    "T48G": (35, True),
    "T41S": (68, True),
    "T42S": (67, True),
    "T46S": (66, True),
    "T48S": (65, True),
    "T41U": (108, False),
    "T42U": (116, True),
    "T43U": (107, True),
    "T44U": (174, False),
    "T44W": (174, True),
    "T46U": (108, True),
    "T48U": (109, True),
    "T52S": (70, False),
    "T53": (95, True),
    "T53W": (95, True),
    "T53C": (95, False),
    "T54S": (70, True),
    "T54W": (96, True),
    "T57W": (97, True),
    "T58A": (58, True),
    "T58W": (150, True),
}

#: the platform's parameter dialect; a brand on this platform (Atcom) overrides it
YEALINK_DIALECT: dict = {
    # prefix of the "static" (non-overridable) parameters: network, security, auto-provision, firmware
    "static": "static.",
    # "v8x": account.N.sip_server.1.address; "v7x": account.N.sip_server_host
    "accounts": "v8x",
    # "named": account.N.codec.<name>.enable/.priority; "indexed": account.N.codec.K.enable/.payload_type
    "codecs": "named",
    # the file that carries the remote-control settings: "common" (shared by the model) or "phone" (<mac>.cfg)
    "control_file": "common",
}

#: the hot-desk login of the service's phone applications (applications ports, docs/mobility.md)
MOBILITY_PATH = "yealink/mobility"
#: DSS key type "XML Browser" (FusionPBX's Yealink key type list, ../shared/research/jobs-mobility-dashboards.md B;
#: not checked on a unit: I); 34 is the phone's own Hot Desking, which asks for SIP credentials, not number + PIN
XML_BROWSER_KEY_TYPE = 27
#: the idle screen's third soft key (by default DND on T4x [I]) becomes the login key
MOBILITY_SOFT_KEY = 3
MOBILITY_KEY_LABEL = "Hot desk"

#: Yealink's ``features.action_uri_limit_ip`` holds at most 511 characters (admin guide, "Permitted Values")
ACTION_URI_LIMIT_LENGTH = 511


@functools.lru_cache(maxsize=16)
def action_uri_allow(networks: tuple[str, ...]) -> str:
    """The controller's networks (CIDR) in ``features.action_uri_limit_ip``'s form: addresses and patterns
    whose ``*`` stands for one whole octet (``10.10.*.*``), separated by commas (admin guide, Action URI).

    A prefix that is not a multiple of 8 is listed as the /8, /16 or /24 patterns it covers, never widened;
    an IPv6 network other than a single address has no form here. Empty when no network is set: the phone
    then refuses every Action URI, and the controller uses the SIP NOTIFY (docs/control.md).
    """
    entries: list[str] = []
    for text in networks:
        network = ipaddress.ip_network(text, strict=False)
        if network.prefixlen == network.max_prefixlen:
            entries.append(str(network.network_address))
            continue
        if network.version != 4:
            raise RenderError(
                f"settings.phone_control.networks: {text}: Yealink's Action URI allow list takes IPv4 patterns "
                "or single addresses"
            )
        whole = -(-network.prefixlen // 8)  # octets fixed in each pattern
        for part in network.subnets(new_prefix=whole * 8) if whole else [network]:
            octets = str(part.network_address).split(".")[:whole]
            entries.append(".".join(octets + ["*"] * (4 - whole)))
    allow = ",".join(dict.fromkeys(entries))
    if len(allow) > ACTION_URI_LIMIT_LENGTH:
        raise RenderError(
            f"settings.phone_control.networks: {len(allow)} characters in Yealink's Action URI allow list, "
            f"more than its {ACTION_URI_LIMIT_LENGTH}: give fewer or larger networks (a multiple of 8 bits)"
        )
    return allow


class YealinkDriver(VendorDriver):
    """Yealink T-series: ``y0000000000XX.cfg`` common files and ``<mac>.cfg`` per phone, ``key = value``."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    #: neutral key function -> Yealink DSS key type (15, 13, 16, 10 verified; the others from memory)
    key_functions: typing.ClassVar[dict] = {
        "line": 15,
        "speed_dial": 13,
        "blf": 16,
        "park": 10,
        "intercom": 14,
        "pickup": 9,
        "dnd": 5,
        "transfer": 3,
        "voicemail": 12,
        "url": 17,
        "none": 0,
    }
    #: neutral codec -> ``account.N.codec.<name>`` (wazo v86 names; g726/g723/amr-wb picks from memory)
    codec_names: typing.ClassVar[dict] = {
        "opus": "opus",
        "g722": "g722",
        "pcma": "pcma",
        "pcmu": "pcmu",
        "g729": "g729",
        "g726": "g726_32",
        "g723": "g723_63",
        "ilbc": "ilbc",
        "amr-wb": "amrwb",
        "g722.1": "g722_1_24kpbs",
        "g722.1c": "g722_1c_48kpbs",
    }
    defaults: typing.ClassVar[dict] = {"sip": {"expires": 3600}, "time": {"ntp": ["pool.ntp.org"]}}
    mac_case = "lower"
    requested_files: tuple[str, ...] = (
        r"(?P<mac>(?!0{12})[0-9a-f]{12})\.boot",
        r"y000000000000\.boot",
        r"y0{9}[0-9]{3}\.cfg",
        r"(?P<mac>(?!0{12})[0-9a-f]{12})\.cfg",
    )
    #: the User-Agent ends with the MAC (``Yealink SIP-T54W 96.86.0.45 80:5e:c0:11:22:33``)
    requests_state_mac = True
    user_agents = (
        r"^[yY]ealink\s+SIP-(?P<model>\w+)\s+(?P<firmware>[\d.]+)\s+(?P<mac>[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})$",
    )
    #: parameter names of the platform (see ``YEALINK_DIALECT``)
    dialect: typing.ClassVar[dict] = YEALINK_DIALECT
    #: model -> (common file ID, verified)
    model_ids: typing.ClassVar[dict] = MODEL_IDS
    #: common file name from its model ID
    common_file_pattern = "y{id:012d}.cfg"

    def render(self, spec: FileSpec, context: dict) -> bytes:
        allow = action_uri_allow(tuple(context["control"]["networks"]))
        extra = {"dialect": self.dialect, "file_name": spec.name, "action_uri_allow": allow}
        return super().render(spec, {**context, **extra, "mobility_key": self.mobility_key(context)})

    @staticmethod
    def mobility_key(context: dict) -> dict | None:
        """The soft key that opens the hot-desk login (``programablekey.N``, type XML browser, its value the
        service's phone applications URL) for a phone that offers it (``mobility``: its profile allows it and its
        model supports it); None otherwise, and in shared files. The phone is known by the MAC its User-Agent
        ends with, as for its config requests."""
        if not context.get("mobility"):
            return None
        return {
            "index": MOBILITY_SOFT_KEY,
            "type": XML_BROWSER_KEY_TYPE,
            "url": context["applications"]["url"] + MOBILITY_PATH,
            "label": MOBILITY_KEY_LABEL,
        }

    def phone_files(self, context: dict) -> list[FileSpec]:
        mac = context["phone"]["mac_upper" if self.mac_case == "upper" else "mac"]
        return [FileSpec(f"{mac}.cfg", "phone.cfg.j2")]

    def common_file(self, model: str) -> str | None:
        """Name of the common file of ``model`` (any spelling), or None when its ID is unknown."""
        known = self.vendor.model(model)
        entry = self.model_ids.get(known.name) if known else None
        if entry is None or entry[0] is None:
            return None
        return self.common_file_pattern.format(id=entry[0])

    def shared_files(self, context: dict) -> list[FileSpec]:
        names = {self.common_file(model) for model in context["models"]}
        return [FileSpec(name, "common.cfg.j2") for name in sorted(name for name in names if name)]

    def base_files(self, context: dict) -> list[FileSpec]:
        shared = {self.common_file(model) for model in context["models"]}
        every = {self.common_file_pattern.format(id=entry[0]) for entry in self.model_ids.values() if entry[0]}
        return [FileSpec(name, "base.cfg.j2") for name in sorted(every - shared)]


DRIVER = YealinkDriver()
