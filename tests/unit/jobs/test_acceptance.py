"""Issue 13's acceptance, through the job service's HTTP API on loopback with real ansible-runner runs: the role
matrix over every route (each refusal in the journal), the secret scan of every stored byte (database, data dir,
runner's artifacts, the log), and schedules that fire or that a holiday skips with the service's own scheduler.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
import zoneinfo
from pathlib import Path

import httpx

from tests.unit.jobs.support import (
    REPO,
    JobService,
    captured_logs,
    job_service,
    job_settings,
    kept_artifacts,
    runner_event_counters,
)
from tests.unit.jobs.test_jobs_api import read_stream
from tests.unit.jobs.test_users_api import ROLES, add_users, journal
from tests.unit.jobs.test_users_api import client as as_user

EVERYONE = frozenset(ROLES)
LAUNCHERS = frozenset({"bot", "root"})
JOURNAL_READERS = frozenset({"aud", "root"})
ADMINISTRATORS = frozenset({"root"})
SCHEDULE = {"playbook": "validate", "cron": "0 3 * * *"}

# (method, path, body, who may call it, the status one who may gets): every route of the API but /openapi.json;
# the targets do not exist and the bodies are wrong, so that an allowed call changes nothing
MATRIX = [
    ("GET", "/api/v1/playbooks", None, EVERYONE, 200),
    ("GET", "/api/v1/jobs", None, EVERYONE, 200),
    ("POST", "/api/v1/jobs", {"playbook": "no-such-playbook"}, LAUNCHERS, 422),
    ("GET", "/api/v1/jobs/999", None, EVERYONE, 404),
    ("POST", "/api/v1/jobs/999/cancel", None, LAUNCHERS, 404),
    ("POST", "/api/v1/jobs/999/relaunch", {}, LAUNCHERS, 404),
    ("GET", "/api/v1/jobs/999/events", None, EVERYONE, 404),
    ("GET", "/api/v1/jobs/999/stdout", None, EVERYONE, 404),
    ("GET", "/api/v1/jobs/999/stdout.txt", None, EVERYONE, 404),
    ("GET", "/api/v1/jobs/999/stream", None, EVERYONE, 404),
    ("GET", "/api/v1/jobs/999/webhooks", None, JOURNAL_READERS, 404),
    ("GET", "/api/v1/users", None, ADMINISTRATORS, 200),
    ("POST", "/api/v1/users", {"name": "x", "role": "api", "password": "short"}, ADMINISTRATORS, 422),
    ("PATCH", "/api/v1/users/nobody", {"role": "api"}, ADMINISTRATORS, 404),
    ("DELETE", "/api/v1/users/nobody", None, ADMINISTRATORS, 404),
    ("POST", "/api/v1/users/nobody/password", {"password": "x" * 12}, ADMINISTRATORS, 404),
    ("GET", "/api/v1/tokens", None, EVERYONE, 200),
    ("POST", "/api/v1/tokens", {"description": ["not", "text"]}, EVERYONE, 422),
    ("DELETE", "/api/v1/tokens/999", None, EVERYONE, 404),
    ("GET", "/api/v1/journal", None, JOURNAL_READERS, 200),
    ("GET", "/api/v1/schedules", None, EVERYONE, 200),
    ("POST", "/api/v1/schedules", {"name": "x", "playbook": "validate", "cron": "0 25 * * *"}, ADMINISTRATORS, 422),
    ("GET", "/api/v1/schedules/nothing", None, EVERYONE, 404),
    ("PUT", "/api/v1/schedules/nothing", SCHEDULE, ADMINISTRATORS, 404),
    ("DELETE", "/api/v1/schedules/nothing", None, ADMINISTRATORS, 404),
    ("POST", "/api/v1/schedules/nothing/enable", None, ADMINISTRATORS, 404),
    ("POST", "/api/v1/schedules/nothing/disable", None, ADMINISTRATORS, 404),
    ("GET", "/api/v1/schedules/nothing/next", None, EVERYONE, 404),
    ("GET", "/api/v1/schedules/nothing/runs", None, EVERYONE, 404),
]


def test_the_role_matrix_over_every_route_and_each_refusal_in_the_journal(tmp_path):
    with job_service(tmp_path) as service:
        add_users(service)
        openapi = httpx.get(f"{service.base_url}/openapi.json").json()
        routes = {(method.upper(), path) for path, item in openapi["paths"].items() for method in item}
        tested = {
            (method, route) for method, route in routes for m, p, *_rest in MATRIX if m == method and _same(p, route)
        }
        assert tested == routes, f"routes missing from the matrix: {sorted(routes - tested)}"

        for index, (method, path, body, allowed, status) in enumerate(MATRIX):
            with as_user(service) as anonymous:
                answer = anonymous.request(method, path, json=body)
                assert answer.status_code == 401, f"{method} {path} anonymous: {answer.status_code}"
            with as_user(service, f"nobody{index}", "a-wrong-password-00") as wrong:
                assert wrong.request(method, path, json=body).status_code == 401, f"{method} {path}"
            for name in ROLES:
                with as_user(service, name) as user:
                    answer = user.request(method, path, json=body)
                expected = status if name in allowed else 403
                assert answer.status_code == expected, f"{method} {path} as {name}: {answer.status_code} {answer.text}"

        refused = {
            (line["username"], line["detail"]["status"], line["detail"]["request"], line["source"])
            for line in journal(service, action="refused")
        }
        failed = {(line["username"], line["detail"]["request"]) for line in journal(service, action="login_failed")}
        for index, (method, path, _body, allowed, _status) in enumerate(MATRIX):
            request = f"{method} {path}"
            assert ("(anonymous)", 401, request, "127.0.0.1") in refused, f"anonymous {request} not journaled"
            assert (f"nobody{index}", request) in failed, f"a wrong password on {request} not journaled"
            for name in EVERYONE - allowed:
                assert (name, 403, request, "127.0.0.1") in refused, f"{name}'s refused {request} not journaled"
        assert len(refused) == len(MATRIX) + sum(len(EVERYONE - allowed) for *_rest, allowed, _status in MATRIX)
        logins = {(line["username"], line["detail"]["method"]) for line in journal(service, action="login")}
        assert {("aud", "basic"), ("bot", "basic"), ("root", "basic")} <= logins


def _same(matrix_path: str, route: str) -> bool:
    """Whether a path of the matrix is an instance of an OpenAPI route (``{name}`` matching one segment)."""
    parts, pattern = matrix_path.split("/"), route.split("/")
    return len(parts) == len(pattern) and all(
        want.startswith("{") or want == got for got, want in zip(parts, pattern, strict=True)
    )


def test_an_auditor_sees_no_secret_the_api_user_manages_no_user_and_a_revoked_token_is_refused(tmp_path):
    secret = "Sip-Secret-auditor-3e1d"
    with job_service(tmp_path) as service:
        add_users(service)
        with as_user(service, "bot") as bot:
            made = bot.post("/api/v1/tokens", json={"description": "ticket system"})
            assert made.status_code == 201
            token, token_id = made.json()["token"], made.json()["id"]
            assert (
                bot.post(
                    "/api/v1/users", json={"name": "eve", "role": "administrator", "password": "x" * 14}
                ).status_code
                == 403
            )
        with as_user(service, token=token) as script:
            answers = {"site_name": "HQ", "mode": "pass", "sip_password": secret}
            job = script.post("/api/v1/jobs", json={"playbook": "answers", "extra_vars": answers})
            assert job.status_code == 201, job.text
        job_id = job.json()["id"]
        service.wait_end(job_id)
        with as_user(service, "aud") as auditor:
            assert auditor.post("/api/v1/jobs", json={"playbook": "validate"}).status_code == 403
            seen = [
                auditor.get(f"/api/v1/jobs/{job_id}").text,
                auditor.get("/api/v1/jobs").text,
                auditor.get(f"/api/v1/jobs/{job_id}/stdout.txt").text,
                auditor.get(f"/api/v1/jobs/{job_id}/events", params={"limit": 1000}).text,
                auditor.get("/api/v1/journal", params={"limit": 500}).text,
                auditor.get("/api/v1/tokens").text,
            ]
            assert auditor.get(f"/api/v1/jobs/{job_id}").json()["extra_vars"]["sip_password"] == "$encrypted$"
            assert "password=********" in seen[2]
            assert not [text for text in seen if secret in text or token in text]
        with as_user(service, "bot") as bot:
            assert bot.delete(f"/api/v1/tokens/{token_id}").status_code == 204
        with as_user(service, token=token) as script:
            assert script.get("/api/v1/jobs").status_code == 401, "a revoked token still works"
        lines = journal(service)
        by_action = {line["action"]: line for line in reversed(lines)}  # the latest of each
        assert (
            by_action["token_revoke"]["username"] == "bot"
            and by_action["token_revoke"]["target"] == f"token:{token_id}"
        )
        assert any(
            line["username"] == "(token)" and line["detail"]["request"] == "GET /api/v1/jobs"
            for line in lines
            if line["action"] == "login_failed"
        )
        assert any(
            line["username"] == "bot" and line["detail"]["request"] == "POST /api/v1/users"
            for line in lines
            if line["action"] == "refused"
        )
        assert any(
            line["username"] == "aud" and line["detail"]["request"] == "POST /api/v1/jobs"
            for line in lines
            if line["action"] == "refused"
        )
        launch = next(line for line in lines if line["action"] == "launch")
        assert (launch["username"], launch["target"], launch["detail"]["password_answers"]) == (
            "bot",
            f"job:{job_id}",
            ["sip_password"],
        )


DESK, LOBBY = "Desk-Sip-Secret-51ab9", "Lobby-Sip-Secret-0c7d4"
SERVICE_TOKEN = "pfs_service-token-8c2e1f4b9a"
VAULT = "Vault-Secret-e05f61"


def test_no_secret_reaches_a_stored_byte_database_data_dir_artifacts_or_log(tmp_path):
    """SIP passwords, a service token and the vault password, all printed by the playbook, and the API token the
    job is launched with: none is in the database, the data dir, the run root, runner's artifacts (kept before
    they are deleted) or the log of the service's process."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import run_root

    vault_file = tmp_path / "vault-password"  # outside the service's folders, as a site's vault password is
    vault_file.write_text(VAULT + "\n")
    answers = {
        "desk_sip_password": DESK,
        "lobby_sip_password": LOBBY,
        "service_token": SERVICE_TOKEN,
        "vault_password_path": str(vault_file),
    }
    stored = tmp_path / "stored"
    stored.mkdir()
    with (
        kept_artifacts(stored / "artifacts") as artifacts,
        job_service(stored, vault_password_file=str(vault_file)) as service,
        # after the start: uvicorn sets its loggers up as it starts
        captured_logs(stored / "service.log") as log,
    ):
        add_users(service)
        with as_user(service, "bot") as bot:
            api_token = bot.post("/api/v1/tokens", json={"description": "launcher"}).json()["token"]
        with as_user(service, token=api_token) as script:
            answer = script.post("/api/v1/jobs", json={"playbook": "secrets", "extra_vars": answers})
            assert answer.status_code == 201, answer.text
        job = service.wait_end(answer.json()["id"])
        # and whatever the job left where its folders were made (runner.py: the service's run root, on tmpfs)
        runs = run_root(str(stored / "jobs"))
        assert job["state"] == "successful", service.stdout(job["id"])[-2000:]
        stdout = service.stdout(job["id"])
        assert "desk=******** lobby=******** token=********" in stdout and "vault=********" in stdout
    secrets = (DESK, LOBBY, SERVICE_TOKEN, VAULT, api_token)
    files = [path for folder in (stored, runs) for path in folder.rglob("*") if path.is_file()]
    # what was scanned: the database, runner's artifacts of the job, a log that holds the requests
    assert {"jobs.db", "service.log"} <= {path.name for path in files}
    assert runner_event_counters(artifacts / f"job-{job['id']}"), "runner's artifacts were not kept"
    # the output is the events' stdout, in the database: runner keeps no second copy (runner.py)
    assert not list(artifacts.glob("*/artifacts/*/std*")), "runner wrote stdout/stderr artifacts"
    # and the job has ansible.cfg's fact cache, as by hand: not runner's, in artifacts deleted at the job's end
    command = json.loads((artifacts / f"job-{job['id']}" / "artifacts" / "run" / "command").read_text())
    assert "ANSIBLE_CACHE_PLUGIN" not in command["env"]
    assert "POST /api/v1/jobs" in log.read_text(), "the log holds no request: nothing was captured"
    found = [(secret, str(path)) for path in files for secret in secrets if secret.encode() in path.read_bytes()]
    assert not found, f"secrets found in stored files: {found}"


