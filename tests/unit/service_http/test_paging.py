"""Every list of the read API is a bounded page, with a cursor to the next, and bad paging is a clear 400.

``journal?limit=-1`` once returned 86,463 rows (19 MB). The inventory plugin still gets every phone: its
client pages through (checked here with more phones than a page holds).
"""

from __future__ import annotations

import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApi

from tests.support.service import AUDITOR_TOKEN, published_site, running_service

UNKNOWN_PHONES = 2500  # status-0 phones the service saw: more than two pages of 1000
JOURNAL_ROWS = 2500
TIES = 7  # journal rows of one same time, put across a page boundary
LISTS = ["/api/v1/journal", "/api/v1/phones", "/api/v1/autoprovisioned", "/api/v1/access-keys"]


def unknown_mac(index: int) -> str:
    return f"0c383e{index:06x}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("paging")
    published_site(directory)
    store = Store.open(f"sqlite:///{directory / 'state.db'}")
    base = time.time() - 3600
    at = [base + index for index in range(JOURNAL_ROWS)]
    at[1500 - TIES // 2 : 1500 + TIES // 2 + 1] = [base + 1500.0] * TIES  # counted from the newest: row ~1000
    entries = [
        (moment, "http", "127.0.0.9", None, None, None, None, f"paging-{index}.cfg", "not-found", 404, None, None)
        for index, moment in enumerate(at)
    ]
    contacts = [
        (unknown_mac(index), "fanvil", None, None, "127.0.0.9", None, base, base, None, None, 0, None, None)
        for index in range(UNKNOWN_PHONES)
    ]
    store.record(entries, contacts)
    store.close()
    with running_service(directory) as service:
        yield directory, service


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=-1", "limit must be an integer from 1 to 1000, not '-1'"),
        ("limit=0", "limit must be an integer from 1 to 1000, not '0'"),
        ("limit=1001", "limit must be an integer from 1 to 1000, not '1001'"),
        ("limit=1e3", "limit must be an integer from 1 to 1000, not '1e3'"),
        ("limit=", "limit must be an integer from 1 to 1000, not ''"),
    ],
)
def test_a_bad_limit_is_a_400_naming_it(site, path, query, message):
    _directory, service = site
    status, answer = service.api(f"{path}?{query}")
    assert (status, answer) == (400, {"error": message})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("/api/v1/phones?after=junk", "after must be a MAC address, not 'junk'"),
        ("/api/v1/access-keys?after=00:11", "after must be a MAC address, not '00:11'"),
        ("/api/v1/journal?before=yesterday", "since and before must be times in epoch seconds"),
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(site, query, message):
    _directory, service = site
    assert service.api(query) == (400, {"error": message})


@pytest.mark.parametrize(("path", "key"), [("/api/v1/journal", "journal"), ("/api/v1/phones", "phones")])
def test_a_list_without_a_limit_is_a_page_of_100(site, path, key):
    _directory, service = site
    status, answer = service.api(path, token=AUDITOR_TOKEN)
    assert status == 200
    assert len(answer[key]) == 100 and answer["next"] is not None


def test_paging_the_journal_gives_every_row_once_newest_first(site):
    _directory, service = site
    rows, before, pages = [], None, 0
    while True:
        query = "limit=1000&mac=" if before is None else f"limit=1000&before={before!r}"
        status, answer = service.api(f"/api/v1/journal?{query}")
        assert status == 200, answer
        assert len(answer["journal"]) <= 1000
        rows += answer["journal"]
        pages += 1
        before = answer["next"]
        if before is None:
            break
    ours = [row["file"] for row in rows if row["file"].startswith("paging-")]
    assert sorted(ours) == sorted(f"paging-{index}.cfg" for index in range(JOURNAL_ROWS))  # none lost, none twice
    assert [row["at"] for row in rows] == sorted((row["at"] for row in rows), reverse=True)
    assert pages == 3


def test_the_inventory_client_pages_through_every_phone(site):
    _directory, service = site
    phones = ServiceApi(f"http://127.0.0.1:{service.port}", AUDITOR_TOKEN).phones()
    macs = [row["mac"] for row in phones]
    published = service.service.published.snapshot().manifest.phones
    assert len(macs) == len(set(macs)) == UNKNOWN_PHONES + len(published)
    assert {unknown_mac(index) for index in range(UNKNOWN_PHONES)} <= set(macs)
    assert macs == sorted(macs)


def test_access_keys_page_by_mac(site):
    _directory, service = site
    keys, after = [], ""
    while after is not None:
        status, answer = service.api(f"/api/v1/access-keys?limit=5&after={after}")
        assert status == 200 and len(answer["access_keys"]) <= 5
        keys += answer["access_keys"]
        after = answer["next"]
    assert sorted(row["mac"] for row in keys) == sorted(service.service.published.snapshot().manifest.phones)
