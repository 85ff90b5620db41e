# Private to this collection: driving Atcom phones (reboot, resync).
"""Atcom A-series control.

- reboot: ``GET /cgi-bin/server.cgi?key=REBOOT``, no login [3P: Atcom's "Action URL and Active URI"
  spec as cited by a third party]; the caller's address must be in the phone's allow-list, else the
  phone asks its user once.
- resync: SIP ``NOTIFY`` ``Event: check-sync`` [I]: Atcom documents no resync key (a reboot
  re-provisions); check-sync is what the Yealink platform it is built on honours, not tested on an Atcom.
- info, screenshot: none known.
"""

from __future__ import annotations

import typing

from ...control import http
from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, HttpWay, PhoneControl, SipNotifyWay


class AtcomControl(PhoneControl):
    """Atcom A-series: reboot by the Action URL without login; resync by check-sync (assumed)."""

    vendor = "atcom"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path="/cgi-bin/server.cgi?key=REBOOT", auth=http.NONE, reboots=True, verified=False),),
        RESYNC: (SipNotifyWay(event="check-sync", reboots=False, verified=False),),
    }
    unsupported: typing.ClassVar[dict] = {
        INFO: "Atcom documents no status page or API",
        SCREENSHOT: "Atcom documents no screenshot URL",
    }
    unverified: typing.ClassVar[tuple] = (
        "Reboot with GET /cgi-bin/server.cgi?key=REBOOT without a login: from a third party citing Atcom's "
        "Action URL spec, which was not read.",
        "Resync with SIP NOTIFY check-sync: not documented by Atcom; assumed from the Yealink platform. "
        "Atcom has no resync key, so without check-sync the only way to a new config is a reboot.",
    )


CONTROL = AtcomControl()
