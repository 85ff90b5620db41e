# Private to this collection: the Fanvil driver (data sheet and rendering).
"""Fanvil X-series desk phones, HTTP(S) or TFTP provisioning.

Files the phone fetches: a model common file (``f0C00620000.cfg``, ``fanvil_x4u_v2_hwv2_0.txt`` …),
then ``<mac>.cfg`` (lower case) under the path given in DHCP option 66 or 43. Format: XML
``<sysConf>`` (``<sip><line index>``, ``<dsskey><dssSide><Fkey>``, ``<ap>``); old firmware uses
``<VOIP_CONFIG_FILE>``. User-Agent ``Fanvil <model> <firmware> <mac>``. Control: SIP ``check-sync``;
``/cgi-bin/ConfigManApp.com?key=…`` and a screenshot URL are only remembered.

Sources: research/phone-vendors.md §6 (wazo ``wazo_fanvil``).

Unverified (``verified=False``): every model's account and DSS-key counts, the EXT20/EXP50
expansion modules and their maximum counts (from memory); screenshot not claimed. OUIs: 0c383e
appears in a Fanvil User-Agent; 00a859 is from memory.

Rendering (``FanvilDriver`` below): one file per phone, ``<mac>.cfg`` (lower case), in the XML
``<sysConf>`` format that current X-series firmware (2.12.x; wazo's "new model" X4U … X7C, X210) reads.
No model common file is rendered: those (``fanvil_x4u_v2_hwv2_0.txt`` …) describe firmware, not
settings, and the phone file sets ``DownloadCommonConf`` 0. No base file: an unknown Fanvil phone has
already reached us when it asks for ``<mac>.cfg``.

Parameter names [V] (wazo ``base-new.tpl``, research/phone-vendors.md §6): ``<sip><line index>``
``PhoneNumber``, ``DisplayName``, ``RegisterAddr``, ``RegisterPort``, ``RegisterUser``, ``RegisterPswd``,
``RegisterTTL``, ``EnableReg``, ``Transport`` (0 UDP, 1 TCP, 3 TLS), ``MWINum``, ``ProxyAddr``/``ProxyPort``,
``BackupAddr``/``BackupPort``; ``<date>`` ``SNTPServer``, ``EnableSNTP``, ``TimeZone`` (quarter hours),
``TimeZoneName`` (``UTC+3``), ``EnableDST`` 2 + ``DSTFixedType`` 2, ``DSTMinOffset``,
``DST{Start,End}{Mon,Hour,Wday,Week}`` (week -1 = last); ``<qos>`` ``EnableVLAN``, ``VLANID``,
``SignallingPriority``, ``VoicePriority``; ``<web><account>`` ``Name``/``Password``/``Level`` 10 and
``<phone><MenuPassword>``; ``<ap>`` ``DownloadCommonConf``, ``DownloadDeviceConf``, ``FlashServerIP``,
``FlashFileName``, ``FlashProtocol``, ``FlashMode``, ``FlashInterval``; ``<AUTOUPDATE_CONFIG_MODULE>``
``Auto_Image_URL``; ``<web><RemoteControl>`` 1 (wazo ``base-new.tpl``, fusion ``x6u``: remote control
over the Action URI, which our HTTP reboot uses); ``FlashProtocol`` 4 with an http ``FlashServerIP``
(wazo), 5 with https (fusion ``x6u``: the two sources agree once the scheme is read; 4 = HTTP, 5 = HTTPS
is inferred from them); ``<dsskey>`` ``<dssSide index=page><Fkey index>`` for the keys beside the screen and
``<internal index=page>`` + ``FuncKeyPageNum`` for the others, ``Type`` 1 with ``ext@line/f`` (speed
dial) or ``ext@line/ba`` (BLF, + pickup code and number), ``Type`` 2 with ``SIPn`` (line) or
``ext@line/c`` (park), ``Type`` 0 (none); the layout per model (``DSS_LAYOUT``) for X4U, X5U, X6U, X210.

Unverified [M]: ``<mm><capability><AudioCodecSets>`` (the order = preference) and the names G729,
G726-32, iLBC, OPUS; ``SecondSNTPServer``; ``DSTStartWday`` 0 = Sunday; ``DSS_LAYOUT`` of X3U, X7,
X7C; what ``<web><RemoteControl>`` 1 allows beyond the Action URI. Not written (no parameter name we trust):
auth name distinct from the user name, SRTP, PC-port VLAN, LLDP/CDP, DSCP, the auto-provisioning
schedule (the phone checks at boot and on ``check-sync``), expansion-module keys (EXT20/EXP50: the
file says so in a comment; the render core has no hook for a driver warning), and the key functions
intercom, pickup, DND, transfer, voicemail and URL (left out with a warning by the core).
"""

