"""A published demo site with mobility users whose PINs the tests know, the provisioning service with its
applications listener on loopback, and simulated Cisco enterprise and Yealink phones booted against it."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
for folder in ("simulator", "service"):
    if str(REPO / folder) not in sys.path:
        sys.path.insert(0, str(REPO / folder))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import hash_pin  # noqa: E402
from phonefleet_simulator.__main__ import load_bundle  # noqa: E402
from phonefleet_simulator.sip_lines import register_lines  # noqa: E402

from tests.support.service import AUDITOR_TOKEN, published_site, running_service  # noqa: E402
from tests.unit.control.conftest import start_fleet  # noqa: E402,F401  # pylint: disable=unused-import  # the fixture
from tests.unit.mobility.pin_support import pbkdf2_pin_hash  # noqa: E402

#: the PIN of every mobility user of these tests, and one that is wrong: long enough never to occur by chance
PIN = "90651372"
WRONG_PIN = "31415926"
#: the demo phones these tests boot: Cisco 8845 (office), 7841 (office, made a shared phone with no line of its
#: own), 3905 (no mobility in its model), Yealink T54W (office), T31G (moved to the warehouse profile: no mobility)
CISCO_8845, CISCO_7841, CISCO_3905 = "0cd0f8a1b2c3", "001b54c2d3e4", "2c3f38aa0001"
YEALINK_T54W, YEALINK_T31G = "805ec0112233", "0015654c4c26"
PHONES = (CISCO_8845, CISCO_7841, CISCO_3905, YEALINK_T54W, YEALINK_T31G)


def mobility_fleet(fleet: Path) -> None:
    """The demo fleet with known PINs (argon2id, tens of milliseconds a check; Oleg's, 5003, in the format written
    before, pbkdf2_sha256), a name that needs escaping, the 7841 without a line and the T31G in the warehouse (no
    mobility)."""
    users = fleet / "mobility.yml"
    text = users.read_text()
    text = re.sub(r"pin_hash: \S+", lambda _match: f"pin_hash: {hash_pin(PIN)}", text)
    # Oleg's hash is of the format written before argon2id: such a fleet keeps working
    oleg = r'(number: "5003"\n    pin_hash: )\S+'
    text = re.sub(oleg, lambda match: match.group(1) + pbkdf2_pin_hash(PIN), text)
    users.write_text(text.replace("name: Anna Smirnova", 'name: "Anna <Smirnova> & Co"'))
    phones = fleet / "phones.yml"
    text = phones.read_text()
    own_line = r'(model: CP-7841\n(?:    .*\n)*?)    lines:\n      - \{number: "2003".*\n'
    text = re.sub(own_line, r"\1    lines: []\n", text)
    text = text.replace("    model: T31G\n", "    model: T31G\n    profile: warehouse\n")
    phones.write_text(text)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("mobility")
    published_site(site, mobility_fleet)
    return site


@pytest.fixture(scope="module")
def logs():
    """Every log record of the service while the module runs (any logger, DEBUG up): what the PIN scan reads."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield records
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="module")
def service(site, logs):
    with running_service(site, applications=True, mobility_check_seconds=0.1) as handle:
        yield handle


@pytest.fixture(scope="module")
def line_registrar() -> tuple[str, int] | None:
    """Where the phones' lines register (a module with a Kamailio overrides it); None: they do not register."""
    return None


@pytest.fixture(scope="module")
def phones(site, service, start_fleet, line_registrar):  # noqa: F811  # start_fleet: the fixture imported above
    """The PHONES booted against the service from addresses of their own; with a ``line_registrar``, each phone's
    lines register there from its SIP port and follow its files (sip_lines)."""
    bundle = load_bundle(site / "www" / ".phonefleet" / "service.json")
    chosen = [phone for phone in bundle.phones if phone.mac in PHONES]
    fleet = start_fleet(
        chosen, f"http://127.0.0.1:{service.port}", bundle.control, numbers=bundle.numbers, labels=bundle.labels
    )
    fleet.settle()
    service.service.flush()  # the phones' addresses are known to the service from here on
    if line_registrar is not None:
        register_lines(fleet, line_registrar)
    yield fleet
    fleet.stop()


@pytest.fixture
def nobody_logged_in(service, phones):
    """Each test starts with no session, no lockout and the service's own clock."""
    engine = service.service.mobility.engine
    engine.clock = time.time
    yield
    engine.clock = time.time
    for session in engine.store.sessions():
        status, _data = service.api(f"/api/v1/mobility/sessions/phone/{session.mac}", method="DELETE")
        assert status == 200
    with engine.store.lock, engine.store._transaction() as cursor:
        cursor.execute("DELETE FROM mobility_failures")
    for mac in PHONES:
        phones.wait_for(lambda mac=mac: not engine.store.session(mac), timeout=5)


# -- what the phones hold, what the journal says -----------------------------------------------------------


def holds(phones, mac: str, text: str) -> bool:
    return any(text.encode() in data for data in phones.phone(mac).device.files.values())


def wait_for_config(phones, mac: str, present: str, absent: str | None = None) -> None:
    phones.wait_for(lambda: holds(phones, mac, present) and not (absent and holds(phones, mac, absent)), timeout=15)


def journal(service, mac: str) -> list[dict]:
    service.service.flush()
    status, data = service.api(f"/api/v1/journal?mac={mac}&limit=1000", token=AUDITOR_TOKEN)
    assert status == 200
    return data["journal"]


def results_of(service, mac: str, since: float) -> list[tuple[str, str]]:
    return [(row["result"], row["evidence"] or "") for row in journal(service, mac) if row["at"] >= since]


def kept_by_the_service(site: Path, service, logs: list[str], macs: tuple[str, ...]) -> tuple[str, bytes]:
    """Everything the service said or kept: (its log records, the journal of ``macs`` as its API gives it and every
    table of its database, as text; every file it wrote in ``site``, the published web root aside, as bytes)."""
    rows = [row for mac in macs for row in journal(service, mac)]
    text = "\n".join(logs) + repr(rows)
    database = sqlite3.connect(site / "state.db")
    try:
        for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            text += repr(database.execute(f"SELECT * FROM {table}").fetchall())
    finally:
        database.close()
    files = [path for path in site.rglob("*") if path.is_file() and "www" not in path.parts]
    return text, b"".join(path.read_bytes() for path in files)
