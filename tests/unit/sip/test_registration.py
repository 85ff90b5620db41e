"""Real SIP registration: every demo phone registers with the credentials it read from its own files.

Set-up (once per test module and pytest-xdist worker, under build/pytest-sip/): Kamailio on loopback
given the registrar export of the demo fleet (every line and the pool; tests/support/registrar.py); a copy of the demo
fleet whose profiles name that Kamailio as registrar (UDP for ``office``, TCP for ``warehouse``, whose
TLS needs certificates neither side has here), published and served by the provisioning service.

Each phone boots against the service as the device does (``boot``), its files are read by its vendor's
parser (``configs``: the phone's view, not the fleet's) and every account is registered by baresip
(``registration``). A wrong password must be refused (403) and leave nothing in the location table;
the right one must put the account's AOR there, over the transport the files name.

Every vendor of the demo registers: all of them speak plain SIP digest registration to a generic
registrar. Cisco enterprise phones included: their ``SEP<MAC>.cnf.xml`` names the registrar
(``processNodeName``) and the line credentials, which is all a non-CUCM registrar needs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.registrar import (
    Registrar,
    RegistrarUnavailable,
    assert_registers,
    exported_database,
    start_registrar,
)
from tests.support.service import ServiceHandle, published_site, running_service
from tests.support.tools import missing_tool_outcome, require_tools
from tests.unit.render_support import demo_fleet, reveal

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import configs, registration  # noqa: E402
from phonefleet_simulator.boot import SimulatedPhone  # noqa: E402

WORK = REPO / "build" / "pytest-sip"
FLEET = demo_fleet()
PHONES = {f"{phone.vendor}-{phone.model}".replace(" ", "_"): phone for phone in FLEET.phones}


def pointing_at(port: int):
    """A fleet edit: every profile's registrar (and backup) is the Kamailio on 127.0.0.1:``port``."""

    def edit(fleet: Path) -> None:
        profiles = fleet / "profiles.yml"
        text = profiles.read_text()
        replacements = [
            ("registrar: pbx.demo.invalid\n      port: 5060\n", f"registrar: 127.0.0.1\n      port: {port}\n"),
            ("backup_registrar: pbx2.demo.invalid", "backup_registrar: 127.0.0.1"),
            (
                "registrar: sbc.demo.invalid\n      port: 5061\n      transport: tls\n",
                f"registrar: 127.0.0.1\n      port: {port}\n      transport: tcp\n",
            ),
        ]
        for old, new in replacements:
            assert text.count(old) == 1, f"the demo profiles changed: {old!r} not found once"
            text = text.replace(old, new)
        profiles.write_text(text)

    return edit


@dataclass
class Lab:
    directory: Path
    registrar: Registrar
    service: ServiceHandle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"


