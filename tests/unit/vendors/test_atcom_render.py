"""Atcom rendering: the Yealink platform with Atcom's file names and V7x parameter names."""

from __future__ import annotations

import re

from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.atcom import datasheet as atcom_datasheet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.atcom import driver as atcom
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.yealink import driver as yealink
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

WAREHOUSE = "000945102030"
ATCOM_SET = """
  atcom-lab:
    vendor: atcom
    params:
      phone_setting.backlight_time: 30
      lang.gui: Russian
"""


def params(data: bytes) -> dict:
    found = {}
    for line in data.decode().splitlines():
        if " = " in line and not line.startswith("#"):
            name, value = line.split(" = ", 1)
            found[name] = value
    return found


def demo_file() -> dict:
    rendered = render_demo_phone(WAREHOUSE)
    assert list(rendered.files) == ["000945102030.cfg"]
    assert rendered.files["000945102030.cfg"].startswith(b"#!version:1.0.0.1\n")
    return params(rendered.files["000945102030.cfg"])


def test_runs_on_the_yealink_platform() -> None:
    assert atcom_datasheet.PLATFORM == "yealink"
    assert isinstance(atcom.DRIVER, yealink.YealinkDriver)
    assert atcom.DRIVER.vendor.name == "atcom"


def test_account_in_the_v7x_dialect_over_tls() -> None:
    cfg = demo_file()
    assert cfg["account.1.enable"] == "1"
    assert cfg["account.1.user_name"] == "2008"
    assert cfg["account.1.password"] == reveal(demo_fleet().phone(WAREHOUSE).lines[0].password)
    assert cfg["account.1.sip_server_host"] == "sbc.demo.invalid"
    assert cfg["account.1.sip_server_port"] == "5061"
    assert cfg["account.1.transport"] == "2"
    assert cfg["account.1.expires"] == "600"
    assert not any(name.startswith(("static.", "account.1.sip_server.")) for name in cfg)


def test_codecs_indexed_in_priority_order() -> None:
    cfg = demo_file()
    assert (cfg["account.1.codec.1.payload_type"], cfg["account.1.codec.1.priority"]) == ("PCMA", "1")
    assert (cfg["account.1.codec.2.payload_type"], cfg["account.1.codec.2.priority"]) == ("G729", "2")
    assert "account.1.codec.3.enable" not in cfg


def test_time_vlan_admin_schedule() -> None:
    cfg = demo_file()
    assert cfg["local_time.ntp_server1"] == "ntp.demo.invalid"
    assert cfg["local_time.time_zone"] == "+3"
    assert cfg["network.vlan.internet_port_enable"] == "1"
    assert cfg["network.vlan.internet_port_vid"] == "30"
    assert cfg["network.vlan.internet_port_priority"] == "5"
    assert cfg["security.user_password"].startswith("admin:demo-admin-")
    assert cfg["auto_provision.weekly.enable"] == "1"
    assert cfg["auto_provision.weekly.dayofweek"] == "12345"
    assert (cfg["auto_provision.weekly.begin_time"], cfg["auto_provision.weekly.end_time"]) == ("01:00", "04:00")


def test_atcom_extended_sets_apply_and_yealink_ones_do_not(tmp_path) -> None:
    extended = (DEMO_FLEET / "extended_sets.yml").read_text() + ATCOM_SET
    profiles = (DEMO_FLEET / "profiles.yml").read_text()
    marker = "    codecs: [pcma, g729]\n"
    assert marker in profiles
    profiles = profiles.replace(marker, marker + "    extended: [atcom-lab, yealink-office]\n")
    fleet = fleet_from(tmp_path, **{"extended_sets.yml": extended, "profiles.yml": profiles})
    data = render_fleet_phone(fleet, WAREHOUSE).files[f"{WAREHOUSE}.cfg"].decode()
    assert data.splitlines()[-2:] == ["phone_setting.backlight_time = 30", "lang.gui = Russian"]
    assert "features.dnd.allow = 1" not in data  # from the Yealink set


def test_keys_on_the_a20w_and_a_key_without_place(tmp_path) -> None:
    phones = """
phones:
  - mac: 80:82:87:00:00:01
    model: A20W
    lines:
      - {number: "2201", password: secret-2201}
    keys:
      - {index: 1, function: line, line: 1}
      - {index: 2, function: blf, value: "2002", label: Director}
      - {index: 3, function: blf, value: "2003", label: Accounting}
"""
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": phones}), "808287000001")
    assert list(rendered.files) == ["808287000001.cfg"]
    cfg = params(rendered.files["808287000001.cfg"])
    assert (cfg["linekey.2.type"], cfg["linekey.2.value"], cfg["linekey.2.extension"]) == ("16", "2002", "*8")
    assert "linekey.3.type" not in cfg
    assert any("80:82:87:00:00:01" in w and "key 3" in w for w in rendered.warnings), rendered.warnings


def test_upper_case_mac_file_name(tmp_path) -> None:
    phones = """
phones:
  - mac: 80:82:87:ab:cd:ef
    model: A48
    lines:
      - {number: "2202", password: secret-2202}
"""
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": phones}), "808287abcdef")
    assert list(rendered.files) == ["808287ABCDEF.cfg"]
    assert any(re.fullmatch(p, "808287ABCDEF.cfg") for p in atcom.DRIVER.requested_files)


def test_deterministic_and_profile_change(tmp_path) -> None:
    before = render_demo_phone(WAREHOUSE).files
    assert before == render_demo_phone(WAREHOUSE).files
    profiles = (DEMO_FLEET / "profiles.yml").read_text().replace("codecs: [pcma, g729]", "codecs: [g722, pcmu]")
    after = render_fleet_phone(fleet_from(tmp_path, **{"profiles.yml": profiles}), WAREHOUSE).files
    assert after != before
    assert params(after[f"{WAREHOUSE}.cfg"])["account.1.codec.1.payload_type"] == "G722"


def test_base_file_points_at_the_server(tmp_path) -> None:
    settings = (DEMO_FLEET / "settings.yml").read_text()
    vendors = re.search(r"^  vendors: \[.*\]$", settings, re.M)
    assert vendors
    phones = """
phones:
  - mac: 80:82:87:00:00:02
    model: A20W
    lines:
      - {number: "2203", password: secret-2203}
"""
    settings = settings.replace(vendors.group(0), "  vendors: [atcom]")
    fleet = fleet_from(tmp_path, **{"settings.yml": settings, "phones.yml": phones})
    files, owners = FleetRenderer(fleet, reveal).shared()
    assert FleetRenderer(fleet, reveal).shared() == (files, owners)
    assert sorted(files) == ["a000000000000.cfg"]
    assert owners == [("a000000000000.cfg", "atcom")]
    assert files["a000000000000.cfg"].startswith(b"#!version:1.0.0.1\n")
    assert params(files["a000000000000.cfg"]) == {"auto_provision.server.url": "https://prov.demo.invalid/"}
    assert any(re.fullmatch(p, "a000000000023.cfg") for p in atcom.DRIVER.requested_files)
