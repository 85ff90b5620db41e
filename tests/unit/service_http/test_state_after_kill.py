"""Statuses after kill -9 (issue 10, point 7): what decides a phone's status is saved with the answer.

The real service process (``python -m phonefleet_service serve``) auto-provisions a burst of phones and is
killed with SIGKILL in the middle of it. Its journal is written in batches (here: never before the kill, to
make the loss certain), so every journal row and contact of the burst is lost; the phones that got their
config must still show it after a restart: status 3, never 1 ("configured, never contacted").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.service import ADMIN_TOKEN, REPO, free_port, phone_auth, published_site
from tests.unit.service_http.test_serving import BOTH_DATABASES, database_url

PHONES = 100
KILL_AFTER = 30  # answers received


def fast_rates(fleet: Path) -> None:
    settings = fleet / "settings.yml"
    text = settings.read_text().replace("rate_per_source: 5", "rate_per_source: 1000")
    settings.write_text(text.replace("rate_per_pool: 60", "rate_per_pool: 1000"))


def start(config: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "collections"), str(REPO / "service")])}
    return subprocess.Popen(
        [sys.executable, "-m", "phonefleet_service", "serve", "--config", str(config)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def get(port: int, path: str, headers: dict, auth=None) -> tuple[int, bytes]:
    """One GET; with ``auth`` (the vendor's phone-auth credential) answered to its challenge as a phone does."""
    reply = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, auth=auth, timeout=10)
    return reply.status_code, reply.content


def wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if get(port, "/api/v1/health", {})[0] == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the service did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.1)


@BOTH_DATABASES
def test_phones_served_before_a_sigkill_show_status_3_after_the_restart(tmp_path, request, database):
    published_site(tmp_path, fast_rates)
    port = free_port()
    config = tmp_path / "service.yml"
    config.write_text(
        f"web_root: {tmp_path / 'www'}\n"
        f"database_url: '{database_url(request, database, tmp_path)}'\n"
        f"http_port: {port}\n"
        "tftp_enabled: false\n"
        "journal_flush_seconds: 3600\n"  # nothing of the journal reaches the database before the kill
        "secret: test-secret-for-nonces\n"
        "log_level: warning\n"
        f"api_tokens: [{{name: admin, role: admin, token: {ADMIN_TOKEN}}}]\n"
    )
    macs = [f"0c383e98{index:04x}" for index in range(PHONES)]
    served: dict[str, bytes] = {}
    enough = threading.Event()
    lock = threading.Lock()

    def first_contact(mac: str) -> None:
        if enough.is_set():
            return
        try:
            agent = {"User-Agent": f"Fanvil X6U 2.10.2.6887 {mac}"}
            code, body = get(port, f"/{mac}.cfg", agent, phone_auth("fanvil"))
        except httpx.TransportError:
            return  # in flight when the process died
        with lock:
            if code == 200:
                served[mac] = body
            if len(served) >= KILL_AFTER:
                enough.set()

    process = start(config)
    try:
        wait_until_up(process, port)
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(first_contact, mac) for mac in macs]
            assert enough.wait(timeout=60), "the burst did not get far enough"
            process.send_signal(signal.SIGKILL)  # mid-burst: other requests are in flight
            for future in futures:
                future.result()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert KILL_AFTER <= len(served) < PHONES

    process = start(config)
    try:
        wait_until_up(process, port)
        code, body = get(port, "/api/v1/phones", {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert code == 200
    phones = {row["mac"]: row for row in json.loads(body)["phones"]}
    for mac, config_body in served.items():
        assert b"<RegisterUser>" in config_body
        row = phones[mac]
        assert (row["source"], row["status"]) == ("autoprovision", 3), row
