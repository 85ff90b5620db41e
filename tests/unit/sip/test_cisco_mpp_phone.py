"""A Cisco MPP phone reads its rendered profile with the names and codes of Cisco's documents.

The simulator's MPP module (simulator/phonefleet_simulator/vendors/cisco_mpp.py) knows ``SIP_Transport_N_``
as ``UDP``/``TCP``/``TLS`` from Cisco's administration guide, not from the driver: a driver that swaps TCP and
TLS, or drops the outbound proxy's port, renders files this phone reads differently from the fleet.
"""

from __future__ import annotations

import pytest
from phonefleet_simulator import configs
from phonefleet_simulator.configs import ConfigError
from phonefleet_simulator.vendors import cisco_mpp

from tests.unit.sip import transport_fleet
from tests.unit.sip.transport_fleet import TRANSPORTS


@pytest.fixture(scope="module")
def phones(tmp_path_factory) -> dict:
    return transport_fleet.rendered(tmp_path_factory.mktemp("mpp"), "cisco_mpp", "CP-6841-3PCC", "c4b9cd")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_line_registers_over_the_profiles_transport_through_the_proxy_port(phones, transport):
    # the proxy listens on the profile's port: a bare host would send the REGISTERs to 5060
    transport_fleet.assert_read_as_rendered(configs.accounts("cisco_mpp", phones[transport]), transport)


def test_a_transport_the_web_page_does_not_offer_is_refused():
    profile = (
        b"<flat-profile><User_ID_1_>1</User_ID_1_><Proxy_1_>p</Proxy_1_>"
        b"<SIP_Transport_1_>2</SIP_Transport_1_></flat-profile>"
    )
    with pytest.raises(ConfigError, match="SIP_Transport_1_: unknown transport '2'"):
        cisco_mpp.accounts({"/x.xml": profile})
