"""The provisioning service's ASGI application: phones' files on every path, the read API under /api/.

Phones' requests take a short path: plain ASGI, no framework routing, straight into the domain core
(:class:`Provisioner`), whose journal is a list append; a thread writes the journal in batches. The API
is a small Starlette application; it holds no logic either (``api.py``).
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
import sys
import threading
from urllib.parse import parse_qsl

from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.store import AccessStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.proof import ProofPolicy
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import (
    autoprovision,
    cisco_authentication,
    served_log,
    wpi,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.provisioner import Provisioner, Request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.served_log import (
    ServedLog,
    ServedLogError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (
    ServiceSettings,
    SettingsError,
    load_settings,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store

from . import api, mobility

LOG = logging.getLogger("phonefleet.service")
SETTINGS_FILE_VARIABLE = "PHONEFLEET_SETTINGS_FILE"
MAX_HEADER = 4096
CHUNK = 256 << 10


class Service:
    """Everything one worker process holds: settings, stores, journal and its flusher, the provisioner."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        if settings.secret:
            secret = settings.secret.encode()
        else:
            secret = secrets.token_bytes(32)
            if settings.workers > 1:
                LOG.warning("no secret set: digest nonces of one worker fail on the others; set 'secret'")
        self.published = PublishedRoot(settings.web_root)
        self.store = Store.open(settings.database_url)  # the event loop's: requests and the API
        # the API's users (those of the job service), their tokens and the journal of their actions; the tables
        # are made here if the job service never ran. Its own connection: a password is checked in a thread
        self.users_store = AccessStore.open(settings.users_url())
        self.journal = Journal(  # the flusher's store
            Store.open(settings.database_url),
            settings.journal_days,
            unknown_phones_max=settings.unknown_phones_max,
            configured=lambda: self.published.snapshot().manifest.phones,
        )
        self._log_served(settings.served_log_path())
        self.provisioner = Provisioner(self.published, self.store, self.journal, secret)
        self.mobility = mobility.Mobility(self)
        self.provisioner.hosted = self.mobility.engine.config  # a phone someone logged in on gets his config
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._settled = None

    def _log_served(self, directory: str | None) -> None:
        """Replay the served logs of processes that are gone, then write this one's (see served_log.py)."""
        if directory is None:  # an in-memory database: nothing outlives the process anyway
            return
        try:
            served = ServedLog(directory)
        except ServedLogError as exc:
            raise SettingsError(f"served_log_dir: {exc}") from None
        try:
            served_log.replay(directory, self.journal.store)
        except Exception as exc:  # noqa: BLE001 - the logs stay for the next start; phones are served meanwhile
            LOG.error("served log: cannot replay the logs in %s (%s); will try at the next start", directory, exc)
        self.journal.log_served(served, self.journal.store.fetched_versions())

    def start(self) -> None:
        # the journal flusher holds the GIL in bursts (a batch of rows to bind); a waiting event loop gets it
        # back after this long at most instead of Python's default 5 ms, which phones would see as latency
        sys.setswitchinterval(0.0005)
        self._settle(self.published.reload())
        self._flusher = threading.Thread(target=self._flush_loop, name="journal-flusher", daemon=True)
        self._flusher.start()
        self.mobility.start()

    def _settle(self, snapshot) -> None:
        """Keep the garbage collector off a loaded publish.

        A publish of 20,000 phones is a few million objects (manifest, fleet, file cache) that live until the
        next publish. A full collection walks them all, stopping the event loop for half a second: phones
        would see it as the slowest answers (p99). Frozen, they are never walked; a replaced publish is still
        freed when nothing refers to it.
        """
        if snapshot is not self._settled:
            self._settled = snapshot
            self.journal.new_publish()
            gc.collect()
            gc.freeze()
            _warn_unproven(snapshot)
            for warning in autoprovision.warnings(snapshot.fleet):
                LOG.warning("%s", warning)

    def stop(self) -> None:
        self.mobility.stop()
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=10)
        self.flush()
        self.journal.close()
        self.store.close()
        self.journal.store.close()
        self.users_store.close()

    def flush(self) -> None:
        try:
            self.journal.flush()
        except Exception as exc:  # noqa: BLE001 - the journal keeps the batch; the next flush retries
            LOG.error("journal: cannot write to the database (%s); will retry", type(exc).__name__)

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.settings.journal_flush_seconds):
            self.flush()
            self._settle(self.published.snapshot())


def _warn_unproven(snapshot) -> None:
    """Say, at start and with each publish, whose secrets go to anyone who asks and who gets nothing."""
    fleet = snapshot.fleet
    if fleet is None:
        return
    for warning in ProofPolicy(fleet.settings).warnings({phone.vendor for phone in fleet.phones if phone.vendor}):
        LOG.warning("%s", warning)


