"""Snom (D-series) rendering: setting-file lists, <MAC>.xml phone settings and function keys, firmware."""

from __future__ import annotations

import importlib
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
support = importlib.import_module("render_support")
renderer = importlib.import_module("ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer")
driver_errors = importlib.import_module(
    "ansible_collections.phonefleet.provisioning.plugins.module_utils.render.driver"
)

MAC = "000413010203"
FILE = "000413010203.xml"
PHONES = """
phones:
  - mac: 00:04:13:01:02:03
    name: HR
    vendor: snom
    model: D785
    {extra}
    lines:
      - {{number: "2013", display_name: HR, password: line-secret}}
    keys:
      - {{index: 1, function: line, line: 1}}
      - {{index: 2, function: blf, value: "2002", label: Director}}
      - {{index: 3, function: speed_dial, value: "84951234567", label: Security}}
      - {{index: 4, function: park, value: "700", label: Park}}
      - {{index: 5, function: pickup, value: "*8", label: Pickup}}
      - {{index: 26, function: blf, value: "2003", label: Accounting}}
"""
FIRMWARE = """
firmware:
  files:
    - name: snom-d785-10.1.184
      vendor: snom
      models: [D785]
      version: 10.1.184.14
      file: snomD785-10.1.184.14-SIP-r.bin
  kits:
    2026-q3: {files: [snom-d785-10.1.184]}
"""


def settings(data: bytes) -> dict:
    """phone-settings as {(name, idx): text}."""
    root = ET.fromstring(data)
    assert root.tag == "settings"
    found: dict = {}
    for element in root.find("phone-settings"):
        key = (element.tag, element.get("idx"))
        assert key not in found, key
        found[key] = element.text or ""
    return found


def fkeys(data: bytes) -> dict:
    return {
        int(key.get("idx")): (key.text, key.get("label"), key.get("context"))
        for key in ET.fromstring(data).find("functionKeys")
    }


def fleet(tmp_path, extra: str = "", **files: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    return support.fleet_from(tmp_path, **{"phones.yml": PHONES.format(extra=extra), **files})


def test_demo_files_and_setting_file_list() -> None:
    rendered = support.render_demo_phone(MAC)
    assert sorted(rendered.files) == ["000413010203.xml", "snomD785-000413010203.htm"]
    listing = ET.fromstring(rendered.files["snomD785-000413010203.htm"])
    assert [f.get("url") for f in listing.iter("file")] == ["https://prov.demo.invalid/000413010203.xml"]


def test_demo_identity_and_server() -> None:
    values = settings(support.render_demo_phone(MAC).files[FILE])
    assert values[("user_active", "1")] == "on"
    assert values[("user_host", "1")] == "pbx.demo.invalid"
    assert values[("user_outbound", "1")] == "pbx.demo.invalid:5060;transport=udp"
    assert values[("user_name", "1")] == "2013"
    assert values[("user_pname", "1")] == "2013"
    assert values[("user_pass", "1")] == "demo-2013-108c817e"
    assert values[("user_realname", "1")] == "HR"
    assert values[("user_mailbox", "1")] == "*97"
    assert values[("codec_priority_list", "1")] == "g722,pcma,pcmu,opus,telephone-event"
    assert ("user_name", "3") not in values  # one line, and its backup identity (2)


def test_the_backup_registrar_is_a_hidden_failover_identity() -> None:
    rendered = support.render_demo_phone(MAC)
    values = settings(rendered.files[FILE])
    assert values[("user_failover_identity", "1")] == "2"
    assert (values[("user_host", "2")], values[("hide_identity", "2")]) == ("pbx2.demo.invalid", "true")
    assert values[("user_pass", "2")] == values[("user_pass", "1")]
    assert not any("backup registrar" in warning for warning in rendered.warnings)


def test_demo_time_vlan_admin_and_provisioning() -> None:
    values = settings(support.render_demo_phone(MAC).files[FILE])
    assert values[("ntp_server", None)] == "ntp.demo.invalid"
    assert values[("timezone", None)] == "RUS+3"
    assert values[("vlan_id", None)] == "20"
    assert values[("vlan_qos", None)] == "5"
    assert values[("codec_tos", None)] == "184"  # DSCP 46
    assert values[("admin_mode_password", None)] == "demo-admin-156fa093"
    assert values[("http_pass", None)] == "demo-admin-156fa093"
    assert values[("setting_server", None)] == "https://prov.demo.invalid/snomD785-000413010203.htm"
    assert values[("update_policy", None)] == "settings_only"


def test_function_keys_blf_and_expansion_module(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path, extra="modules: [D7]"), MAC)
    keys = fkeys(rendered.files[FILE])
    assert keys[0] == ("line", "", "1")  # a line key is its identity's, not whichever is active
    assert keys[1] == ("blf <sip:2002@pbx.demo.invalid>|*8", "Director", "active")
    assert keys[2] == ("speed 84951234567", "Security", "active")
    assert keys[3] == ("orbit 700", "Park", "active")
    # key 26 = the second key of the D7, after the D785's 24 keys: idx 25
    assert keys[25] == ("blf <sip:2003@pbx.demo.invalid>|*8", "Accounting", "active")


