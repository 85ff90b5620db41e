"""Cisco MPP (3PCC) rendering: the <flat-profile> of <mac>.xml and the model files for unknown phones."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from render_support import demo_fleet, fleet_from, render_demo_phone, render_fleet_phone, reveal

SUPPORT = "c4b9cd112201"

KEM_PHONES = """
phones:
  - mac: c4:b9:cd:00:00:02
    name: "Sales & <Ops>"
    vendor: cisco_mpp
    model: CP-6851-3PCC
    modules: [CP-68KEM-3PCC]
    lines:
      - {number: "2301", display_name: "Sales & <Ops>", password: "p&<w>"}
      - {number: "2302", password: two}
    keys:
      - {index: 1, function: line, line: 1}
      - {index: 2, function: blf, value: "2001", label: "R&D"}
      - {index: 3, function: speed_dial, value: "2002", label: Director}
      - {index: 4, function: voicemail, label: Voicemail}
      - {index: 5, function: blf, value: "2010", label: KEM BLF}
"""
MPP_ONLY_SETTINGS = """
settings:
  provisioning: {servers: [prov.demo.invalid], scheme: https}
  vendors: [cisco_mpp]
  defaults: {profile: office, site: moscow-hq}
"""


def profile(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "flat-profile"
    return root


@pytest.fixture(scope="module")
def support() -> ET.Element:
    files = render_demo_phone(SUPPORT).files
    assert list(files) == ["c4b9cd112201.xml"]
    return profile(files["c4b9cd112201.xml"])


@pytest.fixture
def kem_phone(tmp_path):
    return render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": KEM_PHONES}), "c4b9cd000002")


def test_line_account(support) -> None:
    assert support.findtext("Line_Enable_1_") == "Yes"
    assert support.findtext("User_ID_1_") == "2005"
    assert support.findtext("Auth_ID_1_") == "2005"
    assert support.findtext("Password_1_") == "demo-2005-3edc1626"  # decrypted from the demo vault
    assert support.findtext("Display_Name_1_") == "Support"
    # a backup registrar makes the proxy a DNS SRV alias of both
    assert support.findtext("Proxy_1_") == "pbx.demo.invalid:SRV=pbx.demo.invalid:5060:p=0|pbx2.demo.invalid:5060:p=1"
    assert support.findtext("SIP_Transport_1_") == "UDP"
    assert [support.findtext(f"{n}_Codec_1_") for n in ("Preferred", "Second_Preferred", "Third_Preferred")] == [
        "G722",
        "G711a",
        "G711u",
    ]


def test_time_network_admin_and_provisioning(support) -> None:
    assert support.findtext("Time_Zone") == "GMT+03:00"
    assert support.findtext("Daylight_Saving_Time_Enable") == "No"
    assert support.findtext("Primary_NTP_Server") == "ntp.demo.invalid"
    assert (support.findtext("Enable_VLAN"), support.findtext("VLAN_ID")) == ("Yes", "20")
    assert support.findtext("Admin_Password") == "demo-admin-156fa093"
    password = support_password()
    # the phone's own file keeps the phone-auth credentials in the rule, or its next resync would be refused
    assert support.findtext("Profile_Rule") == f"[--uid provisioning --pwd {password}]https://prov.demo.invalid/$MA.xml"
    assert support.findtext("Resync_Periodic") == "3600"


def support_password() -> str:
    return reveal(demo_fleet().settings["phone_auth"]["cisco_mpp"]["password"])


def test_dst_rule_for_a_zone_with_dst(tmp_path) -> None:
    profiles = (Path(__file__).resolve().parents[3] / "inventory/demo/fleet/profiles.yml").read_text()
    fleet = fleet_from(tmp_path, **{"profiles.yml": profiles.replace("Europe/Moscow", "Europe/Berlin")})
    root = profile(render_fleet_phone(fleet, SUPPORT).files["c4b9cd112201.xml"])
    assert root.findtext("Time_Zone") == "GMT+01:00"
    assert root.findtext("Daylight_Saving_Time_Enable") == "Yes"
    assert root.findtext("Daylight_Saving_Time_Rule") == "start=3/-1/7/2:0:0;end=10/-1/7/3:0:0;save=1:0:0"


def test_keys_and_expansion_module(kem_phone) -> None:
    root = profile(kem_phone.files["c4b9cd000002.xml"])
    assert (root.findtext("Extension_1_"), root.findtext("Extended_Function_1_")) == ("1", "")
    assert root.findtext("Extension_2_") == "Disabled"
    assert root.findtext("Extended_Function_2_") == "fnc=blf+sd+cp;sub=2001@$PROXY;nme=R&D"
    assert root.findtext("Extended_Function_3_") == "fnc=sd;ext=2002@$PROXY;nme=Director"
    assert root.findtext("Unit_1_Key_1_") == "fnc=blf+sd+cp;sub=2010@$PROXY;nme=KEM BLF"
    assert root.findtext("User_ID_2_") == "2302"


def test_missing_key_function_is_a_warning_naming_the_phone(kem_phone) -> None:
    assert any("c4:b9:cd:00:00:02" in w and "'voicemail'" in w for w in kem_phone.warnings)
    assert profile(kem_phone.files["c4b9cd000002.xml"]).find("Extended_Function_4_") is None


def test_names_are_escaped(kem_phone) -> None:
    data = kem_phone.files["c4b9cd000002.xml"]
    assert b"Sales &amp; &lt;Ops&gt;" in data
    root = profile(data)
    assert root.findtext("Station_Name") == "Sales & <Ops>"
    assert root.findtext("Password_1_") == "p&<w>"


def test_rendering_is_deterministic() -> None:
    assert render_demo_phone(SUPPORT).files == render_demo_phone(SUPPORT).files


def test_model_files_for_unknown_phones(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"phones.yml": KEM_PHONES, "settings.yml": MPP_ONLY_SETTINGS})
    files, owners = FleetRenderer(fleet, reveal).shared()
    assert ("6841-3PCC.xml", "cisco_mpp") in owners and ("8851-3PCC.xml", "cisco_mpp") in owners
    root = profile(files["6841-3PCC.xml"])
    assert root.findtext("Profile_Rule") == "https://prov.demo.invalid/$MA.xml"
    assert root.find("User_ID_1_") is None
