# Private to this collection: driving Avaya J-series phones (reboot, resync).
"""Avaya J1x9 (3PCC SIP firmware) control, over SIP only.

- resync: SIP ``NOTIFY`` ``Event: check-sync`` [V wazo]; accepted because our ``46xxsettings.txt`` sets
  ``ENABLE_OOD_RESET_NOTIFY 1``.
- reboot: SIP ``NOTIFY`` ``Event: check-sync;reboot=true`` [M].
- info, screenshot: none (no HTTP control API; the web UI is for people).
"""

from __future__ import annotations

import typing

from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, PhoneControl, SipNotifyWay


class AvayaControl(PhoneControl):
    """Avaya J: SIP check-sync (resync) and check-sync;reboot=true; nothing over HTTP."""

    vendor = "avaya"
    ways: typing.ClassVar[dict] = {
        REBOOT: (SipNotifyWay(event="check-sync;reboot=true", reboots=True, verified=False),),
        RESYNC: (SipNotifyWay(event="check-sync", reboots=False, verified=True),),
    }
    unsupported: typing.ClassVar[dict] = {
        INFO: "Avaya J phones have no HTTP control or status API (their firmware is read by the provisioning "
        "service from their requests: phone_firmware in the inventory's live facts)",
        SCREENSHOT: "Avaya J phones have no screenshot URL",
    }
    unverified: typing.ClassVar[tuple] = (
        "Reboot with check-sync;reboot=true: the ;reboot=true parameter is the Yealink/Snom convention; "
        "what a J phone does with it (reboot, or only resync) is not verified.",
        "Whether a resync that finds a changed config makes the J phone reboot by itself (some 3PCC "
        "settings only apply after a reboot) is not verified.",
    )


CONTROL = AvayaControl()
