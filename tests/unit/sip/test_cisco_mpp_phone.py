"""A Cisco MPP phone reads its rendered profile with the names and codes of Cisco's documents.

The simulator's MPP module (simulator/phonefleet_simulator/vendors/cisco_mpp.py) knows ``SIP_Transport_N_``
as ``UDP``/``TCP``/``TLS`` from Cisco's administration guide, not from the driver: a driver that swaps TCP and
TLS, or drops the outbound proxy's port, renders files this phone reads differently from the fleet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.unit.sip import transport_fleet
from tests.unit.sip.transport_fleet import PORTS, PROXY, TRANSPORTS

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import configs  # noqa: E402
from phonefleet_simulator.configs import ConfigError  # noqa: E402
from phonefleet_simulator.vendors import cisco_mpp  # noqa: E402


@pytest.fixture(scope="module")
def phones(tmp_path_factory) -> dict:
    return transport_fleet.rendered(tmp_path_factory.mktemp("mpp"), "cisco_mpp", "CP-6841-3PCC", "c4b9cd")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_line_registers_over_the_profiles_transport_through_the_proxy_port(phones, transport):
    accounts = configs.accounts("cisco_mpp", phones[transport])
    position = TRANSPORTS.index(transport) + 1
    assert [
        (a.line, a.user, a.auth_user, a.password, a.registrar, a.port, a.transport, a.expires) for a in accounts
    ] == [
        (
            line,
            transport_fleet.number(position, line),
            "a" + transport_fleet.number(position, line),
            transport_fleet.password(position, line),
            transport_fleet.registrar(transport),
            PORTS[transport],
            transport,
            900,
        )
        for line in (1, 2)
    ]
    # the proxy listens on the profile's port: a bare host would send the REGISTER to 5060/5061
    assert {account.destination for account in accounts} == {(PROXY, PORTS[transport])}


def test_a_transport_the_web_page_does_not_offer_is_refused():
    profile = (
        b"<flat-profile><User_ID_1_>1</User_ID_1_><Proxy_1_>p</Proxy_1_>"
        b"<SIP_Transport_1_>2</SIP_Transport_1_></flat-profile>"
    )
    with pytest.raises(ConfigError, match="SIP_Transport_1_: unknown transport '2'"):
        cisco_mpp.accounts({"/x.xml": profile})
