"""Mobility as the user at the desk lives it: simulated Cisco enterprise and Yealink phones walk the login screens
with their own XML browser, and their lines register on a real Kamailio from the phone's own address.

Each phone opens the application from its OWN files (Cisco's ``servicesURL``, Yealink's XML-browser key:
``XmlBrowser.open_services``), so a template that forgot the URL fails here; it types number and PIN on its
keypad and submits the form the vendor's way. After a login, a logout or a change, the service tells the phone
to re-sync (SIP NOTIFY check-sync for Yealink, service-control restart for Cisco); the simulated phone fetches
its files again, and its SIP stack (``phonefleet_simulator.sip_lines``) registers the accounts the new files
hold from the phone's SIP port and unregisters the ones they lost. What is checked is what the user and the
PBX see: the phone's screen, its line status, and Kamailio's location table (``ul.dump``).

The core's own tests (test_mobility_service.py) check the journal, the API's roles and the served file.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from phonefleet_simulator.vendors import Screen
from phonefleet_simulator.xml_browser import NoApplication, XmlBrowser

from tests.support.nginx import running_applications_nginx
from tests.support.registrar import RegistrarUnavailable, exported_database, start_registrar
from tests.support.service import ADMIN_TOKEN, republish
from tests.support.tools import missing_tool_outcome, require_tools
from tests.unit.render_support import demo_fleet, reveal

from .conftest import (
    CISCO_3905,
    CISCO_7841,
    CISCO_8845,
    PIN,
    WRONG_PIN,
    YEALINK_T31G,
    YEALINK_T54W,
    kept_by_the_service,
    wait_for_config,
)

pytestmark = pytest.mark.usefixtures("nobody_logged_in")
REPO = Path(__file__).resolve().parents[3]
WORK = REPO / "build" / "pytest-mobility"
DOMAIN = "pbx.demo.invalid"  # the demo registrar's name: the AOR's domain, as the phones' files name it


@pytest.fixture(scope="module")
def registrar(worker_id):
    """Kamailio on loopback, given the registrar export of the demo fleet (the mobility users' lines included)."""
    require_tools("kamailio")
    directory = WORK / f"{os.getpid()}-{worker_id}"
    shutil.rmtree(directory, ignore_errors=True)
    try:
        running = start_registrar(directory / "kamailio", exported_database(demo_fleet(), reveal, directory / "export"))
    except RegistrarUnavailable as exc:
        missing_tool_outcome(f"kamailio does not run here: {exc}", "kamailio")
    yield running
    running.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def line_registrar(registrar) -> tuple[str, int]:
    """The phones' REGISTERs go to the Kamailio (their files name pbx.demo.invalid, which does not resolve here)."""
    return ("127.0.0.1", registrar.port)


class Desk:
    """The simulated phones as their users handle them: the services button or XML-browser key, the keypad."""

    def __init__(self, phones, applications_url: str) -> None:
        self.phones = phones
        self.applications_url = applications_url

    def browse(self, mac: str, *steps) -> Screen:
        """Press the phone's services button or XML-browser key, then do ``steps`` (a dict: type and submit the
        form; an int: choose that menu item); what the phone shows at the end."""

        async def walk() -> Screen:
            browser = XmlBrowser(self.phones.phone(mac).device, self.applications_url)
            screen = await browser.open_services()
            for step in steps:
                screen = await (browser.enter(step) if isinstance(step, dict) else browser.select(step))
            return screen

        return self.phones.call(walk(), 30)

    def open(self, mac: str, path: str) -> Screen:
        """Open ``path`` of the applications listener with the phone's XML browser, as a URL typed in."""
        browser = XmlBrowser(self.phones.phone(mac).device, self.applications_url)
        return self.phones.call(browser.open_url(self.applications_url + path), 30)

    def log_in(self, mac: str, number: str, pin: str = PIN) -> Screen:
        return self.browse(mac, {"number": number, "pin": pin})


@pytest.fixture(scope="module")
def desk(phones, service) -> Desk:
    """The phones' XML browsers reach the service's applications listener: their files name
    ``prov.demo.invalid:8080`` (nginx's port in production), the browser's simulation shortcut puts this in."""
    return Desk(phones, f"http://127.0.0.1:{service.service.settings.applications_port}")


def contacts(registrar, number: str) -> list[str]:
    """The contacts Kamailio holds for ``number``'s AOR (``sip:5001@127.230.0.3:5060``...)."""
    return [contact["Address"] for contact in registrar.location().get(f"{number}@{DOMAIN}", [])]


def registered_from(phones, registrar, mac: str, number: str) -> bool:
    """``number`` registered on Kamailio from phone ``mac``'s own address and SIP port, and nowhere else."""
    handle = phones.phone(mac)
    return contacts(registrar, number) == [f"sip:{number}@{handle.host}:{handle.ports['sip']}"]


def wait_until(phones, predicate, timeout: float = 15) -> None:
    phones.wait_for(predicate, timeout=timeout)


def line_status(phones, mac: str) -> list[tuple[str, str]]:
    """What the phone's line keys show: (user, registered/failed/disabled) per account."""
    return [(row["user"], row["status"]) for row in phones.phone(mac).device.line_status()]


def test_before_anyone_logs_in_each_phone_registers_its_own_line(phones, registrar):
    assert registered_from(phones, registrar, CISCO_8845, "2002")
    assert registered_from(phones, registrar, YEALINK_T54W, "2001")
    assert line_status(phones, CISCO_7841) == []  # the shared phone: no line of its own, nothing registered


def test_cisco_login_registers_his_lines_from_the_phone_and_logout_gives_its_own_back(desk, phones, registrar):
    form = desk.browse(CISCO_8845)
    assert form.kind == "input" and [field.parameter for field in form.fields] == ["number", "pin"]
    shown = desk.log_in(CISCO_8845, "5001")
    assert shown.kind == "text" and "Logged in: Ivan Petrov (5001)" in shown.text
    # the re-sync reached the phone: it read his lines, registered them and unregistered its own
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5001"))
    assert registered_from(phones, registrar, CISCO_8845, "5101")
    wait_until(phones, lambda: contacts(registrar, "2002") == [] and contacts(registrar, "2102") == [])
    assert line_status(phones, CISCO_8845) == [("5001", "registered"), ("5101", "registered")]

    menu = desk.browse(CISCO_8845)
    assert menu.kind == "menu" and "Ivan Petrov (5001)" in menu.title + menu.prompt + menu.text
    assert "Logged out." in desk.browse(CISCO_8845, 1).text  # the menu's logout entry, chosen on the phone
    wait_until(phones, lambda: contacts(registrar, "5001") == [] and contacts(registrar, "5101") == [])
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "2002"))
    assert registered_from(phones, registrar, CISCO_8845, "2102")
    assert line_status(phones, CISCO_8845) == [("2002", "registered"), ("2102", "registered")]
    assert desk.browse(CISCO_8845).kind == "input"  # the phone is free again


