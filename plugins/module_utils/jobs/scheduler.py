# Private to this collection: the job service's schedule tables and the loop that fires schedules.
"""Schedules stored, and fired once each.

Tables, beside the jobs store's: ``schedules`` (one row per schedule, its answers hold no secret) and
``schedule_runs`` (one row per due time a scheduler handled, primary key (schedule, due_at)). Several
schedulers (workers, processes, servers on one PostgreSQL) may look at the same due time: each *claims* it by
inserting its row, in one transaction; the database keeps one, so only the scheduler whose insert made the row
launches the job. A due time found later than ``grace_seconds`` (the service was down) is claimed as
``missed``, with the time, and never run: a run late by hours could upgrade firmware in office hours.

What the scheduler does is in the journal of user actions as the schedule's doing (``schedule:<name>``, source
``scheduler``, with the schedule's owner: who last made or changed it): a ``launch`` line like a user's,
``schedule_missed`` and ``schedule_error``. Only the scheduler whose claim made the run's row writes it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..access.journal import SCHEDULER, Journal
from ..service.store import _add_columns
from .catalogue import LaunchError
from .manager import JobManager
from .model import LaunchOptions, launch_detail
from .schedules import ERROR, LAUNCHED, MISSED, Calendar, Schedule, run_times
from .store import JobStore

LOG = logging.getLogger("phonefleet.jobs.scheduler")
#: due times handled in one tick at most per schedule (a long downtime reports its latest misses)
MAX_DUE_PER_TICK = 100

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS schedules (
        name TEXT PRIMARY KEY, playbook TEXT NOT NULL, job_limit TEXT NOT NULL, check_mode INTEGER NOT NULL,
        diff_mode INTEGER NOT NULL, verbosity INTEGER NOT NULL, answers TEXT NOT NULL, cron TEXT NOT NULL,
        day_group TEXT NOT NULL, skip_holidays INTEGER NOT NULL, enabled INTEGER NOT NULL,
        since DOUBLE PRECISION NOT NULL, owner TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS schedule_runs (
        schedule TEXT NOT NULL, due_at DOUBLE PRECISION NOT NULL, state TEXT NOT NULL, job_id BIGINT,
        recorded_at DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (schedule, due_at))""",
)
_COLUMNS = (
    "name, playbook, job_limit, check_mode, diff_mode, verbosity, answers, cron, day_group, skip_holidays, enabled,"
    " since, owner"
)
#: columns a schedules table made by an earlier release lacks
_ADDED_COLUMNS = (("owner", "TEXT NOT NULL DEFAULT ''"),)


@dataclass(frozen=True)
class ScheduleRun:
    schedule: str
    due_at: float
    state: str  # schedules.LAUNCHED, MISSED or ERROR
    job_id: int | None
    recorded_at: float
    reason: str


def _schedule(row) -> Schedule:
    options = LaunchOptions(row[1], row[2], bool(row[3]), bool(row[4]), row[5], json.loads(row[6]))
    return Schedule(row[0], options, row[7], row[8], bool(row[9]), bool(row[10]), row[11], row[12])


