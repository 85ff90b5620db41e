"""Who may call the job service: users with roles (``users.py``), by password or token; failed logins limited.

A request carries ``Authorization: Bearer <token>`` (scripts: a user's token, or the settings' optional
``admin_token_hash`` token, which acts as the built-in user ``admin``) or ``Authorization: Basic`` with a user's
name and password (people). Each route declares the roles it allows with one dependency (``Reader``,
``Launcher``, ``JournalReader``, ``UserManager``); no or a wrong credential is 401, a role not allowed 403.

A password once checked is remembered by its SHA-256 for the process's life (forgotten at any user change),
so bcrypt's deliberate slowness is paid once, not on every request. That first check is the journal's
``login``; every refused credential is a ``login_failed``; a request without credentials (401) or by a role the
route does not allow (403) is a ``refused`` line. Each names the request (method and path, no query string).
After ``MAX_FAILURES`` failures within ``FAILURE_WINDOW_SECONDS`` from one source for one user (or one source's
unknown tokens), that pair is answered 429 without a check until the window has passed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Annotated

import bcrypt
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.users import (
    ADMINISTRATOR,
    JOURNAL_READERS,
    LAUNCHERS,
    READERS,
    USER_MANAGERS,
    User,
    Users,
)
from fastapi import Depends, HTTPException, Request, status

#: the built-in user of the settings' admin token (kept for existing setups)
ADMIN = "admin"
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 60.0


def hash_token(token: str) -> str:
    return bcrypt.hashpw(token.encode(), bcrypt.gensalt()).decode()


class AdminToken:
    """The settings' single administrator token (bcrypt hash), if any."""

    def __init__(self, token_hash: str) -> None:
        self._hash = token_hash.encode()
        self._accepted: set[bytes] = set()

    def check(self, token: str) -> bool:
        if not self._hash:
            return False
        digest = hashlib.sha256(token.encode()).digest()
        if any(hmac.compare_digest(digest, known) for known in self._accepted):
            return True
        if len(token) > 200 or not bcrypt.checkpw(token.encode(), self._hash):  # bcrypt reads 72 bytes at most
            return False
        self._accepted.add(digest)
        return True


@dataclass(frozen=True)
class Caller:
    user: User
    source: str  # the client's address


class FailureLimit:
    """Failed logins per (user or token, source) in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, key: tuple[str, str]) -> float:
        """Seconds until ``key`` may try again (0: it may)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            return times[0] + self.window - now if len(times) >= self.max_failures else 0.0

    def fail(self, key: tuple[str, str]) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)


class Authenticator:
    def __init__(self, admin_token: AdminToken) -> None:
        self.admin_token = admin_token
        self.failures = FailureLimit()
        self._passwords: dict[bytes, str] = {}  # sha256(name, password) -> name, checked once by bcrypt
        self._tokens_seen: set[str] = set()  # token digests whose first use was journaled (login)
        self._lock = threading.Lock()

    def forget(self) -> None:
        """A user changed (password, role, disabled, deleted): every remembered password is checked again."""
        with self._lock:
            self._passwords.clear()

    def authenticate(self, request: Request) -> Caller:
        users: Users = request.app.state.users
        journal: Journal = request.app.state.journal
        source = request.client.host if request.client else ""
        scheme, _space, credential = request.headers.get("authorization", "").partition(" ")
        scheme, credential = scheme.lower(), credential.strip()
        if scheme == "basic":
            name, password = _basic(credential)
            key = (f"user:{name}", source)
        elif scheme == "bearer" and credential:
            name, password = "", credential
            key = ("token", source)
        else:
            journal.record("(anonymous)", "refused", source, detail={"status": 401, "request": _request_line(request)})
            raise _unauthorized("credentials are required (HTTP Basic user and password, or a Bearer token)")
        wait = self.failures.blocked(key)
        if wait:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "too many failed logins: try again later",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        user = self._password_user(users, name, password) if scheme == "basic" else self._token_user(users, password)
        if user is None:
            self.failures.fail(key)
            detail = {"method": scheme, "request": _request_line(request)}
            journal.record(name or "(token)", "login_failed", source, detail=detail)
            raise _unauthorized("wrong or revoked credentials")
        if user[1]:
            journal.record(user[0].name, "login", source, detail={"method": scheme})
        return Caller(user[0], source)

    def _password_user(self, users: Users, name: str, password: str) -> tuple[User, bool] | None:
        """The user and whether this is the first time this password is checked in this process."""
        digest = hashlib.sha256(f"{name}\0{password}".encode()).digest()
        with self._lock:
            known = self._passwords.get(digest) == name
        if known:
            user = users.find(name)
            return (user, False) if user is not None and not user.disabled else None
        checked = users.check_password(name, password)
        if checked is None:
            return None
        with self._lock:
            self._passwords[digest] = name
        return checked, True

    def _token_user(self, users: Users, token: str) -> tuple[User, bool] | None:
        found = users.user_of_token(token)
        if found is not None:
            user = found[0]
        elif self.admin_token.check(token):
            user = User(ADMIN, "Administrator", "", ADMINISTRATOR, False, 0.0)
        else:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._lock:
            first = digest not in self._tokens_seen
            self._tokens_seen.add(digest)
        return user, first


def _basic(credential: str) -> tuple[str, str]:
    try:
        name, colon, password = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized("the Basic credentials are not base64 of user:password") from None
    if not colon or not name:
        raise _unauthorized("the Basic credentials are not base64 of user:password")
    return name, password


def _request_line(request: Request) -> str:
    """The request as the journal names it: method and path; never the query string (it may hold anything)."""
    return f"{request.method} {request.url.path}"


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": 'Basic realm="phonefleet-jobs", Bearer'}
    )


def _requires(roles: frozenset[str]):
    def dependency(request: Request) -> Caller:
        caller = request.app.state.authenticator.authenticate(request)
        if caller.user.role not in roles:
            detail = {"status": 403, "request": _request_line(request), "role": caller.user.role}
            request.app.state.journal.record(caller.user.name, "refused", caller.source, detail=detail)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"the role {caller.user.role} may not do this (allowed: {', '.join(sorted(roles))})",
            )
        return caller

    return dependency


#: the caller of a route, for each set of roles a route allows
Reader = Annotated[Caller, Depends(_requires(READERS))]
Launcher = Annotated[Caller, Depends(_requires(LAUNCHERS))]
JournalReader = Annotated[Caller, Depends(_requires(JOURNAL_READERS))]
UserManager = Annotated[Caller, Depends(_requires(USER_MANAGERS))]
#: schedules launch jobs unattended: only an administrator makes or changes them
ScheduleManager = UserManager
