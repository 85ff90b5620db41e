"""Schedules: next run times (cron, day groups, holidays, time zone, DST), the claim, missed runs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import LaunchError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import JobManager
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import LaunchOptions
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.scheduler import Scheduler, ScheduleStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.schedules import (
    Calendar,
    Schedule,
    ScheduleError,
    calendar_of,
    checked_schedule,
    run_times,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

from tests.unit.jobs.support import catalogue_with_test_playbooks, job_settings

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CALENDAR = calendar_of({"calendar": {"timezone": "Europe/Berlin", "holidays": ["2026-03-30", "2026-12-31"]}})


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BERLIN)


def times(cron: str, after: dt.datetime, count: int, days: str = "", skip_holidays: bool = True) -> list[str]:
    schedule = Schedule("night", LaunchOptions("validate"), cron, days, skip_holidays)
    return [moment.astimezone(BERLIN).isoformat() for moment in run_times(schedule, CALENDAR, after, count)]


def test_workdays_skip_the_weekend_and_the_holidays_in_the_fleets_time_zone():
    # Thursday 26 March 2026; 28/29 are a weekend, 30 a holiday
    assert times("30 2 * * *", local(2026, 3, 26), 3, days="workdays") == [
        "2026-03-26T02:30:00+01:00",
        "2026-03-27T02:30:00+01:00",
        "2026-03-31T02:30:00+02:00",
    ]
    assert times("0 9 * * *", local(2026, 3, 26), 2, days="weekends") == [
        "2026-03-28T09:00:00+01:00",
        "2026-03-29T09:00:00+02:00",
    ]
    assert times("0 9 * * *", local(2026, 3, 29, 12), 1, skip_holidays=False) == ["2026-03-30T09:00:00+02:00"]


def test_a_time_the_spring_change_skips_runs_right_after_the_gap_once():
    # 29 March 2026 02:30 does not exist in Berlin (02:00 -> 03:00)
    assert times("30 2 * * *", local(2026, 3, 28, 12), 2) == ["2026-03-29T03:30:00+02:00", "2026-03-31T02:30:00+02:00"]


def test_a_time_the_autumn_change_repeats_runs_once():
    # 25 October 2026 02:30 happens twice in Berlin (03:00 -> 02:00); hourly runs keep one hour apart in UTC
    assert times("30 2 * * *", local(2026, 10, 24, 12), 2) == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    after_first = dt.datetime(2026, 10, 25, 0, 45, tzinfo=dt.UTC)  # between the two 02:30s
    assert times("30 2 * * *", after_first, 1) == ["2026-10-26T02:30:00+01:00"]


def test_calendar_errors_name_the_file_and_field():
    with pytest.raises(ScheduleError, match=r"settings.yml: settings.calendar.timezone: 'Mars/Olympus'"):
        calendar_of({"calendar": {"timezone": "Mars/Olympus"}}, "settings.yml")
    with pytest.raises(ScheduleError, match=r"settings.calendar.holidays\[1\]: '2026-02-30' is not a date"):
        calendar_of({"calendar": {"holidays": ["2026-01-01", "2026-02-30"]}})
    with pytest.raises(ScheduleError, match=r"day_groups.night: 'sunday' is not one of"):
        calendar_of({"calendar": {"day_groups": {"night": ["sunday"]}}})
    custom = calendar_of({"calendar": {"day_groups": {"workdays": ["mon", "tue"]}}})
    assert custom.day_groups["workdays"] == {0, 1} and custom.day_groups["weekends"] == {5, 6}


def draft(cron="0 3 * * *", days="", playbook="validate", name="night"):
    return Schedule(name, LaunchOptions(playbook), cron, days)


def test_a_schedule_is_validated_as_a_launch_and_stores_no_password():
    catalogue = catalogue_with_test_playbooks()
    with pytest.raises(ScheduleError, match="cron: '61 3 \\* \\* \\*' is not a cron expression"):
        checked_schedule(catalogue, CALENDAR, draft(cron="61 3 * * *"), {})
    with pytest.raises(ScheduleError, match="days: 'holidays' is not a day group of the fleet: weekends, workdays"):
        checked_schedule(catalogue, CALENDAR, draft(days="holidays"), {})
    with pytest.raises(ScheduleError, match="name: must be"):
        checked_schedule(catalogue, CALENDAR, draft(name="Night run"), {})
    with pytest.raises(LaunchError, match=r"extra_vars\.sip_password: is a password: a schedule stores no secret"):
        checked_schedule(catalogue, CALENDAR, draft(playbook="answers"), {"site_name": "Office", "mode": "pass"})
    with pytest.raises(LaunchError, match=r"extra_vars\.colour: is not a question"):
        checked_schedule(catalogue, CALENDAR, draft(), {"colour": "red"})
    with pytest.raises(ScheduleError, match="cron: no run time"):
        checked_schedule(catalogue, CALENDAR, draft(cron="0 3 30 2 *"), {})
    assert checked_schedule(catalogue, CALENDAR, draft(), {}).options.playbook == "validate"


@pytest.fixture
def stores(store_url, tmp_path):
    """Two schedulers' views of one database: two connections, as two processes have."""
    first, second = JobStore.open(store_url), JobStore.open(store_url)
    yield first, second, job_settings(tmp_path)
    first.close()
    second.close()


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now


