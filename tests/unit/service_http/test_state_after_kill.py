"""Statuses after kill -9 (issue 10, point 7): what decides a phone's status is saved with the answer.

The real service process (``python -m phonefleet_service serve``) serves phones (a burst of auto-provisioned
ones; fleet phones of several vendors) and is killed with SIGKILL. Its journal is written in batches (here:
never before the kill, to make the loss certain), so every journal row and contact is lost; the phones that
got their config must still show it after a restart: status 3, never 1 ("configured, never contacted"). An
auto-provisioned phone's served version is in its assignment; a fleet phone's is in the served log, which the
restarted service replays.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from hashlib import sha256
from pathlib import Path

import httpx

from tests.support.service import (
    ADMIN_TOKEN,
    free_port,
    killed,
    phone_auth,
    published_site,
    served_lines,
    service_command,
)
from tests.unit.service_http.test_serving import BOTH_DATABASES, database_url

PHONES = 100
KILL_AFTER = 30  # answers received
ADMIN_TOKEN_SHA256 = sha256(ADMIN_TOKEN.encode()).hexdigest()


def fast_rates(fleet: Path) -> None:
    settings = fleet / "settings.yml"
    text = settings.read_text().replace("rate_per_source: 5", "rate_per_source: 1000")
    settings.write_text(text.replace("rate_per_pool: 60", "rate_per_pool: 1000"))


def start(config: Path) -> subprocess.Popen:
    return service_command("serve", config, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


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


def settings_file(tmp_path, request, database) -> tuple[int, Path]:
    """The service's settings: a journal that never reaches the database by itself; the served log in its
    default folder beside an SQLite file, in the test's folder for PostgreSQL."""
    port = free_port()
    config = tmp_path / "service.yml"
    served = f"served_log_dir: {tmp_path / 'served'}\n" if database == "postgresql" else ""
    config.write_text(
        served + f"web_root: {tmp_path / 'www'}\n"
        f"database_url: '{database_url(request, database, tmp_path)}'\n"
        f"http_port: {port}\n"
        "applications_port: 0\n"  # no mobility screens here: their fixed default port would clash between runs
        "tftp_enabled: false\n"
        "journal_flush_seconds: 3600\n"  # no flush by the clock before the kill
        "secret: test-secret-for-nonces\n"
        "log_level: warning\n"
        f"api_tokens: [{{name: admin, role: administrator, token_sha256: {ADMIN_TOKEN_SHA256}}}]\n"
    )
    return port, config


def phones_after_restart(config: Path, port: int) -> dict[str, dict]:
    """The phones the API lists after the service is started again on the same database."""
    process = start(config)
    try:
        wait_until_up(process, port)
        code, body = get(port, "/api/v1/phones?limit=1000", {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert code == 200
    return {row["mac"]: row for row in json.loads(body)["phones"]}


@BOTH_DATABASES
def test_phones_served_before_a_sigkill_show_status_3_after_the_restart(tmp_path, request, database):
    published_site(tmp_path, fast_rates)
    port, config = settings_file(tmp_path, request, database)
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

    phones = phones_after_restart(config, port)
    for mac, config_body in served.items():
        assert b"<RegisterUser>" in config_body
        row = phones[mac]
        assert (row["source"], row["status"]) == ("autoprovision", 3), row


#: fleet phones and how each asks for its own file: (mac, path, User-Agent, vendor whose credential it sends)
FLEET_FETCHES = (
    ("805ec0112233", "/805ec0112233.cfg", "Yealink SIP-T54W 96.86.0.45 80:5e:c0:11:22:33", "yealink"),
    ("0c383e010203", "/0c383e010203.cfg", "Fanvil X6U 2.10.2.6887 0c383e010203", "fanvil"),
    ("000413010203", "/000413010203.xml", "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 x 000413010203)", "snom"),
    ("0cd0f8a1b2c3", "/SEP0CD0F8A1B2C3.cnf.xml", None, None),  # Cisco enterprise: served without proof
)


@BOTH_DATABASES
def test_fleet_phones_served_before_a_sigkill_show_status_3_after_the_restart(tmp_path, request, database):
    """The version a fleet phone was served is saved before its answer leaves: the journal that a kill loses
    (never flushed here) is not what the status depends on."""
    published_site(tmp_path)
    port, config = settings_file(tmp_path, request, database)
    with killed(start(config)) as process:
        wait_until_up(process, port)
        for _mac, path, agent, vendor in FLEET_FETCHES:
            headers = {"User-Agent": agent} if agent else {}
            assert get(port, path, headers, phone_auth(vendor) if vendor else None)[0] == 200, path

    served = tmp_path / ("served" if database == "postgresql" else "state.db-served")
    assert sorted(line[1] for line in served_lines(served)) == sorted(mac for mac, *_request in FLEET_FETCHES)
    phones = phones_after_restart(config, port)
    assert list(served.iterdir()) == []  # replayed and deleted; the restarted service's own went at its stop
    for mac, *_request in FLEET_FETCHES:
        assert (phones[mac]["source"], phones[mac]["status"]) == ("fleet", 3), phones[mac]
    assert phones["0015654c4c26"]["status"] == 1  # a phone that asked for nothing stays never contacted
