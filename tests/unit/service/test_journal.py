"""The request journal: entries buffered by add(), written by flush() in one batch, kept when the database fails."""

from __future__ import annotations

import threading
import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import (
    AUTOPROVISIONED,
    DAY,
    MOBILITY_LOGIN,
    REFUSED,
    REJECTED,
    SERVED,
    UNAUTHORIZED,
    Journal,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import Recognition
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import JOURNAL_COLUMNS

MAC = "805ec0112233"
OTHER = "805ec0445566"
UA = "Yealink SIP-T54W 96.86.0.100 80:5e:c0:11:22:33"


def yealink(file: str = f"{MAC}.cfg", mac: str | None = MAC, evidence=("user-agent",)) -> Recognition:
    return Recognition("yealink", "SIP-T54W", "96.86.0.100", mac, file, "phone", tuple(evidence))


class FlakyStore:
    """A store whose record() fails while ``failing`` is set; everything else is the real store's."""

    def __init__(self, store) -> None:
        self.store = store
        self.failing = True

    def record(self, entries, contacts) -> None:
        if self.failing:
            raise ConnectionError("database gone")
        self.store.record(entries, contacts)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_add_then_flush_writes_journal_rows_and_the_contact(store):
    journal = Journal(store)
    before = time.time()
    journal.add("http", "192.0.2.10", yealink("y000000000123.cfg", evidence=("user-agent", "oui")), "base", 200, UA)
    journal.add("http", "192.0.2.11", yealink(), SERVED, 200, UA, version="v7")
    assert store.journal() == []  # nothing written before the flush
    assert journal.pending == 2
    assert journal.flush() == 2
    assert journal.pending == 0
    assert (journal.stats.flushed, journal.stats.batches, journal.stats.failures) == (2, 1, 0)
    rows = store.journal()
    assert [(row["file"], row["result"], row["ip"]) for row in rows] == [
        (f"{MAC}.cfg", SERVED, "192.0.2.11"),
        ("y000000000123.cfg", "base", "192.0.2.10"),
    ]
    assert rows[1]["evidence"] == "user-agent,oui"
    assert (rows[1]["protocol"], rows[1]["code"], rows[1]["user_agent"], rows[1]["model"]) == (
        "http",
        200,
        UA,
        "SIP-T54W",
    )
    contact = store.contact(MAC)
    assert (contact["vendor"], contact["model"], contact["firmware"], contact["ip"], contact["user_agent"]) == (
        "yealink",
        "SIP-T54W",
        "96.86.0.100",
        "192.0.2.11",
        UA,
    )
    assert before <= contact["first_contact"] <= contact["last_contact"] <= time.time()
    assert contact["first_contact"] == rows[1]["at"] and contact["last_contact"] == rows[0]["at"]
    assert (contact["fetched_version"], contact["fetched_at"]) == ("v7", rows[0]["at"])


def test_flush_with_nothing_pending_writes_nothing(store):
    assert Journal(store).flush() == 0
    assert store.journal() == []


def test_foreign_refused_and_anonymous_requests_are_journaled_but_are_no_contact(store):
    journal = Journal(store)
    journal.add(
        "http", "192.0.2.10", yealink(f"{OTHER}.cfg", evidence=("user-agent", "mac-mismatch")), REFUSED, 403, UA
    )
    journal.add("http", "192.0.2.10", yealink(f"{OTHER}.cfg", evidence=("user-agent", "mac-mismatch")), SERVED, 200, UA)
    journal.add("http", "192.0.2.10", yealink(), UNAUTHORIZED, 401, UA)
    journal.add(
        "http",
        "192.0.2.10",
        Recognition(None, None, None, None, "", "unknown", ("rejected:dotdot",)),
        REJECTED,
        400,
        None,
    )
    journal.add("tftp", "192.0.2.12", yealink("y000000000123.cfg", mac=None), "base", 200, None)
    assert journal.flush() == 5
    assert len(store.journal()) == 5
    assert store.contacts() == {}
    journal.add("tftp", "192.0.2.12", yealink(), AUTOPROVISIONED, 200, None)
    journal.flush()
    assert list(store.contacts()) == [MAC]
    assert store.contact(MAC)["user_agent"] is None


def test_a_long_user_agent_is_cut(store):
    journal = Journal(store)
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, "x" * 2000)
    journal.flush()
    assert len(store.journal()[0]["user_agent"]) == 512
    assert len(store.contact(MAC)["user_agent"]) == 512


def test_a_failing_store_keeps_the_entries_for_the_next_flush(store):
    flaky = FlakyStore(store)
    journal = Journal(flaky)
    journal.add("http", "192.0.2.10", yealink("first.cfg"), SERVED, 200, UA)
    journal.add("http", "192.0.2.10", yealink("second.cfg"), SERVED, 200, UA)
    with pytest.raises(ConnectionError):
        journal.flush()
    assert journal.pending == 2
    assert (journal.stats.flushed, journal.stats.failures) == (0, 1)
    journal.add("http", "192.0.2.10", yealink("third.cfg"), SERVED, 200, UA)  # arrives while the database is gone
    with pytest.raises(ConnectionError):
        journal.flush()
    assert journal.pending == 3 and journal.stats.failures == 2
    flaky.failing = False
    assert journal.flush() == 3
    assert journal.pending == 0
    assert [row["file"] for row in store.journal()] == ["third.cfg", "second.cfg", "first.cfg"]
    assert (journal.stats.flushed, journal.stats.batches) == (3, 1)


