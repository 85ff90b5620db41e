# Private to this collection: the Qtech QVP data sheet.
"""Qtech QVP: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import PhoneModel, VendorInfo

MODELS = tuple(
    PhoneModel(name=name, lines=1, line_keys=0, verified=False)
    for name in ("QVP-95R", "QVP-95PR", "QVP-400PR", "QVP-500PR")
)

VENDOR = VendorInfo(
    name="qtech",
    title="Qtech QVP",
    ouis=("001fce",),
    models=MODELS,
    notes="OEM platform unknown: rendered as the assumed platform below; fingerprint the first unit at onboarding.",
)
