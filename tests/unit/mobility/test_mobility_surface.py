"""Mobility as operators see it: the phones' API rows and status while a user is logged in, and the playbooks
mobility_sessions.yml and mobility_logout.yml run with ansible-playbook against the real service on loopback,
with simulated phones whose users logged in through the phones' own screens (test_mobility_service.py)."""

from __future__ import annotations

import re
import time

import pytest

from tests.support.service import ADMIN_TOKEN, API_TOKEN, AUDITOR_TOKEN
from tests.unit.service_live.live_support import REPO, ansible_playbook, recap

# the module fixtures (the published site, the service with its applications listener, the phones) are conftest's
from .conftest import CISCO_7841, CISCO_8845, YEALINK_T54W, wait_for_config
from .test_mobility_service import log_in

pytestmark = pytest.mark.usefixtures("nobody_logged_in")

SESSIONS, LOGOUT = REPO / "playbooks/mobility_sessions.yml", REPO / "playbooks/mobility_logout.yml"


def play(service, playbook, *args: str, token: str = ADMIN_TOKEN):
    """The playbook as an operator runs it: the service's URL and token in the environment (AWX's injector)."""
    env = {"PHONEFLEET_SERVICE_URL": f"http://127.0.0.1:{service.port}", "PHONEFLEET_SERVICE_TOKEN": token}
    return ansible_playbook(playbook, "-i", "localhost,", *args, **env)


def logout(service, kind: str, target: str, *args: str, token: str = ADMIN_TOKEN):
    return play(
        service,
        LOGOUT,
        "-e",
        f"phonefleet_mobility_logout={kind}",
        "-e",
        f"phonefleet_mobility_target={target}",
        *args,
        token=token,
    )


def logged_in(service) -> dict:
    return {session.mac: session.number for session in service.service.mobility.engine.store.sessions()}


def three_logged_in(service, phones) -> None:
    """Ivan on the Cisco 8845, Anna on the Yealink T54W, Oleg on the shared Cisco 7841: all of moscow-hq."""
    for mac, number in ((CISCO_8845, "5001"), (YEALINK_T54W, "5002"), (CISCO_7841, "5003")):
        assert "Logged in" in log_in(service, phones, mac, number).text()
    assert logged_in(service) == {CISCO_8845: "5001", YEALINK_T54W: "5002", CISCO_7841: "5003"}


# -- the phones' rows and status ------------------------------------------------------------------------------


def test_a_logged_in_phone_shows_its_user_and_is_up_to_date_with_his_config(service, phones):
    log_in(service, phones, CISCO_8845, "5001")
    wait_for_config(phones, CISCO_8845, "5001", absent="2002")  # the phone fetched his config after the re-sync

    def row():
        service.service.flush()
        status, data = service.api(f"/api/v1/phones/{CISCO_8845}", token=AUDITOR_TOKEN)
        assert status == 200, data
        return data

    phones.wait_for(lambda: row()["status"] == 3, timeout=10)  # his config is the current one: not 2
    seen = row()
    assert seen["status_text"].startswith("up to date")  # (its firmware may wait for its window, as without him)
    session = seen["session"]
    assert (session["number"], session["user_name"], session["site"]) == ("5001", "Ivan Petrov", "moscow-hq")
    assert session["started"] <= time.time() and session["started_by"] == "phone"
    assert service.phones()[CISCO_8845]["session"] == session  # the list says the same
    assert service.phones()[YEALINK_T54W]["session"] is None

    assert service.api(f"/api/v1/mobility/sessions/phone/{CISCO_8845}", method="DELETE")[0] == 200
    wait_for_config(phones, CISCO_8845, "2002", absent="5001")  # his own config back, fetched: 3 again
    phones.wait_for(lambda: row()["status"] == 3, timeout=10)
    assert row()["session"] is None


def test_a_logged_in_phone_that_has_not_fetched_his_config_is_2(service, phones):
    engine = service.service.mobility.engine
    sent = []
    resync, engine.resync = engine.resync, lambda mac, _snapshot: sent.append(mac)  # the phone is not told
    try:
        log_in(service, phones, YEALINK_T54W, "5002")
        service.service.flush()
        row = service.phones()[YEALINK_T54W]
        assert sent == [YEALINK_T54W] and row["session"]["number"] == "5002"
        assert row["status"] == 2 and row["status_text"].startswith("change not yet fetched")
    finally:
        engine.resync = resync


# -- the playbooks ----------------------------------------------------------------------------------------------


