"""Shared checks of the fleet-editing modules' tests (every survey is checked by test_surveys.py)."""

from __future__ import annotations


def secrets_without_no_log(spec: dict, where: str = "") -> list[str]:
    """Options of an argument spec named as a secret (masking.SECRET_KEYS) but not ``no_log``, at any depth."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import SECRET_KEYS

    found = []
    for name, option in spec.items():
        if name in SECRET_KEYS and not option.get("no_log"):
            found.append(where + name)
        found += secrets_without_no_log(option.get("options") or {}, f"{where}{name}.")
    return found