class Clock:
    """The schedules' time: a fixed moment that the test moves."""

    def __init__(self, moment: dt.datetime) -> None:
        self.now = moment.timestamp()
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def set(self, moment: dt.datetime) -> None:
        with self.lock:
            self.now = moment.timestamp()


BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def berlin(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BERLIN)


def add_calendar(directory: Path, holidays: list[str]) -> None:
    """The site's fleet settings file with a calendar: Berlin time and ``holidays``."""
    settings = directory / "site" / "fleet" / "settings.yml"
    calendar = f"\n  calendar:\n    timezone: Europe/Berlin\n    holidays: {holidays}\n"
    text = settings.read_text()
    assert "settings:\n" in text
    settings.write_text(text.replace("settings:\n", f"settings:{calendar}", 1))


def wait_for(what: str, found, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (result := found()):
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.1)
    return result


def test_a_schedule_fires_a_holiday_skips_it_and_the_journal_tells_who_did_what(tmp_path):
    """The service's scheduler on a clock the test moves: Monday 1 June 2026 03:00 Berlin fires ``night`` and
    ``always``; Tuesday 2 June is a holiday of the site's fleet settings: only ``always`` (holidays not skipped)
    fires; a day the service was down is a missed run. Schedule changes are journaled with who and from where;
    the scheduler's launches and missed runs as the schedule's (``schedule:<name>``) with its owner."""
    job_settings(tmp_path)  # copies the site
    add_calendar(tmp_path, ["2026-06-02"])
    clock = Clock(berlin(2026, 6, 1, 2, 59, 50))
    sleep_briefly = {"playbook": "sleep", "extra_vars": {"sleep_seconds": 1}, "cron": "0 3 * * *"}
    with job_service(tmp_path, clock=clock, schedule_interval_seconds=0.1) as service:
        add_users(service)
        with as_user(service, "root") as root:
            assert root.post("/api/v1/schedules", json={"name": "night", **sleep_briefly}).status_code == 201
            made = root.post("/api/v1/schedules", json={"name": "always", **sleep_briefly, "skip_holidays": False})
            assert made.status_code == 201 and made.json()["owner"] == "root"
        upcoming = service.client.get("/api/v1/schedules/night/next", params={"count": 2}).json()
        assert upcoming == ["2026-06-01T03:00:00+02:00", "2026-06-03T03:00:00+02:00"], "the holiday is not skipped"

        def runs(name: str) -> list[dict]:
            return service.client.get(f"/api/v1/schedules/{name}/runs").json()

        clock.set(berlin(2026, 6, 1, 3, 0, 5))
        first = {name: wait_for(f"{name}'s first run", lambda name=name: runs(name)) for name in ("night", "always")}
        assert {name: [run["state"] for run in found] for name, found in first.items()} == {
            "night": ["launched"],
            "always": ["launched"],
        }
        clock.set(berlin(2026, 6, 2, 3, 0, 5))  # the holiday
        wait_for("always's holiday run", lambda: len(runs("always")) == 2)
        time.sleep(0.5)  # several scheduler rounds: night must stay as it was
        assert [run["due_at"] for run in runs("night")] == ["2026-06-01T01:00:00+00:00"]
        assert runs("always")[0]["due_at"] == "2026-06-02T01:00:00+00:00"
        for name in ("night", "always"):
            for run in runs(name):
                job = service.wait_end(run["job_id"])
                assert (job["state"], job["launched_by"]) == ("successful", f"schedule:{name}")

        assert service.client.post("/api/v1/schedules/always/disable").status_code == 200
        clock.set(berlin(2026, 6, 4, 3, 10))  # down through 3 June 03:00; 4 June 03:00 is 10 minutes late
        missed = wait_for("night's missed runs", lambda: [run for run in runs("night") if run["state"] == "missed"])
        assert "the job service was not running at 2026-06-03T01:00:00+00:00" in missed[-1]["reason"]

        job_of = {(name, run["due_at"]): run["job_id"] for name in ("night", "always") for run in runs(name)}
        with as_user(service, "root") as root:
            changed = root.put("/api/v1/schedules/night", json={**sleep_briefly, "cron": "30 4 * * *"})
            assert changed.status_code == 200
            assert root.post("/api/v1/schedules/always/enable").status_code == 200
            assert root.delete("/api/v1/schedules/always").status_code == 204

        lines = journal(service)
        mine = [(line["username"], line["action"], line["target"], line["source"]) for line in reversed(lines)]
        for expected in [
            ("root", "schedule_create", "schedule:night", "127.0.0.1"),
            ("root", "schedule_create", "schedule:always", "127.0.0.1"),
            ("admin", "schedule_disable", "schedule:always", "127.0.0.1"),
            ("root", "schedule_update", "schedule:night", "127.0.0.1"),
            ("root", "schedule_enable", "schedule:always", "127.0.0.1"),
            ("root", "schedule_delete", "schedule:always", "127.0.0.1"),
        ]:
            assert expected in mine, f"{expected} not in the journal"
        launches = [line for line in lines if line["action"] == "launch"]
        assert sorted((line["username"], line["detail"]["due_at"]) for line in launches) == [
            ("schedule:always", "2026-06-01T01:00:00+00:00"),
            ("schedule:always", "2026-06-02T01:00:00+00:00"),
            ("schedule:night", "2026-06-01T01:00:00+00:00"),
        ]
        for line in launches:
            assert (line["source"], line["detail"]["owner"], line["detail"]["playbook"]) == (
                "scheduler",
                "root",
                "sleep",
            )
            assert line["detail"]["answers"] == {"sleep_seconds": 1}
            assert line["target"] == f"job:{job_of[line['detail']['schedule'], line['detail']['due_at']]}"
        missed_lines = [line for line in lines if line["action"] == "schedule_missed"]
        assert {(line["username"], line["detail"]["due_at"]) for line in missed_lines} == {
            ("schedule:night", "2026-06-03T01:00:00+00:00"),
            ("schedule:night", "2026-06-04T01:00:00+00:00"),
        }
        assert all(
            "not running" in line["detail"]["reason"] and line["detail"]["owner"] == "root" for line in missed_lines
        )
        update = next(line for line in lines if line["action"] == "schedule_update")
        assert (update["detail"]["cron"], update["detail"]["playbook"]) == ("30 4 * * *", "sleep")


