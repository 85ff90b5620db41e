"""The job service for tests, for real: uvicorn on a loopback port in a thread (or a process), a demo site copy.

``job_service(directory)`` yields a :class:`JobService` (an httpx client with the admin token and helpers);
the catalogue is the repository's plus this folder's test playbooks (``sleep``, ``answers``, ``actor``,
``secrets``). ``kept_artifacts(into)`` copies each job's private data dir (runner's artifacts) before the job
service deletes it; ``captured_logs(path)`` writes every log record of the service's process to a file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "service") not in sys.path:
    sys.path.insert(0, str(REPO / "service"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import (  # noqa: E402
    CATALOGUE,
    Catalogue,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import JobSettings  # noqa: E402
from phonefleet_jobs.app import create_app  # noqa: E402

from tests.support.service import free_port  # noqa: E402

TEST_PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
ADMIN_TOKEN = "jobs-admin-token-0123456789"
# bcrypt's cheapest cost: the tests check tokens, not bcrypt's slowness
TOKEN_HASH = bcrypt.hashpw(ADMIN_TOKEN.encode(), bcrypt.gensalt(rounds=4)).decode()


def catalogue_with_test_playbooks() -> Catalogue:
    extra = {name: TEST_PLAYBOOKS / f"{name}.yml" for name in ("sleep", "answers", "actor", "secrets")}
    return Catalogue(REPO / "playbooks", CATALOGUE, extra)


def job_settings(directory: Path, **overrides) -> JobSettings:
    site = directory / "site"
    if not site.exists():
        shutil.copytree(REPO / "inventory" / "demo", site)
    defaults = {
        "inventory": str(site),
        "data_dir": str(directory / "jobs"),
        "database_url": f"sqlite:///{directory}/jobs.db",
        "admin_token_hash": TOKEN_HASH,
        "bcrypt_rounds": 4,  # bcrypt's cheapest cost: the tests check passwords, not bcrypt's slowness
        "stream_interval_seconds": 0.2,
        "cancel_grace_seconds": 5.0,
    }
    settings = JobSettings(**{**defaults, **overrides})
    settings.check("test")
    return settings


@contextlib.contextmanager
def kept_artifacts(into: Path):
    """Within the block, each job's private data dir (``job-<id>``: runner's artifacts, its ``job_events`` among
    them) is copied to ``into/job-<id>`` just before the service deletes it: what runner itself wrote, to
    compare with what the service stored. The secrets folder beside it is not copied (it is a secret's file by
    design, 0600, and gone at the job's first event)."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs import runner

    remove = runner._remove

    def copy_then_remove(path: Path) -> None:
        if path.name.startswith("job-") and path.is_dir():
            shutil.copytree(path, into / path.name, symlinks=True)
        remove(path)

    runner._remove = copy_then_remove
    try:
        yield into
    finally:
        runner._remove = remove


def runner_event_counters(artifacts: Path) -> list[int]:
    """The counters of the events runner wrote (``artifacts/<ident>/job_events/<counter>-<uuid>.json``), sorted."""
    return sorted(int(path.name.split("-", 1)[0]) for path in artifacts.glob("artifacts/*/job_events/*.json"))


#: loggers of the test's own HTTP client: what it logs is the client's, not the service's
_CLIENT_LOGGERS = ("httpx", "httpcore")


@contextlib.contextmanager
def captured_logs(path: Path):
    """Every log record of this process at DEBUG (the service's, uvicorn's, ansible-runner's) written to ``path``
    within the block, but the test client's own."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(lambda record: not record.name.startswith(_CLIENT_LOGGERS))
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    # uvicorn's loggers do not propagate to the root: each gets the handler itself
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()


@dataclass
class JobService:
    client: httpx.Client
    base_url: str

    def launch(self, playbook: str, **body) -> dict:
        answer = self.client.post("/api/v1/jobs", json={"playbook": playbook, **body})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def job(self, job_id: int) -> dict:
        answer = self.client.get(f"/api/v1/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait(self, job_id: int, until, timeout: float = 120) -> dict:
        """Poll the job until ``until(job)`` holds; the job."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if until(job):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['state']}: {job}"
            time.sleep(0.1)

    def wait_end(self, job_id: int, timeout: float = 120) -> dict:
        return self.wait(job_id, lambda job: job["state"] not in ("pending", "running"), timeout)

    def stdout(self, job_id: int) -> str:
        return self.client.get(f"/api/v1/jobs/{job_id}/stdout.txt").text


@contextlib.contextmanager
def job_service(directory: Path, clock=time.time, environ=None, **overrides):
    """``environ``: the service's environment (webhooks' ``secret_env``; default: none at all)."""
    settings = job_settings(directory, **overrides)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, catalogue_with_test_playbooks(), clock, environ or {}),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the job service did not start"
        time.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            yield JobService(client, base_url)
    finally:
        server.should_exit = True
        thread.join(60)


SERVE = """
import sys, json, uvicorn
sys.path[:0] = json.loads(sys.argv[1])
from tests.unit.jobs.support import catalogue_with_test_playbooks, job_settings
from phonefleet_jobs.app import create_app
from pathlib import Path
settings = job_settings(Path(sys.argv[2]), max_concurrent_jobs=1, **json.loads(sys.argv[4]))
uvicorn.run(create_app(settings, catalogue_with_test_playbooks()), host="127.0.0.1", port=int(sys.argv[3]),
            log_level="warning")
"""


@contextlib.contextmanager
def killed_service_process(directory: Path, **overrides):
    """The job service in a process of its own (one job at a time; ``overrides``: settings, as JSON), killed with
    SIGKILL at the end of the block."""
    port = free_port()
    paths = json.dumps([str(REPO), str(REPO / "collections"), str(REPO / "service")])
    command = [sys.executable, "-c", SERVE, paths, str(directory), str(port), json.dumps(overrides)]
    process = subprocess.Popen(command, cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_serving(process, base_url)
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30) as client:
            yield JobService(client, base_url)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def wait_serving(process: subprocess.Popen, base_url: str, timeout: float = 30) -> None:
    """Wait until the job service started as ``process`` answers at ``base_url`` (its OpenAPI document)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base_url}/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            assert process.poll() is None and time.monotonic() < deadline, "the job service did not start"
            time.sleep(0.1)
