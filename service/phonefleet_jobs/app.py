"""The job service's ASGI application (FastAPI): the catalogue, jobs, their events, output and live stream.

Handlers parse, call the domain core (``plugins/module_utils/jobs``) and format. OpenAPI is at /openapi.json,
built by FastAPI from the pydantic models below. Every route but the OpenAPI document names the roles it allows
with one dependency of ``auth`` (``Reader``, ``Launcher``, ``JournalReader``, ``UserManager``); user and token
changes, launches, cancels and relaunches are written to the journal of user actions here, where the client's
address is known.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import ACTIONS, Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.login import Authenticator, Caller
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import (
    ADMINISTRATOR,
    ROLES,
    User,
    UserError,
    Users,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import Catalogue, LaunchError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import JobManager
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import STATES, Job, launch_detail
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.scheduler import Scheduler, ScheduleStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.schedules import (
    ScheduleError,
    fleet_calendar,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import JobSettings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.webhooks import (
    DeliveryStore,
    WebhookSender,
    load_webhooks,
)
from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .auth import AdminToken, JournalReader, Launcher, Reader, UserManager
from .schedules_api import router as schedules_router

#: events in one Server-Sent Events message at most (a message per stream interval)
# how often a stream waiting for a job's next events looks at the writer's count (memory only)
STREAM_WAKE_SECONDS = 0.02
STREAM_BATCH = 1000


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


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from users.User

    name: str
    full_name: str
    email: str
    role: str = Field(description=" / ".join(ROLES))
    disabled: bool
    created_at: float


class UserCreate(BaseModel):
    name: str
    role: str = Field(description=" / ".join(ROLES))
    password: str = Field(description="12 to 72 characters; stored as a bcrypt hash only")
    full_name: str = ""
    email: str = ""


class UserChange(BaseModel):
    role: str | None = Field(None, description=" / ".join(ROLES))
    disabled: bool | None = None


class PasswordReset(BaseModel):
    password: str = Field(description="12 to 72 characters")


class TokenCreate(BaseModel):
    description: str = ""
    username: str | None = Field(None, description="whose token (an administrator's choice; default: the caller)")


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from users.TokenInfo

    id: int
    username: str
    description: str
    created_at: float
    created_by: str


class NewTokenOut(TokenOut):
    token: str = Field(description="the token: shown this once, stored only as its SHA-256")


class JournalLineOut(BaseModel):
    id: int
    at: float
    username: str
    action: str = Field(description=" / ".join(ACTIONS))
    source: str
    target: str
    detail: dict[str, Any]


class JournalPage(BaseModel):
    count: int
    results: list[JournalLineOut]


class WebhookAttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from webhooks.Attempt

    attempt: int
    state: str = Field(description="pending / delivered / failed / abandoned")
    due_at: float
    sent_at: float | None
    status_code: int | None = Field(description="the receiver's answer; none when it could not be reached")
    error: str
    duration: float | None


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from webhooks.Delivery

    delivery_id: str = Field(description="X-PhoneFleet-Delivery, the same in every attempt")
    webhook: str
    url: str = Field(description="the receiver, its user name and password shown as ***")
    event: str = Field(description="the job's state")
    state: str = Field(description="the last attempt's state")
    attempts: list[WebhookAttemptOut]


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
    settings: JobSettings,
    catalogue: Catalogue | None = None,
    clock: Callable[[], float] = time.time,
    environ: Mapping[str, str] | None = None,
) -> FastAPI:
    """The application; ``catalogue`` defaults to the repository's (tests add a playbook of their own), ``clock``
    is the schedules' time (tests move it), ``environ`` (default: os.environ) holds the webhooks' ``secret_env``
    variables. A webhook whose secret cannot be read is a SettingsError here, before anything starts."""
    catalogue = catalogue or Catalogue(Path(settings.project_dir) / "playbooks")
    webhooks = load_webhooks(
        settings.webhooks, "settings", os.environ if environ is None else environ, frozenset(catalogue.playbooks)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore.open(settings.database_url)
        users = Users(store, settings.bcrypt_rounds)
        sender = WebhookSender(
            store,
            webhooks,
            lambda job_id: f"{settings.base_url}/api/v1/jobs/{job_id}",
            settings.webhook_attempts,
            settings.webhook_backoff_seconds,
            settings.webhook_backoff_factor,
            settings.webhook_timeout_seconds,
        )
        sender.start()  # before the manager: the jobs a restart fails are delivered too
        manager = JobManager(
            store, catalogue, settings, on_finished=sender.job_finished, actor_of=lambda name: _actor(users, name)
        )
        manager.start()
        schedules = ScheduleStore(store)
        journal = Journal(store)
        scheduler = Scheduler(
            schedules,
            manager,
            app.state.calendar,
            clock,
            settings.schedule_grace_seconds,
            settings.schedule_interval_seconds,
            journal,
        )
        scheduler.start()
        app.state.store, app.state.manager, app.state.schedules = store, manager, schedules
        app.state.users, app.state.journal = users, journal
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(scheduler.stop)
            await anyio.to_thread.run_sync(manager.stop)
            await anyio.to_thread.run_sync(sender.stop)  # after the manager: the ends of its last jobs are marked
            store.close()

    app = FastAPI(title="PhoneFleet jobs", version="1", lifespan=lifespan)
    app.state.authenticator = Authenticator(AdminToken(settings.admin_token_hash))
    app.state.clock = clock
    app.state.calendar = lambda: fleet_calendar(settings.inventory)  # read at each use: the fleet may change
    app.add_exception_handler(LaunchError, lambda request, exc: _launch_error(exc))  # type: ignore[arg-type]
    app.add_exception_handler(ScheduleError, lambda request, exc: _launch_error(exc))  # type: ignore[arg-type]
    app.include_router(schedules_router)

    def record(request: Request, caller: Caller, action: str, target: str = "", **detail: Any) -> None:
        request.app.state.journal.record(caller.user.name, action, caller.source, target, detail)

    def user_or_404(request: Request, name: str) -> User:
        user = request.app.state.users.find(name)
        if user is None:
            raise HTTPException(404, f"no user {name}")
        return user

    def job_or_404(request: Request, job_id: int) -> Job:
        try:
            return request.app.state.store.job(job_id)
        except KeyError:
            raise HTTPException(404, f"no job {job_id}") from None

    @app.get("/api/v1/playbooks", response_model=list[PlaybookOut])
    def playbooks(user: Reader) -> list[PlaybookOut]:
        return [PlaybookOut(name=entry.name, survey=entry.public_survey()) for entry in catalogue.playbooks.values()]

    @app.post("/api/v1/jobs", response_model=JobOut, status_code=201)
    def launch(request: Request, body: LaunchRequest, user: Launcher) -> JobOut:
        options, secrets = catalogue.launch_options(
            body.playbook, body.limit, body.check, body.diff, body.verbosity, body.extra_vars
        )
        job = request.app.state.manager.launch(options, secrets, launched_by=user.user.name)
        # the stored answers only: the password answers are named, never valued
        record(request, user, "launch", f"job:{job.id}", **launch_detail(options))
        return JobOut.of(job)

    @app.get("/api/v1/jobs", response_model=JobPage)
    def jobs(
        request: Request,
        user: Reader,
        state: str | None = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> JobPage:
        found, total = request.app.state.store.jobs(state, offset, limit)
        return JobPage(count=total, results=[JobOut.of(job) for job in found])

    @app.get("/api/v1/jobs/{job_id}", response_model=JobOut)
    def job(request: Request, job_id: int, user: Reader) -> JobOut:
        return JobOut.of(job_or_404(request, job_id))

    @app.post("/api/v1/jobs/{job_id}/cancel", response_model=JobOut, status_code=202)
    def cancel(request: Request, job_id: int, user: Launcher) -> JobOut:
        if job_or_404(request, job_id).finished:
            raise HTTPException(409, f"job {job_id} has ended")
        job = request.app.state.manager.cancel(job_id, by=user.user.name)
        record(request, user, "cancel", f"job:{job_id}")
        return JobOut.of(job)

    @app.post("/api/v1/jobs/{job_id}/relaunch", response_model=JobOut, status_code=201)
    def relaunch(request: Request, job_id: int, body: RelaunchRequest, user: Launcher) -> JobOut:
        job_or_404(request, job_id)
        job = request.app.state.manager.relaunch(job_id, body.extra_vars, launched_by=user.user.name)
        record(request, user, "relaunch", f"job:{job.id}", relaunch_of=job_id)
        return JobOut.of(job)

    @app.get("/api/v1/jobs/{job_id}/webhooks", response_model=list[WebhookDeliveryOut])
    def webhook_deliveries(request: Request, job_id: int, user: JournalReader) -> list[WebhookDeliveryOut]:
        """The job's deliveries to the webhooks, oldest first, each with its attempts."""
        job_or_404(request, job_id)
        found = DeliveryStore(request.app.state.store).of_job(job_id)
        return [WebhookDeliveryOut.model_validate(delivery) for delivery in found]

    @app.get("/api/v1/jobs/{job_id}/events")
    def events(
        request: Request,
        job_id: int,
        user: Reader,
        after: Annotated[int, Query(ge=0, description="the counter of the last event already read")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        job_or_404(request, job_id)
        return request.app.state.store.events(job_id, after, limit)

    @app.get("/api/v1/jobs/{job_id}/stdout", response_model=StdoutPage)
    def stdout(
        request: Request,
        job_id: int,
        user: Reader,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ) -> StdoutPage:
        job_or_404(request, job_id)
        lines, total = request.app.state.store.stdout_lines(job_id, offset, limit)
        return StdoutPage(count=total, offset=offset, lines=lines)

    @app.get("/api/v1/jobs/{job_id}/stdout.txt", response_class=PlainTextResponse)
    def stdout_text(request: Request, job_id: int, user: Reader) -> str:
        job_or_404(request, job_id)
        lines, _total = request.app.state.store.stdout_lines(job_id, 0, 10**9)
        return "".join(f"{line}\n" for line in lines)

    @app.get("/api/v1/jobs/{job_id}/stream", response_class=StreamingResponse)
    async def stream(
        request: Request,
        job_id: int,
        user: Reader,
        last_event_id: Annotated[int | None, Header(ge=0)] = None,
        after: Annotated[int, Query(ge=0, description="resume after this counter (or Last-Event-ID)")] = 0,
    ) -> StreamingResponse:
        """Server-Sent Events: ``events`` messages (``id`` = the last event's counter, ``data`` = a JSON list
        of at most 1000 events), at most one per stream interval; then one ``end`` message with the job."""
        await anyio.to_thread.run_sync(job_or_404, request, job_id)
        store: JobStore = request.app.state.store
        start = last_event_id if last_event_id is not None else after
        return StreamingResponse(
            _event_stream(
                store,
                job_id,
                start,
                settings.stream_interval_seconds,
                request.app.state.manager.stored_changes,
                request.app.state.manager.ended,
            ),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # -- users (administrators only) --------------------------------------------------------------

    def user_error(exc: UserError) -> HTTPException:
        return HTTPException(422, [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}])

    def changed_users(request: Request) -> None:
        request.app.state.authenticator.forget()

    @app.get("/api/v1/users", response_model=list[UserOut])
    def users_list(request: Request, user: UserManager) -> list[UserOut]:
        return [UserOut.model_validate(each) for each in request.app.state.users.all()]

    @app.post("/api/v1/users", response_model=UserOut, status_code=201)
    def user_create(request: Request, body: UserCreate, user: UserManager) -> UserOut:
        try:
            created = request.app.state.users.create(body.name, body.role, body.password, body.full_name, body.email)
        except UserError as exc:
            raise user_error(exc) from None
        record(request, user, "user_create", f"user:{created.name}", role=created.role)
        return UserOut.model_validate(created)

    @app.patch("/api/v1/users/{name}", response_model=UserOut)
    def user_update(request: Request, name: str, body: UserChange, user: UserManager) -> UserOut:
        user_or_404(request, name)
        users: Users = request.app.state.users
        try:
            if body.role is not None:
                users.set_role(name, body.role)
            if body.disabled is not None:
                users.set_disabled(name, body.disabled)
        except UserError as exc:
            raise user_error(exc) from None
        changed_users(request)
        record(request, user, "user_update", f"user:{name}", **body.model_dump(exclude_none=True))
        return UserOut.model_validate(users.get(name))

    @app.delete("/api/v1/users/{name}", status_code=204)
    def user_delete(request: Request, name: str, user: UserManager) -> None:
        user_or_404(request, name)
        request.app.state.users.delete(name)
        changed_users(request)
        record(request, user, "user_delete", f"user:{name}")

    @app.post("/api/v1/users/{name}/password", status_code=204)
    def password_reset(request: Request, name: str, body: PasswordReset, user: UserManager) -> None:
        user_or_404(request, name)
        try:
            request.app.state.users.set_password(name, body.password)
        except UserError as exc:
            raise user_error(exc) from None
        changed_users(request)
        record(request, user, "password_reset", f"user:{name}")

    # -- tokens (one's own; an administrator's: anyone's) -------------------------------------------

    def may_manage_tokens_of(caller: Caller, username: str) -> None:
        if username != caller.user.name and caller.user.role != ADMINISTRATOR:
            raise HTTPException(403, "only an administrator manages another user's tokens")

    @app.get("/api/v1/tokens", response_model=list[TokenOut])
    def tokens_list(request: Request, user: Reader, username: str | None = None) -> list[TokenOut]:
        """The caller's tokens; an administrator sees everyone's (or ``username``'s). Never a token's value."""
        if user.user.role != ADMINISTRATOR:
            username = user.user.name
        return [TokenOut.model_validate(token) for token in request.app.state.users.tokens(username)]

    @app.post("/api/v1/tokens", response_model=NewTokenOut, status_code=201)
    def token_create(request: Request, body: TokenCreate, user: Reader) -> NewTokenOut:
        username = body.username or user.user.name
        may_manage_tokens_of(user, username)
        user_or_404(request, username)
        info, token = request.app.state.users.create_token(username, body.description, user.user.name)
        record(request, user, "token_create", f"token:{info.id}", username=username, description=body.description)
        return NewTokenOut(**TokenOut.model_validate(info).model_dump(), token=token)

    @app.delete("/api/v1/tokens/{token_id}", status_code=204)
    def token_revoke(request: Request, token_id: int, user: Reader) -> None:
        users: Users = request.app.state.users
        try:
            info = users.token(token_id)
        except KeyError:
            raise HTTPException(404, f"no token {token_id}") from None
        may_manage_tokens_of(user, info.username)
        users.revoke_token(token_id)
        record(request, user, "token_revoke", f"token:{token_id}", username=info.username)

    # -- the journal (administrators and auditors) ---------------------------------------------------

    @app.get("/api/v1/journal", response_model=JournalPage)
    def journal(
        request: Request,
        user: JournalReader,
        username: Annotated[str | None, Query(alias="user")] = None,
        action: str | None = None,
        since: Annotated[float | None, Query(description="epoch seconds, inclusive")] = None,
        until: Annotated[float | None, Query(description="epoch seconds, exclusive")] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> JournalPage:
        lines, total = request.app.state.journal.query(username, action, since, until, offset, limit)
        return JournalPage(count=total, results=[JournalLineOut(**vars(line)) for line in lines])

    return app


def _actor(users: Users, name: str) -> str:
    """PHONEFLEET_ACTOR for a job launched by ``name`` (the settings' admin token is the user ``admin``)."""
    user = users.find(name)
    return user.actor if user is not None else f"{name} <{name}@phonefleet>"


async def _event_stream(
    store: JobStore,
    job_id: int,
    after: int,
    interval: float,
    stored_changes: Callable[[int], int],
    ended: Callable[[int], bool],
) -> AsyncIterator[str]:
    """At most one ``events`` message per ``interval``; a job's first events after a quiet time are sent as soon
    as the writer has stored them, and its end as soon as it is stored (``stored_changes`` and ``ended`` are
    watched in memory; the database is asked again at the latest after ``interval``, for a job another process
    ended)."""
    while True:
        mark = stored_changes(job_id)
        # the job's state first: when it has ended, every event was stored before (manager's writer)
        job = await anyio.to_thread.run_sync(store.job, job_id)
        batch = await anyio.to_thread.run_sync(store.events, job_id, after, STREAM_BATCH)
        if batch:
            after = batch[-1]["counter"]
            yield f"id: {after}\nevent: events\ndata: {json.dumps(batch)}\n\n"
            if len(batch) == STREAM_BATCH:
                continue  # a client catching up reads at full speed; the interval throttles a live job
            # ... its events, not its end: a client (a script waiting for the job) sees the end as it is stored, not
            # up to an interval later (tests/bench/bench_jobs.py, overhead)
            deadline = time.monotonic() + interval
            while not ended(job_id) and time.monotonic() < deadline:
                await asyncio.sleep(STREAM_WAKE_SECONDS)
        elif job.finished:
            yield f"event: end\ndata: {JobOut.of(job).model_dump_json()}\n\n"
            return
        else:
            deadline = time.monotonic() + interval
            while stored_changes(job_id) == mark and time.monotonic() < deadline:
                await asyncio.sleep(STREAM_WAKE_SECONDS)
