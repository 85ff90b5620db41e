# Private to this collection: the Atcom A-series data sheet.
"""Atcom A-series: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import PhoneModel, VendorInfo

# The renderer family these phones are served by; change here if a real unit shows otherwise.
PLATFORM = "yealink"


def _model(name: str, lines: int, line_keys: int) -> PhoneModel:
    return PhoneModel(name=name, lines=lines, line_keys=line_keys, verified=False)


MODELS = (
    _model("A10", 2, 0),
    _model("A10W", 2, 0),
    _model("A11", 2, 0),
    _model("A16", 2, 0),
    _model("A20", 2, 2),
    _model("A20W", 2, 2),
    _model("A20WAC", 2, 2),
    _model("A20LTE", 2, 2),
    _model("A21", 2, 2),
    _model("A26", 2, 2),
    _model("A41", 4, 4),
    _model("A41W", 4, 4),
    _model("A48", 8, 8),
    _model("A48W", 8, 8),
    _model("A48WAC", 8, 8),
    _model("A48LTE", 8, 8),
    _model("A68", 12, 12),
    _model("A68W", 12, 12),
    _model("A68WAC", 12, 12),
    _model("A68LTE", 12, 12),
)

VENDOR = VendorInfo(
    name="atcom",
    title="Atcom A-series",
    ouis=("808287",),
    models=MODELS,
    notes=f"Runs on the {PLATFORM} platform (probable, unconfirmed); older AT5xx/AT6xx/AT800 formats do not apply.",
)
