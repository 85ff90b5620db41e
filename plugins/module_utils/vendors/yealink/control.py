# Private to this collection: driving Yealink phones (reboot, resync, info, screenshot).
"""Yealink T-series control.

- resync: SIP ``NOTIFY`` ``Event: check-sync`` [V]: the phone re-reads its config without rebooting,
  because our common file sets ``sip.notify_reboot_enable = 0`` (0 = reboot only on ``;reboot=true``).
  Else the Action URI ``GET /servlet?key=AutoP`` (HTTP Basic) [M].
- reboot: SIP ``NOTIFY`` ``Event: check-sync;reboot=true`` [V], else ``GET /servlet?key=Reboot`` [M].
- info: ``GET /servlet?phonecfg=get&accounts=1&fw=1`` [V path], read as JSON [M format].
- screenshot: ``GET /screencapture`` [V], on the models the catalog marks ``screenshot``.

Unverified (see ``unverified``): the HTTP keys, the status answer's format, the screenshot's image format.
Prerequisites on the phone, written by the driver's common file (docs/control.md, "What each phone's file must
allow"), not by this class: for HTTP control the controller's networks in ``features.action_uri_limit_ip`` (an
address outside it is refused) and ``features.show_action_uri_option = 0`` (else the phone asks "Allow remote
control?" and does nothing until a user answers); for the NOTIFY ``sip.trust_ctrl = 0``, as with 1 the phone
takes SIP only from its registrar and outbound proxy and our NOTIFY comes from the controller.
"""

from __future__ import annotations

import json
import typing

from ...control import http
from ...control.base import (
    REBOOT,
    RESYNC,
    HttpWay,
    LineState,
    PhoneControl,
    PhoneInfo,
    SipNotifyWay,
)
from ...control.errors import ProtocolError
from ...control.target import Target

STATUS_PATH = "/servlet?phonecfg=get&accounts=1&fw=1"
_STATES = {"registered": "registered", "failed": "failed", "disabled": "disabled", "registering": "registering"}


class YealinkControl(PhoneControl):
    """Yealink: SIP check-sync (resync) and check-sync;reboot=true, or the Action URI; status JSON; screenshot."""

    vendor = "yealink"
    ways: typing.ClassVar[dict] = {
        REBOOT: (
            SipNotifyWay(event="check-sync;reboot=true", reboots=True, verified=True),
            HttpWay(path="/servlet?key=Reboot", reboots=True, verified=False),
        ),
        RESYNC: (
            SipNotifyWay(event="check-sync", reboots=False, verified=True),
            HttpWay(path="/servlet?key=AutoP", reboots=False, verified=False),
        ),
    }
    info_methods = ("http",)
    screenshot_path = "/screencapture"
    screenshot_by_model = True
    screenshot_verified = True
    unverified: typing.ClassVar[tuple] = (
        "HTTP reboot and resync (Action URI key=Reboot and key=AutoP): widely used by third-party code, "
        "not read in Yealink's own documentation.",
        "The answer of /servlet?phonecfg=get&accounts=1&fw=1 read as JSON with model, firmware, mac, ip and "
        "accounts[].line/user/status: the path is Yealink's, the format is assumed.",
        "Whether /screencapture answers BMP or JPEG depends on the firmware: BMP and PNG are saved as PNG, a JPEG "
        "answer is reported as an error (no imaging library to convert it).",
    )

    def describe_info(self, target: Target, method: str) -> str:
        return f"HTTP GET {target.scheme}://{target.host}:{target.web_port}{STATUS_PATH}"

    def read_info(self, target: Target, method: str) -> PhoneInfo:
        source = self.describe_info(target, method)
        answer = http.request(target, "GET", STATUS_PATH)
        try:
            data = json.loads(answer.body)
        except ValueError:
            raise ProtocolError(target.label, f"{source}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise ProtocolError(target.label, f"{source}: the answer is not a JSON object")
        lines = []
        for index, account in enumerate(data.get("accounts") or [], 1):
            if isinstance(account, dict):
                state = str(account.get("status", "")).lower()
                lines.append(
                    LineState(int(account.get("line") or index), account.get("user"), _STATES.get(state, "unknown"))
                )
        return PhoneInfo(
            model=_text(data.get("model")),
            firmware=_text(data.get("firmware")),
            mac=_text(data.get("mac")),
            ip=_text(data.get("ip")),
            lines=tuple(lines),
            source=source,
            verified=False,
        )


def _text(value) -> str | None:
    return str(value) if value not in (None, "") else None


CONTROL = YealinkControl()
