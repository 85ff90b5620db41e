# Private to this collection: a short account of a loaded fleet.
"""What an engineer wants to see after validation: how many of what, and the warnings."""

from __future__ import annotations

from collections import Counter

from .model import Fleet


def fleet_summary(fleet: Fleet) -> dict:
    """Counts by kind, phones by vendor / model / profile, the SIP accounts several lines share (each with
    its lines, and whether their passwords could be compared), and the warnings as text."""
    vendors = Counter(phone.vendor or "unknown" for phone in fleet.phones)
    models = Counter(f"{phone.vendor}/{phone.model}" for phone in fleet.phones if phone.model)
    # phones without a profile are counted apart: a profile may be named anything, "none" included
    profiles = Counter(phone.profile for phone in fleet.phones if phone.profile)
    return {
        "files": list(fleet.files),
        "phones": len(fleet.phones),
        "lines": sum(len(phone.lines) for phone in fleet.phones),
        "profiles": sorted(fleet.profiles),
        "extended_sets": sorted(fleet.extended_sets),
        "key_templates": sorted(fleet.key_templates),
        "firmware_kits": sorted(fleet.firmware_kits),
        "sites": sorted(fleet.sites),
        "mobility_users": len(fleet.mobility_users),
        "phones_by_vendor": dict(sorted(vendors.items())),
        "phones_by_model": dict(sorted(models.items())),
        "phones_by_profile": dict(sorted(profiles.items())),
        "phones_without_profile": sum(1 for phone in fleet.phones if not phone.profile),
        "shared_accounts": [account.as_dict() for account in fleet.shared_accounts],
        "autoprovision": bool((fleet.settings.get("autoprovision") or {}).get("enabled")),
        "warnings": [str(warning) for warning in fleet.warnings],
    }