def test_sessions_are_listed_and_a_site_filters_them(service, phones):
    three_logged_in(service, phones)
    done = play(service, SESSIONS, token=AUDITOR_TOKEN)  # reading takes any role
    assert done.returncode == 0, done.stdout + done.stderr
    assert recap(done.stdout)["changed"] == 0
    assert re.search(r"0c:d0:f8:a1:b2:c3  5001  Ivan Petrov  moscow-hq  since \d{4}-\d\d-\d\d \d\d:\d\dZ", done.stdout)
    assert "80:5e:c0:11:22:33  5002  Anna <Smirnova> & Co  moscow-hq" in done.stdout
    assert "00:1b:54:c2:d3:e4  5003  Oleg Sidorov  moscow-hq" in done.stdout and "3 logged in" in done.stdout
    other = play(service, SESSIONS, "-e", "phonefleet_mobility_site=warehouse")
    assert other.returncode == 0 and "0 logged in (site warehouse)" in other.stdout
    assert AUDITOR_TOKEN not in done.stdout + done.stderr


def test_check_mode_ends_nothing_and_shows_who_would_be_logged_out(service, phones):
    three_logged_in(service, phones)
    done = logout(service, "site", "moscow-hq", "--check", "--diff")
    assert done.returncode == 0, done.stdout + done.stderr
    assert recap(done.stdout)["changed"] == 1
    assert "would end 3 sessions (site moscow-hq)" in done.stdout
    assert "-0c:d0:f8:a1:b2:c3  5001  Ivan Petrov  moscow-hq" in done.stdout  # the diff: his line goes
    assert logged_in(service) == {CISCO_8845: "5001", YEALINK_T54W: "5002", CISCO_7841: "5003"}


def test_logout_of_a_phone_a_user_and_a_site_journaled_with_who_asked(service, phones):
    three_logged_in(service, phones)
    since = time.time()
    phone = logout(service, "phone", "0C-D0-F8-A1-B2-C3", "--diff", token=API_TOKEN)  # any MAC notation
    assert phone.returncode == 0, phone.stdout + phone.stderr
    assert recap(phone.stdout)["changed"] == 1 and "ended 1 session (phone 0cd0f8a1b2c3)" in phone.stdout
    assert logged_in(service) == {YEALINK_T54W: "5002", CISCO_7841: "5003"}
    wait_for_config(phones, CISCO_8845, "2002", absent="5001")  # the phone has its own config back

    user = logout(service, "user", "5002")
    assert user.returncode == 0 and "ended 1 session (user 5002)" in user.stdout
    assert logged_in(service) == {CISCO_7841: "5003"}
    again = logout(service, "user", "5002")  # nobody to log out: nothing changes
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0

    shift = logout(service, "site", "moscow-hq")
    assert shift.returncode == 0 and "ended 1 session (site moscow-hq)" in shift.stdout
    assert logged_in(service) == {}
    actions = service.service.users_store.read(
        "SELECT username, target, detail FROM job_user_actions WHERE action = 'mobility_logout' AND at >= ?"
        " ORDER BY id",
        (since,),
    )
    assert [(who, target) for who, target, _detail in actions] == [
        ("api", f"phone:{CISCO_8845}"),
        ("admin", "user:5002"),
        ("admin", "user:5002"),
        ("admin", "site:moscow-hq"),
    ]
    assert '"users": ["5003"]' in actions[-1][2]
    assert ADMIN_TOKEN not in shift.stdout + shift.stderr


def test_an_auditor_token_cannot_log_anyone_out(service, phones):
    three_logged_in(service, phones)
    done = logout(service, "user", "5001", token=AUDITOR_TOKEN)
    assert done.returncode == 2 and recap(done.stdout)["failed"] == 1
    assert "logging out user 5001 failed: the provisioning service at http://127.0.0.1:" in done.stdout
    assert "refused the API token's role (HTTP 403: the role auditor may not do this" in done.stdout
    assert AUDITOR_TOKEN not in done.stdout + done.stderr
    assert logged_in(service)[CISCO_8845] == "5001"


def test_a_logout_without_a_target_is_refused_before_the_service_is_asked(service, phones):
    done = play(service, LOGOUT, "-e", "phonefleet_mobility_logout=desk", "-e", "phonefleet_mobility_target=1")
    assert done.returncode == 2 and "give phonefleet_mobility_logout (phone, user or site)" in done.stdout
    bad_mac = logout(service, "phone", "not-a-mac")
    assert bad_mac.returncode == 2 and "phone: 'not-a-mac' is not a MAC address" in bad_mac.stdout
