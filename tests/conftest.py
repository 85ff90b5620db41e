"""Make ``ansible_collections.phonefleet.provisioning`` importable: collections/ holds a symlink to this repo.

Fixtures for every test that needs a database: ``postgres_server`` starts one throwaway PostgreSQL server
per pytest-xdist worker (tests/support/postgres.py) and stops it when the session ends; when PostgreSQL is
missing or will not start, tests using it are skipped with the reason. ``postgres_url`` is the URL of an
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


@pytest.fixture(scope="session")
def postgres_server(worker_id) -> PostgresServer:
    try:
        server = start_server(worker_id)
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
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
