"""SSH on Cisco enterprise phones (78xx, 88xx and the other models with SSH; not the 3905): a paramiko server.

Password authentication with the control credentials (``sshUserId``/``sshPassword`` on a real phone); a
wrong password is an ordinary SSH authentication failure, logged as ``auth-failed``. After login an
interactive shell (with or without a pty) runs :class:`cli.Session`: with ``second_login`` (the
``debug``/``debug`` login of 78xx/88xx [V UCM]) it asks for it first; then the ``debug> `` prompt.
``exec`` requests are refused (the phones offer a shell only [M]). Characters are echoed when the client
asked for a pty, as a terminal expects.

The listening socket sits in the asyncio loop (``add_reader``); each connection gets a thread running
paramiko's server transport, so a session never blocks the loop, and a ``reset`` reaches the phone
through ``call_soon_threadsafe``. One host key per process (RSA 2048, generated once, or loaded from a
file): real phones each have their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import socket
import threading

import paramiko
from paramiko.common import AUTH_FAILED, AUTH_SUCCESSFUL, OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED, OPEN_SUCCEEDED

from ..device import SimulatedDevice
from .cli import PASSWORD, Session

LOG = logging.getLogger("phonefleet.simulator.ssh")

_host_key: paramiko.PKey | None = None
_host_key_lock = threading.Lock()
SESSION_SECONDS = 300


def host_key(path: str | None = None) -> paramiko.PKey:
    """The host key of every simulated phone in this process (generated on first use unless ``path``)."""
    global _host_key
    with _host_key_lock:
        if path is not None:
            return paramiko.RSAKey.from_private_key_file(path)
        if _host_key is None:
            _host_key = paramiko.RSAKey.generate(2048)
        return _host_key


class _Interface(paramiko.ServerInterface):
    def __init__(self, listener: SshListener) -> None:
        self.listener = listener
        self.shells: queue.Queue = queue.Queue()  # (channel, pty asked for) of each shell request
        self.ptys: set[int] = set()

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        user, expected = self.listener.credentials
        if username == user and password == expected:
            return AUTH_SUCCESSFUL
        self.listener.device.log("auth-failed", "ssh login", user=username)
        return AUTH_FAILED

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes) -> bool:
        self.ptys.add(channel.get_id())
        return True

    def check_channel_shell_request(self, channel) -> bool:
        self.shells.put((channel, channel.get_id() in self.ptys))
        return True

    def check_channel_exec_request(self, channel, command) -> bool:
        return False

    def check_channel_window_change_request(self, channel, width, height, pixelwidth, pixelheight) -> bool:
        return True


class SshListener:
    """SSH for one phone on ``host``:``port``."""

    def __init__(
        self,
        device: SimulatedDevice,
        credentials: tuple[str, str],
        key: paramiko.PKey,
        second_login: tuple[str, str] | None = None,
    ) -> None:
        self.device = device
        self.credentials = credentials
        self.key = key
        self.second_login = second_login
        self.sock: socket.socket | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._transports: set[paramiko.Transport] = set()

    @property
    def port(self) -> int:
        assert self.sock is not None
        return self.sock.getsockname()[1]

    def start(self, host: str, port: int) -> None:
        self.loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(16)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.loop.add_reader(sock.fileno(), self._accept)

    def close(self) -> None:
        if self.sock is not None and self.loop is not None:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
            self.sock = None
        for transport in list(self._transports):
            transport.close()

    def _accept(self) -> None:
        while self.sock is not None:
            try:
                connection, address = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not self.device.up:
                connection.close()
                continue
            connection.setblocking(True)
            thread = threading.Thread(target=self._session, args=(connection, address), daemon=True)
            thread.name = f"ssh-{self.device.mac}"
            thread.start()

    def _schedule(self, operation: str, cause: str) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(self.device.trigger, operation, cause)

    def _session(self, connection: socket.socket, address) -> None:
        transport = paramiko.Transport(connection)
        self._transports.add(transport)
        try:
            transport.add_server_key(self.key)
            interface = _Interface(self)
            try:
                transport.start_server(server=interface)
            except (paramiko.SSHException, EOFError, OSError):
                return
            try:
                channel, pty = interface.shells.get(timeout=30)
            except queue.Empty:
                return
            self._shell(channel, pty)
        except Exception:
            LOG.exception("phone %s: SSH session from %s", self.device.mac, address)
        finally:
            self._transports.discard(transport)
            transport.close()

    def _shell(self, channel: paramiko.Channel, echo: bool) -> None:
        session = Session(self.device, self._schedule, "ssh", self.second_login)
        channel.settimeout(SESSION_SECONDS)
        try:
            channel.sendall(session.start().encode())
            for line in _lines(channel, echo, lambda: session.state != PASSWORD):
                output, close = session.feed(line)
                channel.sendall(output.encode())
                if close:
                    break
        except (OSError, EOFError, TimeoutError, paramiko.SSHException):
            pass
        finally:
            with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
                channel.close()


def _lines(channel: paramiko.Channel, echo: bool, visible):
    """The lines a client types (CR, LF or CRLF ends one; backspace edits), echoed when ``echo``."""
    line = bytearray()
    after_cr = False
    while True:
        data = channel.recv(1024)
        if not data:
            return
        for byte in data:
            if byte == 0x0A and after_cr:
                after_cr = False
                continue
            after_cr = byte == 0x0D
            if byte in (0x0D, 0x0A):
                if echo:
                    channel.sendall(b"\r\n")
                yield line.decode("utf-8", "replace")
                line.clear()
            elif byte in (0x7F, 0x08):
                if line:
                    line.pop()
                    if echo and visible():
                        channel.sendall(b"\x08 \x08")
            elif byte >= 0x20:
                line.append(byte)
                if echo and visible():
                    channel.sendall(bytes([byte]))
