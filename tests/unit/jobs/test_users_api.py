"""Users, roles, tokens and the journal of user actions, through the job service's HTTP API on a loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.unit.jobs.support import ADMIN_TOKEN, REPO, JobService, job_service, job_settings

SIP_PASSWORD = "Sip-Secret-7f3a9c"
PASSWORDS = {"aud": "auditor-password-1234", "bot": "api-user-password-5678", "root": "admin-password-9012"}
ROLES = {"aud": "auditor", "bot": "api", "root": "administrator"}


def client(service: JobService, name: str | None = None, password: str | None = None, token: str | None = None):
    """A client as a user (HTTP Basic), with a token (Bearer), or anonymous."""
    if token is not None:
        return httpx.Client(base_url=service.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    auth = (name, password or PASSWORDS[name]) if name else None
    return httpx.Client(base_url=service.base_url, auth=auth, timeout=30)


def add_users(service: JobService) -> None:
    for name, role in ROLES.items():
        body = {"name": name, "role": role, "password": PASSWORDS[name]}
        answer = service.client.post("/api/v1/users", json=body)
        assert answer.status_code == 201, answer.text


def journal(service: JobService, **query) -> list[dict]:
    answer = service.client.get("/api/v1/journal", params={"limit": 500, **query})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def stored_bytes(directory: Path) -> list[tuple[Path, bytes]]:
    return [(path, path.read_bytes()) for path in directory.rglob("*") if path.is_file()]


# (what, method, path, body, the roles allowed, the status an allowed caller gets)
ROUTES = [
    ("catalogue", "GET", "/api/v1/playbooks", None, {"aud", "bot", "root"}, 200),
    ("jobs", "GET", "/api/v1/jobs", None, {"aud", "bot", "root"}, 200),
    ("one job", "GET", "/api/v1/jobs/999", None, {"aud", "bot", "root"}, 404),
    ("launch", "POST", "/api/v1/jobs", {"playbook": "no-such-playbook"}, {"bot", "root"}, 422),
    ("cancel", "POST", "/api/v1/jobs/999/cancel", None, {"bot", "root"}, 404),
    ("relaunch", "POST", "/api/v1/jobs/999/relaunch", {}, {"bot", "root"}, 404),
    ("job webhooks", "GET", "/api/v1/jobs/999/webhooks", None, {"aud", "root"}, 404),
    ("users", "GET", "/api/v1/users", None, {"root"}, 200),
    ("user create", "POST", "/api/v1/users", {"name": "x", "role": "api", "password": "short"}, {"root"}, 422),
    ("user change", "PATCH", "/api/v1/users/nobody", {"role": "api"}, {"root"}, 404),
    ("user delete", "DELETE", "/api/v1/users/nobody", None, {"root"}, 404),
    ("password reset", "POST", "/api/v1/users/nobody/password", {"password": "x" * 12}, {"root"}, 404),
    ("own tokens", "GET", "/api/v1/tokens", None, {"aud", "bot", "root"}, 200),
    ("journal", "GET", "/api/v1/journal", None, {"aud", "root"}, 200),
]


def test_each_role_is_allowed_or_refused_per_route_and_anonymous_gets_401(tmp_path, store_url):
    with job_service(tmp_path, database_url=store_url) as service:
        add_users(service)
        for index, (what, method, path, body, allowed, status) in enumerate(ROUTES):
            with client(service) as anonymous:
                answer = anonymous.request(method, path, json=body)
                assert answer.status_code == 401, f"{what}: anonymous got {answer.status_code}"
            # a name of its own each time: five failures of one name from one source are answered 429
            with client(service, f"nobody{index}", "a-wrong-password-00") as wrong:
                assert wrong.request(method, path, json=body).status_code == 401, what
            for name in ROLES:
                with client(service, name) as user:
                    answer = user.request(method, path, json=body)
                expected = status if name in allowed else 403
                assert answer.status_code == expected, f"{what} as {ROLES[name]}: {answer.status_code} {answer.text}"
        logins = {(line["username"], line["detail"]["method"]) for line in journal(service, action="login")}
        assert {("aud", "basic"), ("bot", "basic"), ("root", "basic")} <= logins
        failed = journal(service, action="login_failed")
        assert len(failed) == len(ROUTES) and {line["source"] for line in failed} == {"127.0.0.1"}
        assert {line["username"] for line in failed} == {f"nobody{index}" for index in range(len(ROUTES))}


def test_a_wrong_password_is_401_and_the_user_and_source_get_429_after_five(tmp_path):
    with job_service(tmp_path) as service:
        add_users(service)
        for _attempt in range(5):
            with client(service, "bot", "a-wrong-password-123") as wrong:
                assert wrong.get("/api/v1/jobs").status_code == 401
        with client(service, "bot") as right:
            answer = right.get("/api/v1/jobs")
            assert answer.status_code == 429 and int(answer.headers["retry-after"]) >= 1
        with client(service, "aud") as other:
            assert other.get("/api/v1/jobs").status_code == 200, "another user is not blocked"
        with client(service, "nobody", "a-wrong-password-123") as unknown:
            assert unknown.get("/api/v1/jobs").status_code == 401
        failed = journal(service, action="login_failed", user="bot")
        assert len(failed) == 5
        assert all(line["detail"] == {"method": "basic", "request": "GET /api/v1/jobs"} for line in failed)
        assert journal(service, action="login_failed", user="nobody")


def test_the_first_administrator_is_made_by_the_command_with_its_password_printed_once(tmp_path):
    settings = job_settings(tmp_path)
    config = tmp_path / "jobs.yml"
    config.write_text(f"inventory: {settings.inventory}\ndatabase_url: {settings.database_url}\nbcrypt_rounds: 4\n")
    environment = {**os.environ, "PYTHONPATH": f"{REPO / 'collections'}:{REPO / 'service'}"}
    command = [sys.executable, "-m", "phonefleet_jobs", "create-admin", "alice", "--config", str(config)]
    made = subprocess.run(
        [*command, "--full-name", "Alice Admin"], capture_output=True, text=True, env=environment, check=False
    )
    assert made.returncode == 0, made.stderr
    password = made.stdout.strip().splitlines()[-1]
    assert len(password) > 40 and "alice" in made.stdout
    again = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert again.returncode == 2 and "a user 'alice' exists already" in again.stderr
    assert password not in again.stdout + again.stderr
    with job_service(tmp_path, admin_token_hash="") as service:
        with client(service, "alice", password) as alice:
            users = alice.get("/api/v1/users")
            assert users.status_code == 200
            assert [(user["name"], user["role"], user["full_name"]) for user in users.json()] == [
                ("alice", "administrator", "Alice Admin")
            ]
            assert alice.get("/api/v1/journal", params={"action": "user_create"}).json()["results"][0]["source"] == (
                "command line"
            )
        with client(service, "alice", password + "x") as wrong:
            assert wrong.get("/api/v1/users").status_code == 401
        with client(service, token=ADMIN_TOKEN) as old_token:
            assert old_token.get("/api/v1/jobs").status_code == 401, "no admin token set: none works"
    for path, data in stored_bytes(tmp_path):
        assert password.encode() not in data, f"the password in clear in {path}"


def test_a_token_is_shown_once_works_and_once_revoked_is_refused(tmp_path):
    with job_service(tmp_path) as service:
        add_users(service)
        with client(service, "bot") as bot:
            made = bot.post("/api/v1/tokens", json={"description": "ticket system"})
            assert made.status_code == 201
            token = made.json()["token"]
            assert token.startswith("pfj_") and len(token) > 40
            listed = bot.get("/api/v1/tokens").json()
            assert [(entry["username"], entry["description"]) for entry in listed] == [("bot", "ticket system")]
            assert token not in json.dumps(listed) and "token" not in listed[0]
            assert bot.post("/api/v1/tokens", json={"username": "aud"}).status_code == 403
        for_aud = service.client.post("/api/v1/tokens", json={"username": "aud"}).json()
        with client(service, token=token) as script:
            assert script.get("/api/v1/jobs").status_code == 200
            assert script.get("/api/v1/users").status_code == 403, "a token has its user's role"
            assert script.delete(f"/api/v1/tokens/{for_aud['id']}").status_code == 403
        everyone = service.client.get("/api/v1/tokens").json()
        assert {entry["username"] for entry in everyone} == {"bot", "aud"}
        with client(service, "bot") as bot:
            assert bot.delete(f"/api/v1/tokens/{made.json()['id']}").status_code == 204
        with client(service, token=token) as script:
            assert script.get("/api/v1/jobs").status_code == 401
        assert service.client.patch("/api/v1/users/aud", json={"disabled": True}).status_code == 200
        with client(service, token=for_aud["token"]) as disabled:
            assert disabled.get("/api/v1/jobs").status_code == 401, "a disabled user's token works no more"
        actions = [line["action"] for line in journal(service)]
        assert actions.count("token_create") == 2 and actions.count("token_revoke") == 1
    for path, data in stored_bytes(tmp_path):
        for secret in (token, for_aud["token"], *PASSWORDS.values()):
            assert secret.encode() not in data, f"a secret in clear in {path}"


def test_user_changes_take_effect_and_are_journaled(tmp_path):
    with job_service(tmp_path) as service:
        add_users(service)
        with client(service, "aud") as aud:
            assert aud.post("/api/v1/jobs", json={"playbook": "no-such"}).status_code == 403
        assert service.client.patch("/api/v1/users/aud", json={"role": "api"}).json()["role"] == "api"
        with client(service, "aud") as aud:
            assert aud.post("/api/v1/jobs", json={"playbook": "no-such"}).status_code == 422, "now it may launch"
        bad = service.client.patch("/api/v1/users/aud", json={"role": "superuser"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "role"]
        assert (
            service.client.post("/api/v1/users/aud/password", json={"password": "a-new-password-42"}).status_code == 204
        )
        with client(service, "aud") as old:
            assert old.get("/api/v1/jobs").status_code == 401, "the old password works no more"
        with client(service, "aud", "a-new-password-42") as new:
            assert new.get("/api/v1/jobs").status_code == 200
        assert service.client.delete("/api/v1/users/aud").status_code == 204
        with client(service, "aud", "a-new-password-42") as gone:
            assert gone.get("/api/v1/jobs").status_code == 401
        duplicate = service.client.post("/api/v1/users", json={"name": "bot", "role": "api", "password": "x" * 12})
        assert duplicate.status_code == 422 and "exists already" in duplicate.text
        lines = journal(service)
        changes = [(line["action"], line["target"]) for line in lines if line["action"].startswith(("user", "pass"))]
        # the refused role change is not a change: it is not journaled
        assert changes[:4] == [
            ("user_delete", "user:aud"),
            ("password_reset", "user:aud"),
            ("user_update", "user:aud"),
            ("user_create", "user:root"),
        ]
        assert {line["username"] for line in lines if line["action"] == "user_create"} == {"admin"}
        assert next(line for line in lines if line["action"] == "user_update")["detail"] == {"role": "api"}


def test_jobs_name_their_launcher_who_reaches_phonefleet_actor_and_the_journal(tmp_path):
    with job_service(tmp_path) as service:
        body = {"name": "helpdesk", "role": "api", "password": "helpdesk-password-1", "full_name": "Help Desk"}
        assert service.client.post("/api/v1/users", json={**body, "email": "helpdesk@example.org"}).status_code == 201
        body = {"name": "script", "role": "api", "password": "script-password-12"}
        assert service.client.post("/api/v1/users", json=body).status_code == 201
        with client(service, "helpdesk", "helpdesk-password-1") as helpdesk:
            job = helpdesk.post("/api/v1/jobs", json={"playbook": "actor"}).json()
            secret_job = helpdesk.post(
                "/api/v1/jobs",
                json={
                    "playbook": "answers",
                    "extra_vars": {"site_name": "HQ", "mode": "pass", "sip_password": SIP_PASSWORD},
                },
            ).json()
        assert job["launched_by"] == "helpdesk"
        assert service.wait_end(job["id"])["state"] == "successful"
        assert "actor=Help Desk <helpdesk@example.org>" in service.stdout(job["id"])
        with client(service, "script", "script-password-12") as script:
            plain = script.post("/api/v1/jobs", json={"playbook": "actor"}).json()
            sleeper = script.post(
                "/api/v1/jobs", json={"playbook": "sleep", "extra_vars": {"sleep_seconds": 60}}
            ).json()
            assert script.post(f"/api/v1/jobs/{sleeper['id']}/cancel").status_code == 202
            service.wait_end(sleeper["id"])
            again = script.post(f"/api/v1/jobs/{plain['id']}/relaunch", json={}).json()
        assert service.wait_end(plain["id"])["state"] == "successful"
        assert "actor=script <script@phonefleet>" in service.stdout(plain["id"])
        assert service.wait_end(again["id"])["launched_by"] == "script"
        service.wait_end(secret_job["id"])
        lines = journal(service)
        by_action = {(line["action"], line["username"], line["target"]) for line in lines}
        assert {
            ("launch", "helpdesk", f"job:{job['id']}"),
            ("launch", "script", f"job:{sleeper['id']}"),
            ("cancel", "script", f"job:{sleeper['id']}"),
            ("relaunch", "script", f"job:{again['id']}"),
        } <= by_action
        launch = next(line for line in lines if line["target"] == f"job:{secret_job['id']}")
        assert launch["detail"]["answers"]["site_name"] == "HQ"
        assert launch["detail"]["password_answers"] == ["sip_password"] and launch["source"] == "127.0.0.1"
        assert SIP_PASSWORD not in json.dumps(lines)
        expected = {"login", "launch", "cancel", "relaunch", "user_create"}
        assert expected <= {line["action"] for line in lines}
        # the query: by user, by action, by time, a page at a time
        assert {line["username"] for line in journal(service, user="script")} == {"script"}
        assert {line["action"] for line in journal(service, action="cancel")} == {"cancel"}
        future = time.time() + 3600
        assert journal(service, since=future) == [] and len(journal(service, until=future)) == len(lines)
        page = service.client.get("/api/v1/journal", params={"offset": 1, "limit": 2}).json()
        assert page["count"] == len(lines) and [line["id"] for line in page["results"]] == [
            line["id"] for line in lines[1:3]
        ]
    for path, data in stored_bytes(tmp_path):
        assert SIP_PASSWORD.encode() not in data, f"the survey password in {path}"


@pytest.mark.parametrize("detail", [{"password": "x"}, {"token": "x"}, {"extra_vars": {}}])
def test_the_journal_refuses_a_detail_that_would_hold_a_secret(tmp_path, detail):
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import Journal
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")
    try:
        with pytest.raises(ValueError, match="may not hold"):
            Journal(store).record("root", "user_create", "127.0.0.1", "user:x", detail)
        assert Journal(store).query() == ([], 0)
    finally:
        store.close()