# -- publish and resync of simulated phones: every event runner wrote, streamed in order ---------------------------

#: the second address byte of these tests' simulated phones (127.<octet>.x.y): 200-229, 3 per pytest-xdist
#: worker, away from the simulator tests' 20-199 and the control tests' 230-255
FIRST_OCTET, OCTETS_PER_WORKER = 200, 3
#: the demo's Unify phone boots over WPI and Cisco enterprise phones fetch from the TFTP root: they prove nothing
#: about themselves, so the site gives their addresses (docs/security.md), as tests/unit/control does
UNPROVEN_VENDORS = ("unify", "cisco")


#: resync's survey answered as a help desk would for every phone: one batch, the vendor's own way
RESYNC_ALL = {
    "phonefleet_targets": "phones",
    "phonefleet_batch": "true",
    "phonefleet_concurrency": 50,
    "phonefleet_method": "auto",
    "phonefleet_max_fail_percentage": 0,
}


def simulated_phones(web_root: Path, service_port: int, worker_id: str):
    """The site's phones simulated on loopback, booted against the provisioning service (started)."""
    if str(REPO / "simulator") not in sys.path:
        sys.path.insert(0, str(REPO / "simulator"))
    from phonefleet_simulator.__main__ import load_bundle
    from phonefleet_simulator.fleet import SimulatedFleet
    from phonefleet_simulator.ports import address_in_use

    bundle = load_bundle(web_root / ".phonefleet" / "service.json")
    worker = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    for attempt in range(OCTETS_PER_WORKER):
        octet = FIRST_OCTET + (worker * OCTETS_PER_WORKER + attempt) % 30
        fleet = SimulatedFleet(
            bundle.phones,
            f"http://127.0.0.1:{service_port}",
            bundle.control,
            per_phone_addresses=True,
            octet=octet,
            numbers=bundle.numbers,
            labels=bundle.labels,
        )
        try:
            return fleet.start(60)
        except OSError as exc:
            if not address_in_use(exc):
                raise
    raise AssertionError("no free loopback octet for simulated phones")


