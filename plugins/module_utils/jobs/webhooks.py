# Private to this collection: the job service's webhooks, a signed POST to each receiver when a job ends.
"""Webhooks: when a job ends, a JSON body POSTed to each configured receiver, signed with the receiver's secret.

Configured in the job settings only (``webhooks``: a list of ``{name, url, secret_file | secret_env, events,
playbooks}``); the secret is never in the settings file: it is read from a file only its owner may read (0600)
or from an environment variable the settings name. The API reads deliveries; it does not change webhooks.

Signing is GitHub's scheme: ``X-PhoneFleet-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes>``.
The body holds ``sent_at`` (and ``X-PhoneFleet-Timestamp`` repeats it as epoch seconds), so the time of sending
is signed with the rest: a receiver that refuses an old ``sent_at`` and a ``delivery_id`` seen before refuses
a replayed request.

Delivery runs in one thread of its own (``WebhookSender``): the job manager's writer only stores one row per
delivery and queues it. Each attempt is a row of ``job_webhook_deliveries`` (the jobs store's database): it is
``pending`` until it is sent, then ``delivered`` (a 2xx answer) or ``failed`` (status code or error, without
the secret or the URL's credentials); a failed attempt is followed by the next one after a backoff, up to
``webhook_attempts``. An attempt still pending when the service stops (or found pending at the next start,
after a crash) is marked ``abandoned``: never lost silently.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import heapq
import hmac
import http.client
import json
import logging
import os
import stat
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit, urlunsplit

from ..service.settings import SettingsError
from .model import CANCELED, ERROR, FAILED, SUCCESSFUL, Job
from .store import JobStore

LOG = logging.getLogger("phonefleet.jobs.webhooks")
EVENT = "job.finished"
#: the job states a webhook may be sent for (its ``events``)
EVENTS = (SUCCESSFUL, FAILED, CANCELED, ERROR)
_KEYS = frozenset({"name", "url", "secret_file", "secret_env", "events", "playbooks"})
#: an attempt's states
PENDING = "pending"
DELIVERED = "delivered"
FAILED_ATTEMPT = "failed"
ABANDONED = "abandoned"
MIN_SECRET_LENGTH = 16
ABANDONED_REASON = "the job service stopped before this attempt was made"
_COLUMNS = "delivery_id, attempt, job_id, webhook, url, event, state, due_at, sent_at, status_code, error, duration"


@dataclass(frozen=True)
class Webhook:
    """A receiver. ``secret`` is read at start (``load_webhooks``) and shown nowhere (not in ``repr``)."""

    name: str
    url: str
    events: frozenset[str] = frozenset(EVENTS)
    playbooks: frozenset[str] | None = None  # None: every playbook
    secret_file: str = ""
    secret_env: str = ""
    secret: bytes = field(default=b"", repr=False, compare=False)

    @property
    def shown_url(self) -> str:
        return shown_url(self.url)

    def wants(self, job: Job) -> bool:
        return job.state in self.events and (self.playbooks is None or job.options.playbook in self.playbooks)


@dataclass(frozen=True)
class Attempt:
    attempt: int
    state: str  # PENDING, DELIVERED, FAILED_ATTEMPT or ABANDONED
    due_at: float
    sent_at: float | None
    status_code: int | None
    error: str
    duration: float | None


@dataclass(frozen=True)
class Delivery:
    """One webhook's delivery of one job's end, with its attempts in order."""

    delivery_id: str
    job_id: int
    webhook: str
    url: str  # shown_url: no credentials
    event: str  # the job's state
    attempts: tuple[Attempt, ...]

    @property
    def state(self) -> str:
        """The last attempt's state: ``pending`` (being sent or to be retried), ``delivered``, ``failed`` (every
        attempt failed) or ``abandoned``."""
        return self.attempts[-1].state if self.attempts else PENDING


def shown_url(url: str) -> str:
    """``url`` fit to show: its user name and password (``https://user:pass@host``) as ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not a URL)"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


# -- settings --------------------------------------------------------------------------------------


def parse_webhooks(entries: list, origin: str) -> list[Webhook]:
    """The ``webhooks`` setting checked, without the secrets (``load_webhooks`` reads them): errors name
    ``<origin>: webhooks[<i>].<field>``."""
    if not isinstance(entries, list):
        raise SettingsError(f"{origin}: webhooks must be a list")
    hooks: list[Webhook] = []
    for index, entry in enumerate(entries):
        where = f"{origin}: webhooks[{index}]"
        if not isinstance(entry, dict):
            raise SettingsError(f"{where} must be a mapping (name, url, secret_file or secret_env, ...)")
        if "secret" in entry:
            raise SettingsError(
                f"{where}.secret: a secret is never written in the settings; give secret_file (a file of mode 0600)"
                " or secret_env (the name of an environment variable)"
            )
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise SettingsError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SettingsError(f"{where}.name is required")
        if any(hook.name == name for hook in hooks):
            raise SettingsError(f"{where}.name {name!r} is given twice")
        url = entry.get("url")
        if not isinstance(url, str):
            raise SettingsError(f"{where}.url is required")
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"{where}.url must be an http:// or https:// URL with a host, not {shown_url(url)!r}")
        sources = [key for key in ("secret_file", "secret_env") if entry.get(key)]
        if len(sources) != 1:
            raise SettingsError(f"{where}: give one of secret_file or secret_env (the secret to sign bodies with)")
        events = _names(entry.get("events", list(EVENTS)), f"{where}.events", EVENTS)
        playbooks = entry.get("playbooks")
        hooks.append(
            Webhook(
                name=name,
                url=url,
                events=frozenset(events),
                playbooks=None if playbooks is None else frozenset(_names(playbooks, f"{where}.playbooks")),
                secret_file=str(entry.get("secret_file") or ""),
                secret_env=str(entry.get("secret_env") or ""),
            )
        )
    return hooks


