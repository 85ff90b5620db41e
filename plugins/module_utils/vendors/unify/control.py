# Private to this collection: driving Unify OpenScape Desk Phone CP over WPI.
"""Unify OpenScape CP control. The phone is driven by its deployment service (our provisioning service,
WPI), not directly: the controller can only wake it up.

- resync: WPI contact-me [V developer's guide]: ``POST http://<phone>:8085/contact_dls.html/ContactDLS``
  with ``ContactMe=true`` (built by the service's ``wpi.contact_me_request``); the phone answers 204 and calls
  the service back (``solicited``), which writes the phone's items (its config), without a reboot.
- reboot: WPI ``<Action>Restart</Action>`` [V], but only the service can send it, in answer to the
  phone's ``solicited`` call; the service has no way yet to be told "restart this phone on its next
  contact", so reboot is not supported here. No SIP NOTIFY reboot is known for CP phones.
- info: the phone reports to the service (``mac-addr``, ``device-type``, ``software-version``): read it
  from the inventory's live facts. No screenshot.
"""

from __future__ import annotations

import typing

from ...control import http
from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, PhoneControl, Way
from ...control.target import Target


class ContactMeWay(Way):
    """WPI contact-me: the phone calls its deployment service back and is given its items."""

    method: typing.ClassVar[str] = "wpi"

    def describe(self, target: Target) -> str:
        url = f"http://{target.host}:{target.port('contact_me')}/contact_dls.html/ContactDLS"
        return f"HTTP POST {url} with ContactMe=true"

    def send(self, target: Target) -> str:
        from ...service import wpi

        prepared = wpi.contact_me_request(str(target.address), target.port("contact_me"))
        shown = f"POST {wpi.CONTACT_PATH}"
        answer = http.send_prepared(target, prepared, shown)
        if answer.status != 204:  # the DG's answer; any 2xx is taken, 204 expected
            return f"HTTP {answer.status} {answer.reason} (204 expected)".rstrip()
        return "HTTP 204: the phone calls its deployment service back"


class UnifyControl(PhoneControl):
    """Unify CP: WPI contact-me (resync through the deployment service); no reboot from here."""

    vendor = "unify"
    ways: typing.ClassVar[dict] = {RESYNC: (ContactMeWay(reboots=False, verified=True),)}
    unsupported: typing.ClassVar[dict] = {
        REBOOT: "a CP phone reboots on WPI <Action>Restart</Action>, which only its deployment service can send "
        "in a solicited session; the provisioning service cannot be asked for it yet",
        INFO: "a CP phone reports to its deployment service over WPI: read phone_firmware and phone_status "
        "from the inventory's live facts",
        SCREENSHOT: "no screenshot is documented for CP phones",
    }
    unverified: typing.ClassVar[tuple] = (
        "Which contact-me variant current CP firmware answers: the plain POST to port 8085 is the developer's "
        "guide; field reports also show a GET with Basic auth (GS5) and HTTPS on 443 (Pentagrid). Only the "
        "POST to 8085 is sent here.",
    )


CONTROL = UnifyControl()
