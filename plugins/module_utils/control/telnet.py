# Private to this collection: commands over Telnet to a phone (plain sockets; telnetlib is gone in 3.13).
"""Connect, refuse every Telnet option the phone offers, log in, run commands.

Telnet sends the password in clear: it is used only where a phone offers nothing else (the Cisco
CP-3905's debug console), and only when asked for.
"""

from __future__ import annotations

import socket

from .dialog import Closed, Dialog
from .errors import Unreachable
from .target import Target

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240


class _Negotiator:
    """Strips Telnet commands from the stream and answers each option request with a refusal."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""

    def feed(self, data: bytes) -> bytes:
        data = self.pending + data
        self.pending = b""
        text = bytearray()
        index = 0
        while index < len(data):
            byte = data[index]
            if byte != IAC:
                text.append(byte)
                index += 1
                continue
            if index + 1 >= len(data):
                self.pending = data[index:]
                break
            command = data[index + 1]
            if command == IAC:  # an escaped 255
                text.append(IAC)
                index += 2
            elif command in (DO, DONT, WILL, WONT):
                if index + 2 >= len(data):
                    self.pending = data[index:]
                    break
                option = data[index + 2]
                if command == DO:
                    self.sock.sendall(bytes((IAC, WONT, option)))
                elif command == WILL:
                    self.sock.sendall(bytes((IAC, DONT, option)))
                index += 3
            elif command == SB:
                end = data.find(bytes((IAC, SE)), index + 2)
                if end < 0:
                    self.pending = data[index:]
                    break
                index = end + 2
            else:
                index += 2
        return bytes(text)


def run(target: Target, commands: list[str], disconnects: bool = False) -> list[str]:
    """Log in with the target's credentials and run ``commands``; their outputs."""
    port = target.port("telnet")
    shown = f"Telnet {target.address}:{port}"
    try:
        sock = socket.create_connection((target.address, port), timeout=target.timeout)
    except ConnectionRefusedError:
        raise Unreachable(target.label, f"{shown}: connection refused") from None
    except TimeoutError:
        raise Unreachable(target.label, f"{shown}: no answer within {target.timeout:g} s") from None
    except OSError as exc:
        raise Unreachable(target.label, f"{shown}: {exc}") from None
    with sock:
        negotiator = _Negotiator(sock)

        def read(timeout: float) -> bytes:
            sock.settimeout(timeout)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                return b""
            if not data:
                raise Closed
            return negotiator.feed(data)

        def write(data: bytes) -> None:
            sock.sendall(data.replace(b"\n", b"\r\n"))

        dialog = Dialog(target.label, shown, read, write)
        try:
            dialog.login(target.username or "", target.password or "", target.timeout)
            outputs = []
            for index, command in enumerate(commands):
                last = index == len(commands) - 1
                outputs.append(dialog.command(command, target.timeout, disconnects=disconnects and last))
            return outputs
        except Closed:
            raise Unreachable(target.label, f"{shown}: the phone closed the connection") from None
        except OSError as exc:
            if disconnects:
                return []
            raise Unreachable(target.label, f"{shown}: {exc}") from None
