"""The mobility engine's caches, shared by the event loop (phones' requests, the API) and the thread that
expires sessions and follows publishes: both hammer them at once, and neither ever sees what the other's
interleaving would make wrong (a config rendered for another publish, a session read before a login kept
after it)."""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from types import SimpleNamespace

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.engine import (
    MobilityEngine,
    MobilityPolicy,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.store import MobilityStore, Session
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot

from tests.support.service import published_site

#: the demo's Cisco 8845 (office profile: mobility allowed) and Ivan Petrov, a demo mobility user
CISCO_8845, NUMBER = "0cd0f8a1b2c3", "5001"
ROUNDS = 300


@pytest.fixture
def fast_switching():
    """Threads switch every few microseconds, so an unguarded interleaving shows within a few hundred rounds."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The demo fleet as the service holds it after a publish (its secrets in clear, as in the bundle)."""
    return PublishedRoot(str(published_site(tmp_path_factory.mktemp("caches")))).snapshot().fleet


def publish_named(fleet, shown: str):
    """A stand-in for one publish (the engine reads only its fleet): ``fleet`` with Ivan's lines shown as ``shown``."""
    users = []
    for user in fleet.mobility_users:
        if user.number == NUMBER:
            user = dataclasses.replace(
                user, lines=[dataclasses.replace(line, display_name=shown) for line in user.lines]
            )
        users.append(user)
    return SimpleNamespace(fleet=dataclasses.replace(fleet, mobility_users=users))


def engine_on(store=None) -> MobilityEngine:
    return MobilityEngine(store, None, None, MobilityPolicy(check_interval=60.0), lambda _mac, _snapshot: None)


def hammer(*loops) -> list[BaseException]:
    """Run the loops in threads, started together; what they raised."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(loops))

    def run(loop):
        try:
            start.wait()
            loop()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(loop,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return failures


@pytest.mark.usefixtures("fast_switching")
def test_a_config_is_always_the_render_of_the_publish_it_is_asked_for(published):
    engine = engine_on()
    day, night = publish_named(published, "Ivan Day Shift"), publish_named(published, "Ivan Night Shift")

    def ask(snapshot, shown: str, other: str):
        def loop():
            for _round in range(ROUNDS):
                files = engine._config(snapshot, CISCO_8845, NUMBER).files
                text = b"".join(files.values())
                assert shown.encode() in text and other.encode() not in text, "a config of another publish"
                time.sleep(0)  # the other thread runs now, as another request would

        return loop

    # the event loop asks for one publish while the check thread follows the next one, and back
    assert (
        hammer(ask(day, "Ivan Day Shift", "Ivan Night Shift"), ask(night, "Ivan Night Shift", "Ivan Day Shift")) == []
    )


def test_a_session_read_before_a_login_never_hides_it(tmp_path):
    """The check thread reads the sessions, a login on the event loop changes them and reads them again, then the
    check thread keeps what it read: without one step for read-and-keep the worker would not see the login."""
    read_done, logged_in = threading.Event(), threading.Event()

    class CheckThreadReadsSlowly(MobilityStore):
        def sessions(self):
            found = super().sessions()
            if threading.current_thread().name == "check":
                read_done.set()
                logged_in.wait(0.5)  # a guarded engine makes the login wait for this read instead: no deadlock
            return found

    store = CheckThreadReadsSlowly.open(f"sqlite:///{tmp_path / 'state.db'}")
    engine = engine_on(store)
    store.start(Session(CISCO_8845, "5002", "Anna Smirnova", time.time(), None, "phone"))
    check = threading.Thread(target=lambda: engine.session(CISCO_8845), name="check")  # its first read
    check.start()
    try:
        assert read_done.wait(10)
        ivan = Session(CISCO_8845, NUMBER, "Ivan Petrov", time.time(), None, "phone")
        engine._change(lambda: store.start(ivan), ivan)  # what a login does: the worker keeps it at once
        logged_in.set()
        check.join(10)
        seen = engine.session(CISCO_8845)
        assert seen is not None and seen.number == NUMBER, f"the login is hidden by an older read: {seen}"
    finally:
        logged_in.set()
        check.join(10)
        store.close()


def test_two_logins_on_one_phone_are_kept_in_the_order_the_store_made_them(tmp_path):
    """The first login's change is made, the second's is made before the first is kept: without one step for
    change-and-keep the worker would keep the first user, whom the store already logged out, and serve his config."""
    committed, second_done = threading.Event(), threading.Event()

    class FirstLoginKeptSlowly(MobilityStore):
        def start(self, session):
            ended = super().start(session)
            if threading.current_thread().name == "first":
                committed.set()
                second_done.wait(0.5)  # a guarded engine makes the second login wait for this one instead
            return ended

    store = FirstLoginKeptSlowly.open(f"sqlite:///{tmp_path / 'state.db'}")
    engine = engine_on(store)
    assert engine.session(CISCO_8845) is None  # read once: the worker keeps its copy for check_interval (60 s)
    anna = Session(CISCO_8845, "5002", "Anna Smirnova", time.time(), None, "phone")
    ivan = Session(CISCO_8845, NUMBER, "Ivan Petrov", time.time(), None, "phone")
    first = threading.Thread(target=lambda: engine._change(lambda: store.start(anna), anna), name="first")
    second = threading.Thread(target=lambda: engine._change(lambda: store.start(ivan), ivan), name="second")
    first.start()
    try:
        assert committed.wait(10)
        second.start()
        second.join(10)
        second_done.set()
        first.join(10)
        assert store.session(CISCO_8845).number == NUMBER
        seen = engine.session(CISCO_8845)
        assert seen is not None and seen.number == NUMBER, f"the worker keeps a session the store ended: {seen}"
    finally:
        second_done.set()
        first.join(10)
        store.close()
