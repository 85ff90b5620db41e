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


def test_a_proxy_given_with_its_port_is_read_at_that_port(tmp_path):
    # the fleet's outbound_proxy may carry its own port: Outbound_Proxy_N_ must be host:port once, not host:p:p
    profiles = (
        (transport_fleet.DEMO_FLEET / "profiles.yml").read_text(encoding="utf-8")
        + """
  proxy-with-port:
    sip: {registrar: pbx.demo.invalid, port: 5071, transport: tls, outbound_proxy: "sbc.demo.invalid:5099"}
"""
    )
    phones = (
        (transport_fleet.DEMO_FLEET / "phones.yml").read_text(encoding="utf-8")
        + """
  - mac: c4b9cd770009
    vendor: cisco_mpp
    model: CP-6841-3PCC
    profile: proxy-with-port
    lines: [{number: "3991", password: pw}]
"""
    )
    fleet = transport_fleet.fleet_from(tmp_path, **{"profiles.yml": profiles, "phones.yml": phones})
    files = {"/" + name: body for name, body in transport_fleet.render_fleet_phone(fleet, "c4b9cd770009").files.items()}
    [account] = configs.accounts("cisco_mpp", files)
    assert (account.outbound_proxy, account.outbound_port) == ("sbc.demo.invalid", 5099)
    assert account.destination == ("sbc.demo.invalid", 5099)
