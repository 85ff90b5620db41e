# Private to this collection: driving Fanvil phones (reboot, resync).
"""Fanvil control.

- resync: SIP ``NOTIFY`` ``Event: check-sync`` [V wazo ``wazo_fanvil``]; else the Action URI
  ``GET /cgi-bin/ConfigManApp.com?key=AutoP`` (HTTP Basic) [M].
- reboot: ``GET /cgi-bin/ConfigManApp.com?key=Reboot`` (HTTP Basic) [M]; no SIP reboot is known.
- info, screenshot: none known (a screenshot URL is only remembered, not found).
"""

from __future__ import annotations

import typing

from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, HttpWay, PhoneControl, SipNotifyWay

ACTION_URI = "/cgi-bin/ConfigManApp.com?key="


class FanvilControl(PhoneControl):
    """Fanvil: SIP check-sync (resync); reboot by the ConfigManApp.com Action URI."""

    vendor = "fanvil"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path=ACTION_URI + "Reboot", reboots=True, verified=False),),
        RESYNC: (
            SipNotifyWay(event="check-sync", reboots=False, verified=True),
            HttpWay(path=ACTION_URI + "AutoP", reboots=False, verified=False),
        ),
    }
    unsupported: typing.ClassVar[dict] = {
        INFO: "Fanvil documents no status API that was found",
        SCREENSHOT: "no Fanvil screenshot URL was found",
    }
    unverified: typing.ClassVar[tuple] = (
        "Reboot and resync over HTTP (/cgi-bin/ConfigManApp.com?key=Reboot|AutoP with HTTP Basic): the "
        "Action URI is only remembered from other Yealink-like platforms, not found in Fanvil material.",
        "Whether check-sync on a Fanvil ever reboots (when the config changed) is not verified.",
        "That the Action URI needs <web><RemoteControl>1 (wazo and FusionPBX write it) is inferred; an allow "
        "list (<cti><ActiveUriIP>?) is not known and not written.",
    )


CONTROL = FanvilControl()