def test_unsupported_key_function_is_a_warning_naming_the_phone(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path), MAC)
    assert any("00:04:13:01:02:03" in warning and "'pickup'" in warning for warning in rendered.warnings)
    assert 4 not in fkeys(rendered.files[FILE])


def test_firmware_url_from_the_kit(tmp_path) -> None:
    rendered = support.render_fleet_phone(
        fleet(tmp_path, extra="firmware_kit: 2026-q3", **{"firmware.yml": FIRMWARE}), MAC
    )
    values = settings(rendered.files[FILE])
    assert values[("update_policy", None)] == "auto_update"
    assert values[("firmware_status", None)] == "https://prov.demo.invalid/000413010203-firmware.xml"
    firmware = ET.fromstring(rendered.files["000413010203-firmware.xml"])
    assert firmware.findtext("firmware") == "https://prov.demo.invalid/firmware/snomD785-10.1.184.14-SIP-r.bin"


def test_time_zone_without_a_snom_code_fails_unless_params_give_one(tmp_path) -> None:
    profiles = (support.DEMO_FLEET / "profiles.yml").read_text().replace("Europe/Moscow, dst: auto", "Asia/Kolkata")
    with pytest.raises(driver_errors.RenderError, match="Asia/Kolkata"):
        support.render_fleet_phone(fleet(tmp_path / "a", **{"profiles.yml": profiles}), MAC)
    extended = (support.DEMO_FLEET / "extended_sets.yml").read_text() + (
        "\n  snom-office:\n    vendor: snom\n    params: {timezone: IND+5.5, language: English}\n"
    )
    profiles = profiles.replace("unify-office]", "unify-office, snom-office]")
    rendered = support.render_fleet_phone(
        fleet(tmp_path / "b", **{"profiles.yml": profiles, "extended_sets.yml": extended}), MAC
    )
    values = settings(rendered.files[FILE])
    assert values[("timezone", None)] == "IND+5.5"
    assert values[("language", None)] == "English"


def test_rendering_is_deterministic_and_follows_the_profile(tmp_path) -> None:
    first = support.render_demo_phone(MAC).files[FILE]
    assert first == support.render_demo_phone(MAC).files[FILE]
    changed = support.render_fleet_phone(fleet(tmp_path, extra="profile: warehouse"), MAC).files[FILE]
    assert changed != first
    values = settings(changed)
    assert values[("user_outbound", "1")] == "sbc.demo.invalid:5061;transport=tls"
    assert values[("codec_priority_list", "1")] == "pcma,g729,telephone-event"
    assert values[("vlan_id", None)] == "30"


def test_shared_model_files_and_base_files() -> None:
    files, owners = renderer.FleetRenderer(support.demo_fleet(), support.reveal).shared()
    snom = {name for name, vendor in owners if vendor == "snom"}
    assert {"snomD785.htm", "snomD785.xml", "snomD735.htm", "snomD735.xml"} <= snom
    listing = ET.fromstring(files["snomD785.htm"])
    assert [f.get("url") for f in listing.iter("file")] == [
        "https://prov.demo.invalid/snomD785.xml",
        "https://prov.demo.invalid/{mac}.xml",
    ]
    model = ET.fromstring(files["snomD785.xml"])
    assert model.find("phone-settings").findtext("setting_server") == "https://prov.demo.invalid/snomD785.htm"
