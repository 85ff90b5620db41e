# Private to this collection: the errors of driving a phone.
"""Typed errors of phone control. Each names the phone and says what was tried, never a password.

Deep code raises these; the action plugins turn them into a failed (or, for :class:`NotSupported`, a
skipped) result in one place. They derive from :class:`FleetError`, the core's base error.
"""

from __future__ import annotations

from ..fleet.errors import FleetError


class ControlError(FleetError):
    """Driving one phone failed. ``phone`` is the phone's label, ``kind`` a short word for results."""

    kind = "error"

    def __init__(self, phone: str, message: str) -> None:
        self.phone = phone
        self.reason = message
        super().__init__(f"{phone}: {message}")


class Unreachable(ControlError):
    """Nothing answered: connection refused, no route, or no answer within the timeout."""

    kind = "unreachable"


class AuthenticationFailed(ControlError):
    """The phone refused the credentials, or refused the controller's address."""

    kind = "authentication"


class NotSupported(ControlError):
    """This vendor, model or firmware has no way to do what was asked (or none this collection knows)."""

    kind = "unsupported"


class ProtocolError(ControlError):
    """The phone answered, but not as its vendor's protocol says it should."""

    kind = "protocol"


class UnprovenAddress(ControlError):
    """A password would go, in a form whoever answers can read, to an address nobody vouched for: one the
    provisioning service saw only in requests that did not prove they came from this phone."""

    kind = "unproven_address"

    def __init__(self, phone: str, shown: str, address: str | None) -> None:
        super().__init__(
            phone,
            f"{shown}: not sent: it would hand the control password to {address}, an address the provisioning "
            "service saw only in requests that did not prove they came from this phone (no access key, no phone "
            "authentication), so anyone could have made them. Use HTTPS with the phone's certificate checked "
            "(validate_certs), a phone whose web interface offers Digest, or give the phone's address yourself "
            "(ansible_host in host_vars, or address in the task)",
        )
