"""A simulated phone's own SIP registrations: its lines register from the phone's SIP port and follow its files.

:class:`PhoneLines` is the registration client of one phone. It shares the phone's SIP socket (the SIP
surface's ``on_response``, ``SipEndpoint.send``), so a REGISTER leaves from the phone's own address and port
and its Contact names them, as a real phone's does. :meth:`PhoneLines.follow` reads the accounts from the
files the phone holds now (``configs.accounts``, the phone's view) and brings the registrar in line with them:

- an account the files no longer have, or whose AOR, credentials or registrar changed, is unregistered
  (``Expires: 0`` for the phone's contact, RFC 3261 10.2.2);
- a new or changed account is registered (digest answered to a 401/407, RFC 3261 22.2, MD5, ``qop=auth``
  when asked); an unchanged one is left alone;
- ``device.registrations`` says how each line went (``registered``, ``failed: <reason>``, ``disabled``), which
  is what the phone's line status shows.

The device calls it after every fetch of a boot or a re-sync, as the vendors say their phones do. Yealink: a
provisioning (auto provisioning, a check-sync NOTIFY) applies changed account settings without a reboot and
the account re-registers; an account turned off or emptied unregisters (Yealink Admin Guide, "Auto
Provisioning" and "Account Registration"). Cisco enterprise: a ``service-control`` ``action=restart`` makes
the phone download its configuration again and re-register its lines (Cisco Unified CM "Restart" of a device;
the SIP NOTIFY service-control event). **Unverified** (not tried on a phone): that an unchanged account is
not registered again, the order (removed accounts first), and the exact timers; a phone that loses power
does not unregister (its bindings expire on the registrar), and registrations are not refreshed before they
expire (the tests and benchmark end long before the default 3600 s).

Simulation shortcut, as ``registration.register``'s: ``registrar`` (host, port), when given, is where the
REGISTERs go instead of the registrar the files name (``pbx.demo.invalid`` does not resolve here); the AOR
keeps the files' domain. Only loopback destinations are used, over UDP only (the phone's SIP surface is UDP).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass

from . import configs
from .configs import SipAccount
from .device import SimulatedDevice
from .surfaces.sip import _COMPACT, SipEndpoint

REGISTERED = "registered"  # the words of registration.register, which the phone's line status reads
DISABLED = "disabled"
T1 = 0.5  # RFC 3261 17.1.1.1: the first retransmission interval of a request over UDP
_CHALLENGE = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


@dataclass(frozen=True)
class Answer:
    """A SIP response: its status and its headers (lower-case names, the first of each)."""

    code: int
    reason: str
    headers: dict

    def get(self, name: str) -> str:
        return self.headers.get(name, "")


def read_answer(data: bytes) -> Answer | None:
    """The response ``data`` holds, or None when it is not one."""
    head = data.partition(b"\r\n\r\n")[0].decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    match = re.fullmatch(r"SIP/2\.0 (\d{3}) ?(.*)", head[0].strip())
    if match is None:
        return None
    headers: dict = {}
    for line in head[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.setdefault(_COMPACT.get(name.strip().lower(), name.strip().lower()), value.strip())
    return Answer(int(match.group(1)), match.group(2).strip(), headers)


@dataclass
class Binding:
    """One registered account: what was registered, and the dialog its REGISTERs share (RFC 3261 10.2)."""

    account: SipAccount
    destination: tuple[str, int]
    call_id: str
    tag: str
    cseq: int = 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def digest(challenge: str, method: str, uri: str, user: str, password: str) -> str:
    """The Authorization value answering ``challenge`` (a WWW-/Proxy-Authenticate Digest header), RFC 2617."""
    fields = {name.lower(): quoted or plain for name, quoted, plain in _CHALLENGE.findall(challenge.split(None, 1)[-1])}
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    first, second = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{uri}")
    parts = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', "algorithm=MD5"]
    if "auth" in [value.strip() for value in fields.get("qop", "").split(",")]:
        cnonce, count = secrets.token_hex(8), "00000001"
        answer = md5(f"{first}:{nonce}:{count}:{cnonce}:auth:{second}")
        parts += ["qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
    else:
        answer = md5(f"{first}:{nonce}:{second}")
    parts.append(f'response="{answer}"')
    if "opaque" in fields:
        parts.append(f'opaque="{fields["opaque"]}"')
    return "Digest " + ", ".join(parts)


class PhoneLines:
    """The registrations of one simulated phone; create it on the fleet's loop once the SIP surface listens."""

    def __init__(
        self,
        device: SimulatedDevice,
        endpoint: SipEndpoint,
        registrar: tuple[str, int] | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.device = device
        self.endpoint = endpoint
        self.registrar = registrar
        self.timeout = timeout
        self.bound: dict[str, Binding] = {}  # AOR -> its registration
        self._waiting: dict[tuple[str, str], asyncio.Future] = {}  # (Call-ID, CSeq) -> the answer's future
        endpoint.on_response = self._response
        device.lines = self

    # -- what the device calls -----------------------------------------------------------------------------

    async def follow(self) -> None:
        """Bring the registrar in line with the accounts of the files the phone holds now."""
        try:
            accounts = configs.accounts(self.device.vendor, self.device.config_files)
        except configs.ConfigError:
            accounts = []
        wanted = {account.aor: account for account in accounts if account.enabled}
        for aor, binding in list(self.bound.items()):
            if wanted.get(aor) != binding.account or self._destination(binding.account) != binding.destination:
                del self.bound[aor]
                await self._unregister(binding)
        outcome: dict[int, str] = {account.line: DISABLED for account in accounts if not account.enabled}
        fresh = [account for aor, account in wanted.items() if aor not in self.bound]
        results = await asyncio.gather(*(self._register(account) for account in fresh))
        for account, result in zip(fresh, results, strict=True):
            outcome[account.line] = result
        for binding in self.bound.values():
            outcome.setdefault(binding.account.line, REGISTERED)
        self.device.registrations = dict(sorted(outcome.items()))

    def forget(self) -> None:
        """The phone lost power or restarts: its bindings stay on the registrar until they expire."""
        self.bound.clear()
        for future in self._waiting.values():
            future.cancel()
        self._waiting.clear()

    # -- REGISTER ------------------------------------------------------------------------------------------

    def _destination(self, account: SipAccount) -> tuple[str, int]:
        return self.registrar or account.destination

    async def _register(self, account: SipAccount) -> str:
        destination = self._destination(account)
        if account.transport != "udp":
            return f"failed: the simulated phone registers over UDP only, not {account.transport}"
        if not destination[0]:
            return "failed: the files name no registrar"
        if not _loopback(destination[0]):
            return f"failed: {destination[0]} is not a loopback address (the simulator registers on loopback only)"
        binding = Binding(account, destination, f"{secrets.token_hex(12)}@{self._local()[0]}", secrets.token_hex(6))
        answer = await self._transaction(binding, account.expires or 3600)
        if answer.startswith("200"):
            self.bound[account.aor] = binding
            return REGISTERED
        return f"failed: {answer}"

    async def _unregister(self, binding: Binding) -> None:
        await self._transaction(binding, 0)

    async def _transaction(self, binding: Binding, expires: int) -> str:
        """Send one REGISTER (and its answer to a challenge): the final answer's status line, or why none came."""
        authorization: tuple[str, str] | None = None
        for _round in range(2):
            binding.cseq += 1
            message = self._request(binding, expires, authorization)
            reply = await self._exchange(binding, message)
            if reply is None:
                host, port = binding.destination
                return f"no answer from {host}:{port} within {self.timeout:g} s"
            if reply.code in (401, 407) and authorization is None:
                header = "www-authenticate" if reply.code == 401 else "proxy-authenticate"
                account = binding.account
                uri = f"sip:{account.domain}"
                value = digest(reply.get(header), "REGISTER", uri, account.auth_user, account.password)
                authorization = ("Authorization" if reply.code == 401 else "Proxy-Authorization", value)
                continue
            return f"{reply.code} {reply.reason}"
        return "challenged again after answering the challenge"

    def _local(self) -> tuple[str, int]:
        transport = self.endpoint.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        return (sockname[0], sockname[1]) if sockname else (self.device.address or "127.0.0.1", 5060)

    def _request(self, binding: Binding, expires: int, authorization: tuple[str, str] | None) -> bytes:
        account = binding.account
        host, port = self._local()
        aor = f"sip:{account.user}@{account.domain}"
        display = f'"{account.display_name}" ' if account.display_name and '"' not in account.display_name else ""
        lines = [
            f"REGISTER sip:{account.domain} SIP/2.0",
            f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{secrets.token_hex(10)};rport",
            "Max-Forwards: 70",
            f"From: {display}<{aor}>;tag={binding.tag}",
            f"To: {display}<{aor}>",
            f"Call-ID: {binding.call_id}",
            f"CSeq: {binding.cseq} REGISTER",
            f"Contact: <sip:{account.user}@{host}:{port}>",
            f"Expires: {expires}",
        ]
        if self.device.user_agent:
            lines.append(f"User-Agent: {self.device.user_agent}")
        if authorization is not None:
            lines.append(f"{authorization[0]}: {authorization[1]}")
        lines.append("Content-Length: 0")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _exchange(self, binding: Binding, message: bytes):
        """Send ``message`` with RFC 3261's retransmissions until a final answer or the timeout; None if none."""
        key = (binding.call_id, f"{binding.cseq} REGISTER")
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        interval = T1
        try:
            while True:
                self.endpoint.send(message, binding.destination)
                wait = min(interval, deadline - loop.time())
                if wait <= 0:
                    return None
                try:
                    return await asyncio.wait_for(asyncio.shield(future), wait)
                except TimeoutError:
                    interval = min(interval * 2, 4.0)  # T2
        except asyncio.CancelledError:
            return None
        finally:
            self._waiting.pop(key, None)

    def _response(self, data: bytes, _address: tuple) -> None:
        """An answer that reached the phone's SIP port: to the REGISTER waiting for it (provisional ones ignored)."""
        reply = read_answer(data)
        if reply is None:
            return
        future = self._waiting.get((reply.get("call-id"), " ".join(reply.get("cseq").split())))
        if future is not None and not future.done() and reply.code >= 200:
            future.set_result(reply)


def register_lines(fleet, registrar: tuple[str, int] | None = None, timeout: float = 5.0) -> None:
    """Give every phone of a started, settled ``fleet`` (``fleet.SimulatedFleet``) with a SIP surface its own
    registration client, and register the lines its files hold now; from then on its lines follow its files."""

    async def attach() -> None:
        clients = [PhoneLines(handle.device, handle.sip, registrar, timeout) for handle in fleet if handle.sip]
        for offset in range(0, len(clients), 500):  # bounded: a big fleet's REGISTERs in waves
            await asyncio.gather(*(client.follow() for client in clients[offset : offset + 500]))

    fleet.call(attach(), timeout * 4 + len(fleet) / 10)
