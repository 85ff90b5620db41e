# Private to this collection: the Fanvil data sheet.
"""Fanvil: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("EXT20", keys_per_page=20, pages=3, verified=False),
    ExpansionModule("EXP50", keys_per_page=20, pages=3, verified=False),
)

_EXT = ("EXT20", "EXP50")


def _model(name: str, lines: int, line_keys: int, modules: tuple[str, ...] = (), max_modules: int = 0) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=modules,
        max_expansion_modules=max_modules,
        verified=False,
    )


MODELS = (
    _model("X1S", 2, 0),
    _model("X3U", 6, 3),
    _model("X4U", 12, 30, _EXT, 5),
    _model("X5U", 16, 30, _EXT, 5),
    _model("X6U", 20, 60, _EXT, 5),
    _model("X7", 20, 106, _EXT, 5),
    _model("X7C", 20, 106, _EXT, 5),
    _model("X210", 20, 106, _EXT, 5),
)

VENDOR = VendorInfo(
    name="fanvil",
    title="Fanvil",
    ouis=("0c383e", "00a859"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="DSS keys are paged on screen; wazo's templates do not address expansion modules.",
)
