"""Webhooks on job end: the job service on a loopback port POSTs to a real HTTP receiver on loopback, which checks
the signature as a ticket system would; deliveries and their attempts read back through the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import Job, LaunchOptions
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import load_job_settings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.webhooks import (
    DeliveryStore,
    WebhookSender,
    load_webhooks,
    shown_url,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import SettingsError

from tests.support.service import free_port
from tests.unit.jobs.support import TOKEN_HASH, JobService, job_service

HOOK_SECRET = "hook-secret-5d1e0b7a9c"
URL_PASSWORD = "Url-Pass-3e8f1a"
SIP_PASSWORD = "Sip-Secret-7f3a9c"
ANSWERS = {"site_name": "Head office", "mode": "pass", "sip_password": SIP_PASSWORD}
PUBLIC_URL = "https://jobs.example.org"
FAST_RETRIES = {"webhook_backoff_seconds": 0.05, "webhook_backoff_factor": 2.0, "webhook_timeout_seconds": 5.0}


@dataclass
class Received:
    path: str
    headers: Message  # as http.server reads them: names in any case
    body: bytes  # the raw bytes, as they came


@dataclass
class Receiver:
    """A ticket system's webhook endpoint: answers each POST with the next of ``statuses`` (then 200)."""

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # when set: each answer waits for it

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} requests received, {count} expected"
            time.sleep(0.05)
        return self.received


