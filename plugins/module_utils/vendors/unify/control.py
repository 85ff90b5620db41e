# Private to this collection: driving Unify OpenScape Desk Phone CP over WPI.
"""Unify OpenScape CP control. The phone is driven by its deployment service (our provisioning service,
WPI), not directly: the controller can only wake it up.

- resync: WPI contact-me [V developer's guide]: ``POST http://<phone>:8085/contact_dls.html/ContactDLS``
  with ``ContactMe=true`` (built by the service's ``wpi.contact_me_request``); the phone answers 204 and calls
  the service back (``solicited``), which writes the phone's items (its config), without a reboot.
- reboot: WPI ``<Action>Restart</Action>`` [V DG p.50-51], which only the deployment service can send, in
  an interaction the phone opens. As the vendor's DLS does: the Restart is queued at the provisioning service
  (``POST <service_url>/api/v1/phones/<mac>/restart``, an api-role token), then the phone is sent a contact-me;
  its ``solicited`` message is answered ``Restart`` [V DG p.28-30: contact-me, solicited, server action] and
  it reboots. Without ``service_url`` the reboot is unsupported (nothing is sent). No SIP NOTIFY reboot is
  known for CP phones.
- info: the phone reports to the service (``mac-addr``, ``device-type``, ``software-version``): read it
  from the inventory's live facts. No screenshot.
"""

from __future__ import annotations

import typing

from ...control import http
from ...control.base import INFO, REBOOT, RESYNC, SCREENSHOT, PhoneControl, Way
from ...control.errors import NotSupported, ProtocolError
from ...control.target import ServiceLinkError, Target


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


#: why a reboot cannot be sent without the provisioning service
NO_SERVICE = (
    "a CP phone reboots on WPI <Action>Restart</Action>, which only its deployment service can send: give "
    "service_url and an admin service_token (or PHONEFLEET_SERVICE_URL/_TOKEN) to queue it there"
)


class QueuedRestartWay(ContactMeWay):
    """WPI Restart queued at the provisioning service for the phone's next contact, then a contact-me."""

    def describe(self, target: Target) -> str:
        where = target.service.where if target.service is not None else "<service_url>"
        return f"POST {where}/api/v1/phones/{target.mac}/restart (WPI Restart queued), then {super().describe(target)}"

    def send(self, target: Target) -> str:
        if target.service is None:  # UnifyControl.ways_for offers this way only with the service
            raise NotSupported(target.label, NO_SERVICE)
        try:
            target.service.queue_restart(target.mac)
        except ServiceLinkError as exc:
            raise ProtocolError(target.label, f"the Restart was not queued: {exc}") from None
        return "WPI Restart queued; " + super().send(target)


class UnifyControl(PhoneControl):
    """Unify CP: WPI contact-me (resync), and Restart queued at the deployment service then a contact-me (reboot)."""

    vendor = "unify"
    ways: typing.ClassVar[dict] = {
        RESYNC: (ContactMeWay(reboots=False, verified=True),),
        REBOOT: (QueuedRestartWay(reboots=True, verified=True),),
    }
    unsupported: typing.ClassVar[dict] = {
        REBOOT: NO_SERVICE,
        INFO: "a CP phone reports to its deployment service over WPI: read phone_firmware and phone_status "
        "from the inventory's live facts",
        SCREENSHOT: "no screenshot is documented for CP phones",
    }

    def ways_for(self, command: str, target: Target) -> tuple:
        """Reboot only with the provisioning service to queue the Restart at (else unsupported, said at once)."""
        if command == REBOOT and target.service is None:
            return ()
        return super().ways_for(command, target)

    unverified: typing.ClassVar[tuple] = (
        "Which contact-me variant current CP firmware answers: the plain POST to port 8085 is the developer's "
        "guide; field reports also show a GET with Basic auth (GS5) and HTTPS on 443 (Pentagrid). Only the "
        "POST to 8085 is sent here.",
        "That CP firmware takes Restart as the first answer to its solicited message: the developer's guide's "
        "server-initiated flow (contact-me, solicited, server action) allows it; a CP phone was not seen doing it.",
    )


CONTROL = UnifyControl()
