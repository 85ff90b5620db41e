# Private to this collection: the Cisco MPP (3PCC) data sheet.
"""Cisco 68xx, 78xx and 88xx desk phones running Multiplatform (MPP, "3PCC") firmware.

Files the phone fetches (HTTP or TFTP): the rules in ``Profile_Rule`` / ``Profile_Rule_B`` /
``Profile_Rule_C`` decide, typically a model common file (``<model>-3PCC.xml``, ``cp-phone.xml``) and
a per-phone ``<mac>.xml``; the factory default asks for ``/Cisco/CP-<model>-3PCC/<mac>.cfg``.
Format: ``<flat-profile>`` XML with parameters such as ``Proxy_1_``, ``Extended_Function_N_`` and
``Unit_M_Key_K_`` (expansion modules, 32 key slots a unit in the profile). Firmware via
``Upgrade_Rule``. User-Agent ``Cisco-CP-<model>-3PCC/<firmware> (<mac>)``, DHCP option 60
``CP-<model>-3PCC``: the model names below are spelt that way. Control: ``/admin/resync``, SIP
``check-sync`` with ``Resync_From_SIP``.

The enterprise (CUCM) firmware on the same hardware is the ``cisco`` vendor; the plain names
(``CP-8845``, ``8845``) belong to it. 68xx exist only as MPP, so ``CP-68x1`` is an alias here.

Sources: research/phone-vendors.md §2 note, research/wazo-provd.md, wazo-provd-plugins
``wazo_cisco_sip`` 11.3.1/12.0.7 capability lists (lines and keys of 6821/6841/6851/6861/6871,
7841/7861, 8811/8841/8851/8861).

Unverified (``verified=False``): 7811/7821/7832 (wazo lists 1 key on 7821, the phone has 2),
8845/8865/8832 (not in wazo), the 6851 expansion module count (wazo says 1, Cisco's data sheet 2),
every expansion module (names, keys, pages) and every maximum module count. Screenshot and
hot-desk (mobility) support are not claimed for MPP. OUIs: the Cisco blocks of the ``cisco`` vendor,
a partial list.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo
from ..cisco.driver import OUIS as CISCO_OUIS

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