@pytest.fixture
def receiver():
    state = Receiver("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            if state.hold is not None:
                state.hold.wait(30)
            state.received.append(Received(self.path, self.headers, raw))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()


def verifies(secret: str, received: Received) -> bool:
    """What docs/jobs.md tells a receiver to do: the HMAC of the raw body, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["X-PhoneFleet-Signature-256"])


def docs_receiver_check() -> Callable[[bytes, bytes, str], dict]:
    """``verified_body`` as docs/jobs.md shows it to receivers: the snippet must work as printed."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "jobs.md").read_text()
    snippet = next(block for block in text.split("```python\n")[1:] if "def verified_body" in block)
    namespace: dict = {}
    exec(snippet.split("```")[0], namespace)  # our own documentation
    return namespace["verified_body"]


def secret_file(directory: Path, secret: str = HOOK_SECRET) -> str:
    path = directory / "hook.secret"
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return str(path)


def deliveries(service: JobService, job_id: int) -> list[dict]:
    answer = service.client.get(f"/api/v1/jobs/{job_id}/webhooks")
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_deliveries(service: JobService, job_id: int, until: Callable[[list[dict]], bool], timeout=60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while not until(found := deliveries(service, job_id)):
        assert time.monotonic() < deadline, f"deliveries of job {job_id}: {found}"
        time.sleep(0.05)
    return found


def test_a_job_end_is_posted_signed_and_recorded_and_the_secrets_stay_out_of_every_stored_byte(
    tmp_path, receiver, caplog
):
    caplog.set_level(logging.DEBUG)
    hook_url = receiver.url.replace("://", f"://ticket:{URL_PASSWORD}@") + "/hooks/phonefleet"
    hook = {"name": "tickets", "url": hook_url, "secret_file": secret_file(tmp_path)}
    with job_service(tmp_path / "service", webhooks=[hook], public_url=PUBLIC_URL) as service:
        job = service.launch("answers", extra_vars=ANSWERS)
        done = service.wait_end(job["id"])
        assert done["state"] == "successful"
        [received] = receiver.wait_for(1)
        assert verifies(HOOK_SECRET, received)
        assert not verifies("not-the-secret-0123456789", received), "a wrong secret verifies"
        verified_body = docs_receiver_check()
        signature = received.headers["X-PhoneFleet-Signature-256"]
        assert verified_body(HOOK_SECRET.encode(), received.body, signature)["job"]["id"] == job["id"]
        with pytest.raises(PermissionError, match="bad signature"):
            verified_body(b"not-the-secret-0123456789", received.body, signature)
        tampered = Received(received.path, received.headers, received.body.replace(b"successful", b"failed"))
        assert not verifies(HOOK_SECRET, tampered), "a changed body verifies"
        assert received.path == "/hooks/phonefleet"
        assert (
            received.headers["Authorization"] == "Basic " + base64.b64encode(f"ticket:{URL_PASSWORD}".encode()).decode()
        )
        body = json.loads(received.body)
        assert body["event"] == received.headers["X-PhoneFleet-Event"] == "job.finished"
        assert body["delivery_id"] == received.headers["X-PhoneFleet-Delivery"]
        # the timestamp header repeats the signed body's sent_at (replay: a receiver refuses an old one)
        sent_at = time.mktime(time.strptime(body["sent_at"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        assert int(received.headers["X-PhoneFleet-Timestamp"]) == int(sent_at)
        assert abs(time.time() - sent_at) < 60
        assert body["job"] == {
            "id": job["id"],
            "playbook": "answers",
            "state": "successful",
            "rc": 0,
            "reason": "",
            "launched_by": "admin",
            "started": body["job"]["started"],
            "finished": body["job"]["finished"],
            "limit": "",
            "check": False,
            "event_count": done["event_count"],
            "url": f"{PUBLIC_URL}/api/v1/jobs/{job['id']}",
        }
        assert body["job"]["started"] <= body["job"]["finished"] and body["job"]["finished"].endswith("Z")
        assert SIP_PASSWORD.encode() not in received.body
        [delivery] = wait_deliveries(service, job["id"], lambda found: found and found[0]["state"] != "pending")
        assert delivery["delivery_id"] == body["delivery_id"]
        assert (delivery["webhook"], delivery["event"], delivery["state"]) == ("tickets", "successful", "delivered")
        assert delivery["url"] == receiver.url.replace("://", "://***@") + "/hooks/phonefleet"
        assert [(each["attempt"], each["status_code"], each["error"]) for each in delivery["attempts"]] == [
            (1, 200, "")
        ]
        shown = json.dumps(deliveries(service, job["id"])) + json.dumps(service.job(job["id"]))
    for secret in (HOOK_SECRET, URL_PASSWORD, SIP_PASSWORD):
        assert secret not in shown
        assert secret not in caplog.text, f"{secret} logged"
        for path in (tmp_path / "service").rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), f"{secret} found in {path}"


def test_a_receiver_failing_twice_gets_a_third_attempt_with_the_same_delivery_id(tmp_path, receiver):
    receiver.statuses = [500, 503]
    hook = {"name": "tickets", "url": receiver.url, "secret_env": "TICKETS_HOOK_SECRET"}
    settings = {"webhooks": [hook], **FAST_RETRIES}
    with job_service(tmp_path, environ={"TICKETS_HOOK_SECRET": HOOK_SECRET}, **settings) as service:
        job = service.launch("answers", extra_vars={**ANSWERS, "mode": "fail"})
        assert service.wait_end(job["id"])["state"] == "failed"
        received = receiver.wait_for(3)
        [delivery] = wait_deliveries(service, job["id"], lambda found: found[0]["state"] != "pending")
        assert delivery["state"] == "delivered" and delivery["event"] == "failed"
        attempts = [(each["attempt"], each["state"], each["status_code"]) for each in delivery["attempts"]]
        assert attempts == [(1, "failed", 500), (2, "failed", 503), (3, "delivered", 200)]
        assert delivery["attempts"][0]["error"] == "HTTP 500 Internal Server Error"
        assert {each.headers["X-PhoneFleet-Delivery"] for each in received} == {delivery["delivery_id"]}
        assert all(verifies(HOOK_SECRET, each) for each in received)
        # no public_url: the service's own host and port
        assert json.loads(received[0].body)["job"]["url"] == f"http://127.0.0.1:8490/api/v1/jobs/{job['id']}"
        assert len(receiver.received) == 3, "an attempt after the delivery"


def test_an_unreachable_receiver_is_tried_webhook_attempts_times_and_its_error_holds_no_credential(tmp_path):
    closed = f"http://ticket:{URL_PASSWORD}@127.0.0.1:{free_port()}/hook"
    hook = {"name": "down", "url": closed, "secret_file": secret_file(tmp_path)}
    with job_service(tmp_path / "service", webhooks=[hook], webhook_attempts=2, **FAST_RETRIES) as service:
        job = service.launch("answers", extra_vars=ANSWERS)
        service.wait_end(job["id"])
        [delivery] = wait_deliveries(
            service, job["id"], lambda found: len(found[0]["attempts"]) == 2 and found[0]["state"] != "pending"
        )
        assert delivery["state"] == "failed"
        for attempt in delivery["attempts"]:
            assert attempt["status_code"] is None and "refused" in attempt["error"].lower()
        shown = json.dumps(delivery)
    assert URL_PASSWORD not in shown and HOOK_SECRET not in shown
    for path in (tmp_path / "service").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert URL_PASSWORD.encode() not in data and HOOK_SECRET.encode() not in data, path


def test_webhooks_get_only_the_states_and_playbooks_they_ask_for(tmp_path, receiver):
    hooks = [
        {"name": "failures", "url": f"{receiver.url}/failures", "secret_env": "S", "events": ["failed", "canceled"]},
        {"name": "sleeps", "url": f"{receiver.url}/sleeps", "secret_env": "S", "playbooks": ["sleep"]},
    ]
    with job_service(tmp_path, environ={"S": HOOK_SECRET}, webhooks=hooks, max_concurrent_jobs=1) as service:
        passed = service.launch("answers", extra_vars=ANSWERS)
        failed = service.launch("answers", extra_vars={**ANSWERS, "mode": "fail"})
        slept = service.launch("sleep", extra_vars={"sleep_seconds": 1})
        waiting = service.launch("sleep")  # the one worker is busy with the jobs before: canceled while pending
        service.client.post(f"/api/v1/jobs/{waiting['id']}/cancel")
        for job in (passed, failed, slept, waiting):
            service.wait_end(job["id"])
        receiver.wait_for(4)
        time.sleep(0.5)  # nothing more comes
        seen = sorted((each.path, json.loads(each.body)["job"]["id"]) for each in receiver.received)
        assert seen == sorted(
            [
                ("/failures", failed["id"]),
                ("/failures", waiting["id"]),
                ("/sleeps", slept["id"]),
                ("/sleeps", waiting["id"]),
            ]
        )
        assert deliveries(service, passed["id"]) == []


def test_a_slow_receiver_does_not_hold_the_jobs_and_what_is_pending_at_the_stop_is_marked(tmp_path, receiver):
    receiver.hold = threading.Event()
    hook = {"name": "slow", "url": receiver.url, "secret_env": "S"}
    with job_service(tmp_path, environ={"S": HOOK_SECRET}, webhooks=[hook], webhook_timeout_seconds=60) as service:
        first = service.launch("answers", extra_vars=ANSWERS)
        service.wait_end(first["id"])
        second = service.launch("answers", extra_vars=ANSWERS)
        # the receiver holds the first delivery and answers nothing yet: the next job runs and ends all the same
        assert service.wait_end(second["id"], timeout=40)["state"] == "successful"
        assert receiver.received == []
        states = [delivery["state"] for job in (first, second) for delivery in deliveries(service, job["id"])]
        assert states == ["pending", "pending"]
        # it fails each: the retries wait (1 s, 5 s...) when the service stops
        receiver.statuses = [500] * 10
        receiver.hold.set()
        wait_deliveries(service, second["id"], lambda found: found[0]["attempts"][0]["state"] == "failed")
    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")
    try:
        attempts = [
            attempt
            for job in (first, second)
            for found in DeliveryStore(store).of_job(job["id"])
            for attempt in found.attempts
        ]
    finally:
        store.close()
    assert {attempt.state for attempt in attempts} <= {"failed", "abandoned"}
    assert "abandoned" in {attempt.state for attempt in attempts}, "a delivery pending at the stop was lost"
    abandoned = [attempt for attempt in attempts if attempt.state == "abandoned"]
    assert all(attempt.error == "the job service stopped before this attempt was made" for attempt in abandoned)


# -- the settings ------------------------------------------------------------------------------------


def settings_file(tmp_path, hooks_yaml: str) -> str:
    path = tmp_path / "jobs.yml"
    path.write_text(f"inventory: site\nadmin_token_hash: '{TOKEN_HASH}'\nwebhooks:\n{hooks_yaml}")
    return str(path)


@pytest.mark.parametrize(
    ("hooks_yaml", "message"),
    [
        (f"  - {{name: t, url: 'http://h/', secret: {HOOK_SECRET}}}\n", r"webhooks\[0\]\.secret: a secret is never"),
        ("  - {name: t, url: 'ftp://h/', secret_env: S}\n", r"webhooks\[0\]\.url must be an http:// or https://"),
        ("  - {name: t, url: 'http://u:p@/x', secret_env: S}\n", r"not 'http://\*\*\*@/x'"),
        ("  - {name: t, url: 'http://h/'}\n", r"webhooks\[0\]: give one of secret_file or secret_env"),
        ("  - {name: t, url: 'http://h/', secret_env: S, events: [done]}\n", r"webhooks\[0\]\.events: 'done' is not"),
        ("  - {name: t, url: 'http://h/', secret_env: S, playbooks: []}\n", r"webhooks\[0\]\.playbooks must be a"),
        ("  - {name: t, url: 'http://h/', secret_env: S}\n  - {name: t, url: 'http://i/', secret_env: S}\n", "twice"),
        ("  - {name: t, url: 'http://h/', secret_env: S, method: PUT}\n", r"webhooks\[0\]: unknown key 'method'"),
    ],
)
def test_wrong_webhook_settings_are_named_and_never_echo_the_secret(tmp_path, hooks_yaml, message):
    with pytest.raises(SettingsError, match=message) as caught:
        load_job_settings(settings_file(tmp_path, hooks_yaml), {})
    assert "jobs.yml: webhooks[" in str(caught.value) and HOOK_SECRET not in str(caught.value)


def test_webhook_secrets_come_from_a_private_file_or_a_variable_and_are_checked(tmp_path):
    path = secret_file(tmp_path)
    hooks = [{"name": "t", "url": "https://tickets.example.org/hook", "secret_file": path}]
    [hook] = load_webhooks(hooks, "jobs.yml", {})
    assert hook.secret == HOOK_SECRET.encode() and HOOK_SECRET not in repr(hook)
    os.chmod(path, 0o640)
    with pytest.raises(
        SettingsError, match=r"jobs.yml: webhooks\[0\].secret_file: .* may be read by others \(mode 0640\)"
    ):
        load_webhooks(hooks, "jobs.yml", {})
    os.chmod(path, 0o600)
    with pytest.raises(SettingsError, match=r"webhooks\[0\].playbooks: 'nonesuch' is not a catalogue playbook"):
        load_webhooks([{**hooks[0], "playbooks": ["nonesuch"]}], "jobs.yml", {}, frozenset({"validate"}))
    from_env = [{"name": "t", "url": "http://h/", "secret_env": "HOOK_SECRET"}]
    assert load_webhooks(from_env, "jobs.yml", {"HOOK_SECRET": HOOK_SECRET})[0].secret == HOOK_SECRET.encode()
    with pytest.raises(
        SettingsError, match=r"webhooks\[0\].secret_env: the environment variable HOOK_SECRET is not set"
    ):
        load_webhooks(from_env, "jobs.yml", {})
    with pytest.raises(SettingsError, match=r"secret_env: the secret is too short") as caught:
        load_webhooks(from_env, "jobs.yml", {"HOOK_SECRET": "short-one"})
    assert "short-one" not in str(caught.value)


def test_shown_urls_hide_their_credentials():
    assert shown_url("https://u:p%40ss@tickets.example.org:8443/h?x=1") == "https://***@tickets.example.org:8443/h?x=1"
    assert shown_url("https://tickets.example.org/h") == "https://tickets.example.org/h"


# -- the deliveries table on both databases -------------------------------------------------------------


def test_deliveries_are_stored_per_attempt_and_pending_ones_abandoned_at_start(store_url):
    store = JobStore.open(store_url)
    try:
        job = Job(7, LaunchOptions("validate"), "failed", 1.0, 2.0, 3.0, 2, "it failed")
        [hook] = load_webhooks(
            [{"name": "t", "url": f"http://ticket:{URL_PASSWORD}@h/", "secret_env": "S"}], "test", {"S": HOOK_SECRET}
        )
        statuses = [
            (500, "HTTP 500 Internal Server Error"),
            (None, f"refused by http://ticket:{URL_PASSWORD}@h/ ({HOOK_SECRET}, {URL_PASSWORD})"),
        ]
        sender = WebhookSender(
            store, [hook], lambda job_id: f"x/{job_id}", attempts=3, send=lambda *args: statuses.pop(0)
        )
        sender.job_finished(job)  # queued; the sender's thread is not started: attempts made by hand below
        sender._attempt(sender._due.pop())
        sender._attempt(sender._due.pop())
        [delivery] = DeliveryStore(store).of_job(7)
        assert [(each.attempt, each.state, each.status_code) for each in delivery.attempts] == [
            (1, "failed", 500),
            (2, "failed", None),
            (3, "pending", None),
        ]
        assert delivery.attempts[1].error == "refused by http://***@h/ (***, ***)"
        assert (delivery.url, delivery.event, delivery.state) == ("http://***@h/", "failed", "pending")
        again = WebhookSender(store, [hook], str)  # a new process: what was pending was never sent
        again.start()
        again.stop()
        [delivery] = DeliveryStore(store).of_job(7)
        assert delivery.state == "abandoned" and delivery.attempts[-1].error.startswith("the job service stopped")
    finally:
        store.close()
