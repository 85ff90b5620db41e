"""Every vendor x UDP/TCP/TLS x several lines: what each phone reads from its files, and that it registers.

The fleet is generated (tests/support/generated_fleet.py): per vendor and transport one phone with up to
three lines, each line with its own number, auth user and password. What the phone must read is taken
from that fleet, never from a driver; what it does read comes from the simulator's parsers
(``configs``: the vendor's parameter names and codes) after a boot against the real service.
Registration goes to the real Kamailio on loopback, over the transport the files name: UDP and TCP on one
port, TLS on another with a self-signed certificate (Debian's ``kamailio-tls-modules``).

A case that fails today because of a driver bug another change of issue 11 fixes is marked
``xfail(strict=True)`` with the item: it turns red the day the driver is fixed, and the mark goes.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.generated_fleet import TRANSPORTS, GeneratedPhone, generated_phones, write_fleet
from tests.support.registrar import Registrar, assert_registers, exported_database, start_registrar
from tests.support.service import FIRMWARE, ServiceHandle, running_service
from tests.support.tools import require_tools
from tests.unit.render_support import reveal

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet  # noqa: E402
from phonefleet_simulator import configs  # noqa: E402
from phonefleet_simulator.boot import SimulatedPhone  # noqa: E402

WORK = REPO / "build" / "pytest-gen"
# the phones, with placeholder ports: the ids and the marks; the lab's phones carry the registrar's ports
PHONES = {phone.name: phone for phone in generated_phones(dict.fromkeys(TRANSPORTS, 0))}
ANSWER_TIMEOUT = 15

#: cases a driver gets wrong today, each fixed by another change of issue 11: {phone name: reason}
KNOWN_BROKEN: dict[str, str] = {}


def _case(name: str):
    reason = KNOWN_BROKEN.get(name)
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else name


CASES = [_case(name) for name in PHONES]


@dataclass
class Lab:
    directory: Path
    registrar: Registrar
    service: ServiceHandle
    phones: dict[str, GeneratedPhone]
    phone_auth: tuple[str, str, str] | None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"


@pytest.fixture(scope="module")
def lab(worker_id) -> Lab:
    require_tools("kamailio", "kamailio-tls", "baresip")
    directory = WORK / f"{os.getpid()}-{worker_id}"
    shutil.rmtree(directory, ignore_errors=True)
    # the registrar first: the fleet names its ports. Its subscribers: the registrar export of the generated fleet.
    placeholder = directory / "placeholder"
    write_fleet(placeholder, dict.fromkeys(TRANSPORTS, 5060))
    export = exported_database(load_fleet(str(placeholder)), reveal, directory / "export")
    registrar = start_registrar(directory / "kamailio", export, tls=True)
    try:
        ports = {"udp": registrar.port, "tcp": registrar.port, "tls": registrar.tls_port}
        phones = write_fleet(directory / "fleet", ports)
        publish_fleet(str(directory / "fleet"), str(directory / "www"), reveal, firmware_dir=str(FIRMWARE))
        fleet = load_fleet(str(directory / "fleet"))
        auth = (fleet.settings.get("phone_auth") or {}).get("yealink")
        with running_service(directory) as service:
            yield Lab(
                directory,
                registrar,
                service,
                {phone.name: phone for phone in phones},
                (auth["method"], auth["username"], reveal(auth["password"])) if auth else None,
            )
    finally:
        registrar.stop()
        shutil.rmtree(directory, ignore_errors=True)


def read_accounts(lab: Lab, phone: GeneratedPhone) -> list[configs.SipAccount]:
    """The accounts the phone reads from the files it fetched at boot (the demo's one phone-auth credential)."""
    credentials = None if phone.vendor == "cisco" else lab.phone_auth  # Cisco enterprise phones send none
    booted = SimulatedPhone(phone.mac, phone.vendor, phone.model, credentials=credentials)
    files = configs.fetched_files(lab.base_url, booted)
    assert files, f"{phone.name} fetched nothing"
    return configs.accounts(phone.vendor, files)


@pytest.mark.parametrize("name", CASES)
def test_the_phone_reads_every_line_as_the_fleet_gives_it(lab, name):
    phone = lab.phones[name]
    read = {
        account.user: (account.auth_user, account.password, account.transport, account.destination, account.enabled)
        for account in read_accounts(lab, phone)
    }
    expected = {
        account.user: (account.auth_user, account.password, account.transport, ("127.0.0.1", account.port), True)
        for account in phone.accounts
    }
    assert read == expected


@pytest.mark.parametrize("name", CASES)
def test_every_line_registers_over_the_transport_of_its_files(lab, name):
    phone = lab.phones[name]
    accounts = read_accounts(lab, phone)
    assert {account.user for account in accounts} == {account.user for account in phone.accounts}
    # at once, rather than after a REGISTER over the wrong transport went unanswered
    assert {account.transport for account in accounts} == {phone.transport}
    port = lab.registrar.tls_port if phone.transport == "tls" else lab.registrar.port
    assert_registers(lab.registrar, accounts, lab.directory / "baresip", ANSWER_TIMEOUT, port)
