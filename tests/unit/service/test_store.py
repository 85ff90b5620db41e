"""The service's repository layer: the same behaviour on SQLite and on PostgreSQL (``store_url`` runs both).

Each test gets an empty database of its own: an SQLite file in tmp_path, or a PostgreSQL database on the
session's throwaway server (tests/support/postgres.py; skipped when PostgreSQL is not installed).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import (
    CONTACT_COLUMNS,
    JOURNAL_COLUMNS,
    Assignment,
    Store,
    StoreError,
    redact_url,
)

from tests.support.postgres import PASSWORD_ROLE, PASSWORD_ROLE_PASSWORD

MAC_A = "805ec0112233"
MAC_B = "0cd0f8a1b2c3"
POOL = [str(number) for number in range(2001, 2051)]  # 50 numbers


def entry(at: float, mac: str | None = MAC_A, **fields) -> tuple:
    """A journal row (JOURNAL_COLUMNS order): a Yealink fetching its own config, unless ``fields`` say otherwise."""
    row = {
        "at": at,
        "protocol": "http",
        "ip": "192.0.2.10",
        "mac": mac,
        "vendor": "yealink",
        "model": "SIP-T54W",
        "firmware": "96.86.0.100",
        "file": f"{mac}.cfg",
        "result": "served",
        "code": 200,
        "user_agent": "Yealink SIP-T54W 96.86.0.100",
        "evidence": "user-agent",
    }
    row.update(fields)
    return tuple(row[column] for column in JOURNAL_COLUMNS)


def contact(first: float, last: float, mac: str = MAC_A, **fields) -> tuple:
    """A contacts row (CONTACT_COLUMNS order)."""
    row = dict.fromkeys(CONTACT_COLUMNS)
    row.update(mac=mac, first_contact=first, last_contact=last, ip="192.0.2.10")
    row.update(fields)
    return tuple(row[column] for column in CONTACT_COLUMNS)


def credentials(number: str) -> tuple[str, str]:
    return f"Extension {number}", f"u{number}"


# -- opening -----------------------------------------------------------------------------------------


def test_opening_twice_keeps_schema_and_data(store_url):
    first = Store.open(store_url)
    first.record([entry(100.0)], [contact(100.0, 100.0)])
    first.issue_key(MAC_A, "key-1")
    second = Store.open(store_url)  # CREATE ... IF NOT EXISTS while another connection is open
    first.close()
    try:
        assert [row["at"] for row in second.journal()] == [100.0]
        assert list(second.contacts()) == [MAC_A]
        assert second.mac_for_key("key-1") == MAC_A
    finally:
        second.close()
    third = Store.open(store_url)
    assert len(third.journal()) == 1
    third.close()


def test_dialect_and_url_without_password(store):
    assert store.dialect in ("sqlite", "postgresql")
    assert "://" in store.url


# -- journal and contacts ----------------------------------------------------------------------------


def test_record_writes_journal_rows_and_contacts(store):
    store.record(
        [entry(100.0), entry(101.0, file="y000000000123.cfg", result="base")],
        [
            contact(
                100.0, 101.0, vendor="yealink", model="SIP-T54W", firmware="96.86.0.100", user_agent="Yealink SIP-T54W"
            )
        ],
    )
    rows = store.journal()
    assert [(row["at"], row["file"], row["result"]) for row in rows] == [
        (101.0, "y000000000123.cfg", "base"),
        (100.0, f"{MAC_A}.cfg", "served"),
    ]
    assert rows[1] == dict(zip(JOURNAL_COLUMNS, entry(100.0), strict=True))
    assert store.contact(MAC_A) == {
        "mac": MAC_A,
        "vendor": "yealink",
        "model": "SIP-T54W",
        "firmware": "96.86.0.100",
        "ip": "192.0.2.10",
        "user_agent": "Yealink SIP-T54W",
        "first_contact": 100.0,
        "last_contact": 101.0,
        "fetched_version": None,
        "fetched_at": None,
        "ip_proven": None,
        "proven_ip": None,
        "proven_at": None,
    }
    assert store.contacts() == {MAC_A: store.contact(MAC_A)}
    assert store.contact(MAC_B) is None


def test_record_of_nothing_is_fine(store):
    store.record([], [])
    assert store.journal() == [] and store.contacts() == {}


def test_last_contact_only_moves_forward_when_batches_arrive_out_of_order(store):
    # two service workers: the newer batch is flushed first, the older one second
    store.record([entry(200.0)], [contact(190.0, 200.0, ip="192.0.2.20")])
    store.record([entry(150.0)], [contact(100.0, 150.0, ip="192.0.2.15")])
    row = store.contact(MAC_A)
    assert (row["first_contact"], row["last_contact"], row["ip"]) == (100.0, 200.0, "192.0.2.20")
    store.record([entry(300.0)], [contact(300.0, 300.0, ip="192.0.2.30")])
    row = store.contact(MAC_A)
    assert (row["first_contact"], row["last_contact"], row["ip"]) == (100.0, 300.0, "192.0.2.30")


def test_an_unproven_contact_moves_the_last_ip_but_never_the_proven_one(store):
    store.record([], [contact(100.0, 100.0, ip="192.0.2.10", ip_proven=1, proven_ip="192.0.2.10", proven_at=100.0)])
    store.record([], [contact(200.0, 200.0, ip="192.0.2.66", ip_proven=0)])  # a request that only claims the MAC
    row = store.contact(MAC_A)
    assert (row["ip"], row["ip_proven"], row["proven_ip"], row["proven_at"]) == ("192.0.2.66", 0, "192.0.2.10", 100.0)
    assert store.known_addresses([MAC_A, MAC_B]) == {MAC_A: ("192.0.2.10", True)}
    # a proven request moves it; an older proven one flushed later (another worker) does not move it back
    store.record([], [contact(300.0, 300.0, ip="192.0.2.30", ip_proven=1, proven_ip="192.0.2.30", proven_at=300.0)])
    store.record([], [contact(250.0, 250.0, ip="192.0.2.25", ip_proven=1, proven_ip="192.0.2.25", proven_at=250.0)])
    row = store.contact(MAC_A)
    assert (row["ip"], row["ip_proven"], row["proven_ip"], row["proven_at"]) == ("192.0.2.30", 1, "192.0.2.30", 300.0)


def test_a_database_of_an_older_release_gets_the_proof_columns(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        """CREATE TABLE contacts (
        mac TEXT PRIMARY KEY, vendor TEXT, model TEXT, firmware TEXT, ip TEXT, user_agent TEXT,
        first_contact DOUBLE PRECISION NOT NULL, last_contact DOUBLE PRECISION NOT NULL,
        fetched_version TEXT, fetched_at DOUBLE PRECISION)"""
    )
    old.execute(
        "INSERT INTO contacts (mac, ip, first_contact, last_contact) VALUES (?, '192.0.2.9', 1.0, 1.0)", (MAC_A,)
    )
    old.commit()
    old.close()
    store = Store.open(f"sqlite:///{path}")
    try:
        assert store.contact(MAC_A)["ip"] == "192.0.2.9" and store.contact(MAC_A)["proven_ip"] is None
        store.record([], [contact(2.0, 2.0, ip="192.0.2.10", ip_proven=1, proven_ip="192.0.2.10", proven_at=2.0)])
        assert store.contact(MAC_A)["proven_ip"] == "192.0.2.10"
    finally:
        store.close()


def test_fetched_version_follows_the_newest_fetch(store):
    store.record([], [contact(100.0, 200.0, fetched_version="v2", fetched_at=200.0)])
    store.record([], [contact(100.0, 150.0, fetched_version="v1", fetched_at=150.0)])  # older, flushed later
    assert (store.contact(MAC_A)["fetched_version"], store.contact(MAC_A)["fetched_at"]) == ("v2", 200.0)
    store.record([], [contact(300.0, 300.0)])  # a contact without a fetch of its config changes nothing
    assert (store.contact(MAC_A)["fetched_version"], store.contact(MAC_A)["fetched_at"]) == ("v2", 200.0)
    store.record([], [contact(400.0, 400.0, fetched_version="v3", fetched_at=400.0)])
    assert (store.contact(MAC_A)["fetched_version"], store.contact(MAC_A)["fetched_at"]) == ("v3", 400.0)


def test_vendor_model_firmware_are_kept_when_a_later_row_has_none(store):
    store.record(
        [], [contact(100.0, 100.0, vendor="yealink", model="SIP-T54W", firmware="96.86.0.100", user_agent="UA")]
    )
    store.record([], [contact(200.0, 200.0)])  # e.g. a TFTP request: no User-Agent, nothing recognised
    row = store.contact(MAC_A)
    assert (row["vendor"], row["model"], row["firmware"], row["user_agent"]) == (
        "yealink",
        "SIP-T54W",
        "96.86.0.100",
        "UA",
    )
    assert row["last_contact"] == 200.0
    store.record([], [contact(300.0, 300.0, firmware="96.86.0.120")])  # an upgrade is taken
    assert store.contact(MAC_A)["firmware"] == "96.86.0.120"


def test_journal_filters_by_mac_since_and_limit_newest_first(store):
    store.record(
        [
            entry(100.0),
            entry(101.0, mac=MAC_B),
            entry(102.0),
            entry(103.0, mac=MAC_B),
            entry(104.0),
            entry(105.0, mac=None),
        ],
        [],
    )

    def ats(**query) -> list[float]:
        return [row["at"] for row in store.journal(**query)]

    assert ats() == [105.0, 104.0, 103.0, 102.0, 101.0, 100.0]
    assert ats(mac=MAC_A) == [104.0, 102.0, 100.0]
    assert ats(since=103.0) == [105.0, 104.0, 103.0]  # since is inclusive
    assert ats(mac=MAC_B, since=102.0) == [103.0]
    assert ats(limit=2) == [105.0, 104.0]
    assert ats(mac=MAC_A, limit=1) == [104.0]
    assert ats(mac="000000000000") == []


def test_journal_rows_at_the_same_time_come_last_written_first(store):
    store.record([entry(100.0, file="first.cfg"), entry(100.0, file="second.cfg")], [])
    store.record([entry(100.0, file="third.cfg")], [])
    assert [row["file"] for row in store.journal()] == ["third.cfg", "second.cfg", "first.cfg"]


def test_purge_journal_drops_older_rows_only(store):
    store.record([entry(float(at)) for at in (100, 200, 300, 400)], [contact(100.0, 400.0)])
    assert store.purge_journal(300.0) == 2
    assert [row["at"] for row in store.journal()] == [400.0, 300.0]
    assert store.purge_journal(300.0) == 0
    assert store.contact(MAC_A)["first_contact"] == 100.0  # contacts are not the journal


# -- auto-provisioning -------------------------------------------------------------------------------


def test_assign_gives_numbers_in_pool_order_and_the_same_one_again(store):
    first = store.assign(MAC_A, ["2001", "2002", "2003"], credentials)
    assert (first.mac, first.number, first.name, first.username) == (MAC_A, "2001", "Extension 2001", "u2001")
    assert not hasattr(first, "password")  # derived from the fleet's secret wherever needed, never kept
    with store._transaction() as cursor:  # the column of earlier releases (NOT NULL there) holds nothing
        cursor.execute("SELECT password FROM assignments")
        assert cursor.fetchall() == [("",)]
    assert (first.vendor, first.model) == (None, None)
    second = store.assign(MAC_B, ["2001", "2002", "2003"], credentials)
    assert second.number == "2002"
    again = store.assign(MAC_A, ["2003"], credentials)  # whatever the pool says now
    assert again == first
    assert store.assignment(MAC_A) == first
    assert store.assignment("000000000000") is None
    assert [assignment.mac for assignment in store.assignments()] == [MAC_A, MAC_B]


def test_assign_returns_none_when_the_pool_is_full(store):
    assert store.assign(MAC_A, ["2001"], credentials).number == "2001"
    calls = []
    assert store.assign(MAC_B, ["2001"], lambda number: calls.append(number) or credentials(number)) is None
    assert calls == []  # no credentials made for a number that is not given
    assert store.assignment(MAC_B) is None


def test_release_frees_the_number_and_device_is_recorded(store):
    store.assign(MAC_A, POOL, credentials)
    store.set_assignment_device(MAC_A, "yealink", "SIP-T54W")
    assigned = store.assignment(MAC_A)
    assert isinstance(assigned, Assignment) and (assigned.vendor, assigned.model) == ("yealink", "SIP-T54W")
    assert store.release(MAC_A) is True
    assert store.release(MAC_A) is False
    assert store.assignment(MAC_A) is None
    assert store.assign(MAC_B, POOL, credentials).number == POOL[0]


def _assign_from_threads(url: str, macs: list[str], numbers: list[str], ready=None) -> list[tuple[str, str | None]]:
    """Assign every MAC at once, each from a thread with its own Store; ``ready`` also waits for other processes."""
    opened = threading.Barrier(len(macs), action=ready.wait if ready is not None else None, timeout=120)

    def work(mac: str) -> tuple[str, str | None]:
        try:
            store = Store.open(url)  # opening concurrently: the schema is created by whoever comes first
        except BaseException:
            opened.abort()  # the others must not wait for this thread
            raise
        try:
            opened.wait()
            assignment = store.assign(mac, numbers, credentials)
            return mac, assignment.number if assignment else None
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=len(macs)) as pool:
        return list(pool.map(work, macs))


def _assign_in_process(url, macs, numbers, ready, results) -> None:
    results.put(_assign_from_threads(url, macs, numbers, ready))


def _check_distinct(store: Store, results: list[tuple[str, str | None]], macs: list[str]) -> None:
    numbers = [number for _mac, number in results]
    assert None not in numbers
    assert sorted(numbers) == sorted(POOL)  # 50 distinct numbers, every one of the pool
    assert sorted(mac for mac, _number in results) == sorted(macs)
    assert {(assignment.mac, assignment.number) for assignment in store.assignments()} == set(results)
    assert store.assign("ffffffffffff", POOL, credentials) is None  # and now the pool is full


def test_a_database_of_an_older_release_gets_the_new_assignment_columns(store_url):
    older = Store.open(store_url)
    with older._transaction() as cursor:
        for column in ("source", "served_version", "served_at"):
            cursor.execute(f"ALTER TABLE assignments DROP COLUMN {column}")
        cursor.execute(
            "INSERT INTO assignments (mac, number, name, username, password, vendor, model, assigned_at)"
            " VALUES ('0004f2000001', '3000', 'Phone 3000', '3000', 'pw', 'fanvil', 'X6U', 1.0)"
        )
    older.close()
    store = Store.open(store_url)
    try:
        with store._transaction() as cursor:  # the password an earlier release kept is forgotten at open
            cursor.execute("SELECT password FROM assignments")
            assert cursor.fetchall() == [("",)]
        kept = store.assignment("0004f2000001")
        store.assignment_served("0004f2000001", None, None, "abc123")
        served = store.assignment("0004f2000001")
    finally:
        store.close()
    assert (kept.number, kept.source, kept.served_version) == ("3000", None, None)
    assert (served.vendor, served.model, served.served_version) == ("fanvil", "X6U", "abc123")


def test_fifty_concurrent_assignments_from_threads(store_url):
    macs = [f"805ec0{index:06x}" for index in range(50)]
    results = _assign_from_threads(store_url, macs, POOL)
    store = Store.open(store_url)
    try:
        _check_distinct(store, results, macs)
    finally:
        store.close()


def test_fifty_concurrent_assignments_from_processes_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/state.db"
    macs = [f"805ec0{index:06x}" for index in range(50)]
    context = multiprocessing.get_context("spawn")  # no fork of a process that has threads
    ready = context.Barrier(5, timeout=120)
    results = context.Queue()
    processes = [
        context.Process(target=_assign_in_process, args=(url, macs[start : start + 10], POOL, ready, results))
        for start in range(0, 50, 10)
    ]
    for process in processes:
        process.start()
    try:
        collected = [pair for _process in processes for pair in results.get(timeout=120)]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * 5
    store = Store.open(url)
    try:
        _check_distinct(store, [tuple(pair) for pair in collected], macs)
    finally:
        store.close()


# -- access keys -------------------------------------------------------------------------------------


def test_issue_key_replaces_the_old_key_at_once(store):
    assert store.access_keys() == {} and store.mac_for_key("key-1") is None
    store.issue_key(MAC_A, "key-1")
    store.issue_key(MAC_B, "key-b")
    assert store.mac_for_key("key-1") == MAC_A
    store.issue_key(MAC_A, "key-2")
    assert store.mac_for_key("key-1") is None
    assert store.mac_for_key("key-2") == MAC_A
    assert store.access_keys() == {MAC_A: "key-2", MAC_B: "key-b"}


# -- errors ------------------------------------------------------------------------------------------

SECRET = "s3cret-pass"


def test_unknown_scheme_is_refused_without_the_password():
    with pytest.raises(StoreError, match=r"use sqlite:///<file> or postgresql://") as caught:
        Store.open(f"mysql://u:{SECRET}@db.example/fleet")
    assert SECRET not in str(caught.value)
    assert "mysql://u:***@db.example/fleet" in str(caught.value)


def test_unparsable_url_is_refused_without_the_password():
    with pytest.raises(StoreError, match="Invalid IPv6 URL") as caught:
        Store.open(f"postgresql://u:{SECRET}@[::1/fleet")
    assert SECRET not in str(caught.value)


def test_sqlite_url_without_a_file_is_refused():
    with pytest.raises(StoreError, match="names no file"):
        Store.open("sqlite://")


def test_sqlite_file_that_cannot_be_opened(tmp_path):
    with pytest.raises(StoreError, match=r"database sqlite:///.*/missing/state\.db: unable to open"):
        Store.open(f"sqlite:///{tmp_path}/missing/state.db")


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"postgresql://u:{SECRET}@/db?host=/nonexistent", id="unreachable"),
        pytest.param(f"postgres://u:{SECRET}@/db?host=/nonexistent", id="unreachable-short-scheme"),
        pytest.param(f"postgresql://u@/db?host=/nonexistent&password={SECRET}", id="password-in-query"),
        pytest.param("postgresql://u:s3cret pass@/db?host=/nonexistent", id="space-in-password"),
        pytest.param("postgresql://u:s3cret%zzpass@/db?host=/nonexistent", id="bad-percent-escape"),
        pytest.param(f"postgresql://u:{SECRET}@/db?host=/nonexistent&bogus=1", id="unknown-option"),
    ],
)
def test_postgresql_connection_errors_never_show_the_password(url):
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert message.startswith("database postgresql://") or message.startswith("database postgres://")
    for secret in (SECRET, "s3cret pass", "s3cret%zzpass", "s3cret"):
        assert secret not in message


def test_postgresql_wrong_password(postgres_server, postgres_schema):
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        Store.open(postgres_server.url(user=PASSWORD_ROLE, password=SECRET, schema=postgres_schema))
    assert SECRET not in str(caught.value)
    assert f"{PASSWORD_ROLE}:***@" in str(caught.value)


def test_postgresql_schema_creation_refused_then_allowed(postgres_server, postgres_schema):
    url = postgres_server.url(user=PASSWORD_ROLE, password=PASSWORD_ROLE_PASSWORD, schema=postgres_schema)
    with pytest.raises(StoreError, match="schema") as caught:  # the role may not create tables there
        Store.open(url)
    assert PASSWORD_ROLE_PASSWORD not in str(caught.value)
    postgres_server.execute(
        f'GRANT USAGE, CREATE ON SCHEMA "{postgres_schema}" TO {PASSWORD_ROLE}', database=postgres_server.database
    )
    store = Store.open(url)
    try:
        assert store.journal() == []
        assert PASSWORD_ROLE_PASSWORD not in store.url
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://u:pw@host:5432/db", "postgresql://u:***@host:5432/db"),
        ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u@/db?host=/run/pg&password=pw", "postgresql://u@/db?host=/run/pg&password=***"),
        ("postgresql://u@host/db", "postgresql://u@host/db"),
        ("sqlite:////var/lib/phonefleet/state.db", "sqlite:////var/lib/phonefleet/state.db"),
    ],
)
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted
