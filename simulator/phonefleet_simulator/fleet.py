"""Many simulated phones in one process: each on its own loopback address, at its vendor's real ports.

``SimulatedFleet(phones, provisioning_base_url, control_credentials)`` gives every phone a
:class:`SimulatedDevice` and its control surfaces, all on one asyncio loop (uvloop when installed):

- phone ``n`` listens on ``127.<octet + n // 64516>.<b>.<c>`` (:func:`phone_address`; never 127.0.0.x),
  at the real ports: HTTP 80, SIP 5060 (UDP), SSH 22 (Cisco 78xx/88xx...), Telnet 23 (Cisco 3905), and
  8085 for a Unify phone's contact-me; it fetches its files from that address too, so the provisioning
  service sees each phone at its own IP;
- with ``per_phone_addresses=False`` (the default when not root: ports below 1024 need root) every phone
  listens on 127.0.0.1 at free high ports instead, and fetches from 127.0.0.1.

Which surfaces a phone has: HTTP and SIP; Cisco enterprise also SSH, or Telnet on the CP-3905; Unify SIP
and the contact-me listener only (its web interface is not simulated). :attr:`PhoneHandle.ports` says
where each one listens, ``fleet.phone(mac)`` finds a phone by MAC in any notation.

``start()`` runs the loop in a thread of its own and returns once every phone listens and has booted
(``boot=False``: listening, powered off; boot them with ``fleet.call(device.boot())``); ``stop()`` ends
it. In a program that has its own loop, ``await fleet.astart()`` / ``await fleet.astop()``. At most
``max_fetches`` phones fetch at once (the rest queue), which bounds the sockets a boot storm takes.
``start()`` raises RLIMIT_NOFILE to what the fleet needs (beyond the hard limit when root), else to the
hard limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .boot import SimulatedPhone
from .device import AccountsParser, SimulatedDevice
from .surfaces import http, sip, ssh, telnet

#: the vendors' real ports
PORTS = {"http": 80, "sip": 5060, "ssh": 22, "telnet": 23, "contact_me": 8085}
PER_OCTET = 254 * 254


def phone_address(index: int, octet: int = 1) -> str:
    """The loopback address of phone ``index`` (0-based): 127.<octet...>.<0-253>.<1-254>."""
    second = octet + index // PER_OCTET
    if index < 0 or not 1 <= second <= 255:
        raise ValueError(f"no loopback address for phone {index} from 127.{octet}.0.0")
    rest = index % PER_OCTET
    return f"127.{second}.{rest // 254}.{rest % 254 + 1}"


def surfaces_of(vendor: str, model: str | None) -> tuple[str, ...]:
    if vendor == "unify":
        return ("sip", "contact_me")
    if vendor == "cisco":
        return ("http", "sip", "telnet" if (model or "").upper().replace(" ", "") == "CP-3905" else "ssh")
    return ("http", "sip")


def normal_mac(mac: str) -> str:
    return "".join(ch for ch in mac.lower() if ch in "0123456789abcdef")


@dataclass
class PhoneHandle:
    """A phone of the fleet: its device, its address and where each surface listens."""

    device: SimulatedDevice
    host: str
    ports: dict[str, int] = field(default_factory=dict)
    sip: sip.SipEndpoint | None = None

    @property
    def mac(self) -> str:
        return self.device.mac

    def url(self, path: str = "/", surface: str = "http") -> str:
        port = self.ports[surface]
        return f"http://{self.host}{'' if port == 80 else f':{port}'}{path}"

    def inventory_entry(self) -> dict:
        """The phone as an inventory names it to the control code (``request.target_from_entry``): where it is."""
        return {
            "mac": self.device.mac,
            "vendor": self.device.vendor,
            "model": self.device.model,
            "address": self.host,
            "ports": self.ports,
        }

    def describe(self) -> dict:
        device = self.device
        return {
            "mac": device.mac,
            "vendor": device.vendor,
            "model": device.model,
            "host": self.host,
            "ports": dict(self.ports),
            "firmware": device.firmware,
            "state": device.state,
            "boot_count": device.boot_count,
            "config_version": device.config_version,
        }


def raise_file_limit(wanted: int = 0) -> int:
    """Raise the soft RLIMIT_NOFILE to ``wanted`` (past the hard limit when root), at least to the hard
    limit; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = hard if hard != resource.RLIM_INFINITY else max(soft, wanted, 1 << 20)
    if wanted > ceiling and os.geteuid() == 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
    if soft < ceiling:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
            return ceiling
    return soft


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # optional: the plain loop works, uvloop is faster
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def default_accounts_parser() -> AccountsParser | None:
    """``configs.account_dicts`` (the SIP accounts a phone reads from its files) when that module is there."""
    try:
        from . import configs  # optional: written separately
    except ImportError:
        return None
    parser = getattr(configs, "account_dicts", None)
    return parser if callable(parser) else None