def test_yealink_login_then_login_elsewhere_gives_the_first_phone_its_own_line(desk, phones, registrar):
    shown = desk.log_in(YEALINK_T54W, "5002")
    assert "Anna <Smirnova> & Co (5002)" in shown.text
    wait_until(phones, lambda: registered_from(phones, registrar, YEALINK_T54W, "5002"))
    assert contacts(registrar, "2001") == []
    # she sits at the shared phone with no line of its own: her session on the Yealink ends
    assert "Logged in" in desk.log_in(CISCO_7841, "5002").text
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_7841, "5002"))
    wait_until(phones, lambda: registered_from(phones, registrar, YEALINK_T54W, "2001"))
    assert line_status(phones, YEALINK_T54W) == [("2001", "registered")]
    assert desk.browse(YEALINK_T54W).kind == "input"
    # logged out from the shared phone: it holds no line again, and her number is gone from the registrar
    assert "Logged out." in desk.browse(CISCO_7841, 1).text
    wait_until(phones, lambda: contacts(registrar, "5002") == [])
    assert line_status(phones, CISCO_7841) == []


def test_a_forced_logout_takes_his_line_off_the_phone(desk, service, phones, registrar):
    desk.log_in(YEALINK_T54W, "5003")
    wait_until(phones, lambda: registered_from(phones, registrar, YEALINK_T54W, "5003"))
    status, _data = service.api("/api/v1/mobility/sessions/user/5003", token=ADMIN_TOKEN, method="DELETE")
    assert status == 200
    wait_until(phones, lambda: contacts(registrar, "5003") == [])
    wait_until(phones, lambda: registered_from(phones, registrar, YEALINK_T54W, "2001"))
    assert desk.browse(YEALINK_T54W).kind == "input"


def test_an_expired_session_ends_by_itself(desk, service, phones, registrar):
    engine = service.service.mobility.engine
    desk.log_in(CISCO_8845, "5003")
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5003"))
    engine.clock = lambda: time.time() + 12 * 3600 + 1  # past the longest session (12 hours by default)
    wait_until(phones, lambda: contacts(registrar, "5003") == [])
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "2002"))
    assert desk.browse(CISCO_8845).kind == "input"


