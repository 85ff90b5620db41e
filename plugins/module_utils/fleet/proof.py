# Private to this collection: how a phone proves who it is before it gets its own files.
"""What a fleet's settings let each vendor's phones prove to the provisioning service.

A phone's own files hold its SIP passwords and the admin password: the service gives them only to a request
that proved it comes from that phone (or, for phone auth, from one of the fleet's phones of that vendor):

- an **access key** (``settings.provisioning.access_keys``): the phone's secret URL ``/<key>/<file>``;
- **phone auth** (``settings.phone_auth.<vendor>``): HTTP basic or digest credentials the phones of the
  vendor were given with their provisioning URL.

A vendor whose phones can do neither (Cisco enterprise phones fetch ``SEP<MAC>.cnf.xml`` from the TFTP root)
gets its phones' files only when the fleet says so explicitly, in
``settings.provisioning.serve_without_proof``; that is turning protection off for them, and the service and
publish say so every time. Without any of the three, such phones get no config: secure is the default.
"""

from __future__ import annotations

PROOF_METHODS = ("basic", "digest")


class ProofPolicy:
    """The proof a fleet's settings ask of each vendor's phones."""

    def __init__(self, settings: dict | None) -> None:
        settings = settings or {}
        provisioning = settings.get("provisioning") or {}
        self.access_keys = bool(provisioning.get("access_keys"))
        self.phone_auth = frozenset(
            vendor
            for vendor, entry in (settings.get("phone_auth") or {}).items()
            if isinstance(entry, dict) and entry.get("method") in PROOF_METHODS
        )
        self.without_proof = frozenset(provisioning.get("serve_without_proof") or ())

    def can_prove(self, vendor: str | None) -> bool:
        """Whether the settings give phones of ``vendor`` a way to prove themselves."""
        return self.access_keys or vendor in self.phone_auth

    def unproven_allowed(self, vendor: str | None) -> bool:
        """Whether phones of ``vendor`` get their own files without proof (the fleet chose it explicitly)."""
        return vendor in self.without_proof

    def warnings(self, vendors) -> list[str]:
        """What an engineer must know about the vendors of the fleet's phones: whose secrets are served to
        anyone who asks, and whose phones will get no config for want of a way to prove themselves."""
        found = []
        for vendor in sorted(set(vendors)):
            if vendor in self.without_proof:
                found.append(
                    f"{vendor}: phones' own files (SIP and admin passwords) are served without proof to whoever"
                    f" asks for them (settings.provisioning.serve_without_proof); see docs/security.md"
                )
            elif not self.can_prove(vendor):
                found.append(
                    f"{vendor}: phones get no config: they have no way to prove who they are. Set"
                    f" settings.phone_auth.{vendor} (digest), or settings.provisioning.access_keys: true, or"
                    f" (explicitly serving their secrets to anyone who asks) list {vendor} in"
                    f" settings.provisioning.serve_without_proof; see docs/security.md"
                )
        return found
