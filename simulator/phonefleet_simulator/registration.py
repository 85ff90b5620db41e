"""SIP registration of a simulated phone's accounts, by a real SIP client: Debian's baresip.

:func:`register` takes the accounts a phone read from its files (:mod:`configs`) and registers each enabled
one; the answer is ``{line: "registered" | "failed: <reason>" | "disabled"}``, the reason being the
registrar's (``failed: 403 Forbidden``) or ours (``failed: no answer from 127.0.0.1:5060 within 5 s``).
The registrations stay on the registrar after it returns, until they expire, as those of a phone that
lost power: baresip is stopped without unregistering. :class:`UserAgent` keeps them up while it is open
and unregisters when closed.

How baresip runs here: one process per phone (a :class:`UserAgent`), headless, with a config directory
of its own: no audio or video module, SIP on an ephemeral port of 127.0.0.1 (``net_interface
127.0.0.1``), a DNS server that is not there (``127.0.0.1:53``, so a name never leaves the machine),
and the ``menu`` and ``ctrl_tcp`` modules: accounts are added one at a time with the ``uanew`` command
over ctrl_tcp (127.0.0.1, a free port), whose JSON events (``REGISTER_OK``, ``REGISTER_FAIL``) say how
each registration went. Adding accounts after the connection is open means no event is missed, which
an ``accounts`` file read at start-up cannot promise.

An account is written as baresip's account line: ``"Display" <sip:user@domain;transport=x>;
auth_user=...;auth_pass="...";outbound="sip:host:port;transport=x";regint=<expires>``: the AOR the phone
registers (its domain as the files name it) and, as outbound proxy, where the phone sends its REGISTERs
(the registrar or outbound proxy of the files, or ``registrar`` when given). A password with a double
quote, or a user or domain that cannot be written in a SIP URI, cannot be given to baresip: such a
line fails with that reason, and nothing is sent.

Only loopback addresses are registered with unless ``loopback_only=False``: the simulator's phones are
not meant to talk to real servers.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .configs import SipAccount
from .ports import free_port

REGISTERED = "registered"
DISABLED = "disabled"
BARESIP = "baresip"
#: Debian's module directory of baresip 1.0 (bookworm)
MODULE_PATH = "/usr/lib/baresip/modules"

_CONFIG = """\
poll_method		epoll
sip_listen		127.0.0.1:0
net_interface		127.0.0.1
dns_server		127.0.0.1:53
module_path		{module_path}
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:{ctrl_port}
"""
_USER = re.compile(r"[A-Za-z0-9\-_.!~*'()&=+$,?/%]+")
_HOST = re.compile(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]")
_TOKEN = re.compile(r'[^\s;"<>,\\]+')
_LOOPBACK_ONLY = "the simulator registers on loopback only"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class SipClientUnavailable(RuntimeError):
    """baresip is not installed here or would not start; the message says which and why."""


def baresip_missing() -> str | None:
    """Why baresip cannot be used here, or None."""
    if shutil.which(BARESIP) is None:
        return "baresip is not installed (make setup installs it: apt-get install baresip)"
    if not Path(MODULE_PATH, "ctrl_tcp.so").exists():
        return f"baresip's ctrl_tcp module is not in {MODULE_PATH}"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _netstring(data: bytes) -> bytes:
    return str(len(data)).encode() + b":" + data + b","


def account_line(account: SipAccount, destination: tuple[str, int]) -> str:
    """baresip's account line of ``account`` registering at ``destination``; ValueError when it cannot be written."""
    host, port = destination
    if not _USER.fullmatch(account.user):
        raise ValueError(f"user {account.user!r} cannot be written in a SIP URI")
    if not _HOST.fullmatch(account.domain):
        raise ValueError(f"domain {account.domain!r} cannot be written in a SIP URI")
    if not _HOST.fullmatch(host):
        raise ValueError(f"registrar {host!r} cannot be written in a SIP URI")
    if not _TOKEN.fullmatch(account.auth_user):
        raise ValueError(f"auth user {account.auth_user!r} cannot be given to baresip")
    if '"' in account.password or "\n" in account.password or "\r" in account.password:
        raise ValueError("the password has a double quote or a line break, which baresip's account line cannot carry")
    transport = account.transport
    display = account.display_name.replace('"', "'").replace("\\", "/").replace("\n", " ")
    address = f"<sip:{account.user}@{account.domain};transport={transport}>"
    params = [
        f"auth_user={account.auth_user}",
        f'auth_pass="{account.password}"',
        f'outbound="sip:{host}:{port};transport={transport}"',
        f"regint={account.expires or 3600}",
    ]
    return (f'"{display}" ' if display else "") + address + "".join(";" + param for param in params)


