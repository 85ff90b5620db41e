# Private to this collection: the Qtech QVP data sheet.
"""Qtech QVP desk phones (QVP-95R, QVP-95PR, QVP-400PR, QVP-500PR).

Nothing public describes these phones: no manual, template, User-Agent or OEM mention. QTECH is a
Russian rebrander; the phones are almost certainly built by another company, whose platform decides
the files fetched, their format and the protocol. Identify it from the first unit (research/atcom-qtech.md §2):
the MAC block, the first file requested and its User-Agent, the PnP SUBSCRIBE ``vendor=`` token,
which HTTP probe answers (``/servlet?m=``, ``/cgi-bin/ConfigManApp.com``, ``/cgi-bin/server.cgi``) and
the first line of a web-UI config export. Then set ``PLATFORM`` below.

Unverified (``verified=False``): everything except the model names: lines and keys are placeholders
(one line, no keys). OUI: 001fce is QTECH's own block (seen on its switches); the phones may carry
the OEM's block instead.
"""

from __future__ import annotations

from ..catalog import PhoneModel, VendorInfo

# The renderer family these phones are served by: unknown until a unit is fingerprinted; change here
# if a real unit shows otherwise.
PLATFORM: str | None = None

MODELS = tuple(
    PhoneModel(name=name, lines=1, line_keys=0, verified=False)
    for name in ("QVP-95R", "QVP-95PR", "QVP-400PR", "QVP-500PR")
)

VENDOR = VendorInfo(
    name="qtech",
    title="Qtech QVP",
    ouis=("001fce",),
    models=MODELS,
    notes="OEM platform unknown: no renderer; fingerprint the first unit at onboarding.",
)
