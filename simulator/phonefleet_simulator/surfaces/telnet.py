"""Telnet on the Cisco CP-3905 (it has no SSH): ``login:``, ``Password:``, then the debug shell.

Not verified: no source shows the 3905's Telnet access (research/unify-cisco.md B.7 [I]); this is the
control path the reference product names (Telnet 23 for the 3905), with the commands of :mod:`cli`.
The login is the control credentials; three wrong logins close the connection (each one an
``auth-failed`` event). The server says ``WILL ECHO`` before the password (so the client does not show
it) and ``WONT ECHO`` after, as telnet daemons do; whatever negotiation the client sends (IAC sequences)
is read and ignored. Lines end with CR LF, CR NUL, CR or LF.
"""

from __future__ import annotations

import asyncio

from ..device import SimulatedDevice
from .cli import PASSWORD, Session

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO = 1
IDLE_SECONDS = 120.0
MAX_LINE = 1024


class _Connection(asyncio.Protocol):
    transport: asyncio.Transport  # given by connection_made, which asyncio calls before any data arrives

    def __init__(self, device: SimulatedDevice, credentials: tuple[str, str]) -> None:
        self.device = device
        self.credentials = credentials
        self.session: Session | None = None
        self.line = bytearray()
        self.pending = bytearray()  # an IAC sequence cut by a packet boundary
        self.after_cr = False
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        if not self.device.up:
            transport.abort()
            return
        self.session = Session(self.device, self.device.trigger, "telnet", self.credentials)
        self.timer = asyncio.get_running_loop().call_later(IDLE_SECONDS, transport.close)
        transport.write(self.session.start().encode())

    def connection_lost(self, exc) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def data_received(self, data: bytes) -> None:
        if self.session is None or self.transport.is_closing():
            return
        data = bytes(self.pending) + data
        self.pending.clear()
        index = 0
        while index < len(data):
            byte = data[index]
            if byte == IAC:
                if index + 1 >= len(data):
                    self.pending += data[index:]
                    return
                command = data[index + 1]
                if command in (DO, DONT, WILL, WONT):
                    if index + 2 >= len(data):
                        self.pending += data[index:]
                        return
                    index += 3
                    continue
                if command == SB:
                    end = data.find(bytes([IAC, SE]), index + 2)
                    if end < 0:
                        self.pending += data[index:]
                        return
                    index = end + 2
                    continue
                if command == IAC:
                    self.line.append(IAC)
                index += 2
                continue
            index += 1
            if byte in (0x00, 0x0A) and self.after_cr:
                self.after_cr = False
                continue
            self.after_cr = byte == 0x0D
            if byte in (0x0D, 0x0A):
                if not self._line(self.line.decode("utf-8", "replace")):
                    return
                self.line.clear()
            elif byte in (0x7F, 0x08):
                if self.line:
                    self.line.pop()
            elif byte >= 0x20 and len(self.line) < MAX_LINE:
                self.line.append(byte)

    def _line(self, line: str) -> bool:
        """Handle one line; False once the connection is closing."""
        assert self.session is not None and self.transport is not None
        before = self.session.state
        output, close = self.session.feed(line)
        after = self.session.state
        prefix = b""
        if after == PASSWORD and before != PASSWORD:
            prefix = bytes([IAC, WILL, ECHO])
        elif before == PASSWORD and after != PASSWORD:
            prefix = bytes([IAC, WONT, ECHO])
        self.transport.write(prefix + output.encode())
        if close:
            self.transport.close()
            return False
        return True


async def serve(device: SimulatedDevice, credentials: tuple[str, str], host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: _Connection(device, credentials), host, port, reuse_address=True, backlog=16
    )
