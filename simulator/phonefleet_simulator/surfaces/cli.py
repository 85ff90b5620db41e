"""The command line of a Cisco enterprise phone's debug access, shared by the SSH and Telnet surfaces.

Not verified (research/unify-cisco.md B.6, phone-vendors.md §2): on 78xx/88xx the SSH login with
``sshUserId``/``sshPassword`` is followed by a second ``debug``/``debug`` login [V UCM] and the commands
include reset and show [M]; a Telnet debug access on the 3905 was not found in any source [I]. Here: a
``login:``/``Password:`` exchange when a login is asked for (Telnet always, SSH only with
``second_login``), then the prompt ``debug> `` and the commands ``reset`` (reboot: the session ends and
the phone restarts), ``show version``, ``help``, and ``exit``/``quit``/``logout``. The texts are ours.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from ..device import REBOOT, SimulatedDevice

PROMPT = "debug> "
USER, PASSWORD, SHELL, CLOSED = "user", "password", "shell", "closed"
MAX_ATTEMPTS = 3
COMMANDS = ("reset", "show version", "help", "exit")


def _uptime(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def show_version(device: SimulatedDevice) -> list[str]:
    upper = device.mac.upper()
    return [
        f"Model Number: {device.model}",
        f"Active Load: {device.firmware}",
        f"MAC Address: {upper}",
        f"Host Name: SEP{upper}",
        f"Phone DN: {device.primary_number}",
        f"IP Address: {device.address or ''}",
        f"Uptime: {_uptime(device.uptime)}",
    ]


class Session:
    """One login session: feed it lines, write what it returns."""

    def __init__(
        self,
        device: SimulatedDevice,
        schedule: Callable[[str, str], object],
        via: str,
        login: tuple[str, str] | None = None,
    ) -> None:
        self.device = device
        self.schedule = schedule  # (operation, cause): runs device.trigger on the loop's thread
        self.via = via
        self.login = login
        self.state = USER if login else SHELL
        self.attempts = 0
        self._user = ""

    def start(self) -> str:
        return "login: " if self.state == USER else f"{self.device.model} debug shell\r\n{PROMPT}"

    def feed(self, line: str) -> tuple[str, bool]:
        """(output, close) for one input line."""
        line = line.strip()
        if self.state == USER:
            self._user = line
            self.state = PASSWORD
            return "Password: ", False
        if self.state == PASSWORD:
            user, password = self.login or ("", "")
            good = hmac.compare_digest(self._user.encode(), user.encode()) & hmac.compare_digest(
                line.encode(), password.encode()
            )
            if good:
                self.state = SHELL
                return f"\r\n{self.device.model} debug shell\r\n{PROMPT}", False
            self.attempts += 1
            self.device.log("auth-failed", f"{self.via} login", user=self._user)
            if self.attempts >= MAX_ATTEMPTS:
                self.state = CLOSED
                return "\r\nLogin incorrect\r\n", True
            self.state = USER
            return "\r\nLogin incorrect\r\nlogin: ", False
        return self.command(line)

    def command(self, line: str) -> tuple[str, bool]:
        words = line.split()
        if not words:
            return PROMPT, False
        if words == ["reset"]:
            self.state = CLOSED
            self.schedule(REBOOT, f"{self.via} reset")
            return "Resetting the phone\r\n", True
        if words == ["show", "version"]:
            return "\r\n".join(show_version(self.device)) + f"\r\n{PROMPT}", False
        if words[0] in ("help", "?"):
            return "Commands: " + ", ".join(COMMANDS) + f"\r\n{PROMPT}", False
        if words[0] in ("exit", "quit", "logout"):
            self.state = CLOSED
            return "\r\n", True
        return f"Unknown command: {line}\r\n{PROMPT}", False
