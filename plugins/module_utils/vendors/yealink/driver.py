# Private to this collection: the Yealink data sheet.
"""Yealink T19 E2 … T58 desk phones, provisioned over HTTP(S) or TFTP.

Files the phone fetches: ``<mac>.boot`` (else ``y000000000000.boot``), whose ``include:config`` lines
name the CFG files; without boot files, the model common file ``y0000000000XX.cfg`` then ``<mac>.cfg``
(lowercase MAC, no separators). Format: ``key = value`` text whose first line is ``#!version:1.0.0.1``.
User-Agent: ``Yealink SIP-<model> <firmware> <mac with colons>``, hence the ``SIP-<model>`` aliases.
Control: Action URI ``/servlet?key=…``, SIP NOTIFY ``check-sync``, screenshot ``/screencapture``.

Sources: research/phone-vendors.md §1 and wazo-provd-plugins ``wazo_yealink`` v84/v86, whose per-model
SIP-account and line-key tables give the verified figures below.

Unverified (``verified=False``): T29G (not in the wazo tables), T53C (assumed equal to T53),
T44U/T44W (wazo's key table says 24, its capability list says 21; expansion module unknown).
Expansion modules: the key totals (EXP40 40 keys, up to 6; EXP43/EXP50 60 keys, up to 3) are verified;
the split into pages (20 keys a page) is from the vendor's data sheets and not checked on a unit.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

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
    _model("T19P E2", 1, 0, aliases=("SIP-T19P_E2",)),
    _model("T21P E2", 2, 2, aliases=("SIP-T21P_E2",)),
    _model("T23P", 3, 3),
    _model("T23G", 3, 3),
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
