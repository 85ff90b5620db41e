"""A phone that did not take a mobility re-sync is told again (resync.py): a logged-out user's lines must not
stay on it until its next periodic check; a newer change of the same phone replaces the older one's retries."""

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

    def send(self, mac, snapshot) -> dict:
        with self.changed:
            self.sent.append((mac, snapshot))
            self.changed.notify_all()
        script = self.answers[mac]
        status = script.pop(0) if script else request.SENT
        if status == "raise":
            raise OSError("control socket")
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
