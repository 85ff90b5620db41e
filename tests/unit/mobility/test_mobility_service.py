"""Mobility end to end: the real service on loopback with its applications listener, simulated Cisco enterprise
and Yealink phones booted against it, and an HTTP client that walks the login screens as the phones do (Cisco:
GET the services URL, then GET the form's URL with the fields appended as a query string; Yealink: the same
from an XML-browser key, the phone named by its User-Agent), from each phone's own address.

What a login does is checked where the user sees it: on the simulated phone, which holds the files it fetched
after the service told it to re-sync, and in the file the service serves the phone.
"""

from __future__ import annotations

import http.client
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import pin as pin_checks

from tests.support.service import ADMIN_TOKEN, AUDITOR_TOKEN, republish

from .conftest import (
    CISCO_3905,
    CISCO_7841,
    CISCO_8845,
    PIN,
    WRONG_PIN,
    YEALINK_T31G,
    YEALINK_T54W,
    holds,
    journal,
    kept_by_the_service,
    results_of,
    wait_for_config,
)

pytestmark = pytest.mark.usefixtures("caplog", "nobody_logged_in")


class Screen:
    """One answer of the applications listener, parsed as the phone's XML browser parses it."""

    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        self.status = status
        self.content_type = content_type
        self.body = body
        self.xml = ET.fromstring(body)

    @property
    def kind(self) -> str:
        return self.xml.tag

    def text(self) -> str:
        return " ".join(part.strip() for part in self.xml.itertext() if part.strip())

    def url(self, tag: str = "URL") -> str:
        found = self.xml.find(f".//{tag}")
        assert found is not None and found.text, self.body
        return found.text


def browse(service, phones, mac: str, url: str, source: str | None = None) -> Screen:
    """GET ``url`` (absolute, or a path of the applications listener) as phone ``mac`` does: from its address,
    with its User-Agent."""
    device = phones.phone(mac).device
    parts = urlsplit(url)
    target = (parts.path or url) + (f"?{parts.query}" if parts.query else "")
    port = service.service.settings.applications_port
    if parts.port is not None:
        assert parts.port == port, url
    source = phones.phone(mac).host if source is None else source
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        headers = {"User-Agent": device.user_agent} if device.user_agent else {}
        connection.request("GET", target, headers=headers)
        reply = connection.getresponse()
        return Screen(reply.status, reply.getheader("content-type") or "", reply.read())
    finally:
        connection.close()


def start(mac: str) -> str:
    return f"/cisco/mobility?name=SEP{mac.upper()}" if mac.startswith(("0cd0", "001b", "2c3f")) else "/yealink/mobility"


def log_in(service, phones, mac: str, number: str, pin: str = PIN) -> Screen:
    """Open the application, fill in the form, submit it: the phone appends the fields to the form's URL."""
    form = browse(service, phones, mac, start(mac))
    assert form.kind in ("CiscoIPPhoneInput", "YealinkIPPhoneInputScreen"), form.body
    url = form.url()
    return browse(service, phones, mac, f"{url}{'&' if '?' in url else '?'}number={number}&pin={pin}")


# -- shared phones with no own line -----------------------------------------------------------------------


def test_a_phone_with_no_line_of_its_own_is_published_with_its_profile(site, phones):
    files = {name: data.decode() for name, data in phones.phone(CISCO_7841).device.files.items()}
    config = next(text for name, text in files.items() if name.lower().endswith(".cnf.xml"))
    assert "pbx.demo.invalid" in config  # its profile's registrar, time and dial plan: it can still call out
    assert any("DIALTEMPLATE" in text for text in files.values())
    assert "2003" not in config


# -- login, logout --------------------------------------------------------------------------------------


def test_cisco_login_serves_his_lines_and_logout_gives_the_phone_its_own(service, phones):
    since = time.time()
    result = log_in(service, phones, CISCO_8845, "5001")
    assert result.kind == "CiscoIPPhoneText" and "Logged in: Ivan Petrov (5001)" in result.text()
    assert result.content_type.startswith("text/xml")
    wait_for_config(phones, CISCO_8845, "5001", absent="2002")  # the re-sync reached the phone
    assert holds(phones, CISCO_8845, "5101")
    # the file the service serves the phone now is his
    served = service.get(f"/SEP{CISCO_8845.upper()}.cnf.xml", source=phones.phone(CISCO_8845).host)
    assert served.status == 200 and b"5001" in served.body and b"2002" not in served.body

    menu = browse(service, phones, CISCO_8845, start(CISCO_8845))
    assert menu.kind == "CiscoIPPhoneMenu" and "Ivan Petrov (5001)" in menu.text()
    bye = browse(service, phones, CISCO_8845, menu.url())
    assert "Logged out." in bye.text()
    wait_for_config(phones, CISCO_8845, "2002", absent="5001")
    found = results_of(service, CISCO_8845, since)
    assert ("mobility-login", "user:5001,by:phone") in found
    assert any(result == "mobility-logout" and "user:5001" in evidence for result, evidence in found)
    assert any(result == "mobility-resync" and evidence.startswith("sent:") for result, evidence in found)


