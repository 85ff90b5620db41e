"""A Snom D785 reads its rendered files with the names Snom's documents give.

The simulator's Snom module (simulator/phonefleet_simulator/vendors/snom.py) knows identities, failover
identities and check-sync from Snom's settings wiki and wazo's template, not from the driver.
"""

from __future__ import annotations

import pytest
from phonefleet_simulator import configs
from phonefleet_simulator.vendors import Answer, Notify, snom

from tests.unit.render_support import render_demo_phone
from tests.unit.sip import transport_fleet
from tests.unit.sip.transport_fleet import BACKUP, TRANSPORTS

HR = "000413010203"
OK = Answer(200, "OK", "resync")


@pytest.fixture(scope="module")
def hr() -> dict[str, bytes]:
    return {"/" + name: body for name, body in render_demo_phone(HR).files.items()}


@pytest.fixture(scope="module")
def phones(tmp_path_factory) -> dict:
    return transport_fleet.rendered(tmp_path_factory.mktemp("snom"), "snom", "D785", "000413")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_line_registers_over_the_profiles_transport(phones, transport):
    # user_host is the SIP domain; REGISTERs go to user_outbound, the proxy with the profile's port
    accounts = configs.accounts("snom", phones[transport])
    transport_fleet.assert_read_as_rendered(accounts, transport, registrar_port=False)


def test_without_a_backup_registrar_no_line_fails_over(phones):
    assert snom.failover(phones["udp"]) == {}


def test_each_line_fails_over_to_an_identity_of_its_own(phones):
    lines = configs.accounts("snom", phones["tls"])
    backups = snom.failover(phones["tls"])
    assert sorted(backups) == [1, 2]
    for line in lines:
        backup = backups[line.line]
        assert (backup.user, backup.password, backup.registrar) == (line.user, line.password, BACKUP)


def test_the_line_fails_over_to_the_backup_registrar_with_its_own_credentials(hr):
    (line,) = configs.accounts("snom", hr)
    backup = snom.failover(hr)[1]
    assert (backup.registrar, backup.port, backup.transport) == ("pbx2.demo.invalid", 5060, "udp")
    assert (backup.user, backup.auth_user, backup.password) == (line.user, line.auth_user, line.password)


def test_check_sync_does_what_the_event_asks(hr):
    assert snom.notify(snom.control_settings(hr), Notify("check-sync", {"reboot": "false"}), OK) == OK


def test_checksync_action_wins_over_the_event():
    assert (
        snom.notify({"checksync_action": "reboot"}, Notify("check-sync", {"reboot": "false"}), OK).operation == "reboot"
    )
