# Private to this collection: the tables of users, their tokens and their actions, in SQLite or PostgreSQL.
"""The users' tables on the provisioning store's database layer (``service/store.py``: URL, dialects,
transactions): ``job_users`` and ``job_user_tokens`` (users.py), ``job_user_actions`` (journal.py).

The job service's store (``jobs/store.py``) is this store with its jobs' tables added; the provisioning service
opens this one alone (its ``users_database_url``), so it reads the same users whether or not the job service
ever ran: the tables are created if absent. Their names begin with ``job_`` because the job service made them
first; renaming them would orphan the users of existing databases. Every method takes the store's lock: the
HTTP handlers and the threads that check passwords share one connection.
"""

from __future__ import annotations

import threading
from typing import cast

from ..service.store import Store

SCHEMA = (
    # users.py: people and programs, their hashed passwords and tokens
    """CREATE TABLE IF NOT EXISTS job_users (
        name TEXT PRIMARY KEY, full_name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
        password_hash TEXT NOT NULL, disabled INTEGER NOT NULL, created_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS job_user_tokens (
        id {serial} PRIMARY KEY, username TEXT NOT NULL, description TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
        created_at DOUBLE PRECISION NOT NULL, created_by TEXT NOT NULL)""",
    # journal.py: who did what, when, from where
    """CREATE TABLE IF NOT EXISTS job_user_actions (
        id {serial} PRIMARY KEY, at DOUBLE PRECISION NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL,
        source TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS job_user_actions_at ON job_user_actions (at, id)",
)


class AccessStore(Store):
    """Users, tokens and the journal of user actions. Use ``AccessStore.open(url)`` (the URLs of ``Store.open``)."""

    #: the statements that create this store's tables ({serial}: the dialect's auto-numbered key)
    schema: tuple[str, ...] = SCHEMA

    def __init__(self, connection, dialect: str, url: str) -> None:
        super().__init__(connection, dialect, url)
        self.lock = threading.RLock()

    @classmethod
    def open(cls, url: str) -> AccessStore:
        return cast(AccessStore, super().open(url))  # Store.open makes a ``cls``

    def _create(self) -> None:
        serial = "INTEGER" if self.dialect == "sqlite" else "BIGSERIAL"
        with self._transaction(immediate=True) as cursor:
            for statement in self.schema:
                cursor.execute(statement.format(serial=serial))

    def _write(self, statement: str, params: tuple = ()) -> None:
        with self.lock, self._transaction() as cursor:
            cursor.execute(self._sql(statement), params)

    def _read(self, statement: str, params: tuple = ()) -> list:
        with self.lock:
            return self._rows(statement, params)

    # the users and the journal (users.py, journal.py) keep their rows in this database through these
    write = _write
    read = _read
