"""Make ``ansible_collections.phonefleet.provisioning`` importable: collections/ holds a symlink to this repo.

Fixtures for every test that needs a database: ``postgres_server`` starts one throwaway PostgreSQL server
per pytest-xdist worker (tests/support/postgres.py) and stops it when the session ends; when PostgreSQL is
missing or will not start, tests using it fail with the reason (skip only where ``PHONEFLEET_ALLOW_MISSING_TOOLS``
allows it: tests/support/tools.py). ``postgres_url`` is the URL of an
empty schema of its own for one test. ``store_url`` is parametrised over both kinds of database (an SQLite
file, a PostgreSQL schema); ``store`` is a Store opened on it.
"""

import sys
from pathlib import Path

COLLECTIONS = Path(__file__).resolve().parents[1] / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

import pytest  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store  # noqa: E402

from tests.support.postgres import PostgresServer, PostgresUnavailable, start_server  # noqa: E402
from tests.support.tools import missing_tool_outcome  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server(worker_id) -> PostgresServer:
    try:
        server = start_server(worker_id)
    except PostgresUnavailable as exc:
        missing_tool_outcome(f"PostgreSQL (apt-get install postgresql) unavailable: {exc}", "initdb")
    yield server
    server.stop()


@pytest.fixture
def postgres_schema(postgres_server) -> str:
    """An empty schema of its own for one test, in the server's database."""
    name, _url = postgres_server.create_schema()
    yield name
    postgres_server.drop_schema(name)


@pytest.fixture
def postgres_url(postgres_server, postgres_schema) -> str:
    """The URL of this test's empty schema: what ``Store.open`` and the service take."""
    return postgres_server.url(schema=postgres_schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request) -> str:
    """The URL of an empty database, once per kind: an SQLite file, a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{request.getfixturevalue('tmp_path')}/state.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url) -> Store:
    store = Store.open(store_url)
    yield store
    store.close()


# -- the security suite (issue 10): every attack on the service replayed, `make security` runs it alone ---------
#: test files that are attacks throughout, and (file, test name prefix) of the attacks in other files
SECURITY_FILES = (
    "tests/unit/security/",
    "tests/unit/service_http/test_security.py",
    "tests/unit/service_http/test_bounds.py",
    "tests/unit/service_http/test_paging.py",
    "tests/unit/service_http/test_autoprovision_abuse.py",
    "tests/unit/service_http/test_state_after_kill.py",
    "tests/unit/service_live/test_claimed_address.py",
)
SECURITY_TESTS = (
    ("tests/unit/service_http/test_serving.py", "test_a_replayed_digest_authorization"),
    ("tests/unit/service_tftp/test_tftp.py", "test_a_flood_from_one_address"),
    ("tests/unit/service_tftp/test_tftp.py", "test_requests_dropped_when_every_transfer_is_taken"),
    ("tests/unit/service_tftp/test_tftp.py", "test_the_version_served_over_tftp_is_saved_before_the_answer"),
    ("tests/unit/test_fleet_validation.py", "test_mac_no_phone_can_have"),
    ("tests/unit/test_publish.py", "test_a_failed_publish_leaves_no_staged_file"),
    ("tests/unit/test_publish.py", "test_a_failure_while_putting_files_in_place"),
    ("tests/unit/test_publish.py", "test_a_publish_removes_what_failed_or_killed_publishes_left"),
    ("tests/unit/test_publish.py", "test_after_an_upgrade_spares_older_versions_left_readable"),
    ("tests/unit/test_publish.py", "test_a_settings_change_only_the_service_sees"),
    ("tests/unit/test_yamlio.py", "test_an_alias"),
    ("tests/unit/test_yamlio.py", "test_the_round_trip_editor_refuses_an_alias_bomb"),
    ("tests/golden/test_inventory_plugin.py", "test_an_alias_bomb"),
    ("tests/golden/test_publish_playbook.py", "test_a_change_only_the_service_sees"),
)


def pytest_configure(config):
    config.addinivalue_line("markers", "security: replays an attack of issue 10 (make security)")


def pytest_collection_modifyitems(config, items):
    collected, matched = set(), set()
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        name = item.nodeid.rpartition("::")[2]
        collected.add(path)
        found = [(file, prefix) for file, prefix in SECURITY_TESTS if path == file and name.startswith(prefix)]
        matched.update(found)
        if path.startswith(SECURITY_FILES) or found:
            item.add_marker(pytest.mark.security)
    # a renamed attack test must not leave the suite unnoticed
    lost = [
        f"{file}::{prefix}" for file, prefix in SECURITY_TESTS if file in collected and (file, prefix) not in matched
    ]
    if lost:
        raise pytest.UsageError(f"tests/conftest.py SECURITY_TESTS names tests that do not exist: {', '.join(lost)}")
