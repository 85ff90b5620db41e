# Private to this collection: driving Snom phones (reboot, resync, screenshot).
"""Snom D-series control.

- resync: SIP ``NOTIFY`` ``Event: check-sync;reboot=false`` [V wazo ``wazo_snom``].
- reboot: ``GET /advanced_update.htm?reboot=Reboot`` (HTTP Basic) [V third-party code]; else SIP
  ``NOTIFY`` ``Event: check-sync;reboot=true`` [M].
- screenshot: ``GET /screen.bmp`` [M] (the catalog does not claim it; tried on every model).
- info: none known.
"""

from __future__ import annotations

import typing

from ...control.base import INFO, REBOOT, RESYNC, HttpWay, PhoneControl, SipNotifyWay


class SnomControl(PhoneControl):
    """Snom: SIP check-sync;reboot=false (resync); reboot by advanced_update.htm; /screen.bmp."""

    vendor = "snom"
    ways: typing.ClassVar[dict] = {
        REBOOT: (
            HttpWay(path="/advanced_update.htm?reboot=Reboot", reboots=True, verified=True),
            SipNotifyWay(event="check-sync;reboot=true", reboots=True, verified=False),
        ),
        RESYNC: (SipNotifyWay(event="check-sync;reboot=false", reboots=False, verified=True),),
    }
    unsupported: typing.ClassVar[dict] = {INFO: "no Snom status API was verified"}
    screenshot_path = "/screen.bmp"
    unverified: typing.ClassVar[tuple] = (
        "Screenshot at /screen.bmp: remembered, not found in Snom material.",
        "Reboot over SIP (check-sync;reboot=true): the counterpart of the verified reboot=false, not checked.",
    )


CONTROL = SnomControl()
