"""The served log (issue 10, point 7): versions served are on disk before the answer, rotated by the journal's
flush, replayed at start from the logs of processes that are gone (once, never back in time)."""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import threading
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import served_log
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import SERVED, Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import Recognition
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.served_log import (
    ServedLog,
    ServedLogError,
    parse,
    replay,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (
    ServiceSettings,
    SettingsError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store

from tests.support.service import served_lines

MAC = "805ec0112233"
OTHER = "805ec0445566"
UA = "Yealink SIP-T54W 96.86.0.100"
ADDS = 10000  # served phones in the race of adds and flushes


def phone(mac: str) -> Recognition:
    return Recognition("yealink", "SIP-T54W", "96.86.0.100", mac, f"{mac}.cfg", "phone", ("user-agent",))


def dead_process_log(folder: Path, text: bytes, name: str = "served-4242-deadbeef-1.log") -> Path:
    """A log as a process killed with SIGKILL leaves it: nobody holds its lock."""
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    path.write_bytes(text)
    return path


def test_the_lines_of_a_dead_process_become_fetched_versions_and_a_torn_line_is_ignored(store, tmp_path):
    folder = tmp_path / "served"
    log = dead_process_log(
        folder,
        b"1700000000.000001 805ec0112233 a1b2c3d4e5f6\n"
        b"1700000001.500000 805ec0445566 0f0f0f0f0f0f\n"
        b"junk that no log writes\n"
        b"1700000002.000000 0cd0f8a1b2c3 abcdef",  # killed mid-write: no newline
    )
    assert replay(str(folder), store) == 2
    assert store.fetched_versions() == {MAC: "a1b2c3d4e5f6", OTHER: "0f0f0f0f0f0f"}
    contact = store.contact(MAC)
    assert (contact["fetched_at"], contact["first_contact"], contact["ip"]) == (
        1700000000.000001,
        1700000000.000001,
        None,
    )
    assert not log.exists() and list(folder.iterdir()) == []  # claimed, replayed, deleted
    assert replay(str(folder), store) == 0


def test_a_replayed_line_never_moves_a_fetched_version_back_and_the_journal_fills_the_address(store, tmp_path):
    journal = Journal(store)
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="new")
    journal.flush()
    older = store.contact(MAC)["fetched_at"] - 60
    dead_process_log(tmp_path / "served", f"{older:.6f} {MAC} old\n{older:.6f} {OTHER} v1\n".encode())
    assert replay(str(tmp_path / "served"), store) == 2
    assert store.fetched_versions() == {MAC: "new", OTHER: "v1"}  # an older line, replayed late, changes nothing
    store.record_fetched([(OTHER, "v1", older)])  # twice: the same
    assert store.fetched_versions() == {MAC: "new", OTHER: "v1"}
    # the journal of another worker, older than the replayed line, still gives the row its address
    journal.add("http", "192.0.2.12", phone(OTHER), SERVED, 200, UA)
    journal._pending[-1] = (older - 60, *journal._pending[-1][1:])
    journal.flush()
    assert (store.contact(OTHER)["ip"], store.contact(OTHER)["fetched_version"]) == ("192.0.2.12", "v1")


def test_a_live_process_log_is_left_alone(store, tmp_path):
    folder = tmp_path / "served"
    live = ServedLog(str(folder))  # another process's, as far as flock can tell (its own open file)
    journal = Journal(store)
    journal.log_served(live, {})
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    assert replay(str(folder), store) == 0
    assert [line[1:] for line in served_lines(folder)] == [[MAC, "v7"]]
    assert store.fetched_versions() == {}
    journal.close()


def test_only_a_version_the_database_may_not_have_is_written_ahead(store, tmp_path):
    folder = tmp_path / "served"
    journal = Journal(store)
    journal.log_served(ServedLog(str(folder)), {OTHER: "v7"})  # the database has OTHER's v7
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")  # again: no line
    journal.add("http", "192.0.2.12", phone(OTHER), SERVED, 200, UA, version="v7")
    journal.add("http", "192.0.2.12", phone(OTHER), SERVED, 200, UA, version="v8")  # a new version
    journal.add("http", "192.0.2.13", phone(None), "base", 200, UA)
    assert [line[1:] for line in served_lines(folder)] == [[MAC, "v7"], [OTHER, "v8"]]
    journal.flush()
    assert served_lines(folder) == []  # in the database now: the file is gone
    journal.close()
    assert list(folder.iterdir()) == []  # a clean stop leaves no empty file


def test_after_a_publish_a_version_served_before_is_written_ahead_again(store, tmp_path):
    """A revert publishes a version the phone was served before, while the database may hold a newer one (another
    worker served it): this process's memory of what is durable must not skip the line."""
    folder = tmp_path / "served"
    journal = Journal(store)
    journal.log_served(ServedLog(str(folder)), {MAC: "v7"})
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    assert served_lines(folder) == []  # the database has it
    journal.new_publish()
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    assert [line[1:] for line in served_lines(folder)] == [[MAC, "v7"]]
    journal.flush()
    journal.close()


def test_a_full_disk_costs_the_line_not_the_answer_and_the_next_fetch_tries_again(store, tmp_path, monkeypatch):
    folder = tmp_path / "served"
    journal = Journal(store)
    journal.log_served(ServedLog(str(folder)), {})

    def full(_descriptor, _data):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(served_log.os, "write", full)
        journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")  # no exception: answered
    assert journal.pending == 1 and served_lines(folder) == []
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    assert [line[1:] for line in served_lines(folder)] == [[MAC, "v7"]]
    journal.flush()
    journal.close()


def test_a_failed_flush_keeps_the_lines_until_a_flush_writes_their_entries(store, tmp_path):
    class Failing:
        def __init__(self) -> None:
            self.failing = True

        def record(self, entries, contacts) -> None:
            if self.failing:
                raise ConnectionError("database gone")
            store.record(entries, contacts)

        def __getattr__(self, name):
            return getattr(store, name)

    folder = tmp_path / "served"
    flaky = Failing()
    journal = Journal(flaky)
    journal.log_served(ServedLog(str(folder)), {})
    journal.add("http", "192.0.2.11", phone(MAC), SERVED, 200, UA, version="v7")
    with pytest.raises(ConnectionError):
        journal.flush()
    journal.add("http", "192.0.2.12", phone(OTHER), SERVED, 200, UA, version="v7")
    with pytest.raises(ConnectionError):
        journal.flush()
    assert sorted(line[1] for line in served_lines(folder)) == [MAC, OTHER]  # two files switched from, both kept
    flaky.failing = False
    assert journal.flush() == 2
    assert served_lines(folder) == [] and store.fetched_versions() == {MAC: "v7", OTHER: "v7"}
    journal.close()


def test_no_entry_added_during_flushes_is_lost_from_both_the_log_and_the_database(tmp_path):
    """At any moment (a kill could come at any), every version whose add() returned is in a log file on disk
    or in the database: adds race flushes that switch files, fail and retry, in other threads."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store, reader = Store.open(url), Store.open(url)
    folder = tmp_path / "served"
    flaky = random.Random(7)

    class Flaky:
        def record(self, entries, contacts) -> None:
            if flaky.random() < 0.3:
                raise ConnectionError("database gone")
            store.record(entries, contacts)

        def __getattr__(self, name):
            return getattr(store, name)

    journal = Journal(Flaky())
    journal.log_served(ServedLog(str(folder)), {})
    added: list[str] = []
    stop = threading.Event()

    def add() -> None:
        try:
            for index in range(ADDS):
                mac = f"0c383e{index:06x}"
                journal.add("http", "192.0.2.11", phone(mac), SERVED, 200, UA, version="v1")
                added.append(mac)
        finally:
            stop.set()

    def flush() -> None:
        while not stop.is_set():
            try:
                journal.flush()
            except ConnectionError:
                pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    threads = [threading.Thread(target=add), threading.Thread(target=flush)]
    try:
        for thread in threads:
            thread.start()
        checks = 0
        while not stop.is_set() or checks == 0:
            returned = set(added)
            on_disk = _macs_now(folder)  # the files first: one deleted after this was
            in_database = set(reader.fetched_versions())  # committed before it went, so it is read here
            lost = returned - on_disk - in_database
            assert not lost, f"{len(lost)} served versions neither on disk nor in the database"
            checks += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(interval)
    while journal.pending:
        try:
            journal.flush()
        except ConnectionError:
            pass
    assert len(reader.fetched_versions()) == ADDS and served_lines(folder) == []
    journal.close()
    store.close()
    reader.close()


def _macs_now(folder: Path) -> set[str]:
    """The MACs of the whole lines (as replay reads them: one being written is not yet whole) of the files there
    now; a file deleted between the listing and its reading is skipped."""
    macs = set()
    for name in os.listdir(folder):
        try:
            data = (folder / name).read_bytes()
        except FileNotFoundError:
            continue
        macs |= {mac for mac, _version, _at in parse(data)}
    return macs


def _replay_in_process(url: str, folder: str, start, counts) -> None:
    store = Store.open(url)
    try:
        start.wait()
        counts.put(replay(folder, store))
    finally:
        store.close()


def test_processes_starting_together_replay_each_line_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    Store.open(url).close()
    folder = tmp_path / "served"
    for process in range(20):
        lines = "".join(
            f"17000000{process:02d}.000000 0c383e{process:02x}{line:04x} v{process}\n" for line in range(50)
        )
        dead_process_log(folder, lines.encode(), f"served-{1000 + process}-cafe-1.log")
    context = multiprocessing.get_context("spawn")
    start, counts = context.Event(), context.Queue()
    workers = [
        context.Process(target=_replay_in_process, args=(url, str(folder), start, counts)) for _worker in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    replayed = [counts.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(replayed) == 1000, replayed  # every line once, by one of them
    store = Store.open(url)
    try:
        assert len(store.fetched_versions()) == 1000
    finally:
        store.close()
    assert list(folder.iterdir()) == []


def test_a_file_replayed_by_another_process_between_its_opening_and_its_lock_is_not_replayed_again(
    store, tmp_path, monkeypatch
):
    """The window flock alone leaves: a starting process opens a dead process's file, another claims, replays
    and deletes it before the first takes the lock (which it then gets): the rename it cannot do stops it."""
    folder = tmp_path / "served"
    dead_process_log(folder, f"1700000000.5 {MAC} v1\n".encode())
    real_flock = served_log.fcntl.flock
    others: list[int] = []

    def flock_after_another_process(descriptor, operation):
        if not others:
            others.append(0)
            others[0] = replay(str(folder), store)  # the other process, at this very moment
        return real_flock(descriptor, operation)

    monkeypatch.setattr(served_log.fcntl, "flock", flock_after_another_process)
    assert (replay(str(folder), store), others) == (0, [1])
    assert list(folder.iterdir()) == []


def test_the_folder_is_made_private_and_one_others_could_write_is_refused(tmp_path):
    ServedLog(str(tmp_path / "new" / "served")).close()
    assert (tmp_path / "new" / "served").stat().st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(ServedLogError, match="writable by others"):
        ServedLog(str(shared))
    (tmp_path / "file").write_text("")
    with pytest.raises(ServedLogError, match=r"not a folder|cannot be created"):
        ServedLog(str(tmp_path / "file"))


def test_the_service_refuses_a_folder_others_could_write_naming_the_setting(tmp_path):
    from phonefleet_service.app import Service

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    settings = ServiceSettings(web_root=str(tmp_path), database_url="sqlite://:memory:", served_log_dir=str(shared))
    with pytest.raises(SettingsError, match=r"^served_log_dir: .*shared: writable by others"):
        Service(settings)


def test_the_default_folder_is_tied_to_the_database():
    assert ServiceSettings(database_url="sqlite:////var/lib/phonefleet/state.db").served_log_path() == (
        "/var/lib/phonefleet/state.db-served"
    )
    assert ServiceSettings(database_url="sqlite:///state.db").served_log_path() == "state.db-served"
    assert ServiceSettings(database_url="sqlite://:memory:").served_log_path() is None
    one = ServiceSettings(database_url="postgresql://fleet:secret@db/one").served_log_path()
    assert one == ServiceSettings(database_url="postgresql://fleet:other@db/one").served_log_path()  # password aside
    assert one != ServiceSettings(database_url="postgresql://fleet:secret@db/two").served_log_path()
    assert one.startswith("phonefleet-served-") and "secret" not in one
    chosen = ServiceSettings(database_url="postgresql://db/one", served_log_dir="/var/lib/phonefleet/served")
    assert chosen.served_log_path() == "/var/lib/phonefleet/served"


def test_a_served_log_dir_that_is_a_file_is_refused_naming_the_field(tmp_path):
    (tmp_path / "file").write_text("")
    settings = ServiceSettings(web_root=str(tmp_path), served_log_dir=str(tmp_path / "file"))
    with pytest.raises(SettingsError, match=r"served_log_dir .* is not a folder"):
        settings.check("service.yml")
