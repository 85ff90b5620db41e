"""A phone that did not take a mobility re-sync is told again (resync.py): a logged-out user's lines must not
stay on it until its next periodic check; a newer change of the same phone replaces the older one's retries.
What waits is bounded: one entry per phone, a cap, no publish kept alive; due retries are not starved."""

from __future__ import annotations

import threading
import time

from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.resync import Resyncer


class ScriptedPhones(Resyncer):
    """The queue and its retries as the service runs them; what each phone answers is scripted (the control
    core's sending is tested with simulated phones in test_phones_walk)."""

    def __init__(self, answers: dict[str, list[str]], retry_delays: tuple[float, ...]) -> None:
        super().__init__(store=None, journal=None, sip_user=lambda mac: None, retry_delays=retry_delays)  # type: ignore[arg-type]
        self.answers = answers
        self.sent: list[tuple[str, object]] = []
        self.changed = threading.Condition()
        self.release = threading.Event()  # what a phone scripted "hold" waits for before it answers

    def send(self, mac, snapshot) -> dict:
        with self.changed:
            self.sent.append((mac, snapshot))
            self.changed.notify_all()
        script = self.answers[mac]
        status = script.pop(0) if script else request.SENT
        if status == "raise":
            raise OSError("control socket")
        if status == "hold":
            assert self.release.wait(5)
            status = request.SENT
        return {"status": status}

    def wait_sent(self, count: int, timeout: float = 5.0) -> list[tuple[str, object]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.sent) >= count, timeout), self.sent
            return list(self.sent)


def test_a_phone_that_did_not_take_the_resync_is_told_again_until_it_does():
    phones = ScriptedPhones({"aa": [request.FAILED, "raise", request.SENT]}, retry_delays=(0.05, 0.05, 0.05))
    phones.start()
    try:
        phones.submit("aa", "logout")
        assert phones.wait_sent(3) == [("aa", "logout")] * 3
        time.sleep(0.3)
        assert len(phones.sent) == 3, "told again after it took the re-sync"
    finally:
        phones.stop()


def test_retries_end_after_the_last_delay_and_unsupported_is_not_retried():
    phones = ScriptedPhones({"aa": [request.FAILED] * 10, "bb": [request.UNSUPPORTED]}, retry_delays=(0.05, 0.05))
    phones.start()
    try:
        phones.submit("aa", "login")
        phones.submit("bb", "login")
        phones.wait_sent(4)
        time.sleep(0.3)
        assert sorted(mac for mac, _snapshot in phones.sent) == ["aa", "aa", "aa", "bb"]
    finally:
        phones.stop()


def test_a_newer_change_of_the_phone_replaces_the_older_ones_retries():
    phones = ScriptedPhones({"aa": [request.FAILED, request.SENT]}, retry_delays=(0.3,))
    phones.start()
    try:
        phones.submit("aa", "login")
        phones.wait_sent(1)
        phones.submit("aa", "logout")  # before the login's retry is due
        phones.wait_sent(2)
        time.sleep(0.6)
        assert phones.sent == [("aa", "login"), ("aa", "logout")], "the older change was sent again"
    finally:
        phones.stop()


def test_changes_of_a_phone_queued_together_are_sent_once_with_the_newest_snapshot():
    phones = ScriptedPhones({"busy": ["hold"], "aa": []}, retry_delays=())
    phones.start()
    try:
        phones.submit("busy", "publish-1")
        phones.wait_sent(1)
        for change in ("login", "logout", "login-again"):
            phones.submit("aa", change)
        phones.release.set()
        phones.wait_sent(2)
        time.sleep(0.2)
        assert phones.sent == [("busy", "publish-1"), ("aa", "login-again")]
    finally:
        phones.stop()


def test_a_retry_that_is_due_goes_before_new_phones_and_reads_the_newest_snapshot():
    phones = ScriptedPhones({"aa": [request.FAILED], "busy": ["hold"], "new": []}, retry_delays=(0.05,))
    phones.start()
    try:
        phones.submit("aa", "publish-1")
        phones.wait_sent(1)
        phones.submit("busy", "publish-2")
        phones.wait_sent(2)
        phones.submit("new", "publish-2")
        time.sleep(0.2)  # aa's retry is due while the busy phone is still being told
        phones.release.set()
        assert phones.wait_sent(4)[2:] == [("aa", "publish-2"), ("new", "publish-2")]
    finally:
        phones.stop()


def test_phones_past_the_cap_are_dropped_and_logged(caplog):
    phones = ScriptedPhones({"busy": ["hold"]}, retry_delays=())
    phones.max_pending = 2
    phones.start()
    try:
        phones.submit("busy", "publish")
        phones.wait_sent(1)
        for mac in ("aa", "bb", "cc", "aa"):
            phones.submit(mac, "publish")
        phones.release.set()
        phones.wait_sent(3)
        time.sleep(0.2)
        assert sorted(mac for mac, _snapshot in phones.sent) == ["aa", "bb", "busy"]
        assert "re-sync of cc dropped: 2 phones wait already" in caplog.text
    finally:
        phones.release.set()
        phones.stop()