def test_yealink_login_by_its_user_agent_and_the_logged_in_screen(service, phones):
    result = log_in(service, phones, YEALINK_T54W, "5002")
    assert result.kind == "YealinkIPPhoneTextScreen", result.body
    assert "Anna <Smirnova> & Co (5002)" in result.text()  # escaped in the XML, read back as written
    wait_for_config(phones, YEALINK_T54W, "5002", absent="2001")
    menu = browse(service, phones, YEALINK_T54W, start(YEALINK_T54W))
    assert menu.kind == "YealinkIPPhoneTextMenu" and "Anna <Smirnova> & Co" in menu.text()
    assert "Logged out." in browse(service, phones, YEALINK_T54W, menu.url("URI")).text()
    wait_for_config(phones, YEALINK_T54W, "2001", absent="5002")


def test_a_login_elsewhere_ends_the_first_session(service, phones):
    log_in(service, phones, YEALINK_T54W, "5001")
    wait_for_config(phones, YEALINK_T54W, "5001")
    since = time.time()
    result = log_in(service, phones, CISCO_7841, "5001")  # the shared phone with no line of its own
    assert "Logged in" in result.text()
    wait_for_config(phones, CISCO_7841, "5001")
    wait_for_config(phones, YEALINK_T54W, "2001", absent="5001")  # the first phone has its own config back
    status, data = service.api("/api/v1/mobility/sessions", token=AUDITOR_TOKEN)
    assert status == 200 and [(row["mac"], row["number"]) for row in data["sessions"]] == [(CISCO_7841, "5001")]
    assert ("mobility-logout", f"user:5001,ended:login-on:{CISCO_7841}") in results_of(service, YEALINK_T54W, since)


# -- administrators ---------------------------------------------------------------------------------------


def test_forced_logout_of_a_user_and_of_a_site(service, phones):
    log_in(service, phones, CISCO_8845, "5002")
    log_in(service, phones, YEALINK_T54W, "5003")
    wait_for_config(phones, CISCO_8845, "5002")
    status, _data = service.api("/api/v1/mobility/sessions/user/5002", token=AUDITOR_TOKEN, method="DELETE")
    assert status == 403  # an auditor reads, never ends a session
    status, data = service.api("/api/v1/mobility/sessions/user/5002", token=ADMIN_TOKEN, method="DELETE")
    assert status == 200 and [row["mac"] for row in data["sessions"]] == [CISCO_8845]
    wait_for_config(phones, CISCO_8845, "2002", absent="5002")
    status, data = service.api("/api/v1/mobility/sessions/site/moscow-hq", method="DELETE")
    assert status == 200 and [row["number"] for row in data["sessions"]] == ["5003"]
    wait_for_config(phones, YEALINK_T54W, "2001", absent="5003")
    assert any(
        row["result"] == "mobility-logout" and "by:api:admin" in row["evidence"] for row in journal(service, CISCO_8845)
    )


def test_a_session_expires_by_itself(service, phones):
    engine = service.service.mobility.engine
    log_in(service, phones, CISCO_8845, "5003")
    wait_for_config(phones, CISCO_8845, "5003")
    since = time.time()
    engine.clock = lambda: time.time() + 12 * 3600 + 1  # past the longest session (12 hours by default)
    wait_for_config(phones, CISCO_8845, "2002", absent="5003")
    assert engine.store.session(CISCO_8845) is None
    assert any(result == "mobility-expired" for result, _evidence in results_of(service, CISCO_8845, since))


# -- refusals ---------------------------------------------------------------------------------------------