from __future__ import annotations

import typing

from ...render.driver import FileSpec, VendorDriver, template_folder
from .datasheet import VENDOR

# -- rendering ---------------------------------------------------------------------------------------

#: model -> (keys beside the screen, keys a page of the other DSS keys, verified) — wazo serie_x's
#: TOP_FUNCTION_KEYS / FUNCTION_KEYS_PER_PAGE; X3U, X7 and X7C are guesses
DSS_LAYOUT: dict[str, tuple[int, int, bool]] = {
    "X1S": (0, 0, False),
    "X3U": (3, 6, False),
    "X4U": (3, 6, True),
    "X5U": (4, 6, True),
    "X6U": (5, 12, True),
    "X7": (10, 32, False),
    "X7C": (10, 32, False),
    "X210": (10, 32, True),
}


def dss_layout(model: str, keys: list) -> tuple[list, list]:
    """Split the phone's keys into side keys ``(index, key)`` and paged keys ``(page, index, key)``."""
    side_count, per_page, _verified = DSS_LAYOUT.get(model, (0, 0, False))
    side, paged = [], []
    for key in keys:
        if key["index"] <= side_count or not per_page:  # a model without a known layout: all beside the screen
            side.append((key["index"], key))
        else:
            position = key["index"] - side_count - 1
            paged.append((position // per_page + 1, position % per_page + 1, key))
    return side, paged


#: ``<ap><FlashProtocol>`` by the provisioning URL's scheme: wazo writes 4 with http, FusionPBX's X6U
#: template 5 with https (research/param-audit.md §10)
FLASH_PROTOCOLS = {"http": 4, "https": 5}


class FanvilDriver(VendorDriver):
    """Fanvil X-series: ``<mac>.cfg`` in the XML ``<sysConf>`` format."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    #: neutral key function -> DSS key ``Type`` (the value's suffix tells speed dial, BLF and park apart)
    key_functions: typing.ClassVar[dict] = {"line": 2, "speed_dial": 1, "blf": 1, "park": 2, "none": 0}
    #: neutral codec -> name in ``AudioCodecSets`` (PCMU, PCMA, G722 verified)
    codec_names: typing.ClassVar[dict] = {
        "pcmu": "PCMU",
        "pcma": "PCMA",
        "g722": "G722",
        "g729": "G729",
        "g726": "G726-32",
        "ilbc": "iLBC",
        "opus": "OPUS",
    }
    defaults: typing.ClassVar[dict] = {"sip": {"expires": 3600}, "time": {"ntp": ["pool.ntp.org"]}}
    mac_case = "lower"
    requested_files = (
        r"(?P<mac>(?!0{12})[0-9a-f]{12})\.cfg",
        # Model common files such as f0X4hw1.100.cfg (wazo-provd.md, Fanvil); never a 12-hex-digit MAC name.
        r"(?![0-9a-fA-F]{12}\.cfg$)[fF]0[\w.]+\.cfg",
        r"fanvil_\w+\.txt",
    )
    #: the User-Agent ends with the MAC (``Fanvil X6U 2.10.2.6887 0c383e010203``)
    requests_state_mac = True
    user_agents = (
        r"^Fanvil (?P<model>[VHXWi][0-9]{1,3}[WSGVUCi]?[DV]?[0-9]?(?:-V[12])?(?:\s?Pro)?) "
        r"(?P<firmware>[0-9.]+) (?P<mac>[0-9a-f]{12})$",
    )

    def render(self, spec: FileSpec, context: dict) -> bytes:
        """``layout_model`` (a brand on this platform names the Fanvil model whose key layout it borrows)
        decides the DSS layout; ``platform_note`` goes into the header comment."""
        model = self.vendor.model(context.get("layout_model") or context["phone"]["model"] or "")
        side, paged = dss_layout(model.name if model else "", context["keys"])
        extra = {"dss_side": side, "dss_paged": paged, "flash_protocol": FLASH_PROTOCOLS}
        return super().render(spec, {"platform_note": None, **context, **extra})

    def phone_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec(f"{context['phone']['mac']}.cfg", "phone.xml.j2")]


DRIVER = FanvilDriver()
