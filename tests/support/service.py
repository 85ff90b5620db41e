"""The provisioning service for tests, for real: a published demo web root and uvicorn on a loopback port.

``published_site(directory, edit=None)`` copies the demo fleet into ``directory/fleet`` (``edit(fleet_dir)``
may change it first) and publishes it into ``directory/www``; ``republish(directory)`` publishes again.
``running_service(directory, **settings)`` starts the service (uvicorn in a thread, the same ASGI app
production runs) on a free 127.0.0.1 port with SQLite state in ``directory`` and yields a
:class:`ServiceHandle` that speaks HTTP to it with http.client (raw paths are sent as given, nothing
normalised) and reads its API with the admin token. ``phone_auth(vendor)`` is the digest credential the demo
fleet gives its phones of ``vendor`` (``settings.phone_auth``): what a phone sends, as a client not ours sends it.
``service_command(command, config)`` runs ``python -m phonefleet_service <command>`` as production does;
``killed(process)`` kills it with SIGKILL at the end of its block; ``served_lines(folder)`` reads the served
logs a process left there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for _tree in ("service", "simulator"):
    if str(REPO / _tree) not in sys.path:
        sys.path.insert(0, str(REPO / _tree))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (  # noqa: E402
    ServiceSettings,
)
from phonefleet_service.__main__ import listening_socket  # noqa: E402
from phonefleet_service.app import ServiceApp  # noqa: E402
from phonefleet_service.http_bounds import uvicorn_options  # noqa: E402
from phonefleet_simulator.ports import free_port  # noqa: E402 - the tests' port helper is the simulator's

from tests.support.published import checked_publish  # noqa: E402
from tests.unit.render_support import DEMO_FLEET, demo_fleet, reveal  # noqa: E402

FIRMWARE = REPO / "inventory" / "demo" / "firmware"
ADMIN_TOKEN = "admin-token-0123456789abcdef"
AUDITOR_TOKEN = "auditor-token-0123456789abcdef"
API_TOKEN = "api-token-0123456789abcdef"


def settings_token(name: str, role: str, token: str) -> dict:
    """An entry of the settings' ``api_tokens``: the token kept as its SHA-256."""
    return {"name": name, "role": role, "token_sha256": hashlib.sha256(token.encode()).hexdigest()}


def serve_without_proof(fleet: Path, *vendors: str, drop_phone_auth: bool = True) -> None:
    """Edit a copy of the demo fleet so that ``vendors`` are served without proof (listed in
    settings.provisioning.serve_without_proof beside Cisco enterprise), their phone auth removed unless
    ``drop_phone_auth`` is false: the explicit, documented way to turn protection off (docs/security.md)."""
    settings = fleet / "settings.yml"
    text = settings.read_text()
    assert "serve_without_proof: [cisco]" in text, "not the demo fleet's settings"
    if drop_phone_auth:
        # the demo's phone_auth: one credential, anchored on the first vendor, aliased by the others
        head, _header, rest = text.partition("  phone_auth:\n")
        lines = rest.splitlines(keepends=True)
        count = next(index for index, line in enumerate(lines) if not line.startswith("    "))
        entries = [line.strip().split(": ", 1) for line in lines[:count]]
        credential = next(value for _vendor, value in entries if value.startswith("&phone_auth "))
        kept = [vendor for vendor, _value in entries if vendor not in vendors]
        block = "".join(
            f"    {vendor}: {credential if index == 0 else '*phone_auth'}\n" for index, vendor in enumerate(kept)
        )
        text = head + ("  phone_auth:\n" + block if kept else "") + "".join(lines[count:])
    listed = ", ".join(["cisco", *(vendor for vendor in vendors if vendor != "cisco")])
    settings.write_text(text.replace("serve_without_proof: [cisco]", f"serve_without_proof: [{listed}]"))
    # their files go to anyone: each of their phones gets an admin password of its own (publish refuses
    # one that also protects phones which must prove themselves)
    phones = fleet / "phones.yml"
    own = [
        line
        + (
            f"    admin_password: own-admin-{line.split(':', 1)[1].strip()}\n"
            if line.startswith("    vendor: ") and line.split(":", 1)[1].strip() in vendors
            else ""
        )
        for line in phones.read_text().splitlines(keepends=True)
    ]
    phones.write_text("".join(own))


def published_site(directory: Path, edit=None) -> Path:
    fleet = directory / "fleet"
    shutil.copytree(DEMO_FLEET, fleet)
    if edit is not None:
        edit(fleet)
    republish(directory)
    return directory / "www"


def republish(directory: Path):
    """Publish ``directory/fleet`` into ``directory/www``, the disk then checked (tests/support/published.py)."""
    return checked_publish(directory / "fleet", directory / "www", reveal, firmware_dir=str(FIRMWARE))


@functools.cache
def _demo_phone_auth(vendor: str) -> tuple[str, str, str] | None:
    entry = (demo_fleet().settings.get("phone_auth") or {}).get(vendor)
    return (entry["method"], entry["username"], reveal(entry["password"])) if entry else None


def phone_auth(vendor: str = "yealink") -> httpx.DigestAuth | None:
    """The demo fleet's phone-auth credential for ``vendor`` (settings.phone_auth: digest, one credential for
    every vendor but Cisco enterprise), as its phones send it with every request; None for a vendor given
    none (Cisco enterprise: its phones send no credentials)."""
    found = _demo_phone_auth(vendor)
    if found is None:
        return None
    method, username, password = found
    assert method == "digest", (vendor, method)
    return httpx.DigestAuth(username, password)


