"""Poly (UC Software) rendering: the master files, <mac>-phone.cfg attributes and the contact directory."""

from __future__ import annotations

import importlib
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
support = importlib.import_module("render_support")
renderer = importlib.import_module("ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer")

MAC = "64167f010203"
PHONES = """
phones:
  - mac: 64:16:7f:01:02:03
    name: Conference
    vendor: poly
    model: VVX 450
    {extra}
    lines:
      - {{number: "2011", display_name: Conference, password: line-secret}}
      - {{number: "2111", display_name: Conference 2, password: second-secret}}
    keys:
      - {{index: 1, function: line, line: 1}}
      - {{index: 2, function: blf, value: "2002", label: Director}}
      - {{index: 3, function: speed_dial, value: "84951234567", label: Security}}
      - {{index: 4, function: park, value: "700", label: Park}}
      - {{index: 5, function: dnd, label: DND}}
      - {{index: 14, function: blf, value: "2003", label: Accounting}}
"""
FIRMWARE = """
firmware:
  files:
    - {name: poly-vvx-6.4.6, vendor: poly, models: [VVX 450], version: 6.4.6.2000, file: UCS_6.4.6_sip.ld}
  kits:
    2026-q3: {files: [poly-vvx-6.4.6]}
"""


def attributes(data: bytes) -> dict:
    """Every attribute of a Poly XML config file, as the phone reads them: names are unique keys."""
    found: dict = {}
    for element in ET.fromstring(data).iter():
        for name, value in element.attrib.items():
            assert name not in found, name
            found[name] = value
    return found


def fleet(tmp_path, extra: str = "", **files: str):
    return support.fleet_from(tmp_path, **{"phones.yml": PHONES.format(extra=extra), **files})


def test_demo_phone_gets_master_and_config_files() -> None:
    rendered = support.render_demo_phone(MAC)
    assert sorted(rendered.files) == [f"{MAC}-phone.cfg", f"{MAC}.cfg"]
    master = ET.fromstring(rendered.files[f"{MAC}.cfg"])
    assert master.tag == "APPLICATION"
    assert master.get("CONFIG_FILES") == f"{MAC}-phone.cfg"
    assert master.get("APP_FILE_PATH") == ""


def test_demo_line_server_and_decrypted_password() -> None:
    config = attributes(support.render_demo_phone(MAC).files[f"{MAC}-phone.cfg"])
    assert config["voIpProt.server.1.address"] == "pbx.demo.invalid"
    assert config["voIpProt.server.1.port"] == "5060"
    assert config["voIpProt.server.1.transport"] == "UDPOnly"
    assert config["voIpProt.server.1.expires"] == "3600"
    assert config["voIpProt.server.2.address"] == "pbx2.demo.invalid"
    assert config["reg.1.address"] == "2011"
    assert config["reg.1.auth.userId"] == "2011"
    assert config["reg.1.auth.password"] == "demo-2011-091537fe"
    assert config["reg.1.displayName"] == "Conference"
    assert config["msg.mwi.1.callBack"] == "*97"
    assert "reg.2.address" not in config


def test_demo_codecs_in_order_and_others_off() -> None:
    config = attributes(support.render_demo_phone(MAC).files[f"{MAC}-phone.cfg"])
    codecs = {
        name.removeprefix("voice.codecPref."): int(value) for name, value in config.items() if "codecPref" in name
    }
    offered = sorted((rank, name) for name, rank in codecs.items() if rank)
    assert [name for _ignored, name in offered] == ["G722", "G711_A", "G711_Mu", "Opus"]
    assert codecs["G729_AB"] == 0


def test_demo_time_vlan_and_admin_password() -> None:
    config = attributes(support.render_demo_phone(MAC).files[f"{MAC}-phone.cfg"])
    assert config["tcpIpApp.sntp.address"] == "ntp.demo.invalid"
    assert config["tcpIpApp.sntp.gmtOffset"] == "10800"  # Europe/Moscow, UTC+3, in seconds
    assert config["tcpIpApp.sntp.daylightSavings.enable"] == "0"
    assert config["lcl.datetime.time.24HourClock"] == "1"
    assert config["device.set"] == "1"
    assert config["device.net.vlanId"] == "20"
    assert config["device.net.vlanId.set"] == "1"
    assert config["device.auth.localAdminPassword"] == "demo-admin-156fa093"
    assert config["device.auth.localAdminPassword.set"] == "1"


