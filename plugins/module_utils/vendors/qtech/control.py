# Private to this collection: driving Qtech QVP phones (reboot, resync), platform unknown.
"""Qtech QVP control. The phones are built by an unknown OEM (research/atcom-qtech.md §2), so every fact
here is a guess from the platforms they might be, and says so.

- resync: SIP ``NOTIFY`` ``Event: check-sync`` [I: honoured by every candidate platform].
- reboot: ``GET /cgi-bin/ConfigManApp.com?key=Reboot`` (HTTP Basic) [I: the Fanvil/old-Yealink Action URI].
- info, screenshot: none known.

Identify the platform on the first unit (OUI, first file requested, HTTP probes) and replace this class.
"""

from __future__ import annotations

import typing

from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, HttpWay, PhoneControl, SipNotifyWay


class QtechControl(PhoneControl):
    """Qtech QVP (platform unknown): check-sync and the ConfigManApp.com Action URI, both guessed."""

    vendor = "qtech"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path="/cgi-bin/ConfigManApp.com?key=Reboot", reboots=True, verified=False),),
        RESYNC: (
            SipNotifyWay(event="check-sync", reboots=False, verified=False),
            HttpWay(path="/cgi-bin/ConfigManApp.com?key=AutoP", reboots=False, verified=False),
        ),
    }
    unsupported: typing.ClassVar[dict] = {
        INFO: "the Qtech QVP platform is not identified; no status API is known",
        SCREENSHOT: "the Qtech QVP platform is not identified; no screenshot URL is known",
    }
    unverified: typing.ClassVar[tuple] = (
        "Everything: the QVP's OEM platform is unknown. check-sync and the ConfigManApp.com Action URI are "
        "what Fanvil- and Yealink-like platforms answer; no Qtech material was found.",
    )


CONTROL = QtechControl()
