# Private to this collection: the Avaya J100 data sheet.
"""Avaya J1x9 desk phones in third-party (3PCC, "Open SIP") mode, provisioned over HTTP(S).

Files the phone fetches: ``J100Supgrade.txt``, whose settings script ends in ``GET 46xxsettings.txt``;
per-phone settings come from a ``GET $MACADDR.cfg`` there (MAC lower case, no separators). Format:
script lines ``SET NAME value``, ``GET file``, ``IF $MODEL4 SEQ J179 GOTO label``. Server from DHCP
option 242 (``HTTPSRVR=…``). User-Agent ``… AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)``. Control: SIP
NOTIFY ``check-sync`` (``ENABLE_OOD_RESET_NOTIFY``); no HTTP control API and no screenshot known.

Sources: research/phone-vendors.md §3, wazo-provd-plugins ``wazo_avaya``; Avaya's IP Office knowledge
base (JEM24: 24 keys on 3 pages, up to 3 on a J169/J179) and the J100 Open SIP admin guide (J169/J179
take JBM24 paper-label modules or JEM24, not both).

Unverified (``verified=False``): every model's SIP-account and key counts (from memory; the J100 can
carry extra shared/bridged lines, counted here as ``lines``), JEM24 on the J189, the JBM24 key count
and maximum. OUIs: c81fea is seen in a J179 User-Agent; the others are Avaya blocks from memory.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("JEM24", keys_per_page=24, pages=3),
    ExpansionModule("JBM24", keys_per_page=24, verified=False),
)

MODELS = (
    PhoneModel(name="J129", lines=1, line_keys=0, verified=False),
    PhoneModel(name="J139", lines=4, line_keys=4, verified=False),
    PhoneModel(name="J159", lines=4, line_keys=4, verified=False),
    PhoneModel(
        name="J169",
        lines=8,
        line_keys=24,
        expansion_modules=("JEM24", "JBM24"),
        max_expansion_modules=3,
        verified=False,
    ),
    PhoneModel(
        name="J179",
        lines=8,
        line_keys=24,
        expansion_modules=("JEM24", "JBM24"),
        max_expansion_modules=3,
        verified=False,
    ),
    PhoneModel(
        name="J189",
        lines=8,
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
