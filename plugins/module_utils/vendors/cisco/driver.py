# Private to this collection: the Cisco enterprise (CUCM firmware) data sheet.
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
8865, 8832, 79x2/79x5/7975, 8961/99xx and DX70/DX80 (from memory); all key expansion modules (names
from the CUCM ``addOnModules`` device types, key counts and maximum counts from memory). DX70/DX80
run RoomOS/CE: best effort only. OUIs: a partial, unverified list of Cisco blocks seen on phones; Cisco
owns many more, so a Cisco MAC may not be recognised by its prefix.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

# Cisco enterprise and MPP firmware run on the same hardware, so cisco_mpp reuses this tuple.
OUIS = (
    "00000c",
    "00562b",
    "0021a0",
    "0023eb",
    "0024c4",
    "002584",
    "0026cb",
    "00270d",
    "00ebd5",
    "2c3124",
    "5006ab",
    "6c416a",
    "70e422",
    "b8bebf",
    "f4acc1",
)

EXPANSION_MODULES = (
    ExpansionModule("CP-8800-Audio", keys_per_page=28, pages=2, verified=False),
    ExpansionModule("CP-8800-Video", keys_per_page=28, pages=2, verified=False),
    ExpansionModule("CP-BEKEM", keys_per_page=18, pages=2, verified=False),
    ExpansionModule("CP-CKEM", keys_per_page=12, pages=3, verified=False),
    ExpansionModule("CP-7914", keys_per_page=14, verified=False),
    ExpansionModule("CP-7915", keys_per_page=12, pages=2, verified=False),
    ExpansionModule("CP-7916", keys_per_page=12, pages=2, verified=False),
)

_KEM_88XX = ("CP-8800-Audio", "CP-BEKEM")
_KEM_79XX = ("CP-7914", "CP-7915", "CP-7916")


def _model(
    name: str,
    lines: int,
    line_keys: int,
    modules: tuple[str, ...] = (),
    max_modules: int = 0,
    *,
    screenshot: bool = True,
    mobility: bool = False,
    verified: bool = False,
    aliases: tuple[str, ...] = (),
) -> PhoneModel:
    """A model named ``CP-<number>[G]``; its bare number (and ``<number>G``) are aliases."""
    number = name[len("CP-") :]
    extra = (number, number[:-1]) if number.endswith("G") else (number,)
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=modules,
        max_expansion_modules=max_modules,
        screenshot=screenshot,
        mobility=mobility,
        verified=verified,
        aliases=(*extra, *aliases),
    )


MODELS = (
    # 3905: small display, no web control found.
    _model("CP-3905", 1, 0, screenshot=False),
    # 69xx: 6901/6911 have no display.
    _model("CP-6901", 1, 0, screenshot=False),
    _model("CP-6911", 1, 0, screenshot=False),
    _model("CP-6921", 2, 2),
    _model("CP-6941", 4, 4),
    _model("CP-6945", 4, 4),
    _model("CP-6961", 12, 12),
    # 78xx: hot-desk (mobility) on the desk models; 7832 is a conference unit.
    _model("CP-7811", 1, 0, mobility=True),
    _model("CP-7821", 2, 2, mobility=True),
    _model("CP-7841", 4, 4, mobility=True, verified=True),
    _model("CP-7861", 16, 16, mobility=True, verified=True),
    _model("CP-7832", 1, 0, screenshot=False),
    # 88xx: 10 line/feature keys; 8832 is a conference unit.
    _model("CP-8811", 10, 10, mobility=True, verified=True),
    _model("CP-8841", 10, 10, mobility=True, verified=True),
    _model("CP-8845", 10, 10, mobility=True),
    _model("CP-8851", 10, 10, _KEM_88XX, 2, mobility=True, verified=True),
    _model("CP-8861", 10, 10, _KEM_88XX, 3, mobility=True, verified=True),
    _model("CP-8865", 10, 10, ("CP-8800-Video",), 3, mobility=True),
    _model("CP-8832", 1, 0, screenshot=False),
    # 79x2 / 79x5 / 7975 (the G suffix is printed on the phone).
    _model("CP-7942G", 2, 2),
    _model("CP-7945G", 2, 2),
    _model("CP-7962G", 6, 6, _KEM_79XX, 2),
    _model("CP-7965G", 6, 6, _KEM_79XX, 2),
    _model("CP-7975G", 8, 8, _KEM_79XX, 2),
    # 89xx / 99xx.
    _model("CP-8941", 4, 4, verified=True),
    _model("CP-8945", 4, 4, verified=True),
    _model("CP-8961", 5, 5, ("CP-CKEM",), 2),
    _model("CP-9951", 5, 5, ("CP-CKEM",), 2),
    _model("CP-9971", 6, 6, ("CP-CKEM",), 2),
    # DX: RoomOS/CE video endpoints, best effort.
    PhoneModel(name="DX70", lines=1, line_keys=0, verified=False, aliases=("CP-DX70",)),
    PhoneModel(name="DX80", lines=1, line_keys=0, verified=False, aliases=("CP-DX80",)),
)

VENDOR = VendorInfo(
    name="cisco",
    title="Cisco (enterprise firmware)",
    ouis=OUIS,
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes=(
        "Third-party SIP servers: the phone registers only its primary line and sends no BLF SUBSCRIBE "
        "unless the server helps. Same hardware as cisco_mpp: tell them apart by the files requested."
    ),
)