def service_command(command: str, config: Path, **popen) -> subprocess.Popen:
    """``python -m phonefleet_service <command> --config <config>`` in a process of its own."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "collections"), str(REPO / "service")])}
    return subprocess.Popen(
        [sys.executable, "-m", "phonefleet_service", command, "--config", str(config)], env=environment, **popen
    )


@contextlib.contextmanager
def killed(process: subprocess.Popen):
    """Kill ``process`` with SIGKILL when the block ends (as an operator's ``kill -9`` would), whatever happened."""
    try:
        yield process
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def served_lines(folder: Path) -> list[list[str]]:
    """The lines (time, MAC, version) of the served logs in ``folder``."""
    text = b"".join(log.read_bytes() for log in sorted(folder.glob("served-*.log"))).decode()
    return [line.split() for line in text.splitlines()]


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything a server sends on ``connection`` until it closes it (or resets it, or the socket times out)."""
    chunks = []
    while True:
        try:
            chunk = connection.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def digest_authorization(
    username: str, password: str, nonce: str, uri: str, count: int = 1, method: str = "GET"
) -> str:
    """An ``Authorization: Digest`` value as RFC 7616 has a client compute it (MD5, qop auth)."""

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1, ha2 = md5(f"{username}:phonefleet:{password}"), md5(f"{method}:{uri}")
    response = md5(f"{ha1}:{nonce}:{count:08x}:abcdef:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="phonefleet", nonce="{nonce}", uri="{uri}", qop=auth, nc={count:08x}, '
        f'cnonce="abcdef", response="{response}", algorithm=MD5'
    )


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict


class ServiceHandle:
    def __init__(self, app: ServiceApp, port: int) -> None:
        self.app = app
        self.port = port
        self.service = app.service
        self._client: httpx.Client | None = None

    def get(
        self,
        path: str,
        user_agent: str | None = None,
        headers: dict | None = None,
        method: str = "GET",
        source: str | None = None,
    ):
        """One request on a new connection, from ``source`` (an address of 127/8) when given."""
        address = (source, 0) if source else None
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=address)
        try:
            sent = dict(headers or {})
            if user_agent is not None:
                sent["User-Agent"] = user_agent
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders()
            reply = connection.getresponse()
            return Response(reply.status, reply.read(), {k.lower(): v for k, v in reply.getheaders()})
        finally:
            connection.close()

    def get_with_auth(self, path: str, user_agent: str | None, auth, headers: dict | None = None):
        """A GET through httpx with ``auth`` (httpx.DigestAuth / BasicAuth): a client implementation not ours."""
        if self._client is None:  # one client: making one costs ~20 ms (its TLS context)
            self._client = httpx.Client()
            del self._client.headers["User-Agent"]  # a phone that sends none sends none, not httpx's
        sent = dict(headers or {})
        if user_agent is not None:
            sent["User-Agent"] = user_agent
        reply = self._client.get(f"http://127.0.0.1:{self.port}{path}", headers=sent, auth=auth)
        return Response(reply.status_code, reply.content, {k.lower(): v for k, v in reply.headers.items()})

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def api(self, path: str, token: str = ADMIN_TOKEN, method: str = "GET"):
        reply = self.get(path, headers={"Authorization": f"Bearer {token}"}, method=method)
        return reply.status, (json.loads(reply.body) if reply.body else None)

    def phones(self) -> dict:
        """Every phone the service knows, page after page."""
        found: dict = {}
        cursor = ""
        while True:
            status, data = self.api("/api/v1/phones?limit=1000" + (f"&after={cursor}" if cursor else ""))
            assert status == 200, data
            found.update((row["mac"], row) for row in data["phones"])
            if not data.get("next"):
                return found
            cursor = data["next"]

    def journal(self, **query) -> list:
        suffix = "&".join(f"{key}={value}" for key, value in query.items())
        status, data = self.api("/api/v1/journal" + (f"?{suffix}" if suffix else ""))
        assert status == 200, data
        return data["journal"]

    def reload(self) -> None:
        """See a publish at once (the service looks at the manifest at most once a second by itself)."""
        self.service.published.reload()


@contextlib.contextmanager
def running_service(directory: Path, applications: bool = False, **overrides):
    settings = ServiceSettings(
        web_root=str(directory / "www"),
        database_url=f"sqlite:///{directory / 'state.db'}",
        served_log_dir=str(directory / "served"),  # in the test's folder whatever the database
        secret="test-secret-for-nonces",
        journal_flush_seconds=0.05,
        applications_port=0,  # the mobility screens' listener: applications=True gives it a free port
        api_tokens=[
            settings_token("admin", "administrator", ADMIN_TOKEN),
            settings_token("auditor", "auditor", AUDITOR_TOKEN),
            settings_token("api", "api", API_TOKEN),
        ],
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    if applications:  # the mobility screens on a port of their own, as __main__ serves them
        settings.applications_port = free_port()
    app = ServiceApp(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        **uvicorn_options(settings),  # the protocol and bounds production runs with
    )
    server = uvicorn.Server(config)
    sockets = [config.bind_socket()]
    if applications:
        sockets.append(listening_socket("127.0.0.1", settings.applications_port))
    thread = threading.Thread(target=server.run, args=(sockets,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    handle = ServiceHandle(app, port)
    try:
        yield handle
    finally:
        handle.close()
        server.should_exit = True
        thread.join(timeout=15)
