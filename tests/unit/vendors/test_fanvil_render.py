"""Fanvil rendering: the X6U file is ``<mac>.cfg`` in the ``<sysConf>`` XML format with Fanvil's names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.fanvil import driver as fanvil
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

GUARD_ROOM = "0c383e010203"
PHONES = """
phones:
  - mac: 0c:38:3e:aa:bb:cc
    name: Gate
    model: X6U
    profile: office
    lines:
      - {number: "2301", password: secret-2301}
    keys:
      - {index: 1, function: line, line: 1}
      - {index: 2, function: blf, value: "2002", label: Director}
      - {index: 3, function: speed_dial, value: "2040", label: Store}
      - {index: 6, function: park, value: "700", label: Park}
      - {index: 19, function: blf, value: "2019", label: Yard}
      - {index: 20, function: dnd, label: DND}
"""


def demo_xml() -> ET.Element:
    rendered = render_demo_phone(GUARD_ROOM)
    assert list(rendered.files) == ["0c383e010203.cfg"]
    return ET.fromstring(rendered.files["0c383e010203.cfg"])


def test_line_over_tls_from_the_vault() -> None:
    line = demo_xml().find("sip/line[@index='1']")
    assert line is not None
    assert line.findtext("PhoneNumber") == "2014"
    assert line.findtext("RegisterUser") == "2014"
    assert line.findtext("RegisterPswd") == reveal(demo_fleet().phone(GUARD_ROOM).lines[0].password)
    assert line.findtext("RegisterAddr") == "sbc.demo.invalid"
    assert line.findtext("RegisterPort") == "5061"
    assert line.findtext("Transport") == "3"
    assert line.findtext("RegisterTTL") == "600"
    assert line.findtext("EnableReg") == "1"


def test_codecs_time_vlan_admin() -> None:
    root = demo_xml()
    assert root.findtext("mm/capability/AudioCodecSets") == "PCMA,G729"
    assert root.findtext("phone/date/SNTPServer") == "ntp.demo.invalid"
    assert root.findtext("phone/date/TimeZone") == "12"
    assert root.findtext("phone/date/TimeZoneName") == "UTC+3"
    assert root.findtext("phone/date/EnableDST") == "0"
    assert root.findtext("qos/EnableVLAN") == "1"
    assert root.findtext("qos/VLANID") == "30"
    assert root.findtext("qos/VoicePriority") == "5"
    account = root.find("web/account[@index='1']")
    assert account is not None and account.findtext("Name") == "admin"
    assert (account.findtext("Password") or "").startswith("demo-admin-")
    assert root.findtext("ap/FlashServerIP") == "https://prov.demo.invalid/"
    assert root.find("AUTOUPDATE_CONFIG_MODULE") is None


def test_dst_and_firmware(tmp_path) -> None:
    profiles = (DEMO_FLEET / "profiles.yml").read_text()
    old = "time: {ntp: [ntp.demo.invalid], timezone: Europe/Moscow}"
    assert old in profiles
    profiles = profiles.replace(old, "time: {ntp: [ntp.demo.invalid], timezone: Europe/Berlin}")
    firmware = (
        (DEMO_FLEET / "firmware.yml")
        .read_text()
        .replace(
            "  kits:\n",
            "    - {name: fanvil-x6u, vendor: fanvil, models: [X6U], version: 2.12.16.17, file: x6u.z}\n  kits:\n",
        )
    )
    firmware = firmware.replace("files: [yealink-t54w-96.86.0.45,", "files: [fanvil-x6u, yealink-t54w-96.86.0.45,")
    phones = (
        (DEMO_FLEET / "phones.yml")
        .read_text()
        .replace("    model: X6U\n", "    model: X6U\n    firmware_kit: 2026-q3\n")
    )
    fleet = fleet_from(tmp_path, **{"profiles.yml": profiles, "firmware.yml": firmware, "phones.yml": phones})
    root = ET.fromstring(render_fleet_phone(fleet, GUARD_ROOM).files[f"{GUARD_ROOM}.cfg"])
    date = root.find("phone/date")
    assert date is not None
    assert (date.findtext("TimeZone"), date.findtext("EnableDST"), date.findtext("DSTMinOffset")) == ("4", "2", "60")
    assert [date.findtext(f"DSTStart{x}") for x in ("Mon", "Week", "Wday", "Hour")] == ["3", "-1", "0", "2"]
    assert [date.findtext(f"DSTEnd{x}") for x in ("Mon", "Week", "Wday", "Hour")] == ["10", "-1", "0", "3"]
    assert root.findtext("AUTOUPDATE_CONFIG_MODULE/Auto_Image_URL") == "https://prov.demo.invalid/firmware/x6u.z"


def test_dss_keys_side_and_pages_and_unsupported_function(tmp_path) -> None:
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": PHONES}), "0c383eaabbcc")
    root = ET.fromstring(rendered.files["0c383eaabbcc.cfg"])

    def fkey(path: str) -> tuple:
        key = root.find(path)
        assert key is not None, path
        return key.findtext("Type"), key.findtext("Value"), key.findtext("Title")

    assert fkey("dsskey/dssSide[@index='1']/Fkey[@index='1']") == ("2", "SIP1", "")
    assert fkey("dsskey/dssSide[@index='1']/Fkey[@index='2']") == ("1", "2002@1/ba*82002", "Director")
    assert fkey("dsskey/dssSide[@index='1']/Fkey[@index='3']") == ("1", "2040@1/f", "Store")
    # X6U: 5 keys beside the screen, then 12 a page
    assert fkey("dsskey/internal[@index='1']/Fkey[@index='1']") == ("2", "700@1/c", "Park")
    assert fkey("dsskey/internal[@index='2']/Fkey[@index='2']") == ("1", "2019@1/ba*82019", "Yard")
    assert root.findtext("dsskey/FuncKeyPageNum") == "2"
    assert any("0c:38:3e:aa:bb:cc" in w and "'dnd'" in w for w in rendered.warnings), rendered.warnings
    assert "DND" not in rendered.files["0c383eaabbcc.cfg"].decode()


def test_deterministic_and_profile_change(tmp_path) -> None:
    before = render_demo_phone(GUARD_ROOM).files
    assert before == render_demo_phone(GUARD_ROOM).files
    profiles = (DEMO_FLEET / "profiles.yml").read_text().replace("codecs: [pcma, g729]", "codecs: [g722, pcmu]")
    after = render_fleet_phone(fleet_from(tmp_path, **{"profiles.yml": profiles}), GUARD_ROOM).files
    assert after != before
    assert ET.fromstring(after[f"{GUARD_ROOM}.cfg"]).findtext("mm/capability/AudioCodecSets") == "G722,PCMU"


def test_no_shared_or_base_files(tmp_path) -> None:
    settings = (DEMO_FLEET / "settings.yml").read_text()
    vendors = re.search(r"^  vendors: \[.*\]$", settings, re.M)
    assert vendors
    fleet = fleet_from(
        tmp_path, **{"settings.yml": settings.replace(vendors.group(0), "  vendors: [fanvil]"), "phones.yml": PHONES}
    )
    assert FleetRenderer(fleet, reveal).shared() == ({}, [])


def test_request_and_user_agent_patterns() -> None:
    driver = fanvil.DRIVER
    assert any(re.fullmatch(p, "0c383e010203.cfg") for p in driver.requested_files)
    assert not any(re.fullmatch(p, "000000000000.cfg") for p in driver.requested_files)
    match = re.search(driver.user_agents[0], "Fanvil X5U-V2 2.12.16.17 0c383e557eb1")
    assert match and match.group("model", "firmware", "mac") == ("X5U-V2", "2.12.16.17", "0c383e557eb1")