class SimulatedFleet:
    def __init__(
        self,
        phones: Iterable[SimulatedPhone],
        provisioning_base_url: str,
        control_credentials: tuple[str, str] = ("admin", "admin"),
        *,
        per_phone_addresses: bool | None = None,
        octet: int = 1,
        first_index: int = 0,
        boot: bool = True,
        tftp: tuple[str, int] | None = None,
        unify_mode: str = "wpi",
        reboot_seconds: float = 0.0,
        max_fetches: int = 256,
        keep_files: bool = True,
        second_login: tuple[str, str] | None = None,
        host_key_path: str | None = None,
        numbers: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        accounts_parser: AccountsParser | Callable | None = None,
    ) -> None:
        self.base_url = provisioning_base_url.rstrip("/")
        self.credentials: tuple[str, str] = (control_credentials[0], control_credentials[1])
        self.per_phone = os.geteuid() == 0 if per_phone_addresses is None else per_phone_addresses
        self.boot = boot
        self.max_fetches = max_fetches
        self.second_login = second_login
        self.host_key_path = host_key_path
        parser = accounts_parser if accounts_parser is not None else default_accounts_parser()
        numbers = {normal_mac(mac): value for mac, value in (numbers or {}).items()}
        labels = {normal_mac(mac): value for mac, value in (labels or {}).items()}
        self.handles: list[PhoneHandle] = []
        self._by_mac: dict[str, PhoneHandle] = {}
        for index, phone in enumerate(phones):
            host = phone_address(first_index + index, octet) if self.per_phone else "127.0.0.1"
            device = SimulatedDevice(
                phone,
                self.base_url,
                address=host,
                tftp=tftp,
                unify_mode=unify_mode,
                number=numbers.get(phone.mac),
                label=labels.get(phone.mac),
                reboot_seconds=reboot_seconds,
                keep_files=keep_files,
                accounts_parser=parser,
            )
            handle = PhoneHandle(device, host)
            if phone.mac in self._by_mac:
                raise ValueError(f"phone {phone.mac} twice in the fleet")
            self.handles.append(handle)
            self._by_mac[phone.mac] = handle
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._ssh: list[ssh.SshListener] = []
        self.listen_seconds = 0.0
        self.boot_seconds = 0.0

    # -- lookup ------------------------------------------------------------------------------------------

    def phone(self, mac: str) -> PhoneHandle:
        return self._by_mac[normal_mac(mac)]

    def __getitem__(self, mac: str) -> PhoneHandle:
        return self.phone(mac)

    def __iter__(self):
        return iter(self.handles)

    def __len__(self) -> int:
        return len(self.handles)

    def listing(self) -> list[dict]:
        return [handle.describe() for handle in self.handles]

    # -- on a loop of its own ----------------------------------------------------------------------------

    def start(self, timeout: float | None = None) -> SimulatedFleet:
        if self._thread is not None:
            raise RuntimeError("the fleet is running")
        self.loop = new_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="simulated-fleet", daemon=True)
        self._thread.start()
        try:
            self.call(self.astart(), timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def call(self, coroutine, timeout: float | None = None):
        """Run ``coroutine`` on the fleet's loop from another thread and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        loop, thread = self.loop, self._thread
        if loop is None or thread is None:
            return
        try:
            if loop.is_running():
                self.call(self.astop(), 30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(30)
            loop.close()
            self.loop = None
            self._thread = None

    def __enter__(self) -> SimulatedFleet:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until no phone has an operation under way (reboots, resyncs, their fetches)."""
        self.call(self._settle(), timeout)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the fleet did not get there in time")
            time.sleep(0.01)

    # -- asyncio -----------------------------------------------------------------------------------------

    async def astart(self) -> None:
        self.loop = asyncio.get_running_loop()
        per_phone = sum(len(surfaces_of(h.device.vendor, h.device.model)) for h in self.handles)
        raise_file_limit(per_phone + self.max_fetches * 2 + 512)
        slots = asyncio.Semaphore(self.max_fetches)
        key = None
        if any("ssh" in surfaces_of(h.device.vendor, h.device.model) for h in self.handles):
            key = await asyncio.get_running_loop().run_in_executor(None, ssh.host_key, self.host_key_path)
        started = time.monotonic()
        for offset in range(0, len(self.handles), 500):
            await asyncio.gather(*(self._listen(handle, key) for handle in self.handles[offset : offset + 500]))
        self.listen_seconds = time.monotonic() - started
        for handle in self.handles:
            handle.device.fetch_slots = slots
        if self.boot:
            started = time.monotonic()
            await asyncio.gather(*(handle.device.boot() for handle in self.handles))
            self.boot_seconds = time.monotonic() - started

    async def _listen(self, handle: PhoneHandle, key) -> None:
        device, host = handle.device, handle.host
        for surface in surfaces_of(device.vendor, device.model):
            port = PORTS[surface] if self.per_phone else 0
            if surface in ("http", "contact_me"):
                server = await http.serve(device, self.credentials, host, port)
                self._servers.append(server)
                handle.ports[surface] = server.sockets[0].getsockname()[1]
            elif surface == "sip":
                transport, endpoint = await sip.serve(device, host, port)
                self._transports.append(transport)
                handle.sip = endpoint
                handle.ports[surface] = transport.get_extra_info("sockname")[1]
            elif surface == "telnet":
                server = await telnet.serve(device, self.credentials, host, port)
                self._servers.append(server)
                handle.ports[surface] = server.sockets[0].getsockname()[1]
            elif surface == "ssh":
                listener = ssh.SshListener(device, self.credentials, key, self.second_login)
                listener.start(host, port)
                self._ssh.append(listener)
                handle.ports[surface] = listener.port
        device.ports = handle.ports

    async def astop(self) -> None:
        for handle in self.handles:
            await handle.device.cancel()
        for listener in self._ssh:
            listener.close()
        for transport in self._transports:
            transport.close()
        for server in self._servers:
            server.close()
        for server in self._servers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 5)
        self._servers, self._transports, self._ssh = [], [], []

    async def _settle(self) -> None:
        quiet = 0
        while quiet < 2:  # twice idle a moment apart: a trigger from another thread may be on its way
            busy = [handle.device for handle in self.handles if handle.device.busy]
            if busy:
                quiet = 0
                await asyncio.gather(*(device.settle() for device in busy))
            else:
                quiet += 1
                await asyncio.sleep(0.02)
