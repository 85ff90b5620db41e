# Private to this collection: the Yealink data sheet.
"""Yealink: models (SIP accounts, keys, expansion modules, capabilities) and MAC blocks.

Sources and the facts marked ``verified=False``: the docstring of ``driver.py`` beside this file.
It imports the catalogue only, so validation and the registry read it without loading the renderer.
"""

from __future__ import annotations

from ...catalog.models import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("EXP40", keys_per_page=20, pages=2),
    ExpansionModule("EXP43", keys_per_page=20, pages=3),
    ExpansionModule("EXP50", keys_per_page=20, pages=3),
)


def _model(
    name: str,
    lines: int,
    line_keys: int,
    module: str | None = None,
    max_modules: int = 0,
    verified: bool = True,
    aliases: tuple[str, ...] = (),
) -> PhoneModel:
    """Every Yealink desk phone here has the screenshot URL and our hot-desk support."""
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        screenshot=True,
        mobility=True,
        verified=verified,
        aliases=(f"SIP-{name}", *aliases),
    )


MODELS = (
    #      name       lines keys module   max
    _model("T19P", 1, 0),
    _model("T19P E2", 1, 0, aliases=("SIP-T19P_E2",)),
    _model("T19 E2", 1, 0, verified=False, aliases=("SIP-T19_E2",)),
    _model("T21P", 2, 2),
    _model("T21P E2", 2, 2, aliases=("SIP-T21P_E2",)),
    _model("T21 E2", 2, 2, verified=False, aliases=("SIP-T21_E2",)),
    _model("T23P", 3, 3),
    _model("T23G", 3, 3),
    _model("T27P", 6, 21, "EXP40", 6),
    _model("T27G", 6, 21, "EXP40", 6),
    _model("T29G", 16, 27, "EXP40", 6, verified=False),
    _model("T30", 1, 0),
    _model("T30P", 1, 0),
    _model("T31", 2, 2),
    _model("T31P", 2, 2),
    _model("T31G", 2, 2),
    _model("T31W", 2, 2),
    _model("T33P", 4, 12),
    _model("T33G", 4, 12),
    _model("T34W", 4, 12),
    _model("T40P", 3, 3),
    _model("T40G", 3, 3, verified=False),
    _model("T41P", 6, 15),
    _model("T42G", 12, 15),
    _model("T46G", 16, 27, "EXP40", 6),
    _model("T48G", 16, 29, "EXP40", 6),
    _model("T41S", 6, 15),
    _model("T42S", 12, 15),
    _model("T46S", 16, 27, "EXP40", 6),
    _model("T48S", 16, 29, "EXP40", 6),
    _model("T41U", 6, 15),
    _model("T42U", 12, 15),
    _model("T43U", 12, 15, "EXP43", 3),
    _model("T44U", 12, 21, verified=False),
    _model("T44W", 12, 21, verified=False),
    _model("T46U", 16, 27, "EXP43", 3),
    _model("T48U", 16, 29, "EXP43", 3),
    _model("T52S", 12, 21, "EXP50", 3, verified=False),
    _model("T53", 12, 21, "EXP50", 3),
    _model("T53W", 12, 21, "EXP50", 3),
    _model("T53C", 12, 21, "EXP50", 3, verified=False),
    _model("T54S", 16, 27, "EXP50", 3),
    _model("T54W", 16, 27, "EXP50", 3),
    _model("T57W", 16, 29, "EXP50", 3),
    _model("T58A", 16, 27, "EXP50", 3, aliases=("T58", "SIP-T58")),
    _model("T58W", 16, 27, "EXP50", 3),
)

VENDOR = VendorInfo(
    name="yealink",
    title="Yealink",
    # wazo's known prefixes; 805e0c is listed there on purpose next to 805ec0.
    ouis=(
        "001565",
        "805ec0",
        "805e0c",
        "249ad8",
        "44dbd2",
        "e434d7",
        "3497d7",
        "644f56",
        "b061a9",
        "c4fc22",
        "ec1da9",
        "f01653",
    ),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="Keys beyond the phone's own continue on expansion_module.N.key.M; T5x take EXP50, T4xU EXP43.",
)