def test_wrong_pins_lock_the_number_until_the_lockout_is_over(desk, service, phones, registrar):
    engine = service.service.mobility.engine
    for attempt in range(5):
        assert "Wrong number or PIN." in desk.log_in(YEALINK_T54W, "5001", WRONG_PIN).text, attempt
    # the right PIN now, from the other phone: the number is locked
    assert "Too many wrong PINs" in desk.log_in(CISCO_8845, "5001").text
    assert contacts(registrar, "5001") == []
    engine.clock = lambda: time.time() + 15 * 60 + 1  # the lockout (15 minutes by default) is over
    assert "Logged in: Ivan Petrov (5001)" in desk.log_in(CISCO_8845, "5001").text
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5001"))


@pytest.mark.parametrize(
    ("mac", "path", "why"),
    [
        (YEALINK_T31G, "/yealink/mobility", "Mobility is not allowed on this phone."),  # the warehouse profile
        (CISCO_3905, f"/cisco/mobility?name=SEP{CISCO_3905.upper()}", "This phone model does not support mobility."),
    ],
)
def test_a_phone_whose_profile_or_model_has_no_mobility_says_so(desk, phones, registrar, mac, path, why):
    # its files give it no hot-desk key or services URL at all ...
    with pytest.raises(NoApplication):
        desk.browse(mac)
    # ... and the application's URL given to its browser by hand is refused, with a screen that says why
    typed = desk.open(mac, path)
    assert typed.kind == "text" and typed.text == why
    login = desk.open(
        mac, path.replace("/mobility", "/mobility/login") + ("&" if "?" in path else "?") + f"number=5001&pin={PIN}"
    )
    assert login.text == why
    assert contacts(registrar, "5001") == []


def test_a_change_to_a_logged_in_user_reaches_his_phone(desk, site, service, phones, registrar):
    desk.log_in(CISCO_8845, "5003")
    wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5003"))
    users = site / "fleet" / "mobility.yml"
    original = users.read_text()
    users.write_text(original.replace("display_name: Oleg Sidorov,", "display_name: Oleg Night Shift,"))
    try:
        republish(site)
        service.service.published.reload()
        wait_for_config(phones, CISCO_8845, "Oleg Night Shift")  # the phone fetched it: told to re-sync at once
        # his account changed (its display name): registered again from the phone, nothing else left behind
        wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5003"))
        assert [user for user, status in line_status(phones, CISCO_8845) if status == "registered"] == ["5003"]
    finally:
        users.write_text(original)
        republish(site)
        service.service.published.reload()


# -- no PIN anywhere, nginx in front ------------------------------------------------------------------------


def test_logins_through_nginx_leave_no_pin_in_any_log(tmp_path, site, service, phones, registrar, logs):
    """The phones reach the service as in production: through nginx with the role's site (the Cisco PIN in a
    GET's query string). Then every log, the journal, the database and the files of service, nginx and Kamailio
    are read: no PIN, right or wrong."""
    require_tools("nginx")
    with running_applications_nginx(tmp_path, service.service.settings.applications_port) as nginx:
        through = Desk(phones, f"http://127.0.0.1:{nginx.http_port}")
        assert "Wrong number or PIN." in through.log_in(CISCO_8845, "5001", WRONG_PIN).text
        # logged in: nginx passed the phone's address on, and the service believed it (else "cannot be identified")
        assert "Logged in: Ivan Petrov (5001)" in through.log_in(CISCO_8845, "5001").text
        assert "Logged in: Anna <Smirnova> & Co (5002)" in through.log_in(YEALINK_T54W, "5002").text
        wait_until(phones, lambda: registered_from(phones, registrar, CISCO_8845, "5001"))
        assert "Logged out." in through.browse(CISCO_8845, 1).text
    access = nginx.access_log.read_text()
    assert access.count('"GET /cisco/mobility/login HTTP/1.1" 200') == 2, access  # nginx logged them, by path
    assert access.count('"GET /yealink/mobility/login HTTP/1.1" 200') == 1, access
    assert phones.phone(CISCO_8845).host in access
    text, raw = kept_by_the_service(site, service, logs, (CISCO_8845, YEALINK_T54W))
    assert "mobility-login" in text and "mobility-refused" in text
    raw += b"".join(path.read_bytes() for path in nginx.logs.iterdir()) + nginx.output.encode()
    raw += registrar.log.read_bytes()
    for pin in (PIN, WRONG_PIN):
        assert pin not in text and pin.encode() not in raw