class ScheduleStore:
    """The schedule tables, in the jobs store's database (its connection, lock and transactions)."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        with store.lock, store._transaction(immediate=True) as cursor:  # pylint: disable=protected-access
            for statement in _SCHEMA:
                cursor.execute(statement)
            _add_columns(cursor, "schedules", _ADDED_COLUMNS)

    def _execute(self, statement: str, params: tuple = ()) -> list:
        store = self.store
        with store.lock, store._transaction() as cursor:  # pylint: disable=protected-access
            cursor.execute(store._sql(statement), params)  # pylint: disable=protected-access
            return cursor.fetchall() if cursor.description else []

    def put(self, schedule: Schedule) -> Schedule:
        """Create or replace ``schedule`` (its ``since``: now, so a changed calendar counts from now)."""
        options = schedule.options
        row = (
            schedule.name, options.playbook, options.limit, int(options.check), int(options.diff), options.verbosity,
            json.dumps(options.answers), schedule.cron, schedule.days, int(schedule.skip_holidays),
            int(schedule.enabled), schedule.since or time.time(), schedule.owner,
        )  # fmt: skip
        self._execute(
            f"""INSERT INTO schedules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET playbook = excluded.playbook, job_limit = excluded.job_limit,
            check_mode = excluded.check_mode, diff_mode = excluded.diff_mode, verbosity = excluded.verbosity,
            answers = excluded.answers, cron = excluded.cron, day_group = excluded.day_group,
            skip_holidays = excluded.skip_holidays, enabled = excluded.enabled, since = excluded.since,
            owner = excluded.owner""",  # noqa: S608
            row,
        )
        return self.get(schedule.name)

    def get(self, name: str) -> Schedule:
        rows = self._execute(f"SELECT {_COLUMNS} FROM schedules WHERE name = ?", (name,))  # noqa: S608
        if not rows:
            raise KeyError(name)
        return _schedule(rows[0])

    def all(self) -> list[Schedule]:
        return [_schedule(row) for row in self._execute(f"SELECT {_COLUMNS} FROM schedules ORDER BY name")]  # noqa: S608

    def delete(self, name: str) -> None:
        self._execute("DELETE FROM schedules WHERE name = ?", (name,))

    def set_enabled(self, name: str, enabled: bool, now: float) -> Schedule:
        """Enable (due times count from ``now``: what fell while disabled is not missed) or disable."""
        self._execute("UPDATE schedules SET enabled = ?, since = ? WHERE name = ?", (int(enabled), now, name))
        return self.get(name)

    def claim(self, name: str, due_at: float, state: str, now: float, reason: str = "") -> bool:
        """Record the run of ``name`` due at ``due_at``; False if a scheduler recorded it already."""
        rows = self._execute(
            """INSERT INTO schedule_runs (schedule, due_at, state, job_id, recorded_at, reason)
            VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT (schedule, due_at) DO NOTHING RETURNING due_at""",
            (name, due_at, state, now, reason),
        )
        return bool(rows)

    def record(self, name: str, due_at: float, state: str, job_id: int | None, reason: str) -> None:
        self._execute(
            "UPDATE schedule_runs SET state = ?, job_id = ?, reason = ? WHERE schedule = ? AND due_at = ?",
            (state, job_id, reason, name, due_at),
        )

    def last_due(self, name: str) -> float | None:
        rows = self._execute("SELECT MAX(due_at) FROM schedule_runs WHERE schedule = ?", (name,))
        return rows[0][0] if rows else None

    def runs(self, name: str, limit: int = 50) -> list[ScheduleRun]:
        """The latest runs of ``name``, newest first."""
        rows = self._execute(
            """SELECT schedule, due_at, state, job_id, recorded_at, reason FROM schedule_runs WHERE schedule = ?
            ORDER BY due_at DESC LIMIT ?""",
            (name, limit),
        )
        return [ScheduleRun(*row) for row in rows]


class Scheduler:
    """Fires due schedules through the manager, as the API launches (``launched_by`` = ``schedule:<name>``).

    ``calendar`` is called at every tick (the fleet's settings may change); ``clock`` gives the time (tests
    move it). ``tick`` does one round; ``start`` runs it every ``interval`` seconds in a thread. ``journal``
    gets a line for each run this scheduler recorded (launched, missed, error)."""

    def __init__(
        self,
        schedules: ScheduleStore,
        manager: JobManager,
        calendar: Callable[[], Calendar],
        clock: Callable[[], float] = time.time,
        grace_seconds: float = 120.0,
        interval: float = 15.0,
        journal: Journal | None = None,
    ) -> None:
        self.schedules = schedules
        self.manager = manager
        self.calendar = calendar
        self.clock = clock
        self.grace_seconds = grace_seconds
        self.interval = interval
        self.journal = journal
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="jobs-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # pylint: disable=broad-exception-caught  # the loop must outlive a bad calendar
                LOG.exception("the scheduler's round failed")
            self._stop.wait(self.interval)

    def tick(self) -> list[ScheduleRun]:
        """Handle every due time up to now of every enabled schedule; the runs this scheduler recorded."""
        now = self.clock()
        enabled = [schedule for schedule in self.schedules.all() if schedule.enabled]
        if not enabled:
            # the calendar reads the fleet's files (a big fleet's phones too when no file has a calendar): not at
            # every interval of a service with no schedule (docs/jobs.md, Performance)
            return []
        calendar = self.calendar()
        recorded: list[ScheduleRun] = []
        for schedule in enabled:
            start = max(schedule.since, self.schedules.last_due(schedule.name) or 0.0)
            due = run_times(
                schedule,
                calendar,
                dt.datetime.fromtimestamp(start, dt.UTC),
                MAX_DUE_PER_TICK,
                until=dt.datetime.fromtimestamp(now, dt.UTC),
            )
            for moment in due:
                run = self._fire(schedule, moment.timestamp(), now)
                if run is not None:
                    self._journal(schedule, run)
                    recorded.append(run)
        return recorded

    def _journal(self, schedule: Schedule, run: ScheduleRun) -> None:
        if self.journal is None:
            return
        detail = {
            "schedule": schedule.name,
            "owner": schedule.owner,
            "due_at": dt.datetime.fromtimestamp(run.due_at, dt.UTC).isoformat(),
        }
        actor = f"schedule:{schedule.name}"
        if run.state == LAUNCHED:
            detail.update(launch_detail(schedule.options))
            self.journal.record(actor, "launch", SCHEDULER, f"job:{run.job_id}", detail)
        else:
            action = "schedule_missed" if run.state == MISSED else "schedule_error"
            self.journal.record(actor, action, SCHEDULER, f"schedule:{schedule.name}", {**detail, "reason": run.reason})

    def _fire(self, schedule: Schedule, due_at: float, now: float) -> ScheduleRun | None:
        name = schedule.name
        if now - due_at > self.grace_seconds:
            late = dt.datetime.fromtimestamp(due_at, dt.UTC).isoformat()
            reason = f"not run: the job service was not running at {late} (found {now - due_at:.0f} s late)"
            if not self.schedules.claim(name, due_at, MISSED, now, reason):
                return None
            LOG.warning("schedule %s: %s", name, reason)
            return ScheduleRun(name, due_at, MISSED, None, now, reason)
        if not self.schedules.claim(name, due_at, LAUNCHED, now):
            return None  # another scheduler has it
        try:
            # validated again, as the API validates a launch: the playbook's survey may have changed since
            stored = schedule.options
            options, secrets = self.manager.catalogue.launch_options(
                stored.playbook, stored.limit, stored.check, stored.diff, stored.verbosity, stored.answers
            )
            job = self.manager.launch(options, secrets, launched_by=f"schedule:{name}")
        except LaunchError as exc:
            self.schedules.record(name, due_at, ERROR, None, str(exc))
            return ScheduleRun(name, due_at, ERROR, None, now, str(exc))
        self.schedules.record(name, due_at, LAUNCHED, job.id, "")
        return ScheduleRun(name, due_at, LAUNCHED, job.id, now, "")
