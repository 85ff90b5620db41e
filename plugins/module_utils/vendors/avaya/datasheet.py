# Private to this collection: the Avaya J100 data sheet.
"""Avaya J100: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("JEM24", keys_per_page=24, pages=3),
    ExpansionModule("JBM24", keys_per_page=24, verified=False),
)

MODELS = (
    PhoneModel(name="J129", lines=1, line_keys=0, verified=False),
    PhoneModel(name="J139", lines=1, line_keys=4, verified=False),
    PhoneModel(name="J159", lines=1, line_keys=4, verified=False),
    PhoneModel(
        name="J169",
        lines=1,
        line_keys=24,
        expansion_modules=("JEM24", "JBM24"),
        max_expansion_modules=3,
        verified=False,
    ),
    PhoneModel(
        name="J179",
        lines=1,
        line_keys=24,
        expansion_modules=("JEM24", "JBM24"),
        max_expansion_modules=3,
        verified=False,
    ),
    PhoneModel(
        name="J189",
        lines=1,
        line_keys=10,
        expansion_modules=("JEM24",),
        max_expansion_modules=3,
        verified=False,
    ),
)

VENDOR = VendorInfo(
    name="avaya",
    title="Avaya J100",
    ouis=("c81fea", "00040d", "001b4f"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="3PCC firmware only (ENABLE_3PCC_ENVIRONMENT 1). J189 hardware revisions take FW_S_J189A_… images.",
)
