# Private to this collection: the Grandstream data sheet.
"""Grandstream: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("GXP2200EXT", keys_per_page=20, pages=2, verified=False),
    ExpansionModule("GBX20", keys_per_page=20, pages=2, verified=False),
)


def _model(name: str, lines: int, line_keys: int, module: str | None = None, max_modules: int = 0) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        verified=False,
    )


MODELS = (
    _model("GXP2130", 3, 8),
    _model("GXP2135", 8, 8),
    _model("GXP2140", 4, 4, "GXP2200EXT", 4),
    _model("GXP2160", 6, 6, "GXP2200EXT", 4),
    _model("GXP2170", 12, 12, "GXP2200EXT", 4),
    _model("GRP2612", 2, 2),
    _model("GRP2613", 3, 3),
    _model("GRP2614", 4, 4, "GBX20", 4),
    _model("GRP2615", 5, 10, "GBX20", 4),
    _model("GRP2616", 6, 6, "GBX20", 4),
)

VENDOR = VendorInfo(
    name="grandstream",
    title="Grandstream",
    ouis=("000b82", "c074ad", "ec74d7"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="GXP21xx take the GXP2200EXT, GRP26xx the GBX20.",
)
