"""The job service's ASGI application (FastAPI): the catalogue, jobs, their events, output and live stream.

Handlers parse, call the domain core (``plugins/module_utils/jobs``) and format. OpenAPI is at /openapi.json,
built by FastAPI from the pydantic models below. Every route but the OpenAPI document needs the admin token
(``auth.require_admin``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import Catalogue, LaunchError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import JobManager
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import STATES, Job
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.scheduler import Scheduler, ScheduleStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.schedules import (
    ScheduleError,
    fleet_calendar,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import JobSettings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field

from .auth import AdminToken, require_admin
from .schedules_api import router as schedules_router

#: events in one Server-Sent Events message at most (a message per stream interval)
STREAM_BATCH = 1000
#: the caller, as every route takes it (the one authentication dependency)
Admin = Annotated[str, Depends(require_admin)]


class LaunchRequest(BaseModel):
    playbook: str = Field(description="a catalogue playbook's name (GET /api/v1/playbooks)")
    limit: str = Field("", description="Ansible host pattern (--limit)")
    check: bool = Field(False, description="check mode (--check)")
    diff: bool = Field(False, description="show differences (--diff)")
    verbosity: int = Field(0, ge=0, le=5, description="0 to 5 (-v to -vvvvv)")
    extra_vars: dict[str, Any] = Field(default_factory=dict, description="answers to the playbook's survey")


class RelaunchRequest(BaseModel):
    extra_vars: dict[str, Any] = Field(
        default_factory=dict, description="the password answers of the job relaunched (never stored: asked again)"
    )


class JobOut(BaseModel):
    id: int
    playbook: str
    limit: str
    check: bool
    diff: bool
    verbosity: int
    extra_vars: dict[str, Any] = Field(description="the stored answers; password questions show $encrypted$")
    state: str = Field(description=" / ".join(STATES))
    created_at: float
    started_at: float | None
    finished_at: float | None
    rc: int | None
    reason: str
    relaunch_of: int | None
    launched_by: str
    event_count: int

    @classmethod
    def of(cls, job: Job) -> JobOut:
        options = job.options
        answers = {**options.answers, **{variable: "$encrypted$" for variable in options.secret_variables}}
        return cls(
            id=job.id,
            playbook=options.playbook,
            limit=options.limit,
            check=options.check,
            diff=options.diff,
            verbosity=options.verbosity,
            extra_vars=answers,
            state=job.state,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            rc=job.rc,
            reason=job.reason,
            relaunch_of=job.relaunch_of,
            launched_by=job.launched_by,
            event_count=job.event_count,
        )


class JobPage(BaseModel):
    count: int
    results: list[JobOut]


class PlaybookOut(BaseModel):
    name: str
    survey: dict[str, Any] | None


class StdoutPage(BaseModel):
    count: int = Field(description="lines of output in all so far")
    offset: int
    lines: list[str]


def _launch_error(exc: LaunchError | ScheduleError) -> JSONResponse:
    # the shape of FastAPI's own validation errors, so a client reads both the same way
    location = ["body", *exc.field.split(".", 1)]
    return JSONResponse(
        status_code=422, content={"detail": [{"loc": location, "msg": exc.message, "type": "value_error"}]}
    )


def create_app(
    settings: JobSettings, catalogue: Catalogue | None = None, clock: Callable[[], float] = time.time
) -> FastAPI:
    """The application; ``catalogue`` defaults to the repository's (tests add a playbook of their own), ``clock``
    is the schedules' time (tests move it)."""
    catalogue = catalogue or Catalogue(Path(settings.project_dir) / "playbooks")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore.open(settings.database_url)
        manager = JobManager(store, catalogue, settings)
        manager.start()
        schedules = ScheduleStore(store)
        scheduler = Scheduler(
            schedules,
            manager,
            app.state.calendar,
            clock,
            settings.schedule_grace_seconds,
            settings.schedule_interval_seconds,
        )
        scheduler.start()
        app.state.store, app.state.manager, app.state.schedules = store, manager, schedules
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(scheduler.stop)
            await anyio.to_thread.run_sync(manager.stop)
            store.close()

    app = FastAPI(title="PhoneFleet jobs", version="1", lifespan=lifespan)
    app.state.admin_token = AdminToken(settings.admin_token_hash)
    app.state.clock = clock
    app.state.calendar = lambda: fleet_calendar(settings.inventory)  # read at each use: the fleet may change
    app.add_exception_handler(LaunchError, lambda request, exc: _launch_error(exc))  # type: ignore[arg-type]
    app.add_exception_handler(ScheduleError, lambda request, exc: _launch_error(exc))  # type: ignore[arg-type]
    app.include_router(schedules_router)

    def job_or_404(request: Request, job_id: int) -> Job:
        try:
            return request.app.state.store.job(job_id)
        except KeyError:
            raise HTTPException(404, f"no job {job_id}") from None

    @app.get("/api/v1/playbooks", response_model=list[PlaybookOut])
    def playbooks(user: Admin) -> list[PlaybookOut]:
        return [PlaybookOut(name=entry.name, survey=entry.public_survey()) for entry in catalogue.playbooks.values()]

    @app.post("/api/v1/jobs", response_model=JobOut, status_code=201)
    def launch(request: Request, body: LaunchRequest, user: Admin) -> JobOut:
        options, secrets = catalogue.launch_options(
            body.playbook, body.limit, body.check, body.diff, body.verbosity, body.extra_vars
        )
        return JobOut.of(request.app.state.manager.launch(options, secrets, launched_by=user))

    @app.get("/api/v1/jobs", response_model=JobPage)
    def jobs(
        request: Request,
        user: Admin,
        state: str | None = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> JobPage:
        found, total = request.app.state.store.jobs(state, offset, limit)
        return JobPage(count=total, results=[JobOut.of(job) for job in found])

    @app.get("/api/v1/jobs/{job_id}", response_model=JobOut)
    def job(request: Request, job_id: int, user: Admin) -> JobOut:
        return JobOut.of(job_or_404(request, job_id))

    @app.post("/api/v1/jobs/{job_id}/cancel", response_model=JobOut, status_code=202)
    def cancel(request: Request, job_id: int, user: Admin) -> JobOut:
        if job_or_404(request, job_id).finished:
            raise HTTPException(409, f"job {job_id} has ended")
        return JobOut.of(request.app.state.manager.cancel(job_id, by=user))

    @app.post("/api/v1/jobs/{job_id}/relaunch", response_model=JobOut, status_code=201)
    def relaunch(request: Request, job_id: int, body: RelaunchRequest, user: Admin) -> JobOut:
        job_or_404(request, job_id)
        return JobOut.of(request.app.state.manager.relaunch(job_id, body.extra_vars, launched_by=user))

    @app.get("/api/v1/jobs/{job_id}/events")
    def events(
        request: Request,
        job_id: int,
        user: Admin,
        after: Annotated[int, Query(ge=0, description="the counter of the last event already read")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        job_or_404(request, job_id)
        return request.app.state.store.events(job_id, after, limit)

    @app.get("/api/v1/jobs/{job_id}/stdout", response_model=StdoutPage)
    def stdout(
        request: Request,
        job_id: int,
        user: Admin,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ) -> StdoutPage:
        job_or_404(request, job_id)
        lines, total = request.app.state.store.stdout_lines(job_id, offset, limit)
        return StdoutPage(count=total, offset=offset, lines=lines)

    @app.get("/api/v1/jobs/{job_id}/stdout.txt", response_class=PlainTextResponse)
    def stdout_text(request: Request, job_id: int, user: Admin) -> str:
        job_or_404(request, job_id)
        lines, _total = request.app.state.store.stdout_lines(job_id, 0, 10**9)
        return "".join(f"{line}\n" for line in lines)

    @app.get("/api/v1/jobs/{job_id}/stream", response_class=StreamingResponse)
    async def stream(
        request: Request,
        job_id: int,
        user: Admin,
        last_event_id: Annotated[int | None, Header(ge=0)] = None,
        after: Annotated[int, Query(ge=0, description="resume after this counter (or Last-Event-ID)")] = 0,
    ) -> StreamingResponse:
        """Server-Sent Events: ``events`` messages (``id`` = the last event's counter, ``data`` = a JSON list
        of at most 1000 events), at most one per stream interval; then one ``end`` message with the job."""
        await anyio.to_thread.run_sync(job_or_404, request, job_id)
        store: JobStore = request.app.state.store
        start = last_event_id if last_event_id is not None else after
        return StreamingResponse(
            _event_stream(store, job_id, start, settings.stream_interval_seconds),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return app


async def _event_stream(store: JobStore, job_id: int, after: int, interval: float) -> AsyncIterator[str]:
    while True:
        # the job's state first: when it has ended, every event was stored before (manager's writer)
        job = await anyio.to_thread.run_sync(store.job, job_id)
        batch = await anyio.to_thread.run_sync(store.events, job_id, after, STREAM_BATCH)
        if batch:
            after = batch[-1]["counter"]
            yield f"id: {after}\nevent: events\ndata: {json.dumps(batch)}\n\n"
            if len(batch) == STREAM_BATCH:
                continue  # a client catching up reads at full speed; the interval throttles a live job
        elif job.finished:
            yield f"event: end\ndata: {JobOut.of(job).model_dump_json()}\n\n"
            return
        await asyncio.sleep(interval)
