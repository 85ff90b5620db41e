# Private to this collection: driving Cisco enterprise (CUCM firmware) phones.
"""Cisco enterprise phones (78xx, 88xx, 79xx, 69xx, 89xx/99xx, 3905) on a third-party SIP server.

- resync: SIP ``NOTIFY`` ``Event: service-control``, ``Subscription-State: active``,
  ``Content-Type: text/plain``, body ``action=restart`` with ``RegisterCallId={}``, ``ConfigVersionStamp={}``,
  ``DialplanVersionStamp={}``, ``SoftkeyVersionStamp={}`` [V wazo, usecallmanager, VoIP-Domain]: the phone
  unregisters, downloads its config again and registers, without rebooting. Else ``POST /CGI/Execute``
  with ``Init:Services`` (HTTP Basic) [I, see below].
- reboot: the same NOTIFY with ``action=reset`` [V]; else SSH (78xx/88xx/89xx/99xx, 69xx): the phone's
  ``sshUserId``/``sshPassword``, which our config sets to ``admin`` and the phone's ``admin_password``, not to
  the fleet's control login (a Cisco phone's file is served without proof, and publish refuses the control
  password there): give the SSH login as ``admin`` with that password (``username``/``password``); then the
  console's own login (``debug``/``debug`` on 78xx/88xx, ``admin`` without password on 69xx) and ``reset``
  [M]; the CP-3905 has no SSH: Telnet with the control login and ``reset`` [I].
- info: ``GET /DeviceInformationX`` [V third-party code] (``modelNumber``, ``versionID``, ``MACAddress``,
  ``phoneDN``; no registration state, so lines are ``unknown``), or over SSH ``show version`` [M].
- screenshot: ``GET /CGI/Screenshot`` (HTTP Basic) [V third-party code]; 69xx: then ``GET /CGI/lcd4.bmp``
  [V third-party code]; only on the models the catalog marks ``screenshot``.

HTTP Basic logins are checked by the phone against its ``authenticationURL``, which must answer
``AUTHORIZED``: without it CGI/Execute and screenshots are refused (401).
"""

from __future__ import annotations

import re
import typing

from ...catalog.models import model_key
from ...control import http, ssh
from ...control.base import (
    REBOOT,
    RESYNC,
    HttpWay,
    LineState,
    PhoneControl,
    PhoneInfo,
    ShellWay,
    SipNotifyWay,
)
from ...control.errors import ProtocolError
from ...control.target import Target
from ...control.xmltext import XmlError, leaves


def service_control(action: str) -> str:
    """The text/plain body of a service-control NOTIFY (wazo's ``synchronize`` body, CRLF lines)."""
    return (
        f"action={action}\r\nRegisterCallId={{}}\r\nConfigVersionStamp={{}}\r\n"
        "DialplanVersionStamp={}\r\nSoftkeyVersionStamp={}\r\n"
    )


def _notify(action: str, reboots: bool) -> SipNotifyWay:
    return SipNotifyWay(
        event="service-control",
        body=service_control(action),
        content_type="text/plain",
        headers=("Subscription-State: active",),
        reboots=reboots,
        verified=True,
    )


EXECUTE_XML = '<CiscoIPPhoneExecute><ExecuteItem Priority="0" URL="Init:Services"/></CiscoIPPhoneExecute>'
RESTART = _notify("restart", reboots=False)
RESET = _notify("reset", reboots=True)
EXECUTE = HttpWay(path="/CGI/Execute", verb="POST", form={"XML": EXECUTE_XML}, reboots=False, verified=False)
SSH_RESET = ShellWay(transport="ssh", commands=("reset",), inner_login=("debug", "debug"), reboots=True, verified=False)
SSH_RESET_69XX = ShellWay(transport="ssh", commands=("reset",), inner_login=("admin", ""), reboots=True, verified=False)
TELNET_RESET = ShellWay(transport="telnet", commands=("reset",), reboots=True, verified=False)
INFO_PATH = "/DeviceInformationX"


class CiscoControl(PhoneControl):
    """Cisco enterprise: SIP service-control restart (resync) / reset (reboot), SSH or Telnet reset."""

    vendor = "cisco"
    ways: typing.ClassVar[dict] = {REBOOT: (RESET, SSH_RESET), RESYNC: (RESTART, EXECUTE)}
    info_methods = ("http", "ssh")
    screenshot_path = "/CGI/Screenshot"
    screenshot_by_model = True
    screenshot_verified = True
    unverified: typing.ClassVar[tuple] = (
        "Resync over HTTP (POST /CGI/Execute with Init:Services): Init: URIs re-initialise phone services; "
        "that the phone re-reads its config is not verified. The SIP NOTIFY restart is the verified resync.",
        "Reboot over SSH: the console login (debug/debug on 78xx/88xx, admin on 69xx) and the 'reset' "
        "command are from third-party notes.",
        "CP-3905: a Telnet console with 'reset' is not documented anywhere found; the SIP NOTIFY is verified "
        "for the 3905 (VoIP-Domain), Telnet is a guess, used only when asked (method: telnet).",
        "Info over SSH ('show version'): command and output format not verified.",
        "Whether the phone checks RegisterCallId against its REGISTER's Call-ID (wazo sends it empty).",
    )

    def ways_for(self, command: str, target: Target) -> tuple:
        family = model_key(target.model or "")
        if family == "cp3905":
            return {REBOOT: (RESET, TELNET_RESET), RESYNC: (RESTART,)}.get(command, ())
        if family.startswith("cp69"):
            return {REBOOT: (RESET, SSH_RESET_69XX), RESYNC: (RESTART, EXECUTE)}.get(command, ())
        return super().ways_for(command, target)

    def describe_info(self, target: Target, method: str) -> str:
        if method == "ssh":
            return f"SSH {target.host}:{target.port('ssh')} as '{target.username}': show version"
        return f"HTTP GET {target.scheme}://{target.host}:{target.web_port}{INFO_PATH}"

    def read_info(self, target: Target, method: str) -> PhoneInfo:
        source = self.describe_info(target, method)
        if method == "ssh":
            (output,), _key = ssh.run(target, ["show version"], inner_login=("debug", "debug"))
            return _show_version(output, source)
        answer = http.request(target, "GET", INFO_PATH)
        try:
            fields = leaves(answer.body)
        except XmlError as exc:
            raise ProtocolError(target.label, f"{source}: {exc}") from None
        numbers = [value for tag, value in sorted(fields.items()) if re.fullmatch(r"phoneDN\d*", tag)]
        return PhoneInfo(
            model=fields.get("modelNumber"),
            firmware=fields.get("versionID") or fields.get("appLoadID"),
            mac=fields.get("MACAddress"),
            ip=fields.get("ipAddress") or fields.get("IPAddress") or target.address,
            lines=tuple(LineState(index, number, "unknown") for index, number in enumerate(numbers, 1)),
            source=source,
            verified=True,
        )

    def fetch_screenshot(self, target: Target) -> bytes:
        data = http.request(target, "GET", self.screenshot_path).body
        if model_key(target.model or "").startswith("cp69"):
            data = http.request(target, "GET", "/CGI/lcd4.bmp").body
        return data


def _show_version(output: str, source: str) -> PhoneInfo:
    found = {}
    for line in output.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return PhoneInfo(
        model=found.get("model") or found.get("model number"),
        firmware=found.get("version") or found.get("active load") or found.get("load"),
        mac=found.get("mac address") or found.get("mac"),
        source=source,
        verified=False,
    )


CONTROL = CiscoControl()
