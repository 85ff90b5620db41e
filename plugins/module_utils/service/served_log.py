# Private to this collection: the write-ahead file of the config versions a process served.
"""The served log: what a phone's status depends on, on disk before the answer leaves, without a database write.

The journal reaches the database in batches (``journal.py``); a ``kill -9`` loses the last batch. A phone's
status hangs on the config version it was served, so a process appends one line per phone served a version
the database may not have yet (``<time> <mac> <version>``: no secret) to its own log file, with one
``os.write`` on an ``O_APPEND`` descriptor: a few microseconds, no thread hand-off, no commit. No fsync: the
threat is the process being killed, and what it wrote is in the kernel's page cache, which outlives it (a
crash of the machine can lose the last lines, as it can lose SQLite's last commits with synchronous=NORMAL).

Rotation (:meth:`ServedLog.rotate`, by the journal's flush): the flush switches to a new file before it takes
its batch, and deletes the old files once that batch is committed; so a line lives on disk until its journal
entry does. At start, :func:`replay` claims the logs of processes that are gone and writes their lines into
the contacts (``Store.record_fetched``: never back in time, so replaying a line twice changes nothing).

A process holds an exclusive ``flock`` on each of its files for as long as it has them (the kernel drops it
when the process dies, however it dies): a file nobody holds a lock on belongs to a process that is gone. A
starting process takes that lock, then renames the file to claim it (one rename wins among processes starting
together), replays it and deletes it. A new file is made under a name no claimer looks at and locked before
it gets its real name, so a starting process never takes a live process's new file for a dead one's.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import threading

LOG = logging.getLogger("phonefleet.service")

#: the names of log files (``served-<pid>-<random>-<n>.log``) and of claimed ones (``served-....claimed-<pid>``)
PREFIX = "served-"
_LINE = re.compile(rb"(\d+\.\d+) ([0-9a-f]{12}) (\S{1,128})\Z")


class ServedLogError(OSError):
    """The served log's folder cannot be used (the message names the folder)."""


def prepare_directory(path: str) -> None:
    """Create ``path`` (0700) if missing; refuse one that is not a folder of this user, private to it (another
    user who can write into it could make phones look up to date)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        status = os.stat(path)
    except OSError as exc:
        raise ServedLogError(f"{path}: cannot be created: {exc.strerror}") from None
    if not os.path.isdir(path):
        raise ServedLogError(f"{path}: not a folder")
    if status.st_uid != os.geteuid():
        raise ServedLogError(f"{path}: belongs to another user (uid {status.st_uid})")
    if status.st_mode & 0o022:
        raise ServedLogError(f"{path}: writable by others (mode {status.st_mode & 0o777:04o}); make it 0700")


class ServedLog:
    """This process's served log. :meth:`append` from any thread; :meth:`rotate` and :meth:`committed` from
    the journal's flush only (under its lock)."""

    def __init__(self, directory: str) -> None:
        prepare_directory(directory)
        self.directory = directory
        self._name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}-"
        self._sequence = 0
        #: held by append() across the line and the journal entry it goes with, and by rotate() for the switch
        self.lock = threading.Lock()
        self._current = self._open()
        self._lines = 0  # lines in the current file
        self._retired: list[tuple[int, str]] = []  # switched from, deleted once their entries are in the database
        self._failing = False  # the last append failed (said once)

    def _open(self) -> tuple[int, str]:
        """A new file, locked, under its real name (made as ``.new-...``, which no claimer looks at)."""
        self._sequence += 1
        path = os.path.join(self.directory, f"{self._name}{self._sequence}.log")
        hidden = os.path.join(self.directory, f".new-{self._name}{self._sequence}")
        descriptor = os.open(hidden, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(hidden, path)
        except OSError:
            os.close(descriptor)
            raise
        return descriptor, path

    def append(self, mac: str, version: str, at: float) -> bool:
        """One line, one write (the caller holds :attr:`lock`, see Journal.add); False when the disk refused
        it (full, failing: said once until a line goes in again), and the phone is answered all the same."""
        try:
            os.write(self._current[0], f"{at:.6f} {mac} {version}\n".encode())
        except OSError as exc:
            if not self._failing:
                self._failing = True
                LOG.error(
                    "served log: cannot write to %s (%s): statuses rely on the journal alone", self.directory, exc
                )
            return False
        self._failing = False
        self._lines += 1
        return True

    def rotate(self) -> None:
        """Switch to a new file when the current one has lines (the caller then takes its batch)."""
        if not self._lines:
            return
        try:
            fresh = self._open()  # made outside the lock: appends wait only for the switch
        except OSError as exc:  # the lines stay in the current file, longer than needed: the flush goes on
            LOG.error("served log: cannot make a new file in %s (%s)", self.directory, exc)
            return
        with self.lock:
            old, self._current, self._lines = self._current, fresh, 0
        self._retired.append(old)  # no line goes into it any more; locked until deleted

    def committed(self) -> None:
        """Every entry of the retired files' lines is in the database: delete them."""
        for descriptor, path in self._retired:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            os.close(descriptor)
        self._retired.clear()

    def close(self) -> None:
        """At a clean stop, after the journal's last flush: the current file goes if it is empty (else it
        stays, for the next start to replay), the retired ones stay (their entries were not written)."""
        descriptor, path = self._current
        if not self._lines:
            os.unlink(path)
        os.close(descriptor)
        for descriptor, _path in self._retired:
            os.close(descriptor)
        self._retired.clear()


def replay(directory: str, store) -> int:
    """Claim the logs of processes that are gone, write their lines into ``store``'s contacts, delete them;
    returns how many lines. A file a live process holds is left alone; a torn last line is ignored."""
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return 0
    replayed = 0
    for name in names:
        if not name.startswith(PREFIX):
            continue
        path = os.path.join(directory, name)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:  # claimed by another process meanwhile
            continue
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # its process is alive (or another is replaying it)
                continue
            claimed = os.path.join(directory, f"{name.split('.', 1)[0]}.claimed-{os.getpid()}")
            try:
                os.rename(path, claimed)  # one claimer wins; the others find the name gone
            except FileNotFoundError:
                continue
            fetched = parse(_read(descriptor))
            store.record_fetched(fetched)  # on an error the claimed file stays, for the next start
            os.unlink(claimed)
            replayed += len(fetched)
        finally:
            os.close(descriptor)
    if replayed:
        LOG.info("served log: %d version(s) served by processes that are gone written into the contacts", replayed)
    return replayed


def _read(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def parse(data: bytes) -> list[tuple[str, str, float]]:
    """``(mac, version, at)`` of each whole line; a line without its newline (torn by a kill) or not of the
    form a log writes is skipped."""
    fetched = []
    for line in data.split(b"\n")[:-1]:  # the last piece has no newline: empty, or torn
        match = _LINE.match(line)
        if match:
            fetched.append((match[2].decode(), match[3].decode("ascii", "replace"), float(match[1])))
    return fetched
