"""The API (JSON) of the provisioning service: phones with status, the journal, auto-provisioned phones and
access keys. Its callers are the job service's users (``access/``: Basic user and password, or a Bearer token
of a user or of the settings' ``api_tokens``), with their roles (access/users.py, ``PHONE_*`` sets): an
``auditor`` reads phones and the journal; ``api`` reads phones and does what the collection's modules ask
(auto-provisioned phones and their release, a Unify restart, a firmware window); an ``administrator`` does
everything. A password's first check (bcrypt) runs in a thread, off the event loop the phones are served on.
Every write is in the journal of user actions (who, from where, what). No answer holds a SIP password: an
auto-provisioned number's is derived from the fleet's vault secret (fleet/pool.py), which is where the export
into the fleet derives it too.

GET  /api/v1/health                        no credential: liveness and what is loaded
GET  /api/v1/phones?limit=&after=                  all roles: phones with status 0-3, last contact, IP, firmware,
                                                   who is logged in (mobility: ``session``)
GET  /api/v1/phones/{mac}                          all roles: one phone
GET  /api/v1/journal?mac=&since=&limit=&before=    auditor, administrator: requests, newest first
GET  /api/v1/autoprovisioned?limit=&after=         api, administrator: assignments: number, name, SIP user
DELETE /api/v1/autoprovisioned/{mac}               api, administrator: release an assignment (in the fleet now)
GET  /api/v1/access-keys?limit=&after=             administrator: configured phones' keys (issued on first ask)
POST /api/v1/phones/{mac}/access-key               administrator: a new key; the old one stops working at once
POST /api/v1/phones/{mac}/restart                  api, administrator: a Unify phone reboots at its next WPI contact
POST /api/v1/phones/{mac}/firmware-window          api, administrator: open its firmware window, {"minutes": 1-240}
DELETE /api/v1/phones/{mac}/firmware-window        api, administrator: close it again (its profile's window rules)

Every list is a page: at most ``limit`` rows (1 to MAX_LIMIT, DEFAULT_LIMIT when not given) and ``next``, the
cursor of the following page (null on the last): lists by MAC take it as ``after`` (rows after that MAC), the
journal as ``before`` (rows older than that time). A cursor, unlike an offset, neither skips nor repeats a row
when rows come or go between two pages.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json

import anyio.to_thread
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import Journal as UserJournal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.login import (
    Authenticator,
    Caller,
    HashedTokens,
    LoginRefused,
    is_password,
    request_line,
    role_refused,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import (
    ACCESS_KEY_MANAGERS,
    PHONE_JOURNAL_READERS,
    PHONE_OPERATORS,
    PHONE_READERS,
    Users,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import InvalidMac, normalize_mac
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import wpi
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.autoprovision import (
    AutoprovisionError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.provisioner import new_access_key
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.status import phone_rows
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.window_override import (
    OpeningRefused,
    minutes_asked,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

#: what the journal of user actions says of this service's lines (the job service's say nothing)
SERVICE = {"service": "provisioning"}
#: what a 401 asks for: a user's password, or a token
CHALLENGE = 'Basic realm="phonefleet", Bearer'
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _error(code: int, message: str, headers=None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=code, headers=headers)


def page_limit(params) -> int:
    """The ``limit`` query parameter: an integer from 1 to MAX_LIMIT, DEFAULT_LIMIT when absent."""
    text = params.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise ApiError(400, f"limit must be an integer from 1 to {MAX_LIMIT}, not {text[:20]!r}")
    return int(text)


def page_by_mac(params, rows: list, key: str) -> dict:
    """One page of ``rows`` (dicts with a ``mac``) in MAC order, after the MAC of the ``after`` parameter."""
    limit = page_limit(params)
    rows = sorted(rows, key=lambda row: row["mac"])
    if params.get("after"):
        try:
            after = normalize_mac(params["after"])
        except InvalidMac:
            raise ApiError(400, f"after must be a MAC address, not {params['after'][:40]!r}") from None
        rows = [row for row in rows if row["mac"] > after]
    page = rows[:limit]
    return {key: page, "next": page[-1]["mac"] if len(rows) > limit else None}


def page_of_journal(rows: list, limit: int) -> tuple[list, float | None]:
    """The first ``limit`` of ``rows`` (newest first; up to limit + 1 of them) and the ``before`` of the next page.

    The next page holds the rows older than the last one here; so a page never ends inside a run of rows of
    the same time, which the next page would skip: such a run is left whole to the next page.
    """
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    boundary = rows[limit]["at"]
    while page and page[-1]["at"] == boundary:
        page.pop()
    if not page:  # more than a page of rows of one time: as many as a page holds (the rest are not listed)
        page = rows[:limit]
    return page, page[-1]["at"]


def build(service) -> Starlette:
    authenticator = Authenticator(HashedTokens(service.settings.api_tokens), SERVICE)
    users, user_journal = Users(service.users_store), UserJournal(service.users_store)

    async def caller_of(request: Request) -> Caller:
        authorization = request.headers.get("authorization", "")
        check = functools.partial(
            authenticator.authenticate,
            users,
            user_journal,
            authorization,
            request.client.host if request.client else "",
            request_line(request.method, request.url.path),
        )
        # bcrypt is slow on purpose: a password is checked in a thread; a token is a SHA-256 looked up, at once
        return await anyio.to_thread.run_sync(check) if is_password(authorization) else check()

    def guarded(roles: frozenset[str]):
        def wrap(handler):
            async def endpoint(request: Request):
                try:
                    caller = await caller_of(request)
                except LoginRefused as refused:
                    if refused.retry_after:
                        return _error(refused.status, refused.message, {"retry-after": str(refused.retry_after)})
                    return _error(refused.status, refused.message, {"www-authenticate": CHALLENGE})
                refusal = role_refused(
                    caller, roles, user_journal, request_line(request.method, request.url.path), **SERVICE
                )
                if refusal:
                    return _error(403, refusal)
                request.state.caller = caller  # who asked, for what is journaled
                try:
                    answer = handler(request)
                    if inspect.isawaitable(answer):  # a handler that reads the body
                        answer = await answer
                    return JSONResponse(answer)
                except ApiError as exc:
                    return _error(exc.code, exc.message)

            return endpoint

        return wrap

    def record(request: Request, action: str, target: str = "", **detail) -> None:
        """A write in the journal of user actions: who (the caller), from where, what."""
        caller: Caller = request.state.caller
        user_journal.record(caller.user.name, action, caller.source, target, {**detail, **SERVICE})

    def mac_of(request: Request) -> str:
        try:
            return normalize_mac(request.path_params["mac"])
        except InvalidMac:
            raise ApiError(400, f"not a MAC address: {request.path_params['mac'][:40]!r}") from None

    def entry_of(assignment):
        snapshot = service.published.snapshot()
        autoprovisioner, _auth, _keys = service.provisioner.policy(snapshot)
        if assignment.vendor is None:
            return None
        with contextlib.suppress(AutoprovisionError):
            return autoprovisioner.entry(assignment, assignment.vendor, assignment.model)
        return None

    def rows():
        service.flush()  # what this worker answered so far counts
        snapshot = service.published.reload()
        learner = service.provisioner.learner(snapshot)
        store = service.store
        learned = store.learned_models()
        mobility = service.mobility.engine

        def session_entry(session):  # a logged-in phone is current with the config of his session (status.py)
            config = mobility.session_config(snapshot, session)
            return config.entry if config is not None else None

        sessions = {session.mac: session for session in mobility.store.sessions()}
        return phone_rows(
            snapshot,
            store.contacts(),
            store.assignments(),
            entry_of,
            learned,
            learner,
            store.learned_vendors(),
            sessions,
            session_entry,
        )

    async def health(_request: Request):
        snapshot = service.published.snapshot()
        return JSONResponse(
            {
                "status": "ok",
                "published_phones": len(snapshot.manifest.phones),
                "published_files": len(snapshot.manifest.files),
                "fleet_loaded": snapshot.fleet is not None,
                "fleet_error": snapshot.fleet_error,
                "journal_pending": service.journal.pending,
                "database": service.store.dialect,
            }
        )

    @guarded(PHONE_READERS)
    def phones(request: Request):
        return page_by_mac(request.query_params, rows(), "phones")

    @guarded(PHONE_READERS)
    def phone(request: Request):
        mac = mac_of(request)
        for row in rows():
            if row["mac"] == mac:
                return row
        raise ApiError(404, f"no phone {mac}")

    @guarded(PHONE_JOURNAL_READERS)
    def journal(request: Request):
        params = request.query_params
        limit = page_limit(params)
        try:
            since = float(params["since"]) if "since" in params else None
            before = float(params["before"]) if "before" in params else None
        except ValueError:
            raise ApiError(400, "since and before must be times in epoch seconds") from None
        mac = None
        if params.get("mac"):
            try:
                mac = normalize_mac(params["mac"])
            except InvalidMac:
                raise ApiError(400, "mac is not a MAC address") from None
        service.flush()
        found = service.store.journal(mac=mac, since=since, before=before, limit=limit + 1)
        page, following = page_of_journal(found, limit)
        return {"journal": page, "next": following}

    @guarded(PHONE_OPERATORS)
    def autoprovisioned(request: Request):
        return page_by_mac(
            request.query_params,
            [
                {
                    "mac": item.mac,
                    "number": item.number,
                    "name": item.name,
                    "username": item.username,
                    "vendor": item.vendor,
                    "model": item.model,
                    "assigned_at": item.assigned_at,
                }
                for item in service.store.assignments()
            ],
            "phones",
        )

    @guarded(PHONE_OPERATORS)
    def release(request: Request):
        mac = mac_of(request)
        if not service.store.release(mac):
            raise ApiError(404, f"no auto-provisioned phone {mac}")
        record(request, "autoprovisioned_release", f"phone:{mac}")
        return {"released": mac}

    @guarded(ACCESS_KEY_MANAGERS)
    def access_keys(request: Request):
        snapshot = service.published.reload()
        keys = service.store.access_keys()
        issued = 0
        for mac in snapshot.manifest.phones:
            if mac not in keys:
                keys[mac] = new_access_key()
                service.store.issue_key(mac, keys[mac])
                issued += 1
        if issued:
            record(request, "access_key_issue", "phones", phones=issued)
        return page_by_mac(request.query_params, [{"mac": mac, "key": key} for mac, key in keys.items()], "access_keys")

    @guarded(ACCESS_KEY_MANAGERS)
    def issue_key(request: Request):
        mac = mac_of(request)
        key = new_access_key()
        service.store.issue_key(mac, key)
        record(request, "access_key_issue", f"phone:{mac}")
        return {"mac": mac, "key": key}

    @guarded(PHONE_OPERATORS)
    def queue_restart(request: Request):
        """Queue WPI Restart for a Unify phone of the published fleet or an auto-provisioned one; the caller
        then wakes it with a contact-me (the Unify control does both)."""
        mac = mac_of(request)
        snapshot = service.published.reload()
        phone = snapshot.fleet.phone(mac) if snapshot.fleet is not None and mac in snapshot.manifest.phones else None
        assignment = service.store.assignment(mac) if phone is None else None
        vendor = phone.vendor if phone is not None else assignment.vendor if assignment is not None else None
        if vendor != wpi.VENDOR:
            raise ApiError(404, f"no Unify phone {mac} in the published fleet or among auto-provisioned phones")
        service.store.queue_wpi_action(mac, wpi.RESTART)
        record(request, "restart_queue", f"phone:{mac}")
        return {"mac": mac, "queued": wpi.RESTART}

    def published_or_assigned(mac: str) -> str | None:
        """The vendor of ``mac``, a phone of the published fleet or an auto-provisioned one; ApiError 404 else."""
        snapshot = service.published.reload()
        if mac in snapshot.manifest.phones:
            return snapshot.vendors.get(mac)
        assignment = service.store.assignment(mac)
        if assignment is None:
            raise ApiError(404, f"no phone {mac} in the published fleet or among auto-provisioned phones")
        return assignment.vendor

    def asker(request: Request) -> tuple[str, str | None, str | None]:
        """Who asked (the user's name), from where, with what User-Agent: what the phone journal keeps."""
        return (
            request.state.caller.user.name,
            request.client.host if request.client else None,
            request.headers.get("user-agent"),
        )

    @guarded(PHONE_OPERATORS)
    async def open_window(request: Request):
        """Open a phone's firmware window for ``minutes`` (window_override.py): its files name its kit's firmware
        at once, whatever its profile's window says, until then."""
        mac = mac_of(request)
        try:
            document = json.loads(await request.body() or b"null")
        except ValueError:  # not JSON, or not UTF-8: as no object at all
            document = None
        try:
            minutes = minutes_asked(document)
        except OpeningRefused as exc:
            raise ApiError(400, str(exc)) from None
        vendor = published_or_assigned(mac)
        name, ip, user_agent = asker(request)
        until = service.provisioner.overrides.open(mac, minutes, name, vendor, ip, user_agent)
        record(request, "firmware_window_open", f"phone:{mac}", minutes=minutes)
        return {"mac": mac, "minutes": minutes, "until": until, "opened_by": name}

    @guarded(PHONE_OPERATORS)
    def close_window(request: Request):
        mac = mac_of(request)
        vendor = published_or_assigned(mac)
        name, ip, user_agent = asker(request)
        closed = service.provisioner.overrides.close(mac, name, vendor, ip, user_agent)
        record(request, "firmware_window_close", f"phone:{mac}", closed=closed)
        return {"mac": mac, "closed": closed}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    async def not_found(_request: Request, _exc):
        return _error(404, "no such API resource")

    return Starlette(
        routes=[
            Route("/api/v1/health", health),
            Route("/api/v1/phones", phones),
            Route("/api/v1/phones/{mac}", phone),
            Route("/api/v1/journal", journal),
            Route("/api/v1/autoprovisioned", autoprovisioned),
            Route("/api/v1/autoprovisioned/{mac}", release, methods=["DELETE"]),
            Route("/api/v1/access-keys", access_keys),
            Route("/api/v1/phones/{mac}/access-key", issue_key, methods=["POST"]),
            Route("/api/v1/phones/{mac}/restart", queue_restart, methods=["POST"]),
            Route("/api/v1/phones/{mac}/firmware-window", open_window, methods=["POST"]),
            Route("/api/v1/phones/{mac}/firmware-window", close_window, methods=["DELETE"]),
            *service.mobility.api_routes(guarded, record),  # mobility.py: sessions
        ],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
