# Private to this collection: the services' users, their roles, passwords and tokens.
"""Users of the job service and of the provisioning service's API, and what each role may do (the reference
product's three roles). Both services read the same users (docs/jobs.md, "Users, roles and login").

- ``administrator``: everything, and manages users and everyone's tokens;
- ``auditor``: reads jobs, their output, the journals, the catalogue and the phones; launches and changes nothing;
- ``api``: launches, cancels and relaunches jobs and reads them, with tokens (a script's account); on the
  provisioning service, what the collection's modules ask: the phones (the inventory's live facts), the
  auto-provisioned phones and their release (autoprovisioned_export), a Unify restart and a firmware window
  (phone_command); not the phones' access keys nor the journals.

Passwords are hashed with bcrypt (slow on purpose: a password is low-entropy and may be guessed offline).
Tokens are 256 random bits, shown once at creation and stored as their SHA-256: a hash of that much entropy
cannot be reversed by guessing, so bcrypt's cost would buy nothing and would be paid on every request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from ..fleet.errors import MissingLibraryError
from .store import AccessStore

try:
    import bcrypt
except ImportError:  # pragma: no cover - the job service's requirements install it; said where it is needed
    bcrypt = None  # type: ignore[assignment]

ADMINISTRATOR = "administrator"
AUDITOR = "auditor"
API = "api"
ROLES = (ADMINISTRATOR, AUDITOR, API)
#: who may read jobs, launch them, read the journal, manage users (app.py declares one dependency per set)
READERS = frozenset(ROLES)
LAUNCHERS = frozenset({ADMINISTRATOR, API})
JOURNAL_READERS = frozenset({ADMINISTRATOR, AUDITOR})
USER_MANAGERS = frozenset({ADMINISTRATOR})
#: the provisioning service's API (phonefleet_service/api.py): who may read the phones, read the phone journal,
#: act on phones (auto-provisioned assignments and their release, Unify restart, firmware window), and read or
#: issue the phones' access keys (secrets that prove a phone: an administrator's only)
PHONE_READERS = frozenset(ROLES)
PHONE_JOURNAL_READERS = frozenset({ADMINISTRATOR, AUDITOR})
PHONE_OPERATORS = frozenset({ADMINISTRATOR, API})
ACCESS_KEY_MANAGERS = frozenset({ADMINISTRATOR})
#: the prefix every token starts with: a secret scanner (and a person) recognises one in a leaked file
TOKEN_PREFIX = "pfj_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_USER_COLUMNS = "name, full_name, email, role, password_hash, disabled, created_at"


class UserError(ValueError):
    """A refused user or token change; ``field`` names what was wrong (``name``, ``role``, ``password`` ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class User:
    name: str
    full_name: str
    email: str
    role: str
    disabled: bool
    created_at: float

    @property
    def actor(self) -> str:
        """``Full Name <email>`` as Git wants an author (fleet/git.py reads it from PHONEFLEET_ACTOR)."""
        return f"{self.full_name or self.name} <{self.email or f'{self.name}@phonefleet'}>"


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never its value (shown once at creation), nor its hash."""

    id: int
    username: str
    description: str
    created_at: float
    created_by: str


def _bcrypt():
    if bcrypt is None:
        raise MissingLibraryError("bcrypt")
    return bcrypt


def hash_password(password: str, rounds: int = 12) -> str:
    library = _bcrypt()
    return library.hashpw(password.encode(), library.gensalt(rounds=rounds)).decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    """A random credential (a generated password or a token): 256 bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _user(row) -> User:
    return User(name=row[0], full_name=row[1], email=row[2], role=row[3], disabled=bool(row[5]), created_at=row[6])


class Users:
    """The users and tokens kept in an :class:`AccessStore` (the job service's store is one).

    ``bcrypt_rounds`` is lowered by tests only."""

    def __init__(self, store: AccessStore, bcrypt_rounds: int = 12) -> None:
        self.store = store
        self.bcrypt_rounds = bcrypt_rounds
        self._unknown_hash: bytes | None = None

    @property
    def _unknown_user_hash(self) -> bytes:
        """What an unknown name's password is checked against: a bcrypt check at the same cost, so timing does
        not tell which names exist. Made at the first unknown name, not at start (a service may see none)."""
        if self._unknown_hash is None:
            self._unknown_hash = hash_password(secrets.token_hex(16), self.bcrypt_rounds).encode()
        return self._unknown_hash

    # -- users -------------------------------------------------------------------------------------

    def create(self, name: str, role: str, password: str, full_name: str = "", email: str = "") -> User:
        if not _NAME.match(name):
            raise UserError("name", "must be 1-64 characters: lower-case letters, digits, . _ -, a letter first")
        self._check_role(role)
        self._check_password(password)
        if "<" in full_name + email or ">" in full_name + email or "\n" in full_name + email:
            raise UserError("full_name", "full_name and email may not hold < > or a line break (a Git identity)")
        if self.find(name) is not None:
            raise UserError("name", f"a user {name!r} exists already")
        self.store.write(
            f"INSERT INTO job_users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - our columns
            (name, full_name, email, role, hash_password(password, self.bcrypt_rounds), 0, time.time()),
        )
        return self.get(name)

    def find(self, name: str) -> User | None:
        rows = self.store.read(f"SELECT {_USER_COLUMNS} FROM job_users WHERE name = ?", (name,))  # noqa: S608
        return _user(rows[0]) if rows else None

    def get(self, name: str) -> User:
        user = self.find(name)
        if user is None:
            raise KeyError(name)
        return user

    def all(self) -> list[User]:
        return [_user(row) for row in self.store.read(f"SELECT {_USER_COLUMNS} FROM job_users ORDER BY name")]  # noqa: S608

    def set_role(self, name: str, role: str) -> User:
        self._check_role(role)
        self.get(name)
        self.store.write("UPDATE job_users SET role = ? WHERE name = ?", (role, name))
        return self.get(name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        self.get(name)
        self.store.write("UPDATE job_users SET disabled = ? WHERE name = ?", (int(disabled), name))
        return self.get(name)

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        self.get(name)
        self.store.write(
            "UPDATE job_users SET password_hash = ? WHERE name = ?", (hash_password(password, self.bcrypt_rounds), name)
        )

    def delete(self, name: str) -> None:
        """The user and every token of theirs; the jobs and journal lines that name them stay."""
        self.get(name)
        with self.store.lock:
            self.store.write("DELETE FROM job_user_tokens WHERE username = ?", (name,))
            self.store.write("DELETE FROM job_users WHERE name = ?", (name,))

    def password_hash(self, name: str) -> str | None:
        """The stored hash of ``name``'s password (None: no such user): a password checked before may be trusted
        again only while it is unchanged, whichever service changed it."""
        rows = self.store.read("SELECT password_hash FROM job_users WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def check_password(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs and they are enabled; else None (bcrypt is paid either way)."""
        stored = self.password_hash(name)
        known = stored.encode() if stored is not None else self._unknown_user_hash
        matches = len(password) <= 200 and _bcrypt().checkpw(password.encode(), known)  # bcrypt reads 72 bytes
        user = self.find(name) if stored is not None and matches else None
        return user if user is not None and not user.disabled else None

    # -- tokens ------------------------------------------------------------------------------------

    def create_token(self, username: str, description: str, created_by: str) -> tuple[TokenInfo, str]:
        """A new token for ``username``: its listing and its value (the only time the value is seen)."""
        self.get(username)
        token = new_secret()
        digest = token_digest(token)
        self.store.write(
            "INSERT INTO job_user_tokens (username, description, token_hash, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (username, description, digest, time.time(), created_by),
        )
        rows = self.store.read(
            "SELECT id, username, description, created_at, created_by FROM job_user_tokens WHERE token_hash = ?",
            (digest,),
        )
        return TokenInfo(*rows[0]), token

    def tokens(self, username: str | None = None) -> list[TokenInfo]:
        where, params = ("WHERE username = ?", (username,)) if username else ("", ())
        rows = self.store.read(
            f"SELECT id, username, description, created_at, created_by FROM job_user_tokens {where} ORDER BY id",  # noqa: S608
            params,
        )
        return [TokenInfo(*row) for row in rows]

    def token(self, token_id: int) -> TokenInfo:
        rows = self.store.read(
            "SELECT id, username, description, created_at, created_by FROM job_user_tokens WHERE id = ?", (token_id,)
        )
        if not rows:
            raise KeyError(token_id)
        return TokenInfo(*rows[0])

    def revoke_token(self, token_id: int) -> None:
        self.token(token_id)
        self.store.write("DELETE FROM job_user_tokens WHERE id = ?", (token_id,))

    def user_of_token(self, token: str) -> tuple[User, int] | None:
        """The enabled user a token belongs to, and the token's id; None for an unknown or revoked token."""
        rows = self.store.read("SELECT username, id FROM job_user_tokens WHERE token_hash = ?", (token_digest(token),))
        user = self.find(rows[0][0]) if rows else None
        return (user, rows[0][1]) if user is not None and not user.disabled else None

    # -- checks ------------------------------------------------------------------------------------

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise UserError("role", f"must be one of {', '.join(ROLES)}, not {role!r}")

    @staticmethod
    def _check_password(password: str) -> None:
        if not MIN_PASSWORD_LENGTH <= len(password) <= 72:  # bcrypt reads 72 bytes at most
            raise UserError("password", f"must have {MIN_PASSWORD_LENGTH} to 72 characters")
