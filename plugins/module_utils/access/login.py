# Private to this collection: who is asking, for the job service and the provisioning service alike.
"""A request's credential checked against the users (users.py), the failed-login limit and the journal of logins.

One piece for both services; each keeps only an adapter that reads the ``Authorization`` header and the client's
address and turns :class:`LoginRefused` into its framework's answer (``phonefleet_jobs/auth.py``,
``phonefleet_service/api.py``). A credential is ``Bearer <token>`` (a user's token, or a token of the service's
settings: ``settings_token``) or ``Basic`` with a user's name and password.

A password once checked is remembered by its SHA-256 with the stored hash it matched, for the process's life, so
bcrypt's deliberate slowness is paid once, not on every request; it is trusted again only while the stored hash is
the same, so a password changed through either service is checked anew by both. The user's role and whether they are
disabled are read at every request, and a token is looked up at every request (a revoked one fails at once). That
first check of a password (and the first use of a token) in a process is the journal's ``login``; every refused
credential is a ``login_failed``; a request without credentials (401) or by a role the route does not allow (403) is
a ``refused`` line. Each names the request (method and path, never the query string). After ``MAX_FAILURES``
failures within ``FAILURE_WINDOW_SECONDS`` from one source for one user (or one source's unknown tokens), that pair
is refused (429) without a check until the window has passed; the count is each process's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .journal import Journal
from .users import User, Users, token_digest

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 60.0
UNAUTHORIZED = 401
TOO_MANY_REQUESTS = 429


class LoginRefused(Exception):
    """No caller: ``status`` 401 (no, a malformed or a wrong credential) or 429 (too many failures: wait
    ``retry_after`` seconds). The message never holds the credential."""

    def __init__(self, status: int, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    user: User
    source: str  # the client's address


def request_line(method: str, path: str) -> str:
    """A request as the journal names it: method and path; never the query string (it may hold anything)."""
    return f"{method} {path}"


def role_refused(
    caller: Caller, roles: frozenset[str], journal: Journal | None = None, request: str = "", **detail: str
) -> str | None:
    """Why ``caller`` may not do what ``roles`` may (the message of a 403, journaled as ``refused`` when a
    journal is given), or None if it may."""
    if caller.user.role in roles:
        return None
    if journal is not None:
        line = {"status": 403, "request": request, "role": caller.user.role, **detail}
        journal.record(caller.user.name, "refused", caller.source, detail=line)
    return f"the role {caller.user.role} may not do this (allowed: {', '.join(sorted(roles))})"


def is_password(authorization: str) -> bool:
    """Whether the ``Authorization`` header is a password (Basic): its first check is a bcrypt's, slow on
    purpose, which an event loop must leave to a thread."""
    return authorization.partition(" ")[0].lower() == "basic"


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


class HashedTokens:
    """Tokens listed in a service's settings by their SHA-256, each with a name and a role: the callers a
    deployment tool sets up before any user exists (the provisioning service's ``api_tokens``)."""

    def __init__(self, entries: list[dict]) -> None:
        self._users = {
            str(entry["token_sha256"]).lower(): User(entry["name"], entry["name"], "", entry["role"], False, 0.0)
            for entry in entries
        }

    def __call__(self, token: str) -> User | None:
        return self._users.get(token_digest(token))


def no_settings_token(_token: str) -> User | None:
    return None


class Authenticator:
    """The caller of a request, by ``authenticate``. ``settings_token`` finds a token the service's settings
    know (None: not one of them); ``detail`` is added to every journal line of a login (which service)."""

    def __init__(
        self,
        settings_token: Callable[[str], User | None] = no_settings_token,
        detail: Mapping[str, str] | None = None,
    ) -> None:
        self.settings_token = settings_token
        self.detail = dict(detail or {})
        self.failures = FailureLimit()
        # sha256(name, password) -> (name, the stored hash it matched), checked once by bcrypt
        self._passwords: dict[bytes, tuple[str, str]] = {}
        self._tokens_seen: set[str] = set()  # token digests whose first use was journaled (login)
        self._lock = threading.Lock()

    def forget(self) -> None:
        """A user changed (password, role, disabled, deleted): every remembered password is checked again."""
        with self._lock:
            self._passwords.clear()

    def authenticate(
        self, users: Users, journal: Journal, authorization: str, source: str, request: str = ""
    ) -> Caller:
        """The caller whose credential ``authorization`` (the header's value) is; :class:`LoginRefused` else.
        ``request`` (:func:`request_line`) names the request in the journal's lines."""
        scheme, _space, credential = authorization.partition(" ")
        scheme, credential = scheme.lower(), credential.strip()
        if scheme == "basic":
            name, secret = _basic(credential)
            key = (f"user:{name}", source)
        elif scheme == "bearer" and credential:
            name, secret = "", credential
            key = ("token", source)
        else:
            detail = {"status": 401, "request": request, **self.detail}
            journal.record("(anonymous)", "refused", source, detail=detail)
            raise LoginRefused(
                UNAUTHORIZED, "credentials are required (HTTP Basic user and password, or a Bearer token)"
            )
        wait = self.failures.blocked(key)
        if wait:
            raise LoginRefused(TOO_MANY_REQUESTS, "too many failed logins: try again later", int(wait) + 1)
        found = self._password_user(users, name, secret) if scheme == "basic" else self._token_user(users, secret)
        if found is None:
            self.failures.fail(key)
            detail = {"method": scheme, "request": request, **self.detail}
            journal.record(name or "(token)", "login_failed", source, detail=detail)
            raise LoginRefused(UNAUTHORIZED, "wrong or revoked credentials")
        user, first = found
        if first:
            journal.record(user.name, "login", source, detail={"method": scheme, **self.detail})
        return Caller(user, source)

    def _password_user(self, users: Users, name: str, password: str) -> tuple[User, bool] | None:
        """The user and whether this is the first time this password is checked in this process."""
        digest = hashlib.sha256(f"{name}\0{password}".encode()).digest()
        stored = users.password_hash(name)
        with self._lock:
            remembered = self._passwords.get(digest)
        if stored is not None and remembered == (name, stored):
            user = users.find(name)
            return (user, False) if user is not None and not user.disabled else None
        checked = users.check_password(name, password)
        if checked is None or stored is None:
            return None
        with self._lock:
            self._passwords[digest] = (name, stored)
        return checked, True

    def _token_user(self, users: Users, token: str) -> tuple[User, bool] | None:
        found = users.user_of_token(token)
        user = found[0] if found is not None else self.settings_token(token)
        if user is None:
            return None
        digest = token_digest(token)
        with self._lock:
            first = digest not in self._tokens_seen
            self._tokens_seen.add(digest)
        return user, first


def _basic(credential: str) -> tuple[str, str]:
    try:
        name, colon, password = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise LoginRefused(UNAUTHORIZED, "the Basic credentials are not base64 of user:password") from None
    if not colon or not name:
        raise LoginRefused(UNAUTHORIZED, "the Basic credentials are not base64 of user:password")
    return name, password
