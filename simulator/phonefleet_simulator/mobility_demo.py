"""``make demo``'s mobility step: a user logs in on one simulated phone through its own XML screens, as he would
at the desk, and the phone is re-synced with his lines.

The demo fleet's mobility users are in ``inventory/demo/fleet/mobility.yml``; Ivan Petrov (5001) has the demo PIN
``4711`` (the example of that file's comment makes its hash: ``'4711' | phonefleet.provisioning.pin_hash``). He
logs in on the demo's Cisco CP-8845, whose office profile allows mobility: the phone presses its services button
(the ``servicesURL`` of its own files), gets the login form, types number and PIN on its keypad and submits them
as a Cisco phone does (:mod:`xml_browser`). The service re-syncs the phone, which fetches its files again: they
hold his lines now, and the demo's next step registers them.
"""

from __future__ import annotations

from .fleet import SimulatedFleet
from .vendors import ScreenRefused
from .xml_browser import NoApplication, XmlBrowser

#: the demo phone, and the demo user with his documented demo PIN
PHONE, NUMBER, PIN = "0cd0f8a1b2c3", "5001", "4711"


class MobilityDemoError(RuntimeError):
    """The login did not happen; the message says where it stopped."""


def log_in(fleet: SimulatedFleet, applications_url: str, timeout: float = 20.0) -> str:
    """Log the demo user in on the demo phone through its screens and wait for the phone to hold his line; the
    line the demo prints."""
    handle = fleet.phone(PHONE)
    device = handle.device
    where = f"{device.model} {PHONE}"
    browser = XmlBrowser(device, applications_url)
    own = dict(device.files)  # what it holds before: the re-sync must bring other files, with his line

    async def walk():
        # the service knows the phone's address from its config fetch as soon as the fetch is journaled (the
        # journal's entries not yet written count: Journal.known_addresses), so the phone that booted a moment ago
        # is known when its user presses the button
        form = await browser.open_services()
        if form.kind != "input":
            raise MobilityDemoError(
                f"{device.model} {PHONE}: the services button shows {form.kind} {form.text!r}, not the login form"
            )
        return await browser.enter({field.parameter: PIN if field.password else NUMBER for field in form.fields})

    try:
        answer = fleet.call(walk(), timeout)
    except (NoApplication, ScreenRefused) as exc:
        raise MobilityDemoError(str(exc)) from None
    if not answer.text.startswith("Logged in"):
        raise MobilityDemoError(f"{where}: the login screen says {answer.text!r}")
    try:  # the service told the phone to re-sync: it fetches its files again, now with his line
        fleet.wait_for(
            lambda: device.files != own and any(NUMBER.encode() in data for data in device.files.values()), timeout
        )
    except TimeoutError:
        raise MobilityDemoError(
            f"{device.model} {PHONE}: its files do not hold line {NUMBER} after the login"
        ) from None
    return f"mobility: on the {where} the services screens say {answer.text!r}; it re-synced his lines"
