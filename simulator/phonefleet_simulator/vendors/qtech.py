"""Qtech QVP: the simulated QVP phone is a Fanvil-platform phone, which nothing confirms.

No Qtech or QVP material exists in any source searched (research/atcom-qtech.md §2, param-audit.md §11):
the OEM platform is unknown. Until a unit is fingerprinted, the simulated QVP reads its files and guards
its control paths as :mod:`.fanvil` documents for Fanvil phones: every rule here is unverified for QVP
phones [I].
"""

from __future__ import annotations

from .fanvil import accounts, http_refusal, notify_refusal, refused_values

__all__ = ["accounts", "http_refusal", "notify_refusal", "refused_values"]