def test_flush_purges_entries_older_than_the_retention(store):
    now = time.time()
    old = dict.fromkeys(JOURNAL_COLUMNS)
    old.update(at=now - 3 * DAY, protocol="http", file="old.cfg", result=SERVED, code=200)
    store.record([tuple(old[column] for column in JOURNAL_COLUMNS)], [])
    journal = Journal(store, retention_days=2)
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, UA)
    journal.flush()
    assert [row["file"] for row in store.journal()] == [f"{MAC}.cfg"]


def test_entries_added_from_many_threads_while_flushing_are_all_written(store):
    journal = Journal(store)
    done = threading.Event()

    def add(thread: int) -> None:
        for index in range(2000):
            journal.add("http", f"192.0.2.{thread}", yealink(f"{index}.cfg"), SERVED, 200, UA)

    def flush() -> None:
        while not done.is_set():
            journal.flush()
            time.sleep(0.001)

    flusher = threading.Thread(target=flush)
    flusher.start()
    adders = [threading.Thread(target=add, args=(thread,)) for thread in range(4)]
    for adder in adders:
        adder.start()
    for adder in adders:
        adder.join()
    done.set()
    flusher.join()
    journal.flush()
    assert journal.pending == 0 and journal.stats.flushed == 8000
    assert len(store.journal(limit=10000)) == 8000


def test_only_a_proven_request_moves_the_proven_address_and_a_claimed_one_is_journaled(store):
    journal = Journal(store)
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, UA, proven=True)
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, UA)  # the phone, without proof, from its address
    journal.flush()
    journal.add("http", "127.0.0.5", yealink(), SERVED, 200, UA)  # another machine claiming the phone's MAC
    journal.flush()
    contact = store.contact(MAC)
    assert (contact["proven_ip"], contact["ip"], contact["ip_proven"]) == ("192.0.2.10", "127.0.0.5", 0)
    evidence = [(row["ip"], row["evidence"]) for row in reversed(store.journal())]
    assert evidence == [
        ("192.0.2.10", "user-agent"),
        ("192.0.2.10", "user-agent"),
        ("127.0.0.5", "user-agent,address-unproven"),
    ]
    journal.add("http", "192.0.2.20", yealink(), SERVED, 200, UA, proven=True)  # the phone moved, with proof
    journal.add("http", "192.0.2.20", yealink(), SERVED, 200, UA)  # within the same batch: already known
    journal.flush()
    contact = store.contact(MAC)
    assert (contact["proven_ip"], contact["ip"], contact["ip_proven"]) == ("192.0.2.20", "192.0.2.20", 0)
    assert store.journal(limit=1)[0]["evidence"] == "user-agent"


def test_a_phone_never_proven_is_known_at_its_last_address(store):
    journal = Journal(store)
    journal.add("tftp", "192.0.2.10", yealink(), SERVED, 200, None)
    journal.flush()
    journal.add("tftp", "192.0.2.10", yealink(), SERVED, 200, None)
    journal.add("tftp", "192.0.2.77", yealink(), SERVED, 200, None)
    journal.flush()
    assert [row["evidence"] for row in store.journal()] == ["user-agent,address-unproven", "user-agent", "user-agent"]
    assert store.contact(MAC)["proven_ip"] is None


def test_known_addresses_count_the_requests_not_yet_written(store):
    """A phone is known from its first journaled request (mobility's requester check and re-sync read this), by
    the rules the flush writes its contact with."""
    journal = Journal(store)
    assert journal.known_addresses(store, [MAC]) == {}
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, UA)
    assert store.known_addresses([MAC]) == {}  # nothing written yet ...
    assert journal.known_addresses(store, [MAC, OTHER]) == {MAC: ("192.0.2.10", False)}  # ... and yet known
    # what the API did to the phone, a refused file, another phone's file: no contact of the phone
    journal.add("mobility", "192.0.2.66", yealink(), MOBILITY_LOGIN, 200, UA)
    journal.add("http", "192.0.2.67", yealink(), REFUSED, 403, UA)
    journal.add("http", "192.0.2.68", yealink(mac=OTHER), SERVED, 200, UA)
    assert journal.known_addresses(store, [MAC]) == {MAC: ("192.0.2.10", False)}
    journal.add("http", "192.0.2.20", yealink(), SERVED, 200, UA, proven=True)
    journal.add("http", "192.0.2.30", yealink(), SERVED, 200, UA)  # unproven after a proven one: not its address
    assert journal.known_addresses(store, [MAC]) == {MAC: ("192.0.2.20", True)}
    journal.flush()
    assert journal.known_addresses(store, [MAC]) == store.known_addresses([MAC]) == {MAC: ("192.0.2.20", True)}
    journal.add("http", "192.0.2.40", yealink(), SERVED, 200, UA)  # the proven address in the database holds
    assert journal.known_addresses(store, [MAC]) == {MAC: ("192.0.2.20", True)}


def test_known_addresses_find_a_batch_being_written(store):
    """An entry the flusher took but has not committed is in neither the pending list nor the database: it is
    read from the batch, and a batch committed meanwhile makes the read start again."""
    entered, release = threading.Event(), threading.Event()

    class SlowStore(FlakyStore):
        def record(self, entries, contacts) -> None:
            entered.set()
            release.wait(10)
            self.store.record(entries, contacts)

    slow = SlowStore(store)
    journal = Journal(slow)
    journal.add("http", "192.0.2.10", yealink(), SERVED, 200, UA)
    flusher = threading.Thread(target=journal.flush)
    flusher.start()
    assert entered.wait(10)
    assert journal.pending == 0 and store.known_addresses([MAC]) == {}
    assert journal.known_addresses(store, [MAC]) == {MAC: ("192.0.2.10", False)}
    release.set()
    flusher.join(10)
    assert journal.known_addresses(store, [MAC]) == {MAC: ("192.0.2.10", False)}
