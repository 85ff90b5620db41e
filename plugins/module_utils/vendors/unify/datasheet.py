# Private to this collection: the Unify OpenScape Desk Phone CP data sheet.
"""Unify OpenScape Desk Phone CP: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("KM400", keys_per_page=16, pages=2, verified=False),
    ExpansionModule("KM410", keys_per_page=12, pages=2, verified=False),
)


def _model(name: str, line_keys: int, module: str | None = None, max_modules: int = 0) -> PhoneModel:
    """A CP model: as many lines as line keys (at least one), nothing verified."""
    return PhoneModel(
        name=name,
        lines=max(line_keys, 1),
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        verified=False,
    )


MODELS = (
    _model("CP100", 0),
    _model("CP110", 0),
    _model("CP200", 4),
    _model("CP205", 8),
    _model("CP210", 8),
    _model("CP400", 16, "KM400", 2),
    _model("CP410", 16, "KM400", 2),
    _model("CP600", 12, "KM410", 4),
    _model("CP600E", 12, "KM410", 4),
    _model("CP700", 12, "KM410", 4),
    _model("CP700X", 12, "KM410", 4),
    _model("CP710", 12, "KM410", 4),
)

VENDOR = VendorInfo(
    name="unify",
    title="Unify OpenScape Desk Phone CP",
    ouis=("0001e3", "001ae8"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="DLS/WPI and DMS are exclusive; WPI has no authentication in default mode, keep phones on a voice VLAN.",
)