def phone_site(directory: Path, service_port: int, phones) -> None:
    """The job service's site: the demo copy with the provisioning service's live facts and its own web root."""
    from tests.support.service import AUDITOR_TOKEN

    site = directory / "site"
    (site / "phonefleet.yml").write_text(
        "plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n"
        f"service_url: http://127.0.0.1:{service_port}\nservice_token: {AUDITOR_TOKEN}\n"
    )
    # the web root beside the site, not in it: everything in an inventory directory is read as inventory
    (site / "servers.yml").write_text(
        "provisioning_servers:\n  hosts:\n    prov1.test.invalid:\n      ansible_connection: local\n"
        f"      ansible_python_interpreter: {sys.executable}\n      phonefleet_web_root: {directory / 'www'}\n"
        f"      phonefleet_firmware_dir: {site / 'firmware'}\n"
    )
    (site / "host_vars").mkdir()
    for handle in phones:
        if handle.device.vendor in UNPROVEN_VENDORS:
            (site / "host_vars" / f"{handle.mac}.yml").write_text(f"ansible_host: {handle.host}\n")


def streamed_as_runner_wrote(service: JobService, job: dict, artifacts: Path) -> list[dict]:
    """The job's SSE stream read to its end message, checked against runner's own job_events artifacts: the
    same counters, 1 to N without a gap, in order; the events."""
    events, _ids = read_stream(service, job["id"])
    counters = [event["counter"] for event in events]
    written = runner_event_counters(artifacts / f"job-{job['id']}")
    assert written, "runner's artifacts were not kept"
    assert written == list(range(1, len(written) + 1)), "runner's own counters have a gap"
    assert counters == written, f"streamed {len(counters)} events, runner wrote {len(written)}"
    assert service.job(job["id"])["event_count"] == len(written)
    assert events[-1]["event"] == "playbook_on_stats"
    return events


