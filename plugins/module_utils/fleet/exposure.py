# Private to this collection: which fleet secrets a file served without proof must not carry.
"""A phone served without proof (``settings.provisioning.serve_without_proof``) hands its files to whoever asks.
Its own secrets are the price the fleet chose; a secret that also protects other phones or the fleet is not.
Publish checks every such phone's files against these secrets, and the provisioning service checks what it
renders itself (a phone whose model it learns) the same way: one rule, here.
"""

from __future__ import annotations

from collections.abc import Callable

from .mac import format_mac
from .masking import secrets_in
from .yamlio import VaultValue

Reveal = Callable[[object], str]


def fleet_secrets(fleet, reveal: Reveal, profiles: bool = True) -> list[tuple[str, str]]:
    """(where, clear value) of the secrets of the settings and, with ``profiles``, of profiles and
    extended sets: every secret a file shared by many phones could be made from."""
    found = []
    for vendor, auth in sorted((fleet.settings.get("phone_auth") or {}).items()):
        if auth.get("password"):
            found.append((f"settings.phone_auth.{vendor}.password", reveal(auth["password"])))
    control = fleet.settings.get("phone_control") or {}
    if control.get("password"):
        found.append(("settings.phone_control.password", reveal(control["password"])))
    pool_secret = (fleet.settings.get("autoprovision") or {}).get("password_secret")
    if pool_secret:  # every pool number's password is made from it: no file of any phone holds it
        found.append(("settings.autoprovision.password_secret", reveal(pool_secret)))
    if profiles:
        for name, profile in sorted(fleet.profiles.items()):
            if profile.admin_password:
                found.append((f"profiles.{name}.admin_password", reveal(profile.admin_password)))
        for name, extended in sorted(fleet.extended_sets.items()):
            for key, value in sorted(extended.params.items()):
                if isinstance(value, VaultValue):
                    found.append((f"extended_sets.{name}.params.{key}", reveal(value)))
    return found


def secrets_beyond(fleet, unproven: frozenset, reveal: Reveal) -> list[tuple[str, str]]:
    """The fleet's secrets (fleet_secrets) that protect phones which must prove themselves: phone auth of
    vendors not served without proof and, when the fleet has such phones, the control login (their admin
    login) and the admin passwords of the profiles they use (and strangers get: the default and
    auto-provisioning profiles). A phone served without proof must carry none of them."""
    settings = fleet.settings
    proving = [phone for phone in fleet.phones if phone.vendor not in unproven]
    profiles = {phone.profile for phone in proving}
    profiles |= {(settings.get(part) or {}).get("profile") for part in ("defaults", "autoprovision")}

    def guarded(label: str) -> bool:
        kind, _dot, rest = label.partition(".")
        if label.startswith("settings.phone_auth."):
            return label.split(".")[2] not in unproven
        if label == "settings.autoprovision.password_secret":
            return True
        if label == "settings.phone_control.password":
            return bool(proving)  # protection off for every phone: nothing left to protect, as chosen
        return kind == "profiles" and bool(proving) and rest.rpartition(".")[0] in profiles

    return [(label, value) for label, value in fleet_secrets(fleet, reveal) if guarded(label)]


def leak_beyond(phone, vendor: str, files: dict, guarded: list[tuple[str, str]]) -> str | None:
    """Why ``files`` of a phone served without proof cannot be served: they would hand whoever asks a secret
    of ``guarded`` (secrets_beyond), which protects other phones or the fleet (None when they hold only the
    phone's own)."""
    for name in sorted(files):
        leaked = secrets_in(files[name].decode("utf-8", "replace"), guarded)
        if leaked:
            who = f"phone {format_mac(phone.mac)}" + (f" ({phone.name})" if phone.name else "")
            return (
                f"{vendor}: {who}: {name} is served without proof (settings.provisioning."
                f"serve_without_proof) and would carry {', '.join(leaked)}, which protect(s) other phones or"
                " the fleet; give these phones an admin_password of their own (phone or profile)"
            )
    return None
