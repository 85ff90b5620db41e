"""Who may call the job service: the FastAPI side of ``access/login.py`` (users by password or token, the
failed-login limit, the journal of logins), which the provisioning service's API shares.

A request carries ``Authorization: Bearer <token>`` (scripts: a user's token, or the settings' optional
``admin_token_hash`` token, which acts as the built-in user ``admin``) or ``Authorization: Basic`` with a user's
name and password (people). Each route declares the roles it allows with one dependency (``Reader``, ``Launcher``,
``JournalReader``, ``UserManager``); no or a wrong credential is 401, a role not allowed 403, too many failed logins
429; a 401 or 403 is a ``refused`` line of the journal. The dependencies are plain functions, which FastAPI runs in
a thread: bcrypt's first check of a password does not hold up the event loop.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

import bcrypt
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.login import (
    Caller,
    LoginRefused,
    request_line,
    role_refused,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import (
    ADMINISTRATOR,
    JOURNAL_READERS,
    LAUNCHERS,
    READERS,
    USER_MANAGERS,
    User,
)
from fastapi import Depends, HTTPException, Request, status

#: the built-in user of the settings' admin token (kept for existing setups)
ADMIN = "admin"


def hash_token(token: str) -> str:
    return bcrypt.hashpw(token.encode(), bcrypt.gensalt()).decode()


class AdminToken:
    """The settings' single administrator token (bcrypt hash), if any: the built-in user ``admin`` it is."""

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

    def __call__(self, token: str) -> User | None:
        """The built-in administrator if ``token`` is this one (``Authenticator``'s ``settings_token``)."""
        return User(ADMIN, "Administrator", "", ADMINISTRATOR, False, 0.0) if self.check(token) else None


def authenticate(request: Request) -> Caller:
    try:
        return request.app.state.authenticator.authenticate(
            request.app.state.users,
            request.app.state.journal,
            request.headers.get("authorization", ""),
            request.client.host if request.client else "",
            request_line(request.method, request.url.path),
        )
    except LoginRefused as refused:
        if refused.retry_after:
            raise HTTPException(
                refused.status, refused.message, headers={"Retry-After": str(refused.retry_after)}
            ) from None
        raise HTTPException(
            refused.status, refused.message, headers={"WWW-Authenticate": 'Basic realm="phonefleet-jobs", Bearer'}
        ) from None


def _requires(roles: frozenset[str]):
    def dependency(request: Request) -> Caller:
        caller = authenticate(request)
        refusal = role_refused(caller, roles, request.app.state.journal, request_line(request.method, request.url.path))
        if refusal:
            raise HTTPException(status.HTTP_403_FORBIDDEN, refusal)
        return caller

    return dependency


#: the caller of a route, for each set of roles a route allows
Reader = Annotated[Caller, Depends(_requires(READERS))]
Launcher = Annotated[Caller, Depends(_requires(LAUNCHERS))]
JournalReader = Annotated[Caller, Depends(_requires(JOURNAL_READERS))]
UserManager = Annotated[Caller, Depends(_requires(USER_MANAGERS))]
#: schedules launch jobs unattended: only an administrator makes or changes them
ScheduleManager = UserManager
