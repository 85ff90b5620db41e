"""Cisco enterprise (CUCM firmware) rendering: SEP<MAC>.cnf.xml, the dial plan and XMLDefault.cnf.xml."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.windows_zones import (
    CISCO_ZONES,
    ZONES,
    windows_zone,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from render_support import DEMO_FLEET, demo_fleet, fleet_from, render_demo_phone, render_fleet_phone, reveal

DIRECTOR = "0cd0f8a1b2c3"
SEP = "SEP0CD0F8A1B2C3.cnf.xml"

# A fleet of Cisco phones only: a CP-8851 with an audio KEM and keys beyond its 10 own keys.
KEM_PHONES = """
phones:
  - mac: 0c:d0:f8:00:00:01
    name: "R&D <lab>"
    vendor: cisco
    model: CP-8851
    modules: [CP-8800-Audio]
    lines:
      - {number: "2201", display_name: "Smith & Sons <HQ>", password: "s3cret&<x>"}
    keys:
      - {index: 1, function: line, line: 1}
      - {index: 2, function: blf, value: "2001", label: "R&D"}
      - {index: 3, function: voicemail, label: Voicemail}
      - {index: 11, function: blf, value: "2011", label: KEM BLF}
      - {index: 12, function: speed_dial, value: "2012", label: KEM speed}
"""
CISCO_ONLY_SETTINGS = """
settings:
  provisioning: {servers: [prov.demo.invalid], scheme: https}
  vendors: [cisco]
  defaults: {profile: office, site: moscow-hq}
