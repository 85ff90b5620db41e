"""Qtech QVP: the simulated QVP phone is a Fanvil-platform phone, which nothing confirms.

No Qtech or QVP material exists in any source searched (research/atcom-qtech.md §2, param-audit.md §11):
the OEM platform is unknown. Until a unit is fingerprinted, the simulated QVP reads its files and guards
its control paths as :mod:`.fanvil` documents for Fanvil phones: every rule here is unverified for QVP
phones [I].
"""

from __future__ import annotations

from .fanvil import accounts, codecs, control_settings, firmware, http, keys, refused_values, timezone

#: QTECH's MAC prefix [research/atcom-qtech.md: QTECH's own block; that QVP phones carry it is I]
OUIS = ("001fce",)

__all__ = ["OUIS", "accounts", "codecs", "control_settings", "firmware", "http", "keys", "refused_values", "timezone"]
