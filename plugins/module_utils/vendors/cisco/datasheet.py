# Private to this collection: the Cisco (enterprise firmware) data sheet.
"""Cisco (enterprise firmware): models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

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
    # 79x1 / 79x2 / 79x5 / 797x (the G suffix is printed on the phone); the families of unify-cisco.md B.6.
    _model("CP-7906G", 1, 0),
    _model("CP-7911G", 1, 0),
    _model("CP-7941G", 2, 2),
    _model("CP-7961G", 6, 6, _KEM_79XX, 2),
    _model("CP-7970G", 8, 8, _KEM_79XX, 2),
    _model("CP-7971G", 8, 8, _KEM_79XX, 2),
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
