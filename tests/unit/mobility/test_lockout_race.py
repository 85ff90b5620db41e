"""Wrong-PIN lockout under concurrent guesses: a PIN check takes tens of milliseconds (argon2id, one per core at
once), so guesses sent together used to all pass the lock check before the first one was counted. Each try is
now counted in one step with that check: at most ``max_failures`` PINs are checked per number and per phone."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.engine import (
    LOCKED,
    WRONG_PIN,
    LoginRefused,
    MobilityEngine,
    MobilityPolicy,
    Requester,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.store import MobilityStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot

from tests.support.service import published_site

#: the demo's Cisco 8845 (office profile: mobility allowed) and Ivan Petrov, a demo mobility user (PIN 4711)
CISCO_8845, NUMBER, PIN = "0cd0f8a1b2c3", "5001", "4711"
GUESSES = 40  # anyio's worker threads: as many checks as the service runs at once


class Journaled:
    def __init__(self) -> None:
        self.rows: list[tuple[str, tuple]] = []

    def add(self, protocol, ip, recognition, result, code, user_agent, *args, **kwargs) -> None:
        self.rows.append((result, recognition.evidence))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = PublishedRoot(str(published_site(tmp_path_factory.mktemp("lockout"))))
    root.snapshot()  # loaded, as the service does before it answers
    return root


@pytest.fixture
def engine(published, tmp_path):
    store = MobilityStore.open(f"sqlite:///{tmp_path}/mobility.db")
    policy = MobilityPolicy(max_failures=5, lockout_seconds=900.0, check_interval=60.0)
    return MobilityEngine(store, Journaled(), published, policy, lambda _mac, _snapshot: None)  # type: ignore[arg-type]


def try_pin(engine: MobilityEngine, pin: str) -> str:
    try:
        engine.login(CISCO_8845, NUMBER, pin, Requester("192.0.2.66"))
    except LoginRefused as refused:
        return refused.reason
    return "logged-in"


def test_concurrent_wrong_pins_check_at_most_max_failures_then_lock(engine):
    outcomes: list[str] = []
    together = threading.Barrier(GUESSES)

    def guess(pin: str) -> None:
        together.wait()
        outcomes.append(try_pin(engine, pin))

    threads = [threading.Thread(target=guess, args=(f"{9000 + n:04d}",)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counter(outcomes) == {WRONG_PIN: 5, LOCKED: GUESSES - 5}
    locked = [evidence for result, evidence in engine.journal.rows if result == "mobility-locked"]
    assert sorted(locked) == [(f"number:{NUMBER}",), (f"phone:{CISCO_8845}",)]
    assert try_pin(engine, PIN) == LOCKED, "the right PIN passed the lock"


def test_a_right_pin_on_the_last_try_logs_in_and_forgets_the_wrong_ones(engine):
    assert [try_pin(engine, "0000") for _try in range(4)] == [WRONG_PIN] * 4
    assert try_pin(engine, PIN) == "logged-in"  # counted before the check as the 5th, then forgiven
    assert [try_pin(engine, "0000") for _try in range(4)] == [WRONG_PIN] * 4
    assert not [row for row in engine.journal.rows if row[0] == "mobility-locked"]


def test_an_unknown_number_costs_a_pin_check_as_a_known_one_does(engine, monkeypatch):
    """The screen says "Wrong number or PIN." either way; the time must not tell which numbers exist either."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility import engine as engine_module

    checked: list[str] = []
    real_verify = engine_module.verify_pin

    def counted(pin: str, pin_hash: str) -> bool:
        checked.append(pin_hash)
        return real_verify(pin, pin_hash)

    monkeypatch.setattr(engine_module, "verify_pin", counted)
    with pytest.raises(LoginRefused) as refused:
        engine.login(CISCO_8845, "5999", PIN, Requester("192.0.2.66"))  # no such number; the PIN of another user
    assert refused.value.reason != "logged-in" and len(checked) == 1
    assert checked[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$"), "the decoy costs less than a user's hash"
    assert try_pin(engine, "0000") == WRONG_PIN and len(checked) == 2
