"""The job service's schedule routes: create, read, change, delete, enable/disable, next run times, runs.

Handlers parse, call the domain core (``plugins/module_utils/jobs/schedules.py``, ``scheduler.py``) and format.
Every change is a line of the journal of user actions (``schedule_create``, ``_update``, ``_enable``,
``_disable``, ``_delete``): who, from where, the schedule, and for a create or change what it now runs and when.
A schedule holds no password answer (``checked_schedule`` refuses one), so its answers may be journaled.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import LaunchOptions, launch_detail
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.scheduler import ScheduleRun, ScheduleStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.schedules import (
    Schedule,
    checked_schedule,
    run_times,
)
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from .auth import Caller, Reader, ScheduleManager

router = APIRouter(prefix="/api/v1/schedules")


class ScheduleIn(BaseModel):
    playbook: str = Field(description="a catalogue playbook's name (GET /api/v1/playbooks)")
    limit: str = Field("", description="Ansible host pattern (--limit)")
    check: bool = Field(False, description="check mode (--check)")
    diff: bool = Field(False, description="show differences (--diff)")
    verbosity: int = Field(0, ge=0, le=5, description="0 to 5 (-v to -vvvvv)")
    extra_vars: dict[str, Any] = Field(default_factory=dict, description="survey answers (no password)")
    cron: str = Field(description="minute hour day month weekday, in the fleet's time zone, e.g. '30 2 * * *'")
    days: str = Field("", description="a day group of the fleet's calendar (workdays, weekends...); '' = any day")
    skip_holidays: bool = Field(True, description="skip the fleet calendar's holidays")
    enabled: bool = True


class ScheduleNew(ScheduleIn):
    name: str = Field(description="lower-case letters, digits, - and _; jobs say launched_by schedule:<name>")


class ScheduleOut(ScheduleNew):
    since: float = Field(description="due times count from here (created, changed or enabled then)")
    owner: str = Field(description="who made or last changed it; its launches are journaled with this owner")

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleOut:
        options = schedule.options
        return cls(
            name=schedule.name,
            playbook=options.playbook,
            limit=options.limit,
            check=options.check,
            diff=options.diff,
            verbosity=options.verbosity,
            extra_vars=options.answers,
            cron=schedule.cron,
            days=schedule.days,
            skip_holidays=schedule.skip_holidays,
            enabled=schedule.enabled,
            since=schedule.since,
            owner=schedule.owner,
        )


class RunOut(BaseModel):
    schedule: str
    due_at: str = Field(description="when the run was due (ISO 8601, UTC)")
    state: str = Field(description="launched, missed (the service was not running then) or error")
    job_id: int | None
    recorded_at: float
    reason: str

    @classmethod
    def of(cls, run: ScheduleRun) -> RunOut:
        due = dt.datetime.fromtimestamp(run.due_at, dt.UTC).isoformat()
        return cls(schedule=run.schedule, due_at=due, state=run.state, job_id=run.job_id,
                   recorded_at=run.recorded_at, reason=run.reason)  # fmt: skip


def _store(request: Request) -> ScheduleStore:
    return request.app.state.schedules


def _existing(request: Request, name: str) -> Schedule:
    try:
        return _store(request).get(name)
    except KeyError:
        raise HTTPException(404, f"no schedule {name!r}") from None


def _record(request: Request, caller: Caller, action: str, name: str, **detail: Any) -> None:
    request.app.state.journal.record(caller.user.name, action, caller.source, f"schedule:{name}", detail)


def _saved(request: Request, name: str, body: ScheduleIn, caller: Caller, action: str) -> ScheduleOut:
    options = LaunchOptions(body.playbook, body.limit, body.check, body.diff, body.verbosity)
    draft = Schedule(name, options, body.cron, body.days, body.skip_holidays, body.enabled)
    state = request.app.state
    schedule = checked_schedule(state.manager.catalogue, state.calendar(), draft, body.extra_vars)
    # since = now: a changed schedule does not owe the runs of its former times
    changes = {"since": state.clock(), "owner": caller.user.name}
    saved = _store(request).put(Schedule(**{**schedule.__dict__, **changes}))
    _record(
        request, caller, action, name, **launch_detail(saved.options),
        cron=saved.cron, days=saved.days, skip_holidays=saved.skip_holidays, enabled=saved.enabled,
    )  # fmt: skip
    return ScheduleOut.of(saved)


@router.get("", response_model=list[ScheduleOut])
def schedules(request: Request, user: Reader) -> list[ScheduleOut]:
    return [ScheduleOut.of(schedule) for schedule in _store(request).all()]


@router.post("", response_model=ScheduleOut, status_code=201)
def create(request: Request, body: ScheduleNew, user: ScheduleManager) -> ScheduleOut:
    try:
        _store(request).get(body.name)
    except KeyError:
        return _saved(request, body.name, body, user, "schedule_create")
    raise HTTPException(409, f"schedule {body.name!r} exists (PUT /api/v1/schedules/{body.name} changes it)")


@router.get("/{name}", response_model=ScheduleOut)
def schedule(request: Request, name: str, user: Reader) -> ScheduleOut:
    return ScheduleOut.of(_existing(request, name))


@router.put("/{name}", response_model=ScheduleOut)
def change(request: Request, name: str, body: ScheduleIn, user: ScheduleManager) -> ScheduleOut:
    _existing(request, name)
    return _saved(request, name, body, user, "schedule_update")


@router.delete("/{name}", status_code=204)
def delete(request: Request, name: str, user: ScheduleManager) -> None:
    _existing(request, name)
    _store(request).delete(name)
    _record(request, user, "schedule_delete", name)


@router.post("/{name}/enable", response_model=ScheduleOut)
def enable(request: Request, name: str, user: ScheduleManager) -> ScheduleOut:
    _existing(request, name)
    changed = _store(request).set_enabled(name, True, request.app.state.clock())
    _record(request, user, "schedule_enable", name)
    return ScheduleOut.of(changed)


@router.post("/{name}/disable", response_model=ScheduleOut)
def disable(request: Request, name: str, user: ScheduleManager) -> ScheduleOut:
    _existing(request, name)
    changed = _store(request).set_enabled(name, False, request.app.state.clock())
    _record(request, user, "schedule_disable", name)
    return ScheduleOut.of(changed)


@router.get("/{name}/next", response_model=list[str])
def next_runs(request: Request, name: str, user: Reader, count: Annotated[int, Query(ge=1, le=100)] = 10) -> list[str]:
    """The next ``count`` run times (ISO 8601 in the fleet's time zone), day groups and holidays applied."""
    found = _existing(request, name)
    calendar = request.app.state.calendar()
    now = dt.datetime.fromtimestamp(request.app.state.clock(), dt.UTC)
    return [moment.astimezone(calendar.zone).isoformat() for moment in run_times(found, calendar, now, count)]


@router.get("/{name}/runs", response_model=list[RunOut])
def runs(request: Request, name: str, user: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RunOut]:
    """What happened at the schedule's due times, newest first: launched (with the job), missed, error."""
    _existing(request, name)
    return [RunOut.of(run) for run in _store(request).runs(name, limit)]
