# Private to this collection: mobility sessions and failed logins, in the provisioning service's database.
"""The mobility tables on the provisioning store's database layer (``service/store.py``: URLs, dialects,
transactions), in the same database as the journal, so every worker and every server sees one set of sessions.

``mobility_sessions``: one row per logged-in phone (MAC, the user's number and name, started, expires, who
started it, the version of the config rendered for it last); a number is logged in on one phone at most (UNIQUE),
a phone holds one user at most (PRIMARY KEY). ``mobility_failures``: wrong PINs counted per number and per phone
(``kind`` ``number`` or ``phone``), and until when further tries are refused. No PIN is kept, not even hashed:
the hashes are the fleet's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import cast

from ..service.store import Store

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS mobility_sessions (
        mac TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL,
        started DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION, started_by TEXT NOT NULL, version TEXT)""",
    """CREATE TABLE IF NOT EXISTS mobility_failures (
        kind TEXT NOT NULL, key TEXT NOT NULL, failures INTEGER NOT NULL, locked_until DOUBLE PRECISION,
        PRIMARY KEY (kind, key))""",
)
_SESSION_COLUMNS = "mac, number, user_name, started, expires, started_by, version"


@dataclass(frozen=True)
class Session:
    mac: str
    number: str
    user_name: str
    started: float
    expires: float | None  # None: no maximum length
    started_by: str  # "phone", or "api:<token name>"
    version: str | None = None  # the config version rendered for the phone when it was last told to re-sync


