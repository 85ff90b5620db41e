"""The job service through its HTTP API on a loopback port, with real ansible-runner and ansible-playbook runs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import CATALOGUE
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import run_root

from tests.unit.jobs.support import ADMIN_TOKEN, JobService, job_service

SIP_PASSWORD = "Sip-Secret-7f3a9c"
VAULT_PASSWORD = "Vault-Secret-91c2e7"
ANSWERS = {"site_name": "Head office", "mode": "pass", "sip_password": SIP_PASSWORD}


def read_stream(service: JobService, job_id: int, last_event_id: int | None = None) -> tuple[list[dict], list[str]]:
    """Every event the job's SSE stream sends until its end message; and the ids of its messages."""
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    events: list[dict] = []
    ids: list[str] = []
    with service.client.stream("GET", f"/api/v1/jobs/{job_id}/stream", headers=headers, timeout=120) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        message: dict[str, str] = {}
        for line in answer.iter_lines():
            if line:
                field, _colon, value = line.partition(": ")
                message[field] = value
                continue
            if message.get("event") == "end":
                assert json.loads(message["data"])["state"] not in ("pending", "running")
                return events, ids
            events.extend(json.loads(message["data"]))
            ids.append(message["id"])
            assert len(ids) <= 100, "the stream does not end (an event sent again and again?)"
            message = {}
    raise AssertionError("the stream closed without an end message")


