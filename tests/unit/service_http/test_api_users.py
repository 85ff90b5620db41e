"""The provisioning service's API and the job service's users: roles per route, tokens, passwords, the failed-login
limit and the journal of user actions, over real sockets on loopback.

The users are made in the provisioning service's own database (``users_database_url`` defaults to
``database_url``) as the job service makes them (access/users.py); the job service itself never runs here but
in the last tests, where both services share one database file.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.login import MAX_FAILURES
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.store import AccessStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import Users

from tests.support.service import published_site, running_service
from tests.unit.jobs.support import job_service

YEALINK, UNIFY = "805ec0112233", "001ae8556677"  # phones of the demo fleet
PASSWORDS = {"aud": "auditor-password-1234", "bot": "api-user-password-5678", "root": "admin-password-9012"}
ROLES = {"aud": "auditor", "bot": "api", "root": "administrator"}
ALL = frozenset(ROLES)

# (what, method, path, body, the users allowed, the status an allowed caller gets, the journal line of a write)
ROUTES = [
    ("phones", "GET", "/api/v1/phones", None, ALL, 200, None),
    ("one phone", "GET", f"/api/v1/phones/{YEALINK}", None, ALL, 200, None),
    ("phone journal", "GET", "/api/v1/journal", None, {"aud", "root"}, 200, None),
    ("assignments", "GET", "/api/v1/autoprovisioned", None, {"bot", "root"}, 200, None),
    ("release", "DELETE", f"/api/v1/autoprovisioned/{YEALINK}", None, {"bot", "root"}, 404, None),
    ("access keys", "GET", "/api/v1/access-keys", None, {"root"}, 200, ("access_key_issue", "phones")),
    ("new access key", "POST", f"/api/v1/phones/{YEALINK}/access-key", None, {"root"}, 200, "access_key_issue"),
    ("restart", "POST", f"/api/v1/phones/{UNIFY}/restart", None, {"bot", "root"}, 200, "restart_queue"),
    (
        "open window",
        "POST",
        f"/api/v1/phones/{YEALINK}/firmware-window",
        {"minutes": 5},
        {"bot", "root"},
        200,
        "firmware_window_open",
    ),
    (
        "close window",
        "DELETE",
        f"/api/v1/phones/{YEALINK}/firmware-window",
        None,
        {"bot", "root"},
        200,
        "firmware_window_close",
    ),
    ("mobility sessions", "GET", "/api/v1/mobility/sessions", None, ALL, 200, None),
    # a logout is journaled also when nobody was logged in: the operator did end the shift
    (
        "end a phone's session",
        "DELETE",
        f"/api/v1/mobility/sessions/phone/{YEALINK}",
        None,
        {"bot", "root"},
        200,
        ("mobility_logout", f"phone:{YEALINK}"),
    ),
    (
        "end a user's session",
        "DELETE",
        "/api/v1/mobility/sessions/user/5001",
        None,
        {"bot", "root"},
        200,
        ("mobility_logout", "user:5001"),
    ),
    (
        "end a site's sessions",
        "DELETE",
        "/api/v1/mobility/sessions/site/moscow-hq",
        None,
        {"bot", "root"},
        200,
        ("mobility_logout", "site:moscow-hq"),
    ),
]


class Site:
    """The service, and its users' tables opened beside it (as the job service would)."""

    def __init__(self, service, store: AccessStore) -> None:
        self.service = service
        self.users = Users(store, bcrypt_rounds=4)  # bcrypt's cheapest cost: the tests check who, not how slow
        self.journal = Journal(store)
        self.tokens = {
            name: self.users.create_token(self.users.create(name, role, PASSWORDS[name]).name, "test", "test")[1]
            for name, role in ROLES.items()
        }
        self.base = f"http://127.0.0.1:{service.port}"

    def call(self, method: str, path: str, body=None, name: str | None = None, token: str | None = None, **auth):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        basic = (name, auth.get("password", PASSWORDS.get(name, ""))) if name else None
        return httpx.request(method, self.base + path, json=body, headers=headers, auth=basic, timeout=30)

    def lines(self, action: str | None = None, username: str | None = None) -> list:
        return self.journal.query(username=username, action=action, limit=1000)[0]


@pytest.fixture
def site(tmp_path):
    published_site(tmp_path)
    with running_service(tmp_path) as service:
        store = AccessStore.open(service.service.settings.users_url())
        try:
            yield Site(service, store)
        finally:
            store.close()