"""


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


@pytest.fixture(scope="module")
def director() -> ET.Element:
    return parse(render_demo_phone(DIRECTOR).files[SEP])


@pytest.fixture
def kem_phone(tmp_path):
    fleet = fleet_from(tmp_path, **{"phones.yml": KEM_PHONES})
    return render_fleet_phone(fleet, "0cd0f8000001")


def buttons(root: ET.Element) -> dict[int, ET.Element]:
    return {int(line.get("button")): line for line in root.iter("line")}


def test_files_are_named_as_the_phone_requests_them_and_parse() -> None:
    files = render_demo_phone(DIRECTOR).files
    assert set(files) == {SEP, "SEP0CD0F8A1B2C3-dialplan.xml"}
    for data in files.values():
        parse(data)


def test_lines_carry_the_accounts(director) -> None:
    line1, line2 = buttons(director)[1], buttons(director)[2]
    assert line1.get("lineIndex") == "1"
    assert line1.findtext("featureID") == "9"
    assert line1.findtext("name") == "2002"
    assert line1.findtext("authName") == "2002"
    assert line1.findtext("displayName") == "Director"
    assert line1.findtext("authPassword") == "demo-2002-ea437ff8"  # decrypted from the demo vault
    assert line1.findtext("proxy") == "USECALLMANAGER"
    assert line1.findtext("port") == "5060"
    assert line2.findtext("name") == "2102"
    assert line2.findtext("authPassword") == "demo-2102-04963b5a"
    member = director.find("devicePool/callManagerGroup/members/member[@priority='0']/callManager")
    assert member.findtext("processNodeName") == "pbx.demo.invalid"
    assert member.findtext("ports/sipPort") == "5060"
    backup = director.find("devicePool/callManagerGroup/members/member[@priority='1']/callManager")
    assert backup.findtext("processNodeName") == "pbx2.demo.invalid"


def test_blf_and_speed_dial_buttons(director) -> None:
    blf, speed = buttons(director)[3], buttons(director)[4]
    assert (blf.findtext("featureID"), blf.findtext("speedDialNumber")) == ("21", "2001")
    assert blf.findtext("featureOptionMask") == "1"
    assert (speed.findtext("featureID"), speed.findtext("speedDialNumber")) == ("2", "2001")
    assert speed.findtext("featureLabel") == "Reception"


def test_transport_time_network_and_admin(director) -> None:
    assert director.findtext("transportLayerProtocol") == "2"  # the profile says udp
    assert director.findtext("devicePool/dateTimeSetting/timeZone") == "Russian Standard/Daylight Time"
    assert director.findtext("devicePool/dateTimeSetting/ntps/ntp/name") == "ntp.demo.invalid"
    assert director.findtext("vendorConfig/voiceVlanAccess") == "20"
    # the Director's own admin password (its file is served without proof: never the profile's, shared)
    own = reveal(demo_fleet().phone("0cd0f8a1b2c3").admin_password)
    assert own.startswith("demo-sep-admin-")
    assert director.findtext("commonProfile/phonePassword") == own
    assert director.findtext("sshUserId") == "admin"
    assert director.findtext("sshPassword") == own
    assert director.findtext("sipProfile/preferredCodec") == "g722"


def test_firmware_extended_set_and_services(director) -> None:
    assert director.findtext("loadInformation") == "sip8845_65.14-3-1-0001-60"
    assert director.find("sipProfile/softKeyFile") is None  # nothing produces a soft key file: none is named
    assert director.findtext("sipProfile/dialTemplate") == "SEP0CD0F8A1B2C3-dialplan.xml"
    # extended-set params are vendorConfig children, overriding the driver's own
    assert director.findtext("vendorConfig/webAccess") == "0"
    assert director.findtext("vendorConfig/sshAccess") == "0"
    # http in the plain elements, https in their secure twins (as CUCM writes them); the Director's profile
    # (office) allows hot-desking and a CP-8845 supports it: its services button opens the login screens
    assert director.findtext("authenticationURL") == "http://prov.demo.invalid/cisco/authenticate"
    assert director.findtext("secureAuthenticationURL") == "https://prov.demo.invalid/cisco/authenticate"
    assert director.findtext("servicesURL") == "http://prov.demo.invalid:8080/cisco/mobility?name=SEP0CD0F8A1B2C3"
    assert (
        director.findtext("secureServicesURL") == "https://prov.demo.invalid:8081/cisco/mobility?name=SEP0CD0F8A1B2C3"
    )


# A mobility profile on a model with hot-desk support (CP-7841), on one without it (CP-6921), and a profile
# without mobility on a model with it.
MOBILITY_PHONES = """
phones:
  - {mac: 0c:d0:f8:00:00:11, vendor: cisco, model: CP-7841, profile: office, lines: [{number: "2211", password: x}]}
  - {mac: 0c:d0:f8:00:00:12, vendor: cisco, model: CP-6921, profile: office, lines: [{number: "2212", password: x}]}
  - {mac: 0c:d0:f8:00:00:13, vendor: cisco, model: CP-7841, profile: warehouse, lines: [{number: "2213", password: x}]}
"""


def mobility_fleet(tmp_path, settings: str = CISCO_ONLY_SETTINGS):
    return fleet_from(tmp_path, **{"phones.yml": MOBILITY_PHONES, "settings.yml": settings})


def services(fleet, mac: str) -> tuple[str | None, str | None]:
    root = parse(render_fleet_phone(fleet, mac).files[f"SEP{mac.upper()}.cnf.xml"])
    return root.findtext("servicesURL"), root.findtext("secureServicesURL")


def test_services_button_opens_the_hot_desk_login_only_where_profile_and_model_allow(tmp_path) -> None:
    fleet = mobility_fleet(tmp_path)
    assert services(fleet, "0cd0f8000011") == (
        "http://prov.demo.invalid:8080/cisco/mobility?name=SEP0CD0F8000011",
        "https://prov.demo.invalid:8081/cisco/mobility?name=SEP0CD0F8000011",
    )
    plain = ("http://prov.demo.invalid/cisco/services", "https://prov.demo.invalid/cisco/services")
    assert services(fleet, "0cd0f8000012") == plain  # CP-6921: no hot-desk support in the catalogue
    assert services(fleet, "0cd0f8000013") == plain  # warehouse: mobility: false


def test_hot_desk_login_takes_the_applications_ports_of_the_settings(tmp_path) -> None:
    settings = """
