# Private to this collection: the Snom data sheet.
"""Snom: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("D7", keys_per_page=18, verified=False),
    ExpansionModule("D7C", keys_per_page=18, pages=3, verified=False),
)

_D7 = ("D7",)
_D7_ANY = ("D7", "D7C")


def _model(name: str, lines: int, line_keys: int, modules: tuple[str, ...] = (), max_modules: int = 0) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=modules,
        max_expansion_modules=max_modules,
        verified=False,
        aliases=(f"snom{name}",),
    )


MODELS = (
    _model("D710", 4, 5),
    _model("D712", 4, 4),
    _model("D715", 4, 5, _D7, 3),
    _model("D717", 6, 3),
    _model("D725", 12, 18, _D7, 3),
    _model("D735", 12, 32, _D7_ANY, 3),
    _model("D745", 12, 32, _D7, 3),
    _model("D765", 12, 16, _D7, 3),
    _model("D785", 12, 24, _D7_ANY, 3),
    _model("D315", 4, 4, _D7, 3),
    _model("D335", 12, 32, _D7_ANY, 3),
    _model("D345", 12, 48, _D7, 3),
    _model("D375", 12, 36, _D7, 3),
    _model("D385", 12, 48, _D7_ANY, 3),
)

VENDOR = VendorInfo(
    name="snom",
    title="Snom",
    ouis=("000413",),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="Resync with check-sync;reboot=false, or the phone reboots.",
)
