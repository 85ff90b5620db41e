# Private to this collection: the job service's state (jobs, their events), in SQLite or PostgreSQL.
"""The jobs store: the provisioning store's database layer (``service/store.py``: URL, dialects, transactions)
with the job service's own tables, in its own database or beside the provisioning tables in the same one.

Tables: ``jobs`` (one row per launch; its stored answers hold no secret), ``job_events`` (runner's events,
``counter`` as runner numbered them, secrets scrubbed before they get here), ``job_users`` and
``job_user_tokens`` and ``job_user_actions`` (the users' tables: access/store.py) and ``job_webhook_deliveries``
(webhooks.py: one row per attempt to deliver a job's end to a webhook). Standard output is the events'
``stdout`` in counter order, as AWX keeps it. Every method takes the store's lock: the HTTP handlers, the event
writer and the job threads share one connection.
"""

from __future__ import annotations

import json
import time
from typing import cast

from ..access.store import AccessStore
from .model import PENDING, RUNNING, Job, LaunchOptions

_JOB_COLUMNS = (
    "id, playbook, job_limit, check_mode, diff_mode, verbosity, answers, secret_variables, state, created_at,"
    " started_at, finished_at, rc, reason, relaunch_of, launched_by, event_count"
)
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS jobs (
        id {serial} PRIMARY KEY, playbook TEXT NOT NULL, job_limit TEXT NOT NULL, check_mode INTEGER NOT NULL,
        diff_mode INTEGER NOT NULL, verbosity INTEGER NOT NULL, answers TEXT NOT NULL,
        secret_variables TEXT NOT NULL, state TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
        started_at DOUBLE PRECISION, finished_at DOUBLE PRECISION, rc INTEGER, reason TEXT NOT NULL,
        relaunch_of BIGINT, launched_by TEXT NOT NULL, event_count INTEGER NOT NULL, pid INTEGER)""",
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id)",
    """CREATE TABLE IF NOT EXISTS job_events (
        job_id BIGINT NOT NULL, counter INTEGER NOT NULL, event TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
        stdout TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (job_id, counter))""",
    # webhooks.py: each attempt to deliver a job's end (its url without credentials; its error without secrets)
    """CREATE TABLE IF NOT EXISTS job_webhook_deliveries (
        delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, job_id BIGINT NOT NULL, webhook TEXT NOT NULL,
        url TEXT NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL, due_at DOUBLE PRECISION NOT NULL,
        sent_at DOUBLE PRECISION, status_code INTEGER, error TEXT NOT NULL, duration DOUBLE PRECISION,
        PRIMARY KEY (delivery_id, attempt))""",
    "CREATE INDEX IF NOT EXISTS job_webhook_deliveries_job ON job_webhook_deliveries (job_id)",
    "CREATE INDEX IF NOT EXISTS job_webhook_deliveries_state ON job_webhook_deliveries (state)",
)


def _job(row) -> Job:
    options = LaunchOptions(
        playbook=row[1],
        limit=row[2],
        check=bool(row[3]),
        diff=bool(row[4]),
        verbosity=row[5],
        answers=json.loads(row[6]),
        secret_variables=tuple(json.loads(row[7])),
    )
    return Job(
        id=row[0],
        options=options,
        state=row[8],
        created_at=row[9],
        started_at=row[10],
        finished_at=row[11],
        rc=row[12],
        reason=row[13],
        relaunch_of=row[14],
        launched_by=row[15],
        event_count=row[16],
    )


class JobStore(AccessStore):
    """Jobs and their events, beside the users' tables. Use ``JobStore.open(url)`` (the URLs of ``Store.open``)."""

    schema = (*_SCHEMA, *AccessStore.schema)

    @classmethod
    def open(cls, url: str) -> JobStore:
        return cast(JobStore, super().open(url))  # Store.open makes a ``cls``

    # -- jobs --------------------------------------------------------------------------------------

    def add_job(self, options: LaunchOptions, launched_by: str, relaunch_of: int | None = None) -> Job:
        row = (
            options.playbook,
            options.limit,
            int(options.check),
            int(options.diff),
            options.verbosity,
            json.dumps(options.answers),
            json.dumps(list(options.secret_variables)),
            PENDING,
            time.time(),
            "",
            relaunch_of,
            launched_by,
            0,
        )
        with self.lock, self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    """INSERT INTO jobs (playbook, job_limit, check_mode, diff_mode, verbosity, answers,
                    secret_variables, state, created_at, reason, relaunch_of, launched_by, event_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""
                ),
                row,
            )
            job_id = cursor.fetchone()[0]
        return self.job(job_id)

    def job(self, job_id: int) -> Job:
        rows = self._read(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))  # noqa: S608 - our columns
        if not rows:
            raise KeyError(job_id)
        return _job(rows[0])

    def jobs(self, state: str | None = None, offset: int = 0, limit: int = 50) -> tuple[list[Job], int]:
        """A page of jobs, newest first, and how many there are in all."""
        # the statements are put together of constants: the state is a parameter
        where, params = ("WHERE state = ?", (state,)) if state else ("", ())
        total = self._read(f"SELECT COUNT(*) FROM jobs {where}", params)[0][0]  # noqa: S608
        page = f"SELECT {_JOB_COLUMNS} FROM jobs {where} ORDER BY id DESC LIMIT ? OFFSET ?"  # noqa: S608
        rows = self._read(page, (*params, limit, offset))
        return [_job(row) for row in rows], total

    def mark_running(self, job_id: int) -> None:
        self._write(
            "UPDATE jobs SET state = ?, started_at = ? WHERE id = ? AND state = ?",
            (RUNNING, time.time(), job_id, PENDING),
        )

    def set_pid(self, job_id: int, pid: int) -> None:
        self._write("UPDATE jobs SET pid = ? WHERE id = ?", (pid, job_id))

    def finish(self, job_id: int, state: str, rc: int | None, reason: str) -> None:
        """End a job (once: a finished job keeps its first end)."""
        self._write(
            "UPDATE jobs SET state = ?, finished_at = ?, rc = ?, reason = ? WHERE id = ? AND state IN (?, ?)",
            (state, time.time(), rc, reason, job_id, PENDING, RUNNING),
        )

    def unfinished(self) -> list[tuple[Job, int | None]]:
        """Jobs pending or running, with the process id of a running one (what a restart must end)."""
        statement = f"SELECT {_JOB_COLUMNS}, pid FROM jobs WHERE state IN (?, ?) ORDER BY id"  # noqa: S608
        rows = self._read(statement, (PENDING, RUNNING))
        return [(_job(row), row[-1]) for row in rows]

    # -- events ------------------------------------------------------------------------------------

    def add_events(self, job_id: int, events: list[dict]) -> None:
        """Store runner events (already scrubbed); an event seen twice (same counter) is kept once."""
        rows = [
            (
                job_id,
                event["counter"],
                event.get("event", ""),
                event.get("created_time", time.time()),
                event.get("stdout", ""),
                json.dumps(event),
            )
            for event in events
        ]
        if not rows:
            return
        # event_count grows by the rows this batch added, counted in the batch's counter range before and after
        # the insert (a repeat adds none): counting all the job's events instead costs a scan of them per batch,
        # and a writer keeping pace with a live job stores small batches, so a long job's storing slowed with
        # its length (tests/bench/bench_jobs.py; docs/jobs.md, Performance)
        in_range = self._sql("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND counter BETWEEN ? AND ?")
        span = (job_id, min(row[1] for row in rows), max(row[1] for row in rows))
        with self.lock, self._transaction() as cursor:
            cursor.execute(in_range, span)
            before = cursor.fetchone()[0]
            cursor.executemany(
                self._sql(
                    """INSERT INTO job_events (job_id, counter, event, created, stdout, data)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, counter) DO NOTHING"""
                ),
                rows,
            )
            cursor.execute(in_range, span)
            added = cursor.fetchone()[0] - before
            cursor.execute(self._sql("UPDATE jobs SET event_count = event_count + ? WHERE id = ?"), (added, job_id))

    def events(self, job_id: int, after: int = 0, limit: int = 100) -> list[dict]:
        """Events with a counter above ``after``, in order, at most ``limit``."""
        rows = self._read(
            "SELECT data FROM job_events WHERE job_id = ? AND counter > ? ORDER BY counter LIMIT ?",
            (job_id, after, limit),
        )
        return [json.loads(row[0]) for row in rows]

    def stdout_lines(self, job_id: int, offset: int = 0, limit: int = 1000) -> tuple[list[str], int]:
        """Lines ``offset`` .. ``offset + limit`` of the job's output, and how many lines it has."""
        rows = self._read("SELECT stdout FROM job_events WHERE job_id = ? ORDER BY counter", (job_id,))
        lines = [line for row in rows if row[0] for line in row[0].splitlines()]
        return lines[offset : offset + limit], len(lines)