def _remove_leftovers() -> None:
    """Directories of runs that were killed (their pytest process is gone)."""
    for left in WORK.glob("*-*") if WORK.exists() else ():
        pid = left.name.partition("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(left, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(worker_id) -> Lab:
    require_tools("kamailio", "baresip")
    _remove_leftovers()
    directory = WORK / f"{os.getpid()}-{worker_id}"
    shutil.rmtree(directory, ignore_errors=True)
    try:
        registration.UserAgent(directory / "probe").close()
    except registration.SipClientUnavailable as exc:
        missing_tool_outcome(f"baresip does not run here: {exc}", "baresip")
    try:
        registrar = start_registrar(directory / "kamailio", exported_database(FLEET, reveal, directory / "export"))
    except RegistrarUnavailable as exc:
        missing_tool_outcome(f"kamailio does not run here: {exc}", "kamailio")
    try:
        published_site(directory / "site", pointing_at(registrar.port))
        with running_service(directory / "site") as service:
            yield Lab(directory, registrar, service)
    finally:
        registrar.stop()
        shutil.rmtree(directory, ignore_errors=True)


# How long a registration may wait for the registrar's answer. Only a failing test waits it out; under a
# loaded CI machine a refusal took more than 5 s to arrive once.
ANSWER_TIMEOUT = 15


def simulated(phone) -> SimulatedPhone:
    """The phone as the simulator boots it, with the provisioning credentials of its vendor, if any."""
    auth = (FLEET.settings.get("phone_auth") or {}).get(phone.vendor)
    credentials = (auth["method"], auth["username"], reveal(auth["password"])) if auth else None
    return SimulatedPhone(phone.mac, phone.vendor, phone.model, credentials=credentials)


def phone_accounts(lab: Lab, phone) -> list[configs.SipAccount]:
    files = configs.fetched_files(lab.base_url, simulated(phone))
    assert files, f"{phone.mac} fetched nothing"
    return configs.accounts(phone.vendor, files)


@pytest.mark.parametrize("name", sorted(PHONES))
def test_phone_registers_with_the_credentials_of_its_files(lab, name):
    phone = PHONES[name]
    accounts = phone_accounts(lab, phone)
    # the phone found every line of the fleet in its files, pointing at our registrar
    assert sorted(account.user for account in accounts) == sorted(line.username or line.number for line in phone.lines)
    for account in accounts:
        assert account.enabled
        assert account.destination == ("127.0.0.1", lab.registrar.port), account
    workdir = lab.directory / "baresip"

    wrong = [dataclasses.replace(account, password=account.password + "-wrong") for account in accounts]
    refused = registration.register(wrong, timeout=ANSWER_TIMEOUT, workdir=workdir)
    assert set(refused) == {account.line for account in accounts}
    assert all(status.startswith("failed: 403 Forbidden") for status in refused.values()), refused
    location = lab.registrar.location()
    assert not [account.aor for account in accounts if account.aor in location]

    assert_registers(lab.registrar, accounts, workdir, ANSWER_TIMEOUT, lab.registrar.port)


def test_an_account_is_refused_for_an_aor_user_of_another_line(lab):
    phone = PHONES["yealink-T54W"]
    (account,) = phone_accounts(lab, phone)
    other = dataclasses.replace(account, user="2002")  # the Cisco director's number, with Reception's credentials
    (status,) = registration.register([other], timeout=ANSWER_TIMEOUT, workdir=lab.directory / "baresip").values()
    assert status == "failed: 403 Forbidden (user not allowed)"
    stranger = dataclasses.replace(account, user="2999", auth_user="2999")
    (status,) = registration.register([stranger], timeout=ANSWER_TIMEOUT, workdir=lab.directory / "baresip").values()
    assert status == "failed: 403 Forbidden (unknown auth user)"


def test_registrations_go_where_the_registrar_argument_says(lab):
    """The demo's use: files naming pbx.demo.invalid, REGISTERs sent to a local registrar instead."""
    (account,) = phone_accounts(lab, PHONES["grandstream-GXP2170"])
    elsewhere = dataclasses.replace(account, registrar="pbx.demo.invalid", domain="pbx.demo.invalid", port=5060)
    assert registration.register([elsewhere], workdir=lab.directory / "baresip") == {
        1: "failed: pbx.demo.invalid is not a loopback address (the simulator registers on loopback only)"
    }
    status = registration.register(
        [elsewhere], f"127.0.0.1:{lab.registrar.port}", timeout=ANSWER_TIMEOUT, workdir=lab.directory / "baresip"
    )
    assert status == {1: registration.REGISTERED}
    assert f"{account.user}@pbx.demo.invalid" in lab.registrar.location()


def test_a_user_agent_unregisters_when_closed(lab):
    (account,) = phone_accounts(lab, PHONES["snom-D785"])
    moved = dataclasses.replace(account, domain="unregister.test")
    with registration.UserAgent(lab.directory / "baresip" / "agent") as agent:
        assert agent.register(moved, timeout=ANSWER_TIMEOUT) == registration.REGISTERED
        assert moved.aor in lab.registrar.location()
    assert moved.aor not in lab.registrar.location()


def test_no_answer_is_a_failure_with_the_reason(lab):
    (account,) = phone_accounts(lab, PHONES["fanvil-X6U"])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # takes REGISTERs and never answers
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        udp = dataclasses.replace(account, transport="udp")
        status = registration.register([udp], f"127.0.0.1:{port}", timeout=1, workdir=lab.directory / "baresip")
        assert status == {1: f"failed: no answer from 127.0.0.1:{port} within 1 s"}
        assert b"REGISTER sip:" in silent.recv(65536)
    # over TCP, nobody listening is said at once
    tcp = dataclasses.replace(account, transport="tcp")
    status = registration.register([tcp], f"127.0.0.1:{port}", timeout=5, workdir=lab.directory / "baresip")
    assert status == {1: "failed: Connection refused"}


# A phone the fleet does not have: the service auto-provisions it from the pool (settings.autoprovision).
STRANGER = ("0c383e5a0077", "fanvil", "X4U")


def test_an_auto_provisioned_phone_registers_with_the_pool_credentials_its_file_carries(lab):
    """Issue 11, item 6: the registrar was given the pool by the registrar export, before the phone came;
    the service renders the phone's file with the password derived for its number. Should either side make
    up its own password (or derive it differently), the registrar answers 403 and this fails."""
    mac, vendor, model = STRANGER
    auth = FLEET.settings["phone_auth"][vendor]
    phone = SimulatedPhone(mac, vendor, model, credentials=(auth["method"], auth["username"], reveal(auth["password"])))
    files = configs.fetched_files(lab.base_url, phone)
    (account,) = configs.accounts(vendor, files)
    assert account.user.startswith("30"), f"{account.user}: not a number of the demo pool 3000-3099"
    assert account.destination == ("127.0.0.1", lab.registrar.port), account
    workdir = lab.directory / "baresip"
    wrong = dataclasses.replace(account, password=account.password + "-wrong")
    assert registration.register([wrong], timeout=ANSWER_TIMEOUT, workdir=workdir) == {
        account.line: "failed: 403 Forbidden (wrong password)"
    }
    assert registration.register([account], timeout=ANSWER_TIMEOUT, workdir=workdir) == {
        account.line: registration.REGISTERED
    }
    assert account.aor in lab.registrar.location()
