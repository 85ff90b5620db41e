# Private to this collection: the Cisco MPP (3PCC firmware) data sheet.
"""Cisco MPP (3PCC firmware): models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo
from ..cisco.datasheet import OUIS as CISCO_OUIS

EXPANSION_MODULES = (
    ExpansionModule("CP-68KEM-3PCC", keys_per_page=14, pages=2, verified=False),
    ExpansionModule("CP-8800-A-KEM-3PCC", keys_per_page=28, pages=2, verified=False),
    ExpansionModule("CP-8800-V-KEM-3PCC", keys_per_page=28, pages=2, verified=False),
)


def _model(
    number: str,
    lines: int,
    line_keys: int,
    module: str | None = None,
    max_modules: int = 0,
    *,
    verified: bool = True,
) -> PhoneModel:
    """``CP-<number>-3PCC``; 68xx also answer to ``CP-<number>`` as they have no enterprise twin."""
    return PhoneModel(
        name=f"CP-{number}-3PCC",
        lines=lines,
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        verified=verified,
        aliases=(f"CP-{number}",) if number.startswith("68") else (),
    )


MODELS = (
    _model("6821", 2, 2),
    _model("6841", 4, 4),
    _model("6851", 4, 4, "CP-68KEM-3PCC", 2, verified=False),
    _model("6861", 4, 4),
    _model("6871", 6, 6),
    _model("7811", 1, 0, verified=False),
    _model("7821", 2, 2, verified=False),
    _model("7832", 1, 0, verified=False),
    _model("7841", 4, 4),
    _model("7861", 16, 16),
    _model("8811", 10, 10),
    _model("8841", 10, 10),
    _model("8845", 10, 10, verified=False),
    _model("8851", 10, 10, "CP-8800-A-KEM-3PCC", 2),
    _model("8861", 10, 10, "CP-8800-A-KEM-3PCC", 3),
    _model("8865", 10, 10, "CP-8800-V-KEM-3PCC", 3, verified=False),
    _model("8832", 1, 0, verified=False),
)

VENDOR = VendorInfo(
    name="cisco_mpp",
    title="Cisco MPP (3PCC firmware)",
    ouis=CISCO_OUIS,
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="Same hardware and MAC blocks as cisco: tell them apart by User-Agent (…-3PCC) or the files requested.",
)
