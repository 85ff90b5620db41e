# Private to this collection: the Fanvil data sheet.
"""Fanvil X-series desk phones, HTTP(S) or TFTP provisioning.

Files the phone fetches: a model common file (``f0C00620000.cfg``, ``fanvil_x4u_v2_hwv2_0.txt`` …),
then ``<mac>.cfg`` (lower case) under the path given in DHCP option 66 or 43. Format: XML
``<sysConf>`` (``<sip><line index>``, ``<dsskey><dssSide><Fkey>``, ``<ap>``); old firmware uses
``<VOIP_CONFIG_FILE>``. User-Agent ``Fanvil <model> <firmware> <mac>``. Control: SIP ``check-sync``;
``/cgi-bin/ConfigManApp.com?key=…`` and a screenshot URL are only remembered.

Sources: research/phone-vendors.md §6 (wazo ``wazo_fanvil``).

Unverified (``verified=False``): every model's account and DSS-key counts, the EXT20/EXP50
expansion modules and their maximum counts (from memory); screenshot not claimed. OUIs: 0c383e
appears in a Fanvil User-Agent; 00a859 is from memory.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

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
