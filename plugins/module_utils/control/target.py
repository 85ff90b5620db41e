# Private to this collection: which phone to drive, and how to reach it.
"""A :class:`Target` is one phone as the control code sees it: identity, address, ports, credentials.

Built once from module options, host variables or a batch entry (``request.py``); later code trusts it.
The password is kept out of ``repr`` and out of every message.
"""

from __future__ import annotations

import ipaddress
import typing
from dataclasses import dataclass, field

#: the ports phones listen on, by transport; a target may override any of them
DEFAULT_PORTS = {"http": 80, "https": 443, "sip": 5060, "ssh": 22, "telnet": 23, "contact_me": 8085}
TRANSPORTS = tuple(DEFAULT_PORTS)


@dataclass(frozen=True)
class Credentials:
    """Login of the phone's web interface, SSH or Telnet (``settings.phone_control`` of the fleet)."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.password is not None


class ServiceLinkError(Exception):
    """The provisioning service could not do what was asked; the message names it, never its token."""


class ServiceLink(typing.Protocol):
    """The provisioning service, for what only it can do for a phone: queue a Unify phone's WPI Restart
    (``POST /api/v1/phones/{mac}/restart``), open a phone's firmware window by hand
    (``POST /api/v1/phones/{mac}/firmware-window``). Raises :class:`ServiceLinkError`."""

    where: str  # the service's URL, for messages (no credentials in it)

    def queue_restart(self, mac: str) -> None: ...

    def open_firmware_window(self, mac: str, minutes: int) -> None: ...


@dataclass(frozen=True)
class Target:
    """One phone to drive.

    ``mac`` is 12 lower-case hex digits (the inventory host name); ``address`` an IP address or host name;
    ``ports`` overrides :data:`DEFAULT_PORTS`; ``sip_user`` is the user part of the NOTIFY request URI
    (the phone's first line), when known. ``scheme`` is ``http`` or ``https`` for the web interface.
    ``address_proven`` is False for an address the inventory marked unproven (``phone_address_proven``:
    the provisioning service saw it only in requests that did not prove they came from this phone); an
    address the engineer gave, or one a proven request showed, is trusted.
    """

    mac: str
    vendor: str
    model: str | None = None
    address: str | None = None
    ports: dict = field(default_factory=dict)
    credentials: Credentials = field(default_factory=Credentials)
    name: str | None = None
    sip_user: str | None = None
    scheme: str = "http"
    validate_certs: bool = False
    timeout: float = 5.0
    address_proven: bool = True
    service: ServiceLink | None = field(default=None, repr=False, compare=False)

    @property
    def web_receiver_trusted(self) -> bool:
        """Whether what is sent to the web interface in a readable form (Basic, a password in the URL) may go:
        to a trusted address, or over HTTPS with the phone's certificate checked (only the phone reads it)."""
        return self.address_proven or (self.scheme == "https" and self.validate_certs)

    @property
    def label(self) -> str:
        """How messages name the phone: ``805ec0112233 (yealink T54W at 10.0.0.5)``."""
        what = " ".join(part for part in (self.vendor, self.model) if part)
        where = f" at {self.address}" if self.address else ""
        return f"{self.mac} ({what}{where})"

    def port(self, transport: str) -> int:
        return int(self.ports.get(transport) or DEFAULT_PORTS[transport])

    @property
    def web_port(self) -> int:
        return self.port(self.scheme)

    @property
    def host(self) -> str:
        """The address as it goes into a URL (IPv6 in brackets)."""
        try:
            if self.address is not None and ipaddress.ip_address(self.address).version == 6:
                return f"[{self.address}]"
        except ValueError:
            pass
        return str(self.address)

    @property
    def username(self) -> str | None:
        return self.credentials.username

    @property
    def password(self) -> str | None:
        return self.credentials.password
