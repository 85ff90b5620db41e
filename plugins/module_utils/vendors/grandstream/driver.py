# Private to this collection: the Grandstream data sheet.
"""Grandstream GXP21xx and GRP26xx desk phones, HTTP(S) or TFTP provisioning.

Files the phone fetches: ``cfg<mac>.xml`` (MAC lower case). Base URL from DHCP option 66. Format:
``<gs_provision version="1"><config version="1">`` with P-values (``P47`` SIP server, ``P35`` user ID,
``P34`` password …), or ``config version="2"`` with named aliases (``account.1.sip.server.1.address``).
User-Agent ``Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859``. Control: SIP
``check-sync`` (``P26015`` allows it); ``/cgi-bin/api-sys_operation?request=REBOOT|PROV``.

Sources: research/phone-vendors.md §6 (wazo ``wazo_grandstream``).

Unverified (``verified=False``): every model's account and key counts, both expansion modules and
their maximum counts (from memory), screenshot (not claimed). OUIs: c074ad appears in a Grandstream
User-Agent; 000b82 and ec74d7 are Grandstream blocks from memory.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("GXP2200EXT", keys_per_page=20, pages=2, verified=False),
    ExpansionModule("GBX20", keys_per_page=20, pages=2, verified=False),
)


def _model(name: str, lines: int, line_keys: int, module: str | None = None, max_modules: int = 0) -> PhoneModel:
    return PhoneModel(
        name=name,
        lines=lines,
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        verified=False,
    )


MODELS = (
    _model("GXP2130", 3, 8),
    _model("GXP2135", 8, 8),
    _model("GXP2140", 4, 4, "GXP2200EXT", 4),
    _model("GXP2160", 6, 6, "GXP2200EXT", 4),
    _model("GXP2170", 12, 12, "GXP2200EXT", 4),
    _model("GRP2612", 2, 2),
    _model("GRP2613", 3, 3),
    _model("GRP2614", 4, 4, "GBX20", 4),
    _model("GRP2615", 5, 10, "GBX20", 4),
    _model("GRP2616", 6, 6, "GBX20", 4),
)

VENDOR = VendorInfo(
    name="grandstream",
    title="Grandstream",
    ouis=("000b82", "c074ad", "ec74d7"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="GXP21xx take the GXP2200EXT, GRP26xx the GBX20.",
)