def test_wrong_pins_lock_the_number_for_a_while(service, phones):
    engine = service.service.mobility.engine
    since = time.time()
    for attempt in range(4):
        assert "Wrong number or PIN." in log_in(service, phones, YEALINK_T54W, "5003", WRONG_PIN).text(), attempt
    assert "Wrong number or PIN." in log_in(service, phones, YEALINK_T54W, "5003", WRONG_PIN).text()  # the 5th
    # now even the right PIN is refused, from any phone: the number is locked (and this phone too)
    assert "Too many wrong PINs" in log_in(service, phones, CISCO_8845, "5003").text()
    assert "Too many wrong PINs" in log_in(service, phones, YEALINK_T54W, "5001").text()
    found = results_of(service, YEALINK_T54W, since)
    assert ("mobility-locked", "number:5003") in found and ("mobility-locked", f"phone:{YEALINK_T54W}") in found
    engine.clock = lambda: time.time() + 15 * 60 + 1  # the lockout (15 minutes by default) is over
    assert "Logged in" in log_in(service, phones, CISCO_8845, "5003").text()


def test_a_login_that_finds_every_pin_check_slot_taken_is_told_to_try_again_and_not_counted(
    service, phones, monkeypatch
):
    """Slow checks hold every slot (fleet/pin.py CONCURRENT_CHECKS): a login waits CHECK_WAIT_SECONDS, then its
    screen says to try again; it is no wrong PIN, so more such refusals than the lockout's count lock nothing."""
    monkeypatch.setattr(pin_checks, "CHECK_WAIT_SECONDS", 0.1)
    since = time.time()
    for _slot in range(pin_checks.CONCURRENT_CHECKS):
        assert pin_checks._checks.acquire(timeout=5)
    try:
        for attempt in range(6):
            said = log_in(service, phones, YEALINK_T54W, "5003").text()
            assert "Too many logins at once. Try again." in said, (attempt, said)
    finally:
        for _slot in range(pin_checks.CONCURRENT_CHECKS):
            pin_checks._checks.release()
    assert any(
        row["result"] == "mobility-refused" and "reason:busy" in str(row["evidence"])
        for row in journal(service, YEALINK_T54W)
        if row["at"] >= since
    )
    assert "Logged in" in log_in(service, phones, YEALINK_T54W, "5003").text()


def test_a_profile_without_mobility_and_a_model_without_it_say_so(service, phones):
    refused = browse(service, phones, YEALINK_T31G, start(YEALINK_T31G))
    assert refused.kind == "YealinkIPPhoneTextScreen" and "Mobility is not allowed on this phone." in refused.text()
    cisco = browse(service, phones, CISCO_3905, start(CISCO_3905))
    assert cisco.kind == "CiscoIPPhoneText" and "does not support mobility" in cisco.text()
    # the form's URL typed by hand changes nothing
    typed = f"/cisco/mobility/login?name=SEP{CISCO_3905.upper()}&number=5001&pin={PIN}"
    direct = browse(service, phones, CISCO_3905, typed)
    assert "does not support mobility" in direct.text()
    assert service.service.mobility.engine.store.sessions() == []


def test_a_request_from_another_address_than_the_phones_is_refused(service, phones):
    form = f"/cisco/mobility/login?name=SEP{CISCO_8845.upper()}&number=5001&pin={PIN}"
    refused = browse(service, phones, CISCO_8845, form, source="127.0.0.1")
    assert "cannot be identified" in refused.text()
    assert service.service.mobility.engine.store.sessions() == []


# -- publishes ---------------------------------------------------------------------------------------------


def test_a_change_to_a_logged_in_user_reaches_his_phone(site, service, phones):
    log_in(service, phones, CISCO_8845, "5003")
    wait_for_config(phones, CISCO_8845, "Oleg Sidorov")
    users = site / "fleet" / "mobility.yml"
    original = users.read_text()
    users.write_text(original.replace("display_name: Oleg Sidorov,", "display_name: Oleg Night Shift,"))
    try:
        republish(site)
        service.service.published.reload()
        wait_for_config(phones, CISCO_8845, "Oleg Night Shift")
    finally:
        users.write_text(original)
        republish(site)
        service.service.published.reload()


# -- no PIN anywhere ---------------------------------------------------------------------------------------


def test_no_pin_in_the_log_the_journal_or_the_database(site, service, phones, logs):
    log_in(service, phones, YEALINK_T54W, "5001")
    log_in(service, phones, CISCO_8845, "5002", WRONG_PIN)
    service.service.flush()
    rows = journal(service, YEALINK_T54W) + journal(service, CISCO_8845)
    assert rows and any(row["result"] == "mobility-refused" for row in rows)
    text, raw = kept_by_the_service(site, service, logs, (YEALINK_T54W, CISCO_8845))
    for pin in (PIN, WRONG_PIN):
        assert pin not in text and pin.encode() not in raw
