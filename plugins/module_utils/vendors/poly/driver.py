# Private to this collection: the Poly (Polycom) data sheet.
"""Poly VVX and Edge E desk phones (UC Software / PVOS), HTTP(S), FTP or TFTP provisioning.

Files the phone fetches: the master file ``<mac>.cfg`` (else ``000000000000.cfg``), an
``<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="[PHONE_MAC_ADDRESS]-user.cfg, common.cfg">`` that
names the firmware and the config files fetched next. Format: XML whose attributes are the parameters
(``reg.N.address``, ``reg.N.auth.userId`` …). Server URL from DHCP option 66. User-Agent
``FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application``. Control: SIP ``check-sync``;
REST ``/api/v1/mgmt/safeRestart`` and ``/api/v1/mgmt/device/info`` with Basic auth.

Sources: research/phone-vendors.md §6 (wazo ``wazo_polycom``).

Unverified (``verified=False``): every model's line and key counts, the VVX Color Expansion Module
(keys, pages, maximum) and the CCX range (left out). Screenshot (``/captureScreen``) is only
remembered, so it is not claimed. OUIs: Polycom blocks from memory, not exhaustive (HP-era Edge E
units may carry others).
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (ExpansionModule("VVX Color Expansion Module", keys_per_page=28, pages=3, verified=False),)


def _model(
    name: str,
    lines: int,
    line_keys: int,
    max_modules: int = 0,
    aliases: tuple[str, ...] = (),
) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=("VVX Color Expansion Module",) if max_modules else (),
        max_expansion_modules=max_modules,
        verified=False,
        aliases=aliases,
    )


MODELS = (
    _model("VVX 150", 2, 2),
    _model("VVX 250", 4, 4),
    _model("VVX 350", 6, 6),
    _model("VVX 450", 12, 12, 3),
    _model("Edge E100", 2, 2, aliases=("E100",)),
    _model("Edge E220", 4, 4, aliases=("E220",)),
    _model("Edge E300", 8, 8, aliases=("E300",)),
    _model("Edge E320", 8, 8, aliases=("E320",)),
    _model("Edge E350", 8, 8, aliases=("E350",)),
    _model("Edge E400", 16, 16, aliases=("E400",)),
    _model("Edge E450", 16, 16, aliases=("E450",)),
    _model("Edge E500", 16, 16, aliases=("E500",)),
    _model("Edge E550", 16, 16, aliases=("E550",)),
)

VENDOR = VendorInfo(
    name="poly",
    title="Poly (Polycom)",
    ouis=("0004f2", "64167f"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="The User-Agent spells models VVX_450; model lookup ignores spaces, dashes and underscores.",
)