def scheduler(store: JobStore, settings, clock: Clock) -> Scheduler:
    manager = JobManager(store, catalogue_with_test_playbooks(), settings)  # not started: jobs stay pending
    return Scheduler(ScheduleStore(store), manager, lambda: CALENDAR, clock, grace_seconds=120)


def test_two_schedulers_launch_a_due_run_once(stores):
    first_store, second_store, settings = stores
    clock = Clock(local(2026, 6, 1, 2, 59))
    first, second = scheduler(first_store, settings, clock), scheduler(second_store, settings, clock)
    first.schedules.put(Schedule("night", LaunchOptions("validate", limit="office"), "0 3 * * *", since=clock()))
    assert first.tick() == [] and second.tick() == []
    clock.now += 90  # 03:00:30
    fired = first.tick() + second.tick() + first.tick()
    assert [(run.state, run.due_at) for run in fired] == [("launched", local(2026, 6, 1, 3).timestamp())]
    jobs, total = first_store.jobs()
    assert total == 1 and jobs[0].launched_by == "schedule:night" and jobs[0].options.limit == "office"
    assert fired[0].job_id == jobs[0].id
    assert [run.job_id for run in second.schedules.runs("night")] == [jobs[0].id]


def test_a_run_due_while_the_service_was_down_is_reported_missed_and_never_run(stores):
    store, _other, settings = stores
    clock = Clock(local(2026, 6, 1, 2))
    fleet = scheduler(store, settings, clock)
    fleet.schedules.put(Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=clock()))
    clock.now = local(2026, 6, 2, 2, 59, 30).timestamp()  # down from 02:00 on the 1st; up again next night
    missed = fleet.tick()
    assert [(run.state, run.job_id) for run in missed] == [("missed", None)]
    assert "the job service was not running at 2026-06-01T01:00:00+00:00" in missed[0].reason
    assert fleet.tick() == [] and store.jobs()[1] == 0  # reported once, never launched late
    clock.now += 60  # 03:00:30 on the 2nd: on time again
    assert [run.state for run in fleet.tick()] == ["launched"]
    assert [run.state for run in fleet.schedules.runs("night")] == ["launched", "missed"]


def test_a_disabled_schedule_fires_nothing_and_owes_nothing_when_enabled(stores):
    store, _other, settings = stores
    clock = Clock(local(2026, 6, 1, 2))
    fleet = scheduler(store, settings, clock)
    fleet.schedules.put(Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=clock()))
    fleet.schedules.set_enabled("night", False, clock())
    clock.now = local(2026, 6, 1, 3, 0, 30).timestamp()
    assert fleet.tick() == []
    fleet.schedules.set_enabled("night", True, clock())
    assert fleet.tick() == [] and fleet.schedules.runs("night") == []


def test_two_schedulers_that_found_the_same_due_time_launch_it_once(stores):
    """Both worked out the same due time before either claimed it (two workers, one tick each at 03:00:20):
    the claim in the database lets one launch it."""
    first_store, second_store, settings = stores
    clock = Clock(local(2026, 6, 1, 3, 0, 20))
    first, second = scheduler(first_store, settings, clock), scheduler(second_store, settings, clock)
    night = Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=local(2026, 6, 1, 2).timestamp())
    first.schedules.put(night)
    due = local(2026, 6, 1, 3).timestamp()
    runs = [first._fire(night, due, clock()), second._fire(night, due, clock())]
    assert [run.state if run else None for run in runs] == ["launched", None]
    assert first_store.jobs()[1] == 1


