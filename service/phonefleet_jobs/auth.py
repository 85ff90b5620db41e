"""Who may call the job service: today one administrator token, its bcrypt hash in the settings.

``require_admin`` is the one FastAPI dependency every route uses; the users, roles and tokens of issue 13
replace its body (and return the user instead of a name), the routes stay as they are. A token once checked
is remembered by its SHA-256 for the process's life, so bcrypt's deliberate slowness is paid once, not on
every request (and a wrong token still pays it every time).
"""

from __future__ import annotations

import hashlib
import hmac

import bcrypt
from fastapi import HTTPException, Request, status

ADMIN = "admin"


def hash_token(token: str) -> str:
    return bcrypt.hashpw(token.encode(), bcrypt.gensalt()).decode()


class AdminToken:
    def __init__(self, token_hash: str) -> None:
        self._hash = token_hash.encode()
        self._accepted: set[bytes] = set()

    def check(self, token: str) -> bool:
        digest = hashlib.sha256(token.encode()).digest()
        if any(hmac.compare_digest(digest, known) for known in self._accepted):
            return True
        if len(token) > 200 or not bcrypt.checkpw(token.encode(), self._hash):  # bcrypt reads 72 bytes at most
            return False
        self._accepted.add(digest)
        return True


def require_admin(request: Request) -> str:
    """The caller's name if the request carries the admin token (``Authorization: Bearer <token>``), else 401."""
    scheme, _space, token = request.headers.get("authorization", "").partition(" ")
    checker: AdminToken = request.app.state.admin_token
    if scheme.lower() != "bearer" or not token or not checker.check(token.strip()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return ADMIN