def test_each_role_is_allowed_or_refused_per_route_by_token_and_by_password(site):
    anonymous = [site.call(method, path, body).status_code for _what, method, path, body, *_rest in ROUTES]
    assert anonymous == [401] * len(ROUTES)
    for what, method, path, body, allowed, status, _write in ROUTES:
        for name in ROLES:
            expected = status if name in allowed else 403
            by_token = site.call(method, path, body, token=site.tokens[name])
            assert by_token.status_code == expected, (what, name, "token", by_token.text)
            by_password = site.call(method, path, body, name=name)
            assert by_password.status_code == expected, (what, name, "password", by_password.text)
            if expected == 403:
                assert by_token.json() == {
                    "error": f"the role {ROLES[name]} may not do this (allowed: "
                    f"{', '.join(sorted(ROLES[each] for each in allowed))})"
                }


def test_every_write_is_in_the_journal_of_user_actions_with_who_and_from_where(site):
    for _what, method, path, body, allowed, status, write in ROUTES:
        if write is None:
            continue
        action, target = write if isinstance(write, tuple) else (write, f"phone:{path.split('/')[4]}")
        name = "bot" if "bot" in allowed else "root"
        before = len(site.lines(action))
        assert site.call(method, path, body, token=site.tokens[name]).status_code == status
        lines = site.lines(action)
        assert len(lines) == before + 1, (action, lines)
        line = lines[0]
        assert (line.username, line.source, line.target) == (name, "127.0.0.1", target)
        assert line.detail["service"] == "provisioning"
    assert site.lines("firmware_window_open")[0].detail == {"minutes": 5, "service": "provisioning"}
    assert site.lines("mobility_logout")[0].detail == {"ended": 0, "users": [], "service": "provisioning"}
    # the key is a secret: its line says which phone, never the key
    key = site.call("POST", f"/api/v1/phones/{YEALINK}/access-key", token=site.tokens["root"]).json()["key"]
    assert all(key not in str(line.detail) for line in site.lines("access_key_issue"))
    # a write refused for its role writes nothing
    before = len(site.lines("restart_queue"))
    assert site.call("POST", f"/api/v1/phones/{UNIFY}/restart", token=site.tokens["aud"]).status_code == 403
    assert len(site.lines("restart_queue")) == before


def test_logins_are_journaled_once_per_credential_and_failures_each_time(site):
    for _attempt in range(2):
        assert site.call("GET", "/api/v1/phones", name="aud").status_code == 200
        assert site.call("GET", "/api/v1/phones", token=site.tokens["bot"]).status_code == 200
    logins = [(line.username, line.detail) for line in site.lines("login")]
    assert sorted(logins) == [
        ("aud", {"method": "basic", "service": "provisioning"}),
        ("bot", {"method": "bearer", "service": "provisioning"}),
    ]
    assert site.call("GET", "/api/v1/phones", name="aud", password="wrong-password-0000").status_code == 401
    assert site.call("GET", "/api/v1/phones", token="pfj_not-a-token").status_code == 401
    failed = {(line.username, line.source, line.detail["method"]) for line in site.lines("login_failed")}
    assert failed == {("aud", "127.0.0.1", "basic"), ("(token)", "127.0.0.1", "bearer")}


def test_a_revoked_token_and_a_disabled_user_are_refused(site):
    assert site.call("GET", "/api/v1/phones", token=site.tokens["bot"]).status_code == 200
    site.users.revoke_token(site.users.tokens("bot")[0].id)
    assert site.call("GET", "/api/v1/phones", token=site.tokens["bot"]).status_code == 401
    assert site.call("GET", "/api/v1/phones", name="aud").status_code == 200  # its password is remembered now
    site.users.set_disabled("aud", True)
    refused = site.call("GET", "/api/v1/phones", name="aud")
    assert refused.status_code == 401 and refused.json() == {"error": "wrong or revoked credentials"}
    assert refused.headers["www-authenticate"] == 'Basic realm="phonefleet", Bearer'
    assert site.call("GET", "/api/v1/phones", token=site.tokens["aud"]).status_code == 401
    assert {line.username for line in site.lines("login_failed")} == {"(token)", "aud"}


def test_a_password_changed_elsewhere_is_checked_again(site):
    """The job service changes passwords in the shared tables; this service, which remembered the old one,
    must not take it any more."""
    assert site.call("GET", "/api/v1/phones", name="aud").status_code == 200
    site.users.set_password("aud", "a-new-password-4321")
    assert site.call("GET", "/api/v1/phones", name="aud").status_code == 401
    assert site.call("GET", "/api/v1/phones", name="aud", password="a-new-password-4321").status_code == 200