settings:
  provisioning: {servers: [10.0.0.5], applications_http_port: 9080, applications_https_port: 9443}
  vendors: [cisco]
  defaults: {profile: office, site: moscow-hq}
"""
    # scheme http: no secure twin, the plain URL on the applications HTTP port
    assert services(mobility_fleet(tmp_path, settings), "0cd0f8000011") == (
        "http://10.0.0.5:9080/cisco/mobility?name=SEP0CD0F8000011",
        None,
    )


def test_dial_rules_are_rendered() -> None:
    plan = parse(render_demo_phone(DIRECTOR).files["SEP0CD0F8A1B2C3-dialplan.xml"])
    assert plan.tag == "DIALTEMPLATE"
    rules = [(rule.get("MATCH"), rule.get("Timeout"), rule.get("User")) for rule in plan]
    # a literal star is escaped: unescaped, it is a wildcard
    assert rules == [("2...", "0", "Phone"), ("8.........", "3", "Phone"), ("\\*..", "1", "Phone")]


def test_phone_without_keys_gets_its_line_on_button_one() -> None:
    root = parse(render_demo_phone("001b54c2d3e4").files["SEP001B54C2D3E4.cnf.xml"])
    assert list(buttons(root)) == [1]
    assert buttons(root)[1].findtext("name") == "2003"
    assert root.findtext("loadInformation") == ""  # its kit has no CP-7841 file


def test_cp3905_names_the_registrar_on_its_line() -> None:
    root = parse(render_demo_phone("2c3f38aa0001").files["SEP2C3F38AA0001.cnf.xml"])
    line = buttons(root)[1]
    assert (line.findtext("proxy"), line.findtext("port"), line.findtext("name")) == (
        "pbx.demo.invalid",
        "5060",
        "2004",
    )
    assert root.find("addOnModules") is None
    assert root.find("sipProfile/softKeyFile") is None


def test_kem_keys_continue_the_buttons_on_the_module(kem_phone) -> None:
    root = parse(kem_phone.files["SEP0CD0F8000001.cnf.xml"])
    modules = root.findall("addOnModules/addOnModule")
    assert [(m.get("idx"), m.findtext("deviceType")) for m in modules] == [("1", "CP-8800-Audio")]
    kem_blf, kem_speed = buttons(root)[11], buttons(root)[12]
    assert (kem_blf.findtext("featureID"), kem_blf.findtext("speedDialNumber")) == ("21", "2011")
    assert (kem_speed.findtext("featureID"), kem_speed.findtext("speedDialNumber")) == ("2", "2012")


def test_missing_key_function_is_a_warning_naming_the_phone(kem_phone) -> None:
    assert any("0c:d0:f8:00:00:01" in w and "'voicemail'" in w for w in kem_phone.warnings)
    root = parse(kem_phone.files["SEP0CD0F8000001.cnf.xml"])
    assert 3 not in buttons(root)


def test_names_are_escaped(kem_phone) -> None:
    data = kem_phone.files["SEP0CD0F8000001.cnf.xml"]
    assert b"Smith &amp; Sons &lt;HQ&gt;" in data
    root = parse(data)
    line = buttons(root)[1]
    assert line.findtext("displayName") == "Smith & Sons <HQ>"
    assert line.findtext("authPassword") == "s3cret&<x>"
    assert root.findtext("sipProfile/phoneLabel") == "R&D <lab>"
    assert buttons(root)[2].findtext("featureLabel") == "R&D"


def test_rendering_is_deterministic() -> None:
    assert render_demo_phone(DIRECTOR).files == render_demo_phone(DIRECTOR).files


def test_xml_default_for_unknown_phones(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"phones.yml": KEM_PHONES, "settings.yml": CISCO_ONLY_SETTINGS})
    files, owners = FleetRenderer(fleet, reveal).shared()
    assert ("XMLDefault.cnf.xml", "cisco") in owners
    root = parse(files["XMLDefault.cnf.xml"])
    assert root.findtext("servicesURL") == "http://prov.demo.invalid/cisco/services"
    assert root.findtext("secureAuthenticationURL") == "https://prov.demo.invalid/cisco/authenticate"


def test_windows_zone_names() -> None:
    assert windows_zone("Europe/Moscow") == "Russian Standard/Daylight Time"
    assert windows_zone("Europe/Budapest") == "Central Europe Standard/Daylight Time"
    assert windows_zone("America/New_York") == "Eastern Standard/Daylight Time"
    assert windows_zone("Asia/Tokyo") == "Tokyo Standard Time"
    names = {name for name, _ignored, _ignored in CISCO_ZONES}
    assert set(ZONES.values()) <= names
    assert len(ZONES) >= 60


def test_windows_zone_falls_back_by_offset() -> None:
    assert "Europe/Andorra" not in ZONES and "Asia/Kathmandu" not in ZONES
    assert windows_zone("Europe/Andorra") == "W. Europe Standard/Daylight Time"  # same offset, with DST
    assert windows_zone("Asia/Kathmandu") == "India Standard Time"  # +5:45: nearest offset


#: a default profile without a firmware window, and the demo's kit as the fleet's default
DEFAULTS_WITH_KIT = """
settings:
  provisioning: {servers: [prov.demo.invalid], scheme: https}
  vendors: [cisco]
  defaults: {profile: any-hour, site: moscow-hq, firmware_kit: 2026-q3}
