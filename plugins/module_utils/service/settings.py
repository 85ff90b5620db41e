# Private to this collection: the provisioning service's settings, from one file and the environment.
"""One settings object for the provisioning service: defaults < settings file (YAML) < environment.

Environment variables are ``PHONEFLEET_<FIELD>`` in upper case (``PHONEFLEET_WEB_ROOT``,
``PHONEFLEET_DATABASE_URL``, ``PHONEFLEET_HTTP_PORT``...). The API's callers are the users of
``users_database_url`` (default: ``database_url``; the job service's users, access/users.py) and the tokens of
``api_tokens``, from the file only: a list of ``{name, role, token_sha256}``, each token kept as its SHA-256,
never in clear (roles: ``ROLES``). ``secret`` signs digest-auth nonces and must be the same on every worker and
server sharing a database (the role generates one). Nothing else in the service reads the environment.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import unquote, urlsplit

from ..access.users import ROLES
from ..fleet.yamlio import YamlSyntaxError, load_yaml
from .store import redact_url

ENV_PREFIX = "PHONEFLEET_"
_SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the file or variable and the field."""


@dataclass
class ServiceSettings:
    web_root: str = ""
    database_url: str = "sqlite:///phonefleet-state.db"
    users_database_url: str = ""  # empty: database_url (one database for the phones' state and the users)
    http_host: str = "127.0.0.1"
    http_port: int = 8480
    workers: int = 1
    http_max_header_bytes: int = 16384
    http_max_headers: int = 100
    http_request_timeout: float = 10.0
    http_keep_alive_timeout: float = 5.0
    http_max_connections: int = 1000
    tftp_enabled: bool = True
    tftp_host: str = "127.0.0.1"
    tftp_port: int = 6969
    tftp_max_transfers_per_address: int = 8
    journal_days: float = 10.0
    journal_flush_seconds: float = 0.2
    served_log_dir: str = ""  # empty: beside an SQLite file, <database file>-served; see served_log_path()
    unknown_phones_max: int = 10000  # phones without a config remembered; the least recently seen go first
    forwarded_allow_ips: str = "127.0.0.1"
    secret: str = ""
    log_level: str = "info"
    api_tokens: list = field(default_factory=list)
    # mobility (docs/mobility.md): the phones' login screens listen here (nginx's 8080 and 8081 proxy to it)
    applications_host: str = "127.0.0.1"
    applications_port: int = 8481  # 0: no applications listener
    mobility_max_failures: int = 5  # wrong PINs for one number, or from one phone, before it is locked
    mobility_lockout_minutes: float = 15.0
    mobility_session_hours: float = 12.0  # the longest session (a shift); 0: no limit
    mobility_check_seconds: float = 30.0  # how often sessions are expired and publishes followed

    def check(self, origin: str = "settings") -> None:
        if not self.web_root:
            raise SettingsError(f"{origin}: web_root is required (the folder publish writes into)")
        for name in ("http_port", "tftp_port"):
            value = getattr(self, name)
            if not 0 < value < 65536:
                raise SettingsError(f"{origin}: {name} must be a port number (1-65535), not {value}")
        if not 0 <= self.applications_port < 65536 or self.applications_port == self.http_port:
            raise SettingsError(
                f"{origin}: applications_port must be a port number other than http_port's (0: none),"
                f" not {self.applications_port}"
            )
        if self.mobility_max_failures < 1:
            raise SettingsError(f"{origin}: mobility_max_failures must be 1 or more, not {self.mobility_max_failures}")
        for name in ("mobility_lockout_minutes", "mobility_check_seconds"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{origin}: {name} must be positive, not {getattr(self, name)}")
        if self.mobility_session_hours < 0:
            raise SettingsError(f"{origin}: mobility_session_hours must be 0 (no limit) or more")
        for name in ("workers", "tftp_max_transfers_per_address", "http_max_headers", "http_max_connections"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{origin}: {name} must be 1 or more, not {getattr(self, name)}")
        if self.http_max_header_bytes < 1024:
            raise SettingsError(
                f"{origin}: http_max_header_bytes must be 1024 or more, not {self.http_max_header_bytes}"
            )
        for name in ("http_request_timeout", "http_keep_alive_timeout"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{origin}: {name} must be a positive number of seconds")
        if self.journal_days <= 0 or self.journal_flush_seconds <= 0:
            raise SettingsError(f"{origin}: journal_days and journal_flush_seconds must be positive")
        served = self.served_log_path()
        if served is not None:
            if "\0" in served or not served.strip():
                raise SettingsError(f"{origin}: served_log_dir must be a folder's path, not {self.served_log_dir!r}")
            if os.path.exists(served) and not os.path.isdir(served):
                raise SettingsError(f"{origin}: served_log_dir {served!r} is not a folder")
        if self.unknown_phones_max < 0:
            raise SettingsError(f"{origin}: unknown_phones_max must be 0 or more, not {self.unknown_phones_max}")
        for index, token in enumerate(self.api_tokens):
            _check_api_token(token, f"{origin}: api_tokens[{index}]")

    def users_url(self) -> str:
        """The database of the API's users (access/store.py): ``users_database_url``, else ``database_url``."""
        return self.users_database_url or self.database_url

    def served_log_path(self) -> str | None:
        """The folder of the served logs (docs/service.md, "The journal"); None for an in-memory database.

        Default: beside an SQLite database file, ``<file>-served`` (as SQLite's own ``-wal``); for PostgreSQL,
        ``phonefleet-served-<12 hex digits of the database URL's hash>`` in the working directory (the role
        sets a folder of the server's state instead). Either is tied to one database: a log is only ever
        replayed into the database it was written for."""
        if self.served_log_dir:
            return self.served_log_dir
        try:
            parts = urlsplit(self.database_url)
        except ValueError:  # Store.open says what is wrong with it
            return None
        if parts.scheme == "sqlite":
            path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path) or unquote(parts.netloc)
            return None if path in ("", ":memory:") else f"{path}-served"
        digest = hashlib.sha256(redact_url(self.database_url).encode()).hexdigest()[:12]
        return f"phonefleet-served-{digest}"


def _check_api_token(token, where: str) -> None:
    if isinstance(token, dict) and "token" in token:  # the settings of earlier releases kept tokens in clear
        raise SettingsError(
            f"{where}.token: tokens are no longer kept in clear; give token_sha256, the token's SHA-256 in hex"
            ' (printf %s "$TOKEN" | sha256sum), or make a user\'s token (docs/service.md, Users and tokens)'
        )
    if not isinstance(token, dict) or not {"name", "role", "token_sha256"} <= set(token):
        raise SettingsError(f"{where} needs name, role and token_sha256")
    if token["role"] == "admin":  # the role of earlier releases
        raise SettingsError(f"{where}.role admin is now called administrator")
    if token["role"] not in ROLES:
        raise SettingsError(f"{where}.role must be one of {', '.join(ROLES)}, not {token['role']!r}")
    if not _SHA256_HEX.match(str(token["token_sha256"])):
        raise SettingsError(f"{where}.token_sha256 must be a SHA-256 in hex (64 digits 0-9, a-f)")


_CONVERTERS: dict[type, Callable[[str], object]] = {
    int: int,
    float: float,
    bool: lambda text: text.strip().lower() in ("1", "true", "yes", "on"),
}


def _convert(name: str, kind, value, origin: str):
    if kind in ("list", list):
        if not isinstance(value, list):
            raise SettingsError(f"{origin}: {name} must be a list")
        return value
    target = {"int": int, "float": float, "bool": bool, "str": str}.get(kind, kind)
    if target is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return _CONVERTERS[bool](value)
        raise SettingsError(f"{origin}: {name} must be true or false")
    if target in (int, float):
        if isinstance(value, bool):
            raise SettingsError(f"{origin}: {name} must be a number")
        try:
            return target(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{origin}: {name} must be a number, not {value!r}") from None
    if not isinstance(value, (str, int, float)):
        raise SettingsError(f"{origin}: {name} must be a string")
    return str(value)


def read_settings(settings, path: str | None, environ: Mapping[str, str], prefix: str, file_only=()) -> None:
    """Fill the settings dataclass ``settings`` from ``path`` (YAML, optional), then from ``environ``
    (``<prefix><FIELD>``, except the fields in ``file_only``); not checked. The job service's settings too."""
    known = {item.name: item.type for item in fields(settings)}
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                data = load_yaml(handle.read())
        except OSError as exc:
            raise SettingsError(f"{path}: cannot be read: {exc.strerror}") from None
        except YamlSyntaxError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: must be a mapping of settings")
        for name, value in data.items():
            if name not in known:
                raise SettingsError(f"{path}: unknown setting {name!r} (known: {', '.join(sorted(known))})")
            setattr(settings, name, _convert(name, known[name], value, path))
    for name, kind in known.items():
        variable = prefix + name.upper()
        if name not in file_only and variable in environ:
            setattr(settings, name, _convert(name, kind, environ[variable], variable))


def load_settings(path: str | None = None, environ: Mapping[str, str] | None = None) -> ServiceSettings:
    """Settings from ``path`` (YAML, optional) and ``environ`` (default: os.environ); checked."""
    settings = ServiceSettings()
    read_settings(settings, path, os.environ if environ is None else environ, ENV_PREFIX, ("api_tokens",))
    settings.check(path or "environment")
    return settings
