# Private to this collection: a login and commands over a phone's text console (SSH shell or Telnet).
"""Prompt-and-answer over a byte stream: wait for a login or command prompt, answer, read the output.

Used by ``ssh.py`` (an interactive shell: Cisco phones ask a second login inside it) and ``telnet.py``.
The stream is given as two functions, so the logic is the same over both and testable without either.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from .errors import AuthenticationFailed, Unreachable

LOGIN = re.compile(rb"(?i)(?:login|user ?name|user)\s*:\s*$")
PASSWORD = re.compile(rb"(?i)password\s*:\s*$")
PROMPT = re.compile(rb"[>#$%]\s*$")
REFUSED = re.compile(rb"(?i)(incorrect|invalid|denied|failed|bad password)")
MAX_OUTPUT = 1 << 20


class Closed(Exception):
    """The other side closed the stream."""


class Dialog:
    """``read(timeout)`` returns bytes (``b""`` when nothing came in time) or raises Closed; ``write(bytes)``."""

    def __init__(self, label: str, shown: str, read: Callable[[float], bytes], write: Callable[[bytes], None]):
        self.label = label
        self.shown = shown
        self._read = read
        self._write = write
        self.buffer = b""

    def expect(self, patterns: dict, timeout: float) -> tuple[str, bytes]:
        """Read until the text read so far ends with one of ``patterns`` ({name: regex}); (name, text)."""
        deadline = time.monotonic() + timeout
        while True:
            tail = self.buffer[-512:].replace(b"\r", b"")
            for name, pattern in patterns.items():
                if pattern.search(tail):
                    text, self.buffer = self.buffer, b""
                    return name, text
            left = deadline - time.monotonic()
            if left <= 0:
                seen = self.buffer[-80:].decode("utf-8", "replace").strip()
                raise Unreachable(
                    self.label, f"{self.shown}: no expected prompt within {timeout:g} s (last text: {seen!r})"
                )
            chunk = self._read(min(left, 1.0))
            self.buffer = (self.buffer + chunk)[-MAX_OUTPUT:]

    def send_line(self, text: str) -> None:
        self._write(text.encode() + b"\n")

    def login(self, username: str, password: str, timeout: float, first: tuple = ("login", "password", "prompt")):
        """Answer login and password prompts until a command prompt; AuthenticationFailed if refused."""
        patterns = {"login": LOGIN, "password": PASSWORD, "prompt": PROMPT}
        sent_password = False
        for _step in range(6):
            found, text = self.expect({name: patterns[name] for name in first}, timeout)
            if found == "prompt":
                return
            if sent_password and (found == "login" or REFUSED.search(text)):
                raise AuthenticationFailed(self.label, f"{self.shown}: the login '{username}' was refused")
            if found == "login":
                self.send_line(username)
            else:
                self.send_line(password)
                sent_password = True
            first = ("login", "password", "prompt")
        raise AuthenticationFailed(self.label, f"{self.shown}: still asked to log in after several answers")

    def command(self, text: str, timeout: float, disconnects: bool = False) -> str:
        """Run one command and return its output; ``disconnects``: the phone closes the stream (a reset)."""
        self.send_line(text)
        try:
            _found, output = self.expect({"prompt": PROMPT}, timeout)
        except Closed:
            if disconnects:
                return ""
            raise Unreachable(self.label, f"{self.shown}: the phone closed the connection after '{text}'") from None
        except Unreachable:
            if disconnects:  # the phone took the command and is going down without a word
                return ""
            raise
        lines = output.decode("utf-8", "replace").replace("\r", "").split("\n")
        if lines and lines[0].strip() == text.strip():
            lines = lines[1:]  # the echo
        return "\n".join(lines[:-1]).strip() if len(lines) > 1 else ""