def test_repeated_failures_are_answered_429_even_with_the_right_password(site):
    for _attempt in range(MAX_FAILURES):
        assert site.call("GET", "/api/v1/phones", name="root", password="not-the-password").status_code == 401
    blocked = site.call("GET", "/api/v1/phones", name="root")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert blocked.json() == {"error": "too many failed logins: try again later"}
    assert len(site.lines("login_failed", "root")) == MAX_FAILURES  # the 429 checked nothing
    # another user from the same address is not held up; unknown tokens are limited the same way
    assert site.call("GET", "/api/v1/phones", name="aud").status_code == 200
    for _attempt in range(MAX_FAILURES):
        assert site.call("GET", "/api/v1/phones", token="pfj_guessed").status_code == 401
    assert site.call("GET", "/api/v1/phones", token=site.tokens["bot"]).status_code == 429


def test_a_password_check_leaves_the_event_loop_free(site):
    """bcrypt at the production cost (12) for a password: meanwhile the health route, served on the event loop as
    the phones are, answers at once, many times over."""
    site.users.bcrypt_rounds = 12
    site.users.create("slow", "auditor", "slow-password-12345678")
    checked: list[float] = []

    def check() -> None:
        begin = time.monotonic()
        assert site.call("GET", "/api/v1/phones", name="slow", password="slow-password-12345678").status_code == 200
        checked.append(time.monotonic() - begin)

    answered: list[float] = []
    with httpx.Client(base_url=site.base, timeout=10) as client:
        client.get("/api/v1/health")  # connected before the check starts
        worker = threading.Thread(target=check)
        worker.start()
        while worker.is_alive():
            begin = time.monotonic()
            assert client.get("/api/v1/health").status_code == 200
            answered.append(time.monotonic() - begin)
    worker.join()
    assert checked, "the password was refused"
    assert len(answered) >= 3 and max(answered) < checked[0] / 2, (answered, checked)


def test_the_same_user_and_token_work_on_both_services_sharing_one_database(tmp_path):
    """The job service makes the user and the token and revokes it; the provisioning service, on the same database
    file, takes them and refuses them at once; both write one journal of user actions."""
    published_site(tmp_path)
    database = f"sqlite:///{tmp_path / 'state.db'}"
    with (
        running_service(tmp_path, database_url=database) as provisioning,
        job_service(tmp_path, database_url=database) as jobs,
    ):
        base = f"http://127.0.0.1:{provisioning.port}"
        password = "help-desk-password-0000"
        made = jobs.client.post("/api/v1/users", json={"name": "helpdesk", "role": "api", "password": password})
        assert made.status_code == 201, made.text
        created = jobs.client.post("/api/v1/tokens", json={"username": "helpdesk", "description": "ticket bot"})
        token = created.json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/api/v1/phones", headers=bearer).status_code == 200
        assert httpx.get(f"{base}/api/v1/phones", auth=("helpdesk", password)).status_code == 200
        assert httpx.get(f"{base}/api/v1/journal", headers=bearer).status_code == 403  # the api role's limit
        assert httpx.post(f"{base}/api/v1/phones/{UNIFY}/restart", headers=bearer).status_code == 200
        assert httpx.get(f"{jobs.base_url}/api/v1/jobs", headers=bearer).status_code == 200
        assert httpx.get(f"{jobs.base_url}/api/v1/jobs", auth=("helpdesk", password)).status_code == 200

        new_password = "help-desk-password-1111"
        reset = jobs.client.post("/api/v1/users/helpdesk/password", json={"password": new_password})
        assert reset.status_code == 204, reset.text
        assert httpx.get(f"{base}/api/v1/phones", auth=("helpdesk", password)).status_code == 401
        assert httpx.get(f"{base}/api/v1/phones", auth=("helpdesk", new_password)).status_code == 200
        assert jobs.client.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
        assert httpx.get(f"{base}/api/v1/phones", headers=bearer).status_code == 401

        lines = jobs.client.get("/api/v1/journal", params={"username": "helpdesk", "limit": 100}).json()["results"]
        seen = {(line["action"], line["detail"].get("service", "jobs")) for line in lines}
        assert {("login", "provisioning"), ("login", "jobs"), ("restart_queue", "provisioning")} <= seen
        assert ("login_failed", "provisioning") in seen


def test_the_users_may_be_in_a_database_of_their_own(tmp_path):
    """users_database_url: the users' tables where the job service keeps them (made there if absent)."""
    published_site(tmp_path)
    users_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    store = AccessStore.open(users_url)
    try:
        users = Users(store, bcrypt_rounds=4)
        users.create("aud", "auditor", PASSWORDS["aud"])
        with running_service(tmp_path, users_database_url=users_url) as service:
            answer = httpx.get(f"http://127.0.0.1:{service.port}/api/v1/phones", auth=("aud", PASSWORDS["aud"]))
            assert answer.status_code == 200, answer.text
        assert [line.username for line in Journal(store).query(action="login")[0]] == ["aud"]
    finally:
        store.close()
