"""Live facts without Ansible: API rows checked and laid over fleet records; the API client's failures.

The client's failures are provoked with small HTTP servers on loopback (http.server): a redirect, an answer
that is not JSON, an answer that never comes.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_view import host_records
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.live_facts import (
    LiveFactsError,
    check_rows,
    merge_live,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import (
    ServiceApi,
    ServiceApiError,
    check_url,
    redact_url,
)

from tests.unit.render_support import demo_fleet

TOKEN = "secret-token-0123456789"


def row(mac: str, status: int, **fields) -> dict:
    base = {
        "mac": mac,
        "status": status,
        "status_text": "?",
        "source": "fleet",
        "name": None,
        "vendor": None,
        "model": None,
        "reported_vendor": None,
        "reported_model": None,
        "firmware": None,
        "ip": None,
        "last_contact": None,
        "number": None,
    }
    base.update(fields)
    return base


def test_rows_are_laid_over_the_fleet_and_unknown_phones_are_discovered():
    records = host_records(demo_fleet())
    rows = check_rows(
        [
            row(
                "80:5E:C0:11:22:33",
                3,
                ip="10.0.0.5",
                firmware="96.86.0.45",
                reported_model="T54W",
                last_contact=1.5,
                session={"mac": "805ec0112233", "number": "5001", "user_name": "Ivan Petrov", "started": 1.25},
            ),
            row("0cd0f8a1b2c3", 2, last_ip="127.0.0.5", last_ip_proven=False),  # only claimed: not for Ansible
            row(
                "805ec0998877",
                3,
                source="autoprovision",
                name="Auto 3000",
                number="3000",
                vendor="yealink",
                reported_vendor="yealink",
                reported_model="T46U",
                model="T46U",
                ip="10.0.0.6",
            ),
            row("aabbccddeeff", 0, source=None, reported_vendor="cisco", vendor="cisco"),
            row("111111111111", 2),  # published by an older fleet, gone from the files: left out
        ]
    )
    merged = {record["host"]: record for record in merge_live(records, rows)}
    reception = merged["805ec0112233"]
    assert reception["vars"]["ansible_host"] == "10.0.0.5"
    assert reception["vars"]["phone_status"] == 3
    assert reception["vars"]["phone_last_contact"] == 1.5
    assert ("status", 3) in reception["groups"] and "base_group" not in reception
    assert reception["vars"]["phone_address_proven"] is True
    # who is logged in on it (mobility), as the status table shows him
    mobility = {name: reception["vars"][f"phone_mobility_{name}"] for name in ("user", "number", "since")}
    assert mobility == {"user": "Ivan Petrov", "number": "5001", "since": 1.25}
    assert not any(name.startswith("phone_mobility_") for name in merged["0cd0f8a1b2c3"]["vars"])
    director = merged["0cd0f8a1b2c3"]["vars"]
    assert "ansible_host" not in director and "phone_address_proven" not in director
    assert (director["phone_last_ip"], director["phone_last_ip_proven"]) == ("127.0.0.5", False)
    assert "phone_firmware" not in merged["0cd0f8a1b2c3"]["vars"]
    auto = merged["805ec0998877"]
    assert auto["base_group"] == "discovered"
    assert auto["vars"]["phone_source"] == "autoprovision" and auto["vars"]["phone_number"] == "3000"
    assert auto["groups"] == [("status", 3), ("vendor", "yealink"), ("model", "T46U")]
    unknown = merged["aabbccddeeff"]
    assert unknown["vars"]["phone_source"] == "unconfigured"
    assert unknown["groups"] == [("status", 0), ("vendor", "cisco")]
    assert "111111111111" not in merged
    assert len(merge_live(host_records(demo_fleet()), rows, discovered=False)) == 14


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("junk", "phones[0] is not an object"),
        ({"mac": "00:11", "status": 1}, "phones[0].mac: '00:11' is not a MAC address"),
        ({"mac": "001122334455", "status": 7}, "phones[0].status must be 0, 1, 2 or 3, not 7"),
        ({"mac": "001122334455", "status": True}, "phones[0].status must be 0, 1, 2 or 3"),
        ({"mac": "001122334455", "status": 1, "source": "elsewhere"}, "phones[0].source must be fleet"),
        ({"mac": "001122334455", "status": 1, "ip": ["10.0.0.1"]}, "phones[0].ip must be text"),
        ({"mac": "001122334455", "status": 1, "last_ip_proven": "yes"}, "phones[0].last_ip_proven must be true"),
        ({"mac": "001122334455", "status": 1, "last_contact": "yesterday"}, "phones[0].last_contact must be"),
        ({"mac": "001122334455", "status": 1, "session": "5001"}, "phones[0].session must be an object or null"),
        ({"mac": "001122334455", "status": 1, "session": {"number": 5001}}, "phones[0].session.number must be text"),
    ],
)
def test_a_malformed_row_is_refused_with_its_place(item, message):
    with pytest.raises(LiveFactsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_rows([item])


def test_urls_are_checked_and_shown_without_credentials():
    assert check_url("http://127.0.0.1:8480/") == "http://127.0.0.1:8480"
    assert redact_url("https://user:pw@prov.example.com:8443/x") == "https://prov.example.com:8443/x"
    assert redact_url("http://[::1]:8480/") == "http://[::1]:8480/"
    for bad in ("prov.example.com", "ftp://prov.example.com", "http://", "http://host/?token=x"):
        with pytest.raises(ServiceApiError, match="service_url must"):
            check_url(bad)
    with pytest.raises(ServiceApiError) as caught:
        check_url("file://user:hunter2@/etc/passwd")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ServiceApiError, match="no API token"):
        ServiceApi("http://127.0.0.1:1", "")


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list  # (server name, path, Authorization header) of every request
    answers: dict  # path, with its query or without -> (status, headers, body, delay)

    def do_GET(self):
        self.seen.append((self.server.name, self.path, self.headers.get("Authorization")))
        status, headers, body, delay = self.answers.get(self.path, None) or self.answers.get(
            self.path.partition("?")[0], (404, {}, b"", 0)
        )
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@contextlib.contextmanager
def server(name: str, answers: dict, seen: list):
    handler = type("Handler", (_Handler,), {"answers": answers, "seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.name = name
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_redirect_is_not_followed_so_the_token_goes_nowhere_else():
    seen: list = []
    with server("elsewhere", {"/api/v1/phones": (200, {}, b'{"phones": []}', 0)}, seen) as elsewhere:
        redirect = (302, {"Location": f"{elsewhere}/api/v1/phones"}, b"", 0)
        with server("service", {"/api/v1/phones": redirect}, seen) as url:
            with pytest.raises(ServiceApiError) as caught:
                ServiceApi(url, TOKEN).phones()
    assert f"{url}/api/v1/phones redirects (HTTP 302) to {elsewhere}/api/v1/phones; give that URL" in str(caught.value)
    assert seen == [("service", "/api/v1/phones?limit=1000", f"Bearer {TOKEN}")]


def test_every_page_is_read_and_a_cursor_that_does_not_move_forward_is_refused():
    def page(macs, following) -> tuple:
        rows = [{"mac": mac, "status": 0} for mac in macs]
        return 200, {}, json.dumps({"phones": rows, "next": following}).encode(), 0

    answers = {
        "/api/v1/phones?limit=1000": page(["0004f2000001", "0004f2000002"], "0004f2000002"),
        "/api/v1/phones?limit=1000&after=0004f2000002": page(["0004f2000003"], "0004f2000003"),
        "/api/v1/phones?limit=1000&after=0004f2000003": page([], None),
        "/loop/api/v1/phones?limit=1000": page(["0004f2000001"], "0004f2000001"),
        "/loop/api/v1/phones?limit=1000&after=0004f2000001": page(["0004f2000001"], "0004f2000001"),
    }
    with server("service", answers, []) as url:
        assert [row["mac"] for row in ServiceApi(url, TOKEN).phones()] == [
            "0004f2000001",
            "0004f2000002",
            "0004f2000003",
        ]
        with pytest.raises(ServiceApiError, match="answered a next page that does not move forward: '0004f2000001'"):
            ServiceApi(url + "/loop", TOKEN).phones()


def test_an_answer_that_is_not_a_phone_list_is_named():
    answers = {
        "/api/v1/phones": (200, {"Content-Type": "text/html"}, b"<html>It works!</html>", 0),
        "/other/api/v1/phones": (200, {}, b'{"hosts": []}', 0),
        "/broken/api/v1/phones": (500, {}, b'{"error": "database is locked"}', 0),
    }
    with server("service", answers, []) as url:
        with pytest.raises(ServiceApiError, match="did not answer JSON: is it a PhoneFleet provisioning service"):
            ServiceApi(url, TOKEN).phones()
        with pytest.raises(ServiceApiError, match="did not answer a list of phones"):
            ServiceApi(url + "/other", TOKEN).phones()
        with pytest.raises(ServiceApiError, match="answered HTTP 500: database is locked"):
            ServiceApi(url + "/broken", TOKEN).phones()


def test_a_service_refusing_for_a_while_says_when_to_ask_again():
    """A 429 (the service's failed-login limit) has its own message: refused for a while, and when to retry."""
    refused = b'{"error": "too many failed logins: try again later"}'
    answers = {
        "/seconds/api/v1/phones": (429, {"Retry-After": "42"}, refused, 0),
        "/date/api/v1/phones": (429, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, refused, 0),
        "/none/api/v1/phones": (429, {}, b"", 0),
    }
    with server("service", answers, []) as url:
        with pytest.raises(ServiceApiError) as caught:
            ServiceApi(url + "/seconds", TOKEN).phones()
        assert str(caught.value) == (
            f"the provisioning service at {url}/seconds/api/v1/phones refuses requests for a while"
            " (HTTP 429: too many failed logins: try again later); retry in 42 s (the service's Retry-After)"
        )
        assert caught.value.status == 429
        with pytest.raises(ServiceApiError, match=r"; retry after Wed, 21 Oct 2026 07:28:00 GMT \(the service's"):
            ServiceApi(url + "/date", TOKEN).phones()
        with pytest.raises(
            ServiceApiError, match=r"refuses requests for a while \(HTTP 429: Too Many Requests\); retry later$"
        ):
            ServiceApi(url + "/none", TOKEN).phones()


def test_a_service_that_does_not_answer_in_time_is_named():
    with server("service", {"/api/v1/phones": (200, {}, b'{"phones": []}', 3)}, []) as url:
        started = time.monotonic()
        with pytest.raises(ServiceApiError, match=r"did not answer in 1 s"):
            ServiceApi(url, TOKEN, timeout=1).phones()
    assert time.monotonic() - started < 2.5