class MobilityStore(Store):
    """Sessions and failed logins. Use ``MobilityStore.open(url)``; one lock for the threads that share it."""

    def __init__(self, connection, dialect: str, url: str) -> None:
        self.lock = threading.RLock()
        super().__init__(connection, dialect, url)

    def _rows(self, statement: str, params: tuple = ()) -> list:
        # every read is a transaction on the one connection the event loop, the re-sync thread and the checker
        # share (Store.known_addresses included): two at once fail with "cannot start a transaction within a
        # transaction"
        with self.lock:
            return super()._rows(statement, params)

    @classmethod
    def open(cls, url: str) -> MobilityStore:
        return cast(MobilityStore, super().open(url))  # Store.open makes a ``cls``

    def _create(self) -> None:
        with self._transaction(immediate=True) as cursor:
            for statement in _SCHEMA:
                cursor.execute(statement)

    def _select(self, where: str = "", params: tuple = ()) -> list[Session]:
        with self.lock:
            rows = self._rows(f"SELECT {_SESSION_COLUMNS} FROM mobility_sessions {where}", params)  # noqa: S608
        return [Session(*row) for row in rows]

    # -- sessions ----------------------------------------------------------------------------------

    def sessions(self) -> list[Session]:
        return sorted(self._select(), key=lambda session: session.mac)

    def session(self, mac: str) -> Session | None:
        found = self._select("WHERE mac = ?", (mac,))
        return found[0] if found else None

    def start(self, session: Session) -> list[Session]:
        """Log ``session`` in, in one transaction: the user's session on another phone and the phone's session
        of another user end first; returns those ended (their phones get their own config back)."""
        with self.lock, self._transaction(immediate=True) as cursor:
            cursor.execute(
                self._sql(f"SELECT {_SESSION_COLUMNS} FROM mobility_sessions WHERE number = ? OR mac = ?"),  # noqa: S608
                (session.number, session.mac),
            )
            ended = [Session(*row) for row in cursor.fetchall()]
            cursor.execute(
                self._sql("DELETE FROM mobility_sessions WHERE number = ? OR mac = ?"), (session.number, session.mac)
            )
            cursor.execute(
                self._sql(f"INSERT INTO mobility_sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"),  # noqa: S608
                (
                    session.mac,
                    session.number,
                    session.user_name,
                    session.started,
                    session.expires,
                    session.started_by,
                    session.version,
                ),
            )
        return ended

    def end(self, where: str, params: tuple) -> list[Session]:
        """End the sessions ``where`` selects (a condition on the columns); returns those this call ended (a
        session another worker ended at the same moment is not returned twice)."""
        ended = []
        with self.lock, self._transaction(immediate=True) as cursor:
            cursor.execute(self._sql(f"SELECT {_SESSION_COLUMNS} FROM mobility_sessions WHERE {where}"), params)  # noqa: S608
            for row in cursor.fetchall():
                cursor.execute(self._sql("DELETE FROM mobility_sessions WHERE mac = ?"), (row[0],))
                ended.append(Session(*row))
        return ended

    def set_version(self, mac: str, number: str, before: str | None, after: str) -> bool:
        """Record that the phone was re-synced for config ``after``; False when another worker did first (or the
        session is gone): only the one that changes the row tells the phone."""
        with self.lock, self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE mobility_sessions SET version = ? WHERE mac = ? AND number = ?"
                    " AND (version = ? OR (version IS NULL AND ? IS NULL))"
                ),
                (after, mac, number, before, before),
            )
            return cursor.rowcount == 1

    # -- failed logins -----------------------------------------------------------------------------

    def reserve(
        self, keys: list[tuple[str, str]], now: float, limit: int, lock_seconds: float
    ) -> list[tuple[str, str]] | None:
        """Count a PIN check about to run as a wrong one against each of ``keys`` (kind, key), in one transaction
        with the check that none is locked: None, counting nothing, when one is locked until after ``now``. Else
        the keys this check locks (those reaching ``limit``, locked for ``lock_seconds`` with their count started
        again), if its PIN turns out wrong; a right PIN is forgiven (``forgive``) and lifts them. Counted before
        the check, so concurrent checks cannot all pass the lock while the slow hash runs: at most ``limit`` per
        key run before it is locked."""
        with self.lock, self._transaction(immediate=True) as cursor:
            counts = []
            for kind, key in keys:
                cursor.execute(
                    self._sql("SELECT failures, locked_until FROM mobility_failures WHERE kind = ? AND key = ?"),
                    (kind, key),
                )
                row = cursor.fetchone()
                if row is not None and row[1] is not None and row[1] > now:
                    return None
                counts.append(row[0] if row is not None else None)
            locked = []
            for (kind, key), before in zip(keys, counts, strict=True):
                failures = (before or 0) + 1
                until = now + lock_seconds if failures >= limit else None
                if before is None:
                    cursor.execute(
                        self._sql(
                            "INSERT INTO mobility_failures (kind, key, failures, locked_until) VALUES (?, ?, ?, ?)"
                        ),
                        (kind, key, 0 if until else failures, until),
                    )
                else:
                    cursor.execute(
                        self._sql(
                            "UPDATE mobility_failures SET failures = ?, locked_until = COALESCE(?, locked_until)"
                            " WHERE kind = ? AND key = ?"
                        ),
                        (0 if until else failures, until, kind, key),
                    )
                if until is not None:
                    locked.append((kind, key))
        return locked

    def take_back(self, keys: list[tuple[str, str]], locked: list[tuple[str, str]], limit: int) -> None:
        """Take back a try ``reserve`` counted whose PIN was never checked (every check slot busy): its count goes
        down by one, and a lock it set (``locked``) is lifted with the count one short of ``limit`` again."""
        with self.lock, self._transaction() as cursor:
            for kind, key in keys:
                if (kind, key) in locked:
                    cursor.execute(
                        self._sql(
                            "UPDATE mobility_failures SET failures = ?, locked_until = NULL WHERE kind = ? AND key = ?"
                        ),
                        (max(limit - 1, 0), kind, key),
                    )
                else:
                    cursor.execute(
                        self._sql(
                            "UPDATE mobility_failures SET failures = failures - 1"
                            " WHERE kind = ? AND key = ? AND failures > 0"
                        ),
                        (kind, key),
                    )

    def forgive(self, keys: list[tuple[str, str]]) -> None:
        """A right PIN: the wrong ones counted against ``keys`` are forgotten."""
        with self.lock, self._transaction() as cursor:
            for kind, key in keys:
                cursor.execute(self._sql("DELETE FROM mobility_failures WHERE kind = ? AND key = ?"), (kind, key))
