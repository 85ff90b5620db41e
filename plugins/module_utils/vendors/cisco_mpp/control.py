# Private to this collection: driving Cisco phones on MPP (3PCC) firmware.
"""Cisco MPP (multiplatform) firmware control, over the phone's web interface.

- resync: ``GET /admin/resync`` (HTTP Basic) [V wazo ``wazo_cisco_sip`` v12.0.7]: the phone fetches its
  profile again; it reboots by itself only if a changed setting needs one.
- reboot: ``GET /admin/reboot`` [M].
- info: ``GET /admin/status.xml`` [M]: read for ``Product_Name``, ``Software_Version``, ``MAC_Address``,
  ``Current_IP`` and per line ``Registration_State_<n>_``/``User_ID_<n>_`` or ``Line_<n>_Registration_State``/
  ``Line_<n>_User_ID`` [I element names].
- screenshot: none known for MPP firmware.
"""

from __future__ import annotations

import re
import typing

from ...control import http
from ...control.base import REBOOT, RESYNC, SCREENSHOT, HttpWay, LineState, PhoneControl, PhoneInfo
from ...control.errors import ProtocolError
from ...control.target import Target
from ...control.xmltext import XmlError, leaves

STATUS_PATH = "/admin/status.xml"
#: a line's registration state: SPA-style ``Registration_State_1_`` or ``Line_1_Registration_State`` [I both]
_STATE = re.compile(r"Registration_State_(\d+)_?|Line_(\d+)_Registration_State")


class CiscoMppControl(PhoneControl):
    """Cisco MPP: /admin/resync and /admin/reboot; status.xml."""

    vendor = "cisco_mpp"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path="/admin/reboot", reboots=True, verified=False),),
        RESYNC: (HttpWay(path="/admin/resync", reboots=False, verified=True),),
    }
    unsupported: typing.ClassVar[dict] = {SCREENSHOT: "no screenshot URL is documented for MPP firmware"}
    info_methods = ("http",)
    unverified: typing.ClassVar[tuple] = (
        "Reboot with GET /admin/reboot: the /admin/ action family is verified (resync), reboot is not.",
        "GET /admin/status.xml and its element names (Product_Name, Software_Version, MAC_Address, "
        "Current_IP, Registration_State_<n>_ or Line_<n>_Registration_State) are assumed from the SPA/MPP naming "
        "of settings.",
    )

    def describe_info(self, target: Target, method: str) -> str:
        return f"HTTP GET {target.scheme}://{target.host}:{target.web_port}{STATUS_PATH}"

    def read_info(self, target: Target, method: str) -> PhoneInfo:
        source = self.describe_info(target, method)
        try:
            fields = leaves(http.request(target, "GET", STATUS_PATH).body)
        except XmlError as exc:
            raise ProtocolError(target.label, f"{source}: {exc}") from None
        lines = []
        for tag, value in fields.items():
            found = _STATE.fullmatch(tag)
            if found:
                index = found.group(1) or found.group(2)
                state = value.strip().lower()
                status = state if state in ("registered", "failed", "disabled", "registering") else "unknown"
                user = fields.get(f"Line_{index}_User_ID") or fields.get(f"User_ID_{index}_")
                lines.append(LineState(int(index), user, status))
        return PhoneInfo(
            model=fields.get("Product_Name"),
            firmware=fields.get("Software_Version"),
            mac=fields.get("MAC_Address"),
            ip=fields.get("Current_IP"),
            lines=tuple(sorted(lines, key=lambda line: line.line)),
            source=source,
            verified=False,
        )


CONTROL = CiscoMppControl()