def _names(value: object, where: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{where} must be a non-empty list of names")
    for item in value:
        if allowed is not None and item not in allowed:
            raise SettingsError(f"{where}: {item!r} is not one of {', '.join(allowed)}")
    return value


def load_webhooks(
    entries: list, origin: str, environ: Mapping[str, str], playbooks: frozenset[str] | None = None
) -> list[Webhook]:
    """The webhooks of the settings with their secrets: a ``secret_file`` must be a file only its owner may read
    or write (0600 or 0400), a ``secret_env`` a variable set in ``environ``. ``playbooks``: the catalogue's
    names, which a webhook's ``playbooks`` must be among."""
    hooks = parse_webhooks(entries, origin)
    loaded = []
    for index, hook in enumerate(hooks):
        where = f"{origin}: webhooks[{index}]"
        if playbooks is not None and hook.playbooks is not None:
            unknown = sorted(hook.playbooks - playbooks)
            if unknown:
                raise SettingsError(f"{where}.playbooks: {unknown[0]!r} is not a catalogue playbook")
        if hook.secret_file:
            secret = _read_secret_file(hook.secret_file, f"{where}.secret_file")
        else:
            secret = environ.get(hook.secret_env, "").strip()
            if not secret:
                raise SettingsError(f"{where}.secret_env: the environment variable {hook.secret_env} is not set")
        if len(secret) < MIN_SECRET_LENGTH:
            source = "secret_file" if hook.secret_file else "secret_env"
            raise SettingsError(f"{where}.{source}: the secret is too short ({MIN_SECRET_LENGTH} characters at least)")
        loaded.append(replace(hook, secret=secret.encode()))
    return loaded


def _read_secret_file(path: str, where: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise SettingsError(f"{where}: {path} is not a file")
            if mode & 0o077:
                raise SettingsError(
                    f"{where}: {path} may be read by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it"
                )
            secret = handle.read().strip()
    except OSError as exc:
        raise SettingsError(f"{where}: {path} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{where}: {path} is not text (UTF-8)") from None
    if not secret:
        raise SettingsError(f"{where}: {path} is empty")
    return secret


# -- what is sent ----------------------------------------------------------------------------------


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def body(job: Job, delivery_id: str, sent_at: float, job_url: str) -> bytes:
    """The JSON body of a delivery. Survey answers are left out (a ticket needs none, and some are secrets)."""
    payload = {
        "event": EVENT,
        "delivery_id": delivery_id,
        "sent_at": _iso(sent_at),
        "job": {
            "id": job.id,
            "playbook": job.options.playbook,
            "state": job.state,
            "rc": job.rc,
            "reason": job.reason,
            "launched_by": job.launched_by,
            "started": _iso(job.started_at),
            "finished": _iso(job.finished_at),
            "limit": job.options.limit,
            "check": job.options.check,
            "event_count": job.event_count,
            "url": job_url,
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def signature(secret: bytes, payload: bytes) -> str:
    """``X-PhoneFleet-Signature-256``: GitHub's ``sha256=<hex HMAC-SHA256>`` of the body's bytes as sent."""
    return "sha256=" + hmac.new(secret, payload, hashlib.sha256).hexdigest()


def headers(delivery_id: str, sent_at: float, secret: bytes, payload: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "PhoneFleet-Jobs-Webhook",
        "X-PhoneFleet-Event": EVENT,
        "X-PhoneFleet-Delivery": delivery_id,
        "X-PhoneFleet-Timestamp": str(int(sent_at)),
        "X-PhoneFleet-Signature-256": signature(secret, payload),
    }


def post(url: str, payload: bytes, request_headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST ``payload`` to ``url``, directly (no proxy; a redirect is an answer, not followed: it would send the
    body elsewhere); (status code or None, error or ""). A user name and password in the URL go as HTTP Basic
    authentication. HTTPS certificates are verified against the system's authorities."""
    parts = urlsplit(url)
    if parts.username is not None:
        userinfo = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        request_headers = {**request_headers, "Authorization": "Basic " + base64.b64encode(userinfo).decode()}
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("POST", target, body=payload, headers=request_headers)
        answer = connection.getresponse()
        answer.read(65536)  # the receiver's answer is not kept: only its status
        if 200 <= answer.status < 300:
            return answer.status, ""
        return answer.status, f"HTTP {answer.status} {answer.reason}"
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, reset, a bad certificate
        return None, str(exc) or type(exc).__name__
    finally:
        connection.close()


def _scrub(message: str, hook: Webhook) -> str:
    """An error as it may be stored and shown: neither the URL's credentials nor the secret in it."""
    message = message.replace(hook.url, hook.shown_url)
    parts = urlsplit(hook.url)
    secrets = {hook.secret.decode(errors="replace")}
    if parts.password:
        secrets |= {parts.password, unquote(parts.password)}
    for secret in sorted(secrets, key=len, reverse=True):  # a longer spelling may contain a shorter one
        if secret:
            message = message.replace(secret, "***")
    return message[:500]


# -- storage ---------------------------------------------------------------------------------------


class DeliveryStore:
    """``job_webhook_deliveries`` (the table is made by JobStore): one row per attempt."""

    def __init__(self, store: JobStore) -> None:
        self.store = store

    def add_attempt(self, delivery: Delivery, attempt: int, due_at: float) -> None:
        self.store.write(
            f"INSERT INTO job_webhook_deliveries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (delivery.delivery_id, attempt, delivery.job_id, delivery.webhook, delivery.url, delivery.event,
             PENDING, due_at, None, None, "", None),
        )  # fmt: skip

    def end_attempt(
        self, delivery_id: str, attempt: int, state: str, sent_at: float, status_code: int | None, error: str,
        duration: float,
    ) -> None:  # fmt: skip
        self.store.write(
            "UPDATE job_webhook_deliveries SET state = ?, sent_at = ?, status_code = ?, error = ?, duration = ?"
            " WHERE delivery_id = ? AND attempt = ?",
            (state, sent_at, status_code, error, duration, delivery_id, attempt),
        )

    def abandon_pending(self) -> int:
        """Mark every attempt still pending abandoned (at stop, or at start after a crash); how many."""
        pending = self.store.read("SELECT COUNT(*) FROM job_webhook_deliveries WHERE state = ?", (PENDING,))[0][0]
        self.store.write(
            "UPDATE job_webhook_deliveries SET state = ?, error = ? WHERE state = ?",
            (ABANDONED, ABANDONED_REASON, PENDING),
        )
        return pending

    def of_job(self, job_id: int) -> list[Delivery]:
        rows = self.store.read(
            f"SELECT {_COLUMNS} FROM job_webhook_deliveries WHERE job_id = ?"  # noqa: S608 - our columns
            " ORDER BY due_at, delivery_id, attempt",
            (job_id,),
        )
        deliveries: dict[str, Delivery] = {}
        for row in rows:
            attempt = Attempt(row[1], row[6], row[7], row[8], row[9], row[10], row[11])
            known = deliveries.get(row[0])
            if known is None:
                deliveries[row[0]] = Delivery(row[0], row[2], row[3], row[4], row[5], (attempt,))
            else:
                deliveries[row[0]] = replace(known, attempts=(*known.attempts, attempt))
        return list(deliveries.values())


# -- sending ---------------------------------------------------------------------------------------


@dataclass(order=True)
class _Due:
    due_at: float
    sequence: int
    delivery: Delivery = field(compare=False)
    hook: Webhook = field(compare=False)
    job: Job = field(compare=False)
    attempt: int = field(compare=False)


class WebhookSender:
    """Delivers job ends to the webhooks, in a thread of its own; ``job_finished`` is the manager's
    ``on_finished``. ``backoff_seconds * backoff_factor ** (n - 1)`` is the wait before the n-th retry."""

    def __init__(
        self,
        store: JobStore,
        hooks: list[Webhook],
        job_url: Callable[[int], str],
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        backoff_factor: float = 5.0,
        timeout: float = 10.0,
        send: Callable[[str, bytes, dict[str, str], float], tuple[int | None, str]] = post,
    ) -> None:
        self.deliveries = DeliveryStore(store)
        self.hooks = hooks
        self.job_url = job_url
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_factor = backoff_factor
        self.timeout = timeout
        self.send = send
        self._due: list[_Due] = []
        self._sequence = 0
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="jobs-webhooks", daemon=True)

    def start(self) -> None:
        abandoned = self.deliveries.abandon_pending()
        if abandoned:
            LOG.warning("%d webhook attempts left pending by an earlier process are marked abandoned", abandoned)
        self._thread.start()

    def stop(self) -> None:
        """Finish the attempt under way (at most ``timeout``), then mark what is left abandoned."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join()
        abandoned = self.deliveries.abandon_pending()
        if abandoned:
            LOG.warning("%d webhook attempts not made before the stop are marked abandoned", abandoned)

    def job_finished(self, job: Job) -> None:
        """Queue a delivery to each webhook that wants ``job``'s end (a row each: pending)."""
        for hook in self.hooks:
            if not hook.wants(job):
                continue
            delivery = Delivery(str(uuid.uuid4()), job.id, hook.name, hook.shown_url, job.state, ())
            self._queue(delivery, hook, job, 1, time.time())

    def _queue(self, delivery: Delivery, hook: Webhook, job: Job, attempt: int, due_at: float) -> None:
        self.deliveries.add_attempt(delivery, attempt, due_at)
        with self._wake:
            self._sequence += 1
            heapq.heappush(self._due, _Due(due_at, self._sequence, delivery, hook, job, attempt))
            self._wake.notify()

    def _next(self) -> _Due | None:
        with self._wake:
            while not self._stopping:
                if self._due and self._due[0].due_at <= time.time():
                    return heapq.heappop(self._due)
                self._wake.wait(self._due[0].due_at - time.time() if self._due else None)
            return None

    def _loop(self) -> None:
        while (due := self._next()) is not None:
            try:
                self._attempt(due)
            except Exception:  # pylint: disable=broad-exception-caught  # the sender must outlive one delivery
                LOG.exception("webhook %s: job %s: the attempt could not be made", due.hook.name, due.job.id)

    def _attempt(self, due: _Due) -> None:
        hook, delivery = due.hook, due.delivery
        sent_at = time.time()
        payload = body(due.job, delivery.delivery_id, sent_at, self.job_url(due.job.id))
        status_code, error = self.send(
            hook.url, payload, headers(delivery.delivery_id, sent_at, hook.secret, payload), self.timeout
        )
        delivered = status_code is not None and 200 <= status_code < 300
        error = _scrub(error, hook)
        self.deliveries.end_attempt(
            delivery.delivery_id,
            due.attempt,
            DELIVERED if delivered else FAILED_ATTEMPT,
            sent_at,
            status_code,
            error,
            time.time() - sent_at,
        )
        if delivered:
            return
        if due.attempt >= self.attempts:
            LOG.warning(
                "webhook %s (%s): job %s not delivered after %d attempts: %s",
                hook.name, hook.shown_url, due.job.id, due.attempt, error,
            )  # fmt: skip
            return
        wait = self.backoff_seconds * self.backoff_factor ** (due.attempt - 1)
        self._queue(delivery, hook, due.job, due.attempt + 1, time.time() + wait)