def test_the_scheduler_journals_its_launch_missed_run_and_error_as_the_schedules_with_its_owner(stores):
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import Journal

    store, _other, settings = stores
    clock = Clock(local(2026, 6, 1, 2))
    journal = Journal(store)
    fleet = Scheduler(
        ScheduleStore(store), JobManager(store, catalogue_with_test_playbooks(), settings), lambda: CALENDAR, clock,
        journal=journal,
    )  # fmt: skip
    fleet.schedules.put(Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=clock(), owner="root"))
    # a survey changed under a stored schedule: its answer is refused at launch time
    stale = LaunchOptions("validate", answers={"gone_variable": 1})
    fleet.schedules.put(Schedule("stale", stale, "0 3 * * *", since=clock(), owner="alice"))
    clock.now = local(2026, 6, 1, 3, 0, 30).timestamp()
    assert sorted(run.state for run in fleet.tick()) == ["error", "launched"]
    clock.now = local(2026, 6, 3, 3, 10).timestamp()  # down through the 2nd
    assert {run.state for run in fleet.tick()} == {"missed"}
    lines, _total = journal.query(limit=500)
    seen = sorted(
        (line.username, line.action, line.source, line.detail["owner"], line.detail["due_at"]) for line in lines
    )
    assert seen == [
        ("schedule:night", "launch", "scheduler", "root", "2026-06-01T01:00:00+00:00"),
        ("schedule:night", "schedule_missed", "scheduler", "root", "2026-06-02T01:00:00+00:00"),
        ("schedule:night", "schedule_missed", "scheduler", "root", "2026-06-03T01:00:00+00:00"),
        ("schedule:stale", "schedule_error", "scheduler", "alice", "2026-06-01T01:00:00+00:00"),
        ("schedule:stale", "schedule_missed", "scheduler", "alice", "2026-06-02T01:00:00+00:00"),
        ("schedule:stale", "schedule_missed", "scheduler", "alice", "2026-06-03T01:00:00+00:00"),
    ]
    launch = next(line for line in lines if line.action == "launch")
    job = store.jobs()[0][0]
    assert launch.target == f"job:{job.id}" and launch.detail["playbook"] == "validate"
    error = next(line for line in lines if line.action == "schedule_error")
    assert "gone_variable" in error.detail["reason"] and error.target == "schedule:stale"


def test_a_schedules_table_of_an_earlier_release_gets_its_owner_column(stores):
    store, _other, _settings = stores
    store.write(
        """CREATE TABLE schedules (name TEXT PRIMARY KEY, playbook TEXT NOT NULL, job_limit TEXT NOT NULL,
        check_mode INTEGER NOT NULL, diff_mode INTEGER NOT NULL, verbosity INTEGER NOT NULL, answers TEXT NOT NULL,
        cron TEXT NOT NULL, day_group TEXT NOT NULL, skip_holidays INTEGER NOT NULL, enabled INTEGER NOT NULL,
        since DOUBLE PRECISION NOT NULL)"""
    )
    store.write("INSERT INTO schedules VALUES ('old', 'validate', '', 0, 0, 0, '{}', '0 3 * * *', '', 1, 1, 0)")
    schedules = ScheduleStore(store)
    assert schedules.get("old").owner == ""
    schedules.put(Schedule("new", LaunchOptions("validate"), "0 4 * * *", owner="root"))
    assert schedules.get("new").owner == "root"


def test_a_tick_without_an_enabled_schedule_reads_no_calendar(stores):
    """The calendar is read from the fleet's files (all of them, a big fleet's phones too, when none has one):
    a service with no enabled schedule does not read them at every tick."""
    store, _other, settings = stores
    clock = Clock(local(2026, 6, 1, 2))
    read: list[int] = []

    def calendar() -> Calendar:
        read.append(1)
        return CALENDAR

    fleet = Scheduler(
        ScheduleStore(store), JobManager(store, catalogue_with_test_playbooks(), settings), calendar, clock
    )
    assert fleet.tick() == [] and not read
    fleet.schedules.put(Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=clock(), enabled=False))
    assert fleet.tick() == [] and not read
    fleet.schedules.put(Schedule("night", LaunchOptions("validate"), "0 3 * * *", since=clock()))
    assert fleet.tick() == [] and read == [1]