def _header(headers: list, wanted: bytes) -> str | None:
    for name, value in headers:
        if name == wanted:
            return value[:MAX_HEADER].decode("latin-1") if len(value) <= MAX_HEADER * 4 else None
    return None


def _client_mac(query: bytes, headers: list) -> str | None:
    """A MAC the phone states beside the path: Snom's ``?mac=``, Unify's ``macaddress`` header."""
    if query and b"mac=" in query.lower():
        for name, value in parse_qsl(query.decode("latin-1")[:512]):
            if name.lower() == "mac":
                return value
    return _header(headers, b"macaddress")


class ServiceApp:
    """The ASGI entry point."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.service = Service(settings)
        self.api = api.build(self.service)
        service = self.service
        self.wpi = wpi.WpiResponder(service.published, service.journal, service.store, service.provisioner.secret)
        self.cisco = cisco_authentication.CiscoAuthenticator(service.published, service.journal)

    async def __call__(self, scope, receive, send) -> None:
        applications = self.service.settings.applications_port
        if applications and scope["type"] == "http" and (scope.get("server") or (None, None))[1] == applications:
            # the applications listener serves the phones' mobility screens and nothing else
            await self.service.mobility.applications(scope, receive, send, _send)
            return
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.api(scope, receive, send)  # the API, and lifespan (start and stop of the flusher)
            return
        if scope["method"] == "POST" and scope["path"] in wpi.PATHS:
            await self.unify_wpi(scope, receive, send)  # Unify phones in DLS mode
            return
        if scope["path"] == cisco_authentication.PATH:
            await self.cisco_authenticate(scope, receive, send)  # Cisco enterprise phones' authentication URL
            return
        await self.phone(scope, send)

    async def cisco_authenticate(self, scope, receive, send) -> None:
        """The fields of a GET's query or a POST's form (read up to cisco_authentication.MAX_FIELDS bytes)."""
        form = bytearray()
        while scope["method"] == "POST" and len(form) <= cisco_authentication.MAX_FIELDS:
            message = await receive()
            form += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = scope.get("client")
        fields = b"&".join(part for part in (scope.get("query_string", b""), bytes(form)) if part)
        reply = self.cisco.answer(fields, client[0] if client else None)
        await _send(send, reply.code, reply.body, reply.content_type)

    async def unify_wpi(self, scope, receive, send) -> None:
        """A Unify phone's WPI message (POST, at most wpi.MAX_BODY bytes: 413 beyond) to the WPI responder."""
        responder = self.wpi
        body = bytearray()
        while len(body) <= wpi.MAX_BODY:  # past the limit, stop reading: the responder answers 413
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = scope.get("client")
        reply = responder.answer(bytes(body), client[0] if client else None, _header(scope["headers"], b"cookie"))
        await _send(send, reply.code, reply.body, reply.content_type, reply.headers)

    async def phone(self, scope, send) -> None:
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _send(send, 405, b"Method Not Allowed\n", "text/plain", (("allow", "GET, HEAD"),))
            return
        headers = scope["headers"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        raw_path = raw_path.split(b"?", 1)[0].decode("latin-1")
        query = scope.get("query_string", b"")
        client = scope.get("client")
        request = Request(
            protocol=scope.get("scheme", "http"),
            path=raw_path,
            user_agent=_header(headers, b"user-agent"),
            ip=client[0] if client else None,
            client_mac=_client_mac(query, headers),
            method=method,
            authorization=_header(headers, b"authorization"),
            uri=raw_path + ("?" + query.decode("latin-1") if query else ""),
        )
        answer = self.service.provisioner.answer(request)
        if answer.file is not None:
            await _send_file(send, answer.file, answer.content_type, method == "HEAD")
            return
        await _send(send, answer.code, b"" if method == "HEAD" else answer.body, answer.content_type, answer.headers)


_NO_STORE = (b"cache-control", b"no-store")


async def _send(send, code: int, body: bytes, content_type: str, headers=()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                _NO_STORE,
                *((name.encode(), value.encode()) for name, value in headers),
            ]
            if headers
            else [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()), _NO_STORE],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_file(send, path: str, content_type: str, head: bool) -> None:
    try:
        handle = open(path, "rb")  # closed by the with below, across awaits
    except OSError:
        await _send(send, 404, b"Not Found\n", "text/plain")
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(size).encode())],
            }
        )
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        while True:
            chunk = handle.read(CHUNK)
            more = len(chunk) == CHUNK
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return


def create_app() -> ServiceApp:
    """uvicorn's factory: settings from the file named by PHONEFLEET_SETTINGS_FILE and the environment."""
    return ServiceApp(load_settings(os.environ.get(SETTINGS_FILE_VARIABLE)))