def processes_running(marker: str, runs: Path) -> list[str]:
    """Command lines holding ``marker`` of processes started by a job of the service whose run root is ``runs``
    (runner puts the job's artifact dir, inside it, in their environment): another test run's are not counted."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if marker in command and str(runs).encode() in (entry / "environ").read_bytes():
                    found.append(command)
            except OSError:
                continue
    return found


def wait_for_process(marker: str, runs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not processes_running(marker, runs):
        assert time.monotonic() < deadline, f"no process {marker!r} started"
        time.sleep(0.1)


def test_a_validate_job_runs_to_success_with_its_events_and_output_stored(tmp_path, store_url):
    with job_service(tmp_path, database_url=store_url) as service:
        job = service.launch("validate")
        assert job["state"] == "pending" and job["launched_by"] == "admin"
        seen_running = service.wait(job["id"], lambda job: job["state"] != "pending")
        assert seen_running["state"] in ("running", "successful") and seen_running["started_at"]
        done = service.wait_end(job["id"])
        assert (done["state"], done["rc"], done["reason"]) == ("successful", 0, "")
        events, ids = read_stream(service, job["id"])
        counters = [event["counter"] for event in events]
        assert counters == list(range(1, done["event_count"] + 1)), "events lost or out of order"
        assert ids[-1] == str(counters[-1])
        assert {"playbook_on_start", "runner_on_ok", "playbook_on_stats"} <= {event["event"] for event in events}
        page = service.client.get(f"/api/v1/jobs/{job['id']}/events", params={"after": 2, "limit": 3}).json()
        assert [event["counter"] for event in page] == [3, 4, 5]
        stdout = service.client.get(f"/api/v1/jobs/{job['id']}/stdout", params={"offset": 0, "limit": 5000}).json()
        assert any("the fleet is valid: 14 phones" in line for line in stdout["lines"])
        assert stdout["count"] == len(stdout["lines"])
        assert "PLAY RECAP" in service.stdout(job["id"])
        # resuming: only what comes after the last event a client had
        resumed, _ids = read_stream(service, job["id"], last_event_id=counters[-3])
        assert [event["counter"] for event in resumed] == counters[-2:]
        listed = service.client.get("/api/v1/jobs", params={"state": "successful"}).json()
        assert listed["count"] == 1 and listed["results"][0]["id"] == job["id"]
        runs = run_root(str(tmp_path / "jobs"))  # where the service made the job's folders (tmpfs)
    assert not [left for root in (tmp_path / "jobs", runs) if root.is_dir() for left in root.iterdir()], (
        "a job's folders outlived it"
    )
    assert not runs.exists(), "the service's empty run root on tmpfs outlived the service"


def test_survey_errors_are_422_naming_the_field(tmp_path):
    with job_service(tmp_path) as service:
        answer = service.client.post(
            "/api/v1/jobs", json={"playbook": "answers", "extra_vars": {**ANSWERS, "phone_count": 0}}
        )
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", "extra_vars", "phone_count"]
        assert "less than the minimum 1" in answer.json()["detail"][0]["msg"]
        answer = service.client.post("/api/v1/jobs", json={"playbook": "answers", "extra_vars": {"mode": "pass"}})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "extra_vars", "site_name"]
        answer = service.client.post("/api/v1/jobs", json={"playbook": "../site.yml"})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "playbook"]
        answer = service.client.post("/api/v1/jobs", json={"playbook": "validate", "verbosity": 9})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "verbosity"]
        assert service.client.get("/api/v1/jobs").json()["count"] == 0


def test_without_the_admin_token_nothing_but_the_openapi_document(tmp_path):
    with job_service(tmp_path) as service:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": ADMIN_TOKEN}):
            with httpx.Client(base_url=service.base_url, headers=headers) as anonymous:
                answer = anonymous.post("/api/v1/jobs", json={"playbook": "validate"})
                assert (
                    answer.status_code == 401
                    and answer.headers["www-authenticate"] == 'Basic realm="phonefleet-jobs", Bearer'
                )
                assert anonymous.get("/api/v1/jobs").status_code == 401
        openapi = httpx.get(f"{service.base_url}/openapi.json").json()
        assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}/stream", "/api/v1/playbooks"} <= set(openapi["paths"])
        assert service.client.get("/api/v1/jobs").json()["count"] == 0


def test_cancel_stops_a_long_job_and_every_process_of_it(tmp_path):
    with job_service(tmp_path) as service:
        job = service.launch("sleep", extra_vars={"sleep_seconds": 487})
        service.wait(job["id"], lambda job: job["state"] == "running" and job["event_count"] >= 3)
        runs = run_root(str(tmp_path / "jobs"))
        wait_for_process("sleep 487", runs)
        answer = service.client.post(f"/api/v1/jobs/{job['id']}/cancel")
        assert answer.status_code == 202
        done = service.wait_end(job["id"], timeout=30)
        assert (done["state"], done["reason"]) == ("canceled", "canceled by admin")
        assert not processes_running("sleep 487", runs)
        assert service.client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 409
        assert "sleeping 487 seconds" in service.stdout(job["id"])


def test_jobs_beyond_the_concurrency_limit_wait_in_the_queue(tmp_path, store_url):
    runs = run_root(str(tmp_path / "jobs"))
    with job_service(tmp_path, max_concurrent_jobs=1, database_url=store_url) as service:
        first = service.launch("sleep", extra_vars={"sleep_seconds": 491})
        second = service.launch("sleep", extra_vars={"sleep_seconds": 492})
        third = service.launch("sleep", extra_vars={"sleep_seconds": 493})
        service.wait(first["id"], lambda job: job["state"] == "running" and job["event_count"] >= 3)
        time.sleep(1)
        assert service.job(second["id"])["state"] == "pending"
        assert service.client.post(f"/api/v1/jobs/{third['id']}/cancel").json()["state"] == "canceled"
        service.client.post(f"/api/v1/jobs/{first['id']}/cancel")
        service.wait(second["id"], lambda job: job["state"] == "running")
        service.client.post(f"/api/v1/jobs/{second['id']}/cancel")
        assert service.wait_end(second["id"])["state"] == "canceled"
        assert service.wait_end(first["id"])["state"] == "canceled"
        time.sleep(2)  # a worker is free now: a canceled job that it took from the queue would run
        canceled = service.job(third["id"])
        assert (canceled["started_at"], canceled["event_count"]) == (None, 0), "a job canceled in the queue ran"

        # each job's leftovers are killed after its run: give the last kill a moment on a loaded machine
        def leftovers() -> list[str]:
            return [command for seconds in (491, 492, 493) for command in processes_running(f"sleep {seconds}", runs)]

        deadline = time.monotonic() + 10
        while leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not leftovers()


def test_secrets_reach_no_stored_byte_and_relaunch_asks_them_again(tmp_path):
    vault_file = tmp_path / "vault-password"  # outside the data dir, as a site's vault password is
    vault_file.write_text(VAULT_PASSWORD + "\n")
    with job_service(tmp_path, vault_password_file=str(vault_file)) as service:
        job = service.launch("answers", extra_vars={**ANSWERS, "mode": "fail"})
        assert job["extra_vars"]["sip_password"] == "$encrypted$"
        done = service.wait_end(job["id"])
        assert done["state"] == "failed" and "return code 2" in done["reason"]
        stdout = service.stdout(job["id"])
        assert "site=Head office" in stdout and "password=********" in stdout
        answer = service.client.post(f"/api/v1/jobs/{job['id']}/relaunch", json={})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", "extra_vars", "sip_password"]
        again = service.client.post(
            f"/api/v1/jobs/{job['id']}/relaunch", json={"extra_vars": {"sip_password": SIP_PASSWORD}}
        ).json()
        assert again["relaunch_of"] == job["id"] and again["extra_vars"] == job["extra_vars"]
        assert service.wait_end(again["id"])["state"] == "failed"  # mode: fail, answered the same
        runs = run_root(str(tmp_path / "jobs"))  # where the jobs' folders were made (tmpfs): scanned too
        everything = json.dumps(service.client.get("/api/v1/jobs").json()) + service.stdout(again["id"])
        assert SIP_PASSWORD not in everything
    stored = [
        path for folder in (tmp_path, runs) for path in folder.rglob("*") if path.is_file() and path != vault_file
    ]
    assert any(path.name == "jobs.db" for path in stored)
    for path in stored:
        data = path.read_bytes()
        for secret in (SIP_PASSWORD, VAULT_PASSWORD):
            assert secret.encode() not in data, f"{secret} found in {path}"


def test_no_job_is_left_running_after_a_restart(tmp_path, store_url):
    """The service killed (SIGKILL) mid-job: at the next start the job is failed with the reason, its output
    kept, and what was left of its ansible-playbook is killed."""
    from tests.unit.jobs.support import killed_service_process

    with killed_service_process(tmp_path, database_url=store_url) as service:
        job = service.launch("sleep", extra_vars={"sleep_seconds": 479})
        service.wait(job["id"], lambda job: job["state"] == "running" and job["event_count"] >= 3)
        # the job's folders, in the service's run root (tmpfs), where the restart must find them
        runs = run_root(str(tmp_path / "jobs"))
        wait_for_process("sleep 479", runs)
        assert (runs / f"job-{job['id']}").is_dir()
        queued = service.launch("sleep", extra_vars={"sleep_seconds": 478})  # beyond the limit of 1: pending
    with job_service(tmp_path, database_url=store_url) as service:
        done = service.job(job["id"])
        assert done["state"] == "failed"
        assert done["reason"] == "the job service stopped while the job ran; its output up to then is kept"
        assert "sleeping 479 seconds" in service.stdout(job["id"])
        assert service.job(queued["id"])["state"] == "failed"
        assert "relaunch it" in service.job(queued["id"])["reason"]
        deadline = time.monotonic() + 10
        while processes_running("sleep 479", runs) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not processes_running("sleep 479", runs)
        assert not [left for root in (tmp_path / "jobs", runs) if root.is_dir() for left in root.iterdir()]


def test_a_20000_event_job_streams_in_batches_without_losing_one(tmp_path):
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import Catalogue
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

    from tests.unit.jobs.support import REPO

    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")  # the database job_service opens
    options, _secrets = Catalogue(REPO / "playbooks").launch_options("validate")
    job = store.add_job(options, launched_by="admin")
    events = [{"counter": counter, "event": "runner_on_ok", "stdout": f"ok {counter}"} for counter in range(1, 20001)]
    for start in range(0, len(events), 5000):
        store.add_events(job.id, events[start : start + 5000])
    store.finish(job.id, "successful", 0, "")
    store.close()
    with job_service(tmp_path) as service:
        streamed, ids = read_stream(service, job.id)
        assert [event["counter"] for event in streamed] == list(range(1, 20001))
        assert len(ids) == 20, "one message per 1,000 events"
        resumed, ids = read_stream(service, job.id, last_event_id=19990)
        assert [event["counter"] for event in resumed] == list(range(19991, 20001)) and ids == ["20000"]


def test_the_command_line_hashes_a_token_and_checks_the_settings(tmp_path):
    import subprocess
    import sys

    import bcrypt

    from tests.unit.jobs.support import REPO, job_settings

    environment = {**os.environ, "PYTHONPATH": f"{REPO / 'collections'}:{REPO / 'service'}"}
    command = [sys.executable, "-m", "phonefleet_jobs"]
    hashed = subprocess.run(
        [*command, "hash-token"],
        input="a-token-of-the-admin-42\n",
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert hashed.returncode == 0 and bcrypt.checkpw(b"a-token-of-the-admin-42", hashed.stdout.strip().encode())
    short = subprocess.run(
        [*command, "hash-token"], input="short\n", capture_output=True, text=True, env=environment, check=False
    )
    assert short.returncode == 2 and "16 characters at least" in short.stderr
    settings = job_settings(tmp_path)
    config = tmp_path / "jobs.yml"
    config.write_text(
        f"inventory: {settings.inventory}\nadmin_token_hash: '{hashed.stdout.strip()}'\n"
        f"database_url: {settings.database_url}\n"
    )
    checked = subprocess.run(
        [*command, "check", "--config", str(config)], capture_output=True, text=True, env=environment, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert f"{len(CATALOGUE)} playbooks" in checked.stdout
    config.write_text("inventory: site\nadmin_token_hash: not-a-hash\n")
    checked = subprocess.run(
        [*command, "check", "--config", str(config)], capture_output=True, text=True, env=environment, check=False
    )
    assert checked.returncode == 2 and "admin_token_hash must be a bcrypt hash" in checked.stderr
