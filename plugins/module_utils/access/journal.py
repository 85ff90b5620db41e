# Private to this collection: the journal of user actions, of the job service and the provisioning service.
"""Who did what, when and from where: every launch, cancel, relaunch, login, failed login, refused request,
user, token and schedule change, what the scheduler did (a schedule's launch, missed run or error), and every
write through the provisioning service's API (``PHONE_ACTIONS``; its lines say ``service: provisioning`` in
their detail, as do its logins).

A line is ``at`` (epoch seconds), ``username`` (as given, for a failed login too; ``schedule:<name>`` for what
the scheduler did), ``action`` (one of ``ACTIONS``), ``source`` (the client's address; ``scheduler``), ``target``
(the job, user, token or schedule acted on) and ``detail``
(a JSON object). The caller builds ``detail`` from what is safe to keep; ``record`` refuses the keys that would
hold a secret anyway, so a slip is an error in a test, not a password in the journal.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from .store import AccessStore

#: the provisioning API's writes (phonefleet_service/api.py); a firmware window's are in the phone journal too
PHONE_ACTIONS = (
    "autoprovisioned_release",
    "access_key_issue",
    "restart_queue",
    "firmware_window_open",
    "firmware_window_close",
    # a mobility logout asked through the API (target phone:<mac>, user:<number> or site:<site>; phonefleet_service
    # mobility.py), also one that ended nothing; the phone journal has the sessions it ended
    "mobility_logout",
)
ACTIONS = (
    "login",
    "login_failed",
    "launch",
    "cancel",
    "relaunch",
    "user_create",
    "user_update",
    "user_delete",
    "password_reset",
    "token_create",
    "token_revoke",
    # a request refused before its route ran: no credentials (401) or a role the route does not allow (403)
    "refused",
    "schedule_create",
    "schedule_update",
    "schedule_enable",
    "schedule_disable",
    "schedule_delete",
    # the scheduler's own lines (username schedule:<name>); its launches are "launch" lines
    "schedule_missed",
    "schedule_error",
    *PHONE_ACTIONS,
)
#: the ``source`` of the scheduler's lines
SCHEDULER = "scheduler"
#: keys a detail never holds: their values are secrets
_SECRET_KEYS = frozenset(
    {"password", "token", "token_hash", "password_hash", "extra_vars", "secrets", "key", "access_key"}
)


@dataclass(frozen=True)
class JournalLine:
    id: int
    at: float
    username: str
    action: str
    source: str
    target: str
    detail: dict


class Journal:
    def __init__(self, store: AccessStore) -> None:
        self.store = store

    def record(self, username: str, action: str, source: str, target: str = "", detail: dict | None = None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown journal action {action!r}")
        leaked = _SECRET_KEYS & set(detail or {})
        if leaked:
            raise ValueError(f"a journal detail may not hold {', '.join(sorted(leaked))}")
        self.store.write(
            "INSERT INTO job_user_actions (at, username, action, source, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time(), username, action, source, target, json.dumps(detail or {}, sort_keys=True)),
        )

    def query(
        self,
        username: str | None = None,
        action: str | None = None,
        since: float | None = None,
        until: float | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[JournalLine], int]:
        """A page of lines, newest first, and how many match in all; ``since`` inclusive, ``until`` exclusive."""
        conditions, params = [], []
        for condition, value in (
            ("username = ?", username),
            ("action = ?", action),
            ("at >= ?", since),
            ("at < ?", until),
        ):
            if value is not None and value != "":
                conditions.append(condition)
                params.append(value)
        # the statement is put together of the constants above; the values are parameters
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        total = self.store.read(f"SELECT COUNT(*) FROM job_user_actions {where}", tuple(params))[0][0]  # noqa: S608
        rows = self.store.read(
            f"SELECT id, at, username, action, source, target, detail FROM job_user_actions {where}"  # noqa: S608
            " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [JournalLine(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6])) for row in rows], total