def test_dst_rule_of_a_zone_with_summer_time(tmp_path) -> None:
    profiles = (support.DEMO_FLEET / "profiles.yml").read_text().replace("Europe/Moscow, dst: auto", "Europe/Berlin")
    rendered = support.render_fleet_phone(fleet(tmp_path, **{"profiles.yml": profiles}), MAC)
    config = attributes(rendered.files[f"{MAC}-phone.cfg"])
    assert config["tcpIpApp.sntp.gmtOffset"] == "3600"
    assert config["tcpIpApp.sntp.daylightSavings.enable"] == "1"
    # CET-1CEST,M3.5.0,M10.5.0/3: last Sunday of March 02:00, last Sunday of October 03:00
    assert config["tcpIpApp.sntp.daylightSavings.start.month"] == "3"
    assert config["tcpIpApp.sntp.daylightSavings.start.dayOfWeek"] == "1"
    assert config["tcpIpApp.sntp.daylightSavings.start.dayOfWeek.lastInMonth"] == "1"
    assert config["tcpIpApp.sntp.daylightSavings.start.time"] == "2"
    assert config["tcpIpApp.sntp.daylightSavings.stop.month"] == "10"
    assert config["tcpIpApp.sntp.daylightSavings.stop.time"] == "3"


def test_keys_blf_park_speed_dial_and_expansion_module(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path, extra="modules: [VVX Color Expansion Module]"), MAC)
    config = attributes(rendered.files[f"{MAC}-phone.cfg"])
    assert config["lineKey.reassignment.enabled"] == "1"
    assert (config["lineKey.1.category"], config["lineKey.1.index"]) == ("Line", "1")
    assert (config["lineKey.2.category"], config["lineKey.2.index"]) == ("BLF", "1")
    assert config["attendant.resourceList.1.address"] == "2002"
    assert config["attendant.resourceList.1.label"] == "Director"
    assert config["attendant.resourceList.1.type"] == "normal"
    assert (config["lineKey.3.category"], config["lineKey.3.index"]) == ("SpeedDial", "1")
    assert config["attendant.resourceList.2.address"] == "700"
    assert config["attendant.resourceList.2.type"] == "automata"
    # key 14 = the second key of the expansion module, numbered on after the VVX 450's 12 line keys
    assert (config["lineKey.14.category"], config["lineKey.14.index"]) == ("BLF", "3")
    assert config["attendant.resourceList.3.address"] == "2003"
    directory = ET.fromstring(rendered.files[f"{MAC}-directory.xml"])
    items = [(item.findtext("fn"), item.findtext("ct"), item.findtext("sd")) for item in directory.iter("item")]
    assert items == [("Security", "84951234567", "1")]


def test_unsupported_key_function_is_a_warning_naming_the_phone(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path), MAC)
    assert any("64:16:7f:01:02:03" in warning and "'dnd'" in warning for warning in rendered.warnings)
    config = attributes(rendered.files[f"{MAC}-phone.cfg"])
    assert "lineKey.5.category" not in config
    # key 14 has no place without a module: a warning as well
    assert any("key 14 has no place" in warning for warning in rendered.warnings)


def test_second_line_and_firmware_from_the_kit(tmp_path) -> None:
    rendered = support.render_fleet_phone(
        fleet(tmp_path, extra="firmware_kit: 2026-q3", **{"firmware.yml": FIRMWARE}), MAC
    )
    config = attributes(rendered.files[f"{MAC}-phone.cfg"])
    assert config["reg.2.address"] == "2111"
    assert config["reg.2.auth.password"] == "second-secret"
    master = ET.fromstring(rendered.files[f"{MAC}.cfg"])
    assert master.get("APP_FILE_PATH") == "https://prov.demo.invalid/firmware/UCS_6.4.6_sip.ld"


def test_extended_set_params_are_poly_attributes(tmp_path) -> None:
    extended = (support.DEMO_FLEET / "extended_sets.yml").read_text() + (
        "\n  poly-office:\n    vendor: poly\n    params: {up.backlight.idleIntensity: 1}\n"
    )
    profiles = (support.DEMO_FLEET / "profiles.yml").read_text().replace("unify-office]", "unify-office, poly-office]")
    rendered = support.render_fleet_phone(
        fleet(tmp_path, **{"extended_sets.yml": extended, "profiles.yml": profiles}), MAC
    )
    assert attributes(rendered.files[f"{MAC}-phone.cfg"])["up.backlight.idleIntensity"] == "1"


def test_rendering_is_deterministic_and_follows_the_profile(tmp_path) -> None:
    first = support.render_demo_phone(MAC).files
    assert first == support.render_demo_phone(MAC).files
    rendered = support.render_fleet_phone(fleet(tmp_path, extra="profile: warehouse"), MAC)
    assert rendered.files[f"{MAC}-phone.cfg"] != first[f"{MAC}-phone.cfg"]
    config = attributes(rendered.files[f"{MAC}-phone.cfg"])
    assert config["voIpProt.server.1.address"] == "sbc.demo.invalid"
    assert config["voIpProt.server.1.transport"] == "TLS"
    assert config["voIpProt.server.1.port"] == "5061"
    assert config["device.net.vlanId"] == "30"


def test_base_master_file_for_unknown_phones() -> None:
    files, owners = renderer.FleetRenderer(support.demo_fleet(), support.reveal).shared()
    assert ("000000000000.cfg", "poly") in owners
    master = ET.fromstring(files["000000000000.cfg"])
    assert master.get("CONFIG_FILES") == "[PHONE_MAC_ADDRESS]-phone.cfg"
    assert master.get("APP_FILE_PATH") == ""
