# Private to this collection: driving Poly (Polycom) VVX/CCX phones.
"""Poly control over the phone's REST API, HTTP Basic as ``Polycom:<password>``.

- resync: ``POST /api/v1/mgmt/safeRestart`` [V third-party code]: the application restarts and reads its
  configuration again, without a hardware reboot ("safe": it waits for calls to end). Else SIP ``NOTIFY``
  ``Event: check-sync`` [V wazo].
- reboot: ``POST /api/v1/mgmt/safeReboot`` [V third-party code].
- info: ``GET /api/v1/mgmt/device/info`` [V third-party code]: ``{"Status": "2000", "data": {"ModelNumber",
  "FirmwareRelease", "MACAddress", "IPV4Address"}}``; no line registrations in it.
- screenshot: ``GET /captureScreen`` [M]; the phone must have ``up.screenCapture.enabled`` set.

The REST API wants the user name ``Polycom`` whatever the fleet's control login says.
"""

from __future__ import annotations

import json
import typing
from dataclasses import replace

from ...control import http
from ...control.base import REBOOT, RESYNC, HttpWay, PhoneControl, PhoneInfo, SipNotifyWay
from ...control.errors import ProtocolError
from ...control.target import Credentials, Target

INFO_PATH = "/api/v1/mgmt/device/info"
REST_USER = "Polycom"


class PolyControl(PhoneControl):
    """Poly: REST safeRestart (resync) and safeReboot as user Polycom; device/info; /captureScreen."""

    vendor = "poly"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path="/api/v1/mgmt/safeReboot", verb="POST", reboots=True, verified=True),),
        RESYNC: (
            HttpWay(path="/api/v1/mgmt/safeRestart", verb="POST", reboots=False, verified=True),
            SipNotifyWay(event="check-sync", reboots=False, verified=True),
        ),
    }
    info_methods = ("http",)
    screenshot_path = "/captureScreen"
    unverified: typing.ClassVar[tuple] = (
        "Screenshot at /captureScreen (and its image format): remembered; needs up.screenCapture.enabled.",
        "That safeRestart re-reads the configuration without rebooting is from third-party use; "
        "Poly's API reference was not read.",
        "What check-sync does on a Poly (re-read, or reboot when the config changed) is not verified.",
    )

    def prepare(self, target: Target) -> Target:
        return replace(target, credentials=Credentials(REST_USER, target.password))

    def describe_info(self, target: Target, method: str) -> str:
        return f"HTTP GET {target.scheme}://{target.host}:{target.web_port}{INFO_PATH}"

    def read_info(self, target: Target, method: str) -> PhoneInfo:
        source = self.describe_info(target, method)
        try:
            answer = json.loads(http.request(target, "GET", INFO_PATH).body)
        except ValueError:
            raise ProtocolError(target.label, f"{source}: the answer is not JSON") from None
        data = answer.get("data") if isinstance(answer, dict) else None
        if str(answer.get("Status") if isinstance(answer, dict) else "") != "2000" or not isinstance(data, dict):
            raise ProtocolError(target.label, f"{source}: the answer is not a device/info success (Status 2000)")
        return PhoneInfo(
            model=data.get("ModelNumber"),
            firmware=data.get("FirmwareRelease"),
            mac=data.get("MACAddress"),
            ip=data.get("IPV4Address"),
            source=source,
            verified=True,
        )


CONTROL = PolyControl()
