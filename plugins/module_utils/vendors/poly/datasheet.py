# Private to this collection: the Poly (Polycom) data sheet.
"""Poly (Polycom): models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (ExpansionModule("VVX Color Expansion Module", keys_per_page=28, pages=3, verified=False),)


def _model(
    name: str,
    lines: int,
    line_keys: int,
    max_modules: int = 0,
    aliases: tuple[str, ...] = (),
) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=("VVX Color Expansion Module",) if max_modules else (),
        max_expansion_modules=max_modules,
        verified=False,
        aliases=aliases,
    )


MODELS = (
    _model("VVX 150", 2, 2),
    _model("VVX 250", 4, 4),
    _model("VVX 350", 6, 6),
    _model("VVX 450", 12, 12, 3),
    _model("Edge E100", 2, 2, aliases=("E100",)),
    _model("Edge E220", 4, 4, aliases=("E220",)),
    _model("Edge E300", 8, 8, aliases=("E300",)),
    _model("Edge E320", 8, 8, aliases=("E320",)),
    _model("Edge E350", 8, 8, aliases=("E350",)),
    _model("Edge E400", 16, 16, aliases=("E400",)),
    _model("Edge E450", 16, 16, aliases=("E450",)),
    _model("Edge E500", 16, 16, aliases=("E500",)),
    _model("Edge E550", 16, 16, aliases=("E550",)),
)

VENDOR = VendorInfo(
    name="poly",
    title="Poly (Polycom)",
    ouis=("0004f2", "64167f"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="The User-Agent spells models VVX_450; model lookup ignores spaces, dashes and underscores.",
)
