# Private to this collection: driving Grandstream phones (reboot, resync).
"""Grandstream GXP/GRP control.

- resync: ``GET /cgi-bin/api-sys_operation?passcode=<password>&request=PROV`` [V third-party code]: the
  phone runs its provisioning now. Else SIP ``NOTIFY`` ``Event: check-sync`` [V wazo; the phone acts on
  it when its "Allow SIP Reset" setting ``P26015`` is on: our config sets it for every account].
- The HTTP API needs the phone's "Network/Remote Control" P-values: ``P32050`` 1, ``P32051`` 0 (no pop-up)
  and the controller in ``P32052`` (``settings.phone_control.networks``), all written by our config.
- reboot: ``GET /cgi-bin/api-sys_operation?passcode=<password>&request=REBOOT`` [V third-party code].
- info, screenshot: none known.

The password travels in the query string (the API's design): use HTTPS (``scheme: https``) outside a
trusted voice VLAN. Messages and results show it as ``********``.
"""

from __future__ import annotations

import typing

from ...control import http
from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, HttpWay, PhoneControl, SipNotifyWay

API = "/cgi-bin/api-sys_operation?passcode={password}&request="


class GrandstreamControl(PhoneControl):
    """Grandstream: api-sys_operation PROV (resync) and REBOOT, the password as passcode."""

    vendor = "grandstream"
    ways: typing.ClassVar[dict] = {
        REBOOT: (HttpWay(path=API + "REBOOT", auth=http.NONE, reboots=True, verified=True),),
        RESYNC: (
            HttpWay(path=API + "PROV", auth=http.NONE, reboots=False, verified=True),
            SipNotifyWay(event="check-sync", reboots=False, verified=True),
        ),
    }
    unsupported: typing.ClassVar[dict] = {
        INFO: "no Grandstream status API was verified",
        SCREENSHOT: "no Grandstream screenshot URL is known",
    }
    unverified: typing.ClassVar[tuple] = (
        "How the API answers a wrong passcode (an HTTP error, or 200 with an error body) is not verified; "
        "a 200 is taken as success.",
        "Whether PROV can reboot the phone when the new config needs it is not verified.",
        "That api-sys_operation obeys the Action URI P-values (P32050-P32052), and the allow list's format "
        "(comma-separated addresses and CIDR networks here), are not verified.",
    )


CONTROL = GrandstreamControl()