class UserAgent:
    """One baresip process, the SIP stack of one simulated phone; a context manager.

    ``directory`` is baresip's config directory (created; its ``baresip.log`` is the client's output).
    :meth:`register` adds an account and waits for the registrar's answer; :meth:`close` stops baresip,
    unregistering first unless told not to.
    """

    def __init__(self, directory: Path, *, start_timeout: float = 5.0) -> None:
        missing = baresip_missing()
        if missing:
            raise SipClientUnavailable(missing)
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log = self.directory / "baresip.log"
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self._buffer = b""
        self._tokens = 0
        self._aors: set[str] = set()
        last = "no attempt"
        for _attempt in range(3):  # the control port may be taken between choosing and binding it
            try:
                self._start(free_port(), start_timeout)
                return
            except SipClientUnavailable as exc:
                last = str(exc)
                self._stop(signal.SIGKILL)
        raise SipClientUnavailable(last)

    def _start(self, ctrl_port: int, timeout: float) -> None:
        (self.directory / "config").write_text(_CONFIG.format(module_path=MODULE_PATH, ctrl_port=ctrl_port))
        (self.directory / "accounts").write_text("")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [BARESIP, "-f", str(self.directory)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise SipClientUnavailable(f"baresip exited with {self.process.returncode}: {self._tail()}")
            try:
                self.control = socket.create_connection(("127.0.0.1", ctrl_port), timeout=1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SipClientUnavailable(
                        f"baresip's ctrl_tcp did not listen within {timeout} s: {self._tail()}"
                    ) from None
                time.sleep(0.02)

    def _tail(self) -> str:
        try:
            text = _ANSI.sub("", self.log.read_text(errors="replace"))
        except OSError:
            return "no log"
        return " / ".join(line.strip() for line in text.strip().splitlines()[-3:])

    def _send(self, command: str, params: str) -> str:
        self._tokens += 1
        token = f"t{self._tokens}"
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        assert self.control is not None
        self.control.sendall(_netstring(body))
        return token

    def _messages(self, deadline: float):
        """The JSON messages baresip sends until ``deadline``."""
        assert self.control is not None
        while True:
            while True:
                length, colon, rest = self._buffer.partition(b":")
                if not colon or not length.isdigit() or len(rest) < int(length) + 1:
                    break
                size = int(length)
                message, self._buffer = rest[:size], rest[size + 1 :]
                with contextlib.suppress(ValueError):
                    yield json.loads(message)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.control.settimeout(left)
            try:
                data = self.control.recv(65536)
            except TimeoutError:
                return
            if not data:
                return
            self._buffer += data

    def register(self, account: SipAccount, destination: tuple[str, int] | None = None, timeout: float = 5.0) -> str:
        """Register ``account`` (to ``destination``, else where its files say): "registered" or "failed: <reason>"."""
        host, port = destination or account.destination
        if not host:
            return "failed: the files name no registrar"
        try:
            line = account_line(account, (host, port))
        except ValueError as exc:
            return f"failed: {exc}"
        aor = f"sip:{account.user}@{account.domain}"
        if aor in self._aors:
            return f"failed: {aor} is already registered by this user agent"
        self._aors.add(aor)
        token = self._send("uanew", line)
        deadline = time.monotonic() + timeout
        for message in self._messages(deadline):
            if message.get("response") and message.get("token") == token and not message.get("ok"):
                return f"failed: baresip refused the account: {str(message.get('data') or '').strip()}"
            if message.get("event") and message.get("accountaor") == aor:
                if message.get("type") == "REGISTER_OK":
                    return REGISTERED
                if message.get("type") == "REGISTER_FAIL":
                    return f"failed: {message.get('param') or 'registration failed'}"
        if self.process is not None and self.process.poll() is not None:
            return f"failed: baresip exited: {self._tail()}"
        return f"failed: no answer from {host}:{port} within {timeout:g} s"

    def _stop(self, how: signal.Signals) -> None:
        if self.control is not None:
            with contextlib.suppress(OSError):
                self.control.close()
            self.control = None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def close(self, unregister: bool = True) -> None:
        """Stop baresip: unregistering every account first (SIGTERM), or at once, leaving them registered (SIGKILL)."""
        self._stop(signal.SIGTERM if unregister else signal.SIGKILL)

    def __enter__(self) -> UserAgent:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _target(registrar: str | tuple[str, int] | None) -> tuple[str, int] | None:
    if registrar is None or isinstance(registrar, tuple):
        return registrar
    host, _colon, port = registrar.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"registrar {registrar!r} is not host:port")
    return host, int(port)


def register(
    accounts: Iterable[SipAccount],
    registrar: str | tuple[str, int] | None = None,
    *,
    timeout: float = 5.0,
    workdir: str | os.PathLike | None = None,
    loopback_only: bool = True,
) -> dict[int, str]:
    """Register a phone's ``accounts``: {line: "registered" | "failed: <reason>" | "disabled"}.

    ``registrar`` (``host:port`` or a tuple) is where the REGISTERs go instead of the account's own
    registrar, as when the registrar's name resolves to a test server; the AOR keeps the domain of the
    files. ``workdir`` holds baresip's config directory while it runs (default: the system's temporary
    directory). Registrations stay on the registrar until they expire (see the module docstring).
    """
    target = _target(registrar)
    results: dict[int, str] = {}
    pending: list[tuple[SipAccount, tuple[str, int]]] = []
    for account in accounts:
        destination = target or account.destination
        if not account.enabled:
            results[account.line] = DISABLED
        elif not destination[0]:
            results[account.line] = "failed: the files name no registrar"
        elif loopback_only and not _is_loopback(destination[0]):
            results[account.line] = f"failed: {destination[0]} is not a loopback address ({_LOOPBACK_ONLY})"
        else:
            try:
                account_line(account, destination)
            except ValueError as exc:
                results[account.line] = f"failed: {exc}"
            else:
                pending.append((account, destination))
    if not pending:
        return results
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="baresip-", dir=workdir))
    try:
        agent = UserAgent(directory)
        try:
            for account, destination in pending:
                results[account.line] = agent.register(account, destination, timeout)
        finally:
            agent.close(unregister=False)
    except SipClientUnavailable as exc:
        for account, _destination in pending:
            results.setdefault(account.line, f"failed: {exc}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return dict(sorted(results.items()))