"""


def _with_any_hour_profile() -> str:
    profiles = (DEMO_FLEET / "profiles.yml").read_text(encoding="utf-8")
    return (
        profiles
        + """
  any-hour:
    sip: {registrar: pbx-any.demo.invalid, port: 5070, transport: tcp}
    time: {timezone: Europe/Moscow}
"""
    )


def test_xml_default_names_the_default_registrar_and_the_default_kits_loads(tmp_path) -> None:
    # what a real XMLDefault.cnf.xml carries (a public sample: "it really does need a callManagerGroup ... with
    # ports/ethernetPhonePort and processNodeName", then loadInformation<device type id> model="Cisco <n>")
    fleet = fleet_from(
        tmp_path,
        **{"settings.yml": DEFAULTS_WITH_KIT, "profiles.yml": _with_any_hour_profile(), "phones.yml": KEM_PHONES},
    )
    files, _owners = FleetRenderer(fleet, reveal).shared()
    root = parse(files["XMLDefault.cnf.xml"])
    [member] = root.findall("callManagerGroup/members/member")
    assert member.get("priority") == "0"
    assert member.findtext("callManager/processNodeName") == "pbx-any.demo.invalid"
    assert member.findtext("callManager/ports/ethernetPhonePort") == "2000"
    assert member.findtext("callManager/ports/sipPort") == "5070"
    # the demo kit's 8845/8865 load, under the CUCM device type ids of those models
    loads = {child.tag: (child.get("model"), child.text) for child in root if child.tag.startswith("loadInformation")}
    assert loads == {
        "loadInformation36213": ("Cisco 8845", "sip8845_65.14-3-1-0001-60"),
        "loadInformation36214": ("Cisco 8865", "sip8845_65.14-3-1-0001-60"),
    }
    assert root.findtext("secureAuthenticationURL") == "https://prov.demo.invalid/cisco/authenticate"


def test_xml_default_names_no_load_when_the_default_profile_has_a_firmware_window(tmp_path) -> None:
    # the demo's office profile flashes on weekend nights only: a file served at every hour names no firmware
    settings = DEFAULTS_WITH_KIT.replace("profile: any-hour", "profile: office")
    fleet = fleet_from(tmp_path, **{"settings.yml": settings, "phones.yml": KEM_PHONES})
    files, _owners = FleetRenderer(fleet, reveal).shared()
    root = parse(files["XMLDefault.cnf.xml"])
    assert [child.tag for child in root if child.tag.startswith("loadInformation")] == []
    names = [node.text for node in root.iter("processNodeName")]
    assert names == ["pbx.demo.invalid", "pbx2.demo.invalid"]  # the office profile's registrar and backup
