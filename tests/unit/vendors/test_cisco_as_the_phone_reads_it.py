"""Cisco enterprise files read as a phone reads them: by the simulator's Cisco module, which takes its element
names and codes from Cisco's documents and CUCM's own files (simulator/phonefleet_simulator/vendors/cisco.py),
never from the driver. A phone of each transport with two lines, an outbound proxy on a port of its own,
G.722 on: a driver that swaps the TCP and TLS codes, drops the proxy's port or writes 1 for G.722 fails here.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from render_support import fleet_from, render_fleet_phone

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.vendors import cisco as cisco_phone  # noqa: E402

TRANSPORTS = ("udp", "tcp", "tls")
MACS = {"udp": "0cd0f8000101", "tcp": "0cd0f8000102", "tls": "0cd0f8000103"}
SETTINGS = """
settings:
  provisioning: {servers: [prov.demo.invalid], scheme: https, http_port: 8080, https_port: 8443}
  vendors: [cisco]
  defaults: {profile: over-udp, site: moscow-hq}
"""


def _profile(transport: str) -> str:
    port = 5061 if transport == "tls" else 5060
    return f"""
  over-{transport}:
    sip: {{registrar: pbx.demo.invalid, port: {port}, transport: {transport}, outbound_proxy: "sbc.demo.invalid:5099"}}
    codecs: [g722, pcma]
    time: {{timezone: Europe/Moscow}}
"""


PROFILES = "profiles:\n" + "".join(_profile(transport) for transport in TRANSPORTS)
PHONES = "phones:\n" + "".join(
    f"""
  - mac: {mac}
    name: Desk {transport}
    vendor: cisco
    model: CP-8841
    profile: over-{transport}
    lines:
      - {{number: "21{index}1", display_name: First, password: "first-{transport}-secret"}}
      - {{number: "21{index}2", display_name: Second, password: "second-{transport}-secret"}}
"""
    for index, (transport, mac) in enumerate(MACS.items())
)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cisco-read")
    return fleet_from(folder, **{"settings.yml": SETTINGS, "profiles.yml": PROFILES, "phones.yml": PHONES})


def served(fleet, mac: str) -> dict[str, bytes]:
    return {"/" + name: body for name, body in render_fleet_phone(fleet, mac).files.items()}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_line_registers_over_the_profile_transport_through_the_proxy_port(fleet, transport):
    accounts = cisco_phone.accounts(served(fleet, MACS[transport]))
    assert [account.user for account in accounts] == [f"21{TRANSPORTS.index(transport)}{n}" for n in (1, 2)]
    assert {account.transport for account in accounts} == {transport}
    assert {account.destination for account in accounts} == {("sbc.demo.invalid", 5099)}
    assert [account.password for account in accounts] == [f"first-{transport}-secret", f"second-{transport}-secret"]
    assert {(account.registrar, account.port) for account in accounts} == {
        ("pbx.demo.invalid", 5061 if transport == "tls" else 5060)
    }


def test_g722_is_enabled_with_code_2(fleet):
    root = ET.fromstring(served(fleet, MACS["udp"])["/SEP0CD0F8000101.cnf.xml"])
    # 0 disabled, 1 system default, 2 enabled (research/param-audit.md §3)
    assert root.findtext("vendorConfig/g722CodecSupport") == "2"
    assert root.findtext("advertiseG722Codec") == "1"


def test_the_authentication_url_the_phone_asks_is_plain_http_unless_secure(fleet):
    udp = served(fleet, MACS["udp"])
    assert cisco_phone.authentication_url(udp) == "http://prov.demo.invalid:8080/cisco/authenticate"
    tls = served(fleet, MACS["tls"])  # deviceSecurityMode 2: the secure twin
    assert cisco_phone.authentication_url(tls) == "https://prov.demo.invalid:8443/cisco/authenticate"


def test_a_softkey_file_nobody_produces_is_not_named_and_the_set_gets_a_warning(tmp_path):
    sets = """
extended_sets:
  keys:
    vendor: cisco
    softkey_template: SoftKeys.xml
"""
    time = "time: {timezone: Europe/Moscow}\n"
    profiles = PROFILES.replace(time, time + "    extended: [keys]\n")
    files = {"settings.yml": SETTINGS, "profiles.yml": profiles, "phones.yml": PHONES, "extended_sets.yml": sets}
    fleet = fleet_from(tmp_path, **files)
    rendered = render_fleet_phone(fleet, MACS["tcp"])
    assert b"softKeyFile" not in rendered.files["SEP0CD0F8000102.cnf.xml"]
    assert any("softkey_template 'SoftKeys.xml' is not named" in warning for warning in rendered.warnings)