def test_publish_and_resync_of_simulated_phones_stream_every_event_runner_wrote(tmp_path, worker_id):
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet

    from tests.support.service import running_service, serve_without_proof
    from tests.unit.render_support import reveal

    job_settings(tmp_path)  # copies the demo site
    site = tmp_path / "site"
    serve_without_proof(site / "fleet", "unify", drop_phone_auth=False)
    publish_fleet(str(site / "fleet"), str(tmp_path / "www"), reveal, firmware_dir=str(site / "firmware"))
    with running_service(tmp_path) as provisioning:
        phones = simulated_phones(tmp_path / "www", provisioning.port, worker_id)
        try:
            phone_site(tmp_path, provisioning.port, phones)
            with kept_artifacts(tmp_path / "artifacts") as artifacts, job_service(tmp_path) as service:
                published = service.launch("publish", extra_vars={"phonefleet_resync_changed": "false"})
                done = service.wait_end(published["id"], timeout=300)
                assert done["state"] == "successful", service.stdout(published["id"])[-3000:]
                events = streamed_as_runner_wrote(service, published, artifacts)
                assert {"runner_on_ok", "playbook_on_task_start"} <= {event["event"] for event in events}

                phones.settle()
                before = {handle.mac: len(handle.device.events) for handle in phones}
                resynced = service.launch("resync", extra_vars=RESYNC_ALL)
                done = service.wait_end(resynced["id"], timeout=300)
                stdout = service.stdout(resynced["id"])
                assert done["state"] == "successful", stdout[-3000:]
                assert "phone_command resync: 14 phones: 14 sent" in stdout
                streamed_as_runner_wrote(service, resynced, artifacts)
                phones.settle()
                for handle in phones:
                    kinds = [event.kind for event in list(handle.device.events)[before[handle.mac] :]]
                    assert "resync" in kinds and "reboot" not in kinds, (handle.mac, kinds)
        finally:
            phones.stop()
