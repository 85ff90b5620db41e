"""Qtech QVP: a brand served by its (assumed) platform's driver, under Qtech's name, models and extended sets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.context import ContextBuilder
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.avaya import driver as avaya
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.qtech import driver as qtech
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

MAC = "000add102031"
DOCK = "    model: QVP-95R\n"


def line_one(rendered) -> ET.Element:
    root = ET.fromstring(rendered.files[f"{MAC}.cfg"])
    line = root.find("./sip/line[@index='1']")
    assert line is not None
    return root, line


def phones_with_dock(tmp_path, extra: str):
    text = (DEMO_FLEET / "phones.yml").read_text()
    assert DOCK in text
    return fleet_from(tmp_path, **{"phones.yml": text.replace(DOCK, DOCK + extra)})


def test_platform_is_the_assumed_one_until_fingerprinted():
    assert qtech.PLATFORM is None
    assert qtech.ASSUMED_PLATFORM == "fanvil"
    platform = registry.driver_for("fanvil")
    assert qtech.DRIVER.platform is platform
    assert registry.driver_for("qtech") is qtech.DRIVER
    assert qtech.DRIVER.vendor.name == "qtech"
    assert qtech.DRIVER.requested_files == platform.requested_files
    assert qtech.DRIVER.user_agents == platform.user_agents
    assert qtech.DRIVER.key_functions == platform.key_functions
    assert qtech.DRIVER.codec_names == platform.codec_names


def test_demo_phone_gets_the_platform_file_with_tls_account():
    fleet = demo_fleet()
    rendered = render_demo_phone(MAC)
    assert list(rendered.files) == [f"{MAC}.cfg"]
    assert rendered.warnings == []
    root, line = line_one(rendered)
    assert line.findtext("RegisterAddr") == "sbc.demo.invalid"
    assert line.findtext("RegisterPort") == "5061"
    assert line.findtext("Transport") == "3"  # Fanvil: 0 UDP, 1 TCP, 3 TLS
    assert line.findtext("PhoneNumber") == "2009"
    assert line.findtext("RegisterUser") == "2009"
    password = reveal(fleet.phone(MAC).lines[0].password)
    assert not password.startswith("$ANSIBLE_VAULT")
    assert line.findtext("RegisterPswd") == password
    assert root.findtext("./mm/capability/AudioCodecSets") == "PCMA,G729"
    assert root.findtext("./phone/date/SNTPServer") == "ntp.demo.invalid"
    assert root.findtext("./qos/VLANID") == "30"
    assert root.findtext("./web/account/Password") == reveal(fleet.profiles["warehouse"].admin_password)


def test_profile_change_changes_the_file(tmp_path):
    before = render_demo_phone(MAC).files[f"{MAC}.cfg"]
    text = (DEMO_FLEET / "phones.yml").read_text()
    old = "    model: QVP-95R\n    profile: warehouse\n"
    assert old in text
    fleet = fleet_from(tmp_path, **{"phones.yml": text.replace(old, "    model: QVP-95R\n    profile: office\n")})
    rendered = render_fleet_phone(fleet, MAC)
    assert rendered.files[f"{MAC}.cfg"] != before
    root, line = line_one(rendered)
    assert (line.findtext("RegisterAddr"), line.findtext("RegisterPort")) == ("pbx.demo.invalid", "5060")
    assert line.findtext("Transport") == "0"
    assert root.findtext("./mm/capability/AudioCodecSets") == "G722,PCMA,PCMU,OPUS"


def test_rendering_is_deterministic():
    assert render_demo_phone(MAC).files == render_demo_phone(MAC).files


def test_keys_have_no_place_on_a_qvp_and_say_so(tmp_path):
    fleet = phones_with_dock(
        tmp_path,
        "    keys:\n      - {index: 1, function: blf, value: '2001'}\n      - {index: 2, function: dnd}\n",
    )
    rendered = render_fleet_phone(fleet, MAC)
    assert any("00:0a:dd:10:20:31 (Loading dock)" in w and "key 1 has no place" in w for w in rendered.warnings)
    # dnd is no Fanvil DSS function: refused before placement, naming the phone
    assert any("00:0a:dd:10:20:31 (Loading dock)" in w and "'dnd' is not supported" in w for w in rendered.warnings)
    root, _ignored = line_one(rendered)
    assert root.find("./dsskey//Fkey") is None


def test_qtech_extended_sets_apply_and_platform_sets_do_not(tmp_path):
    text = (DEMO_FLEET / "extended_sets.yml").read_text() + (
        "\n  qtech-dock:\n    vendor: qtech\n    params: {backlight: 30}\n"
        "\n  fanvil-only:\n    vendor: fanvil\n    params: {ringtone: 2}\n"
    )
    profiles = (DEMO_FLEET / "profiles.yml").read_text()
    anchor = '      firmware_window: {days: [sun], hours: "03:00-04:00"}\n'
    assert anchor in profiles
    profiles = profiles.replace(anchor, anchor + "    extended: [fanvil-only, qtech-dock]\n")
    fleet = fleet_from(tmp_path, **{"extended_sets.yml": text, "profiles.yml": profiles})
    phone = fleet.phone(MAC)
    context, _ignored = ContextBuilder(fleet, reveal).phone_context(
        phone, qtech.DRIVER, qtech.DRIVER.vendor.model(phone.model)
    )
    assert context["params"] == {"backlight": 30}
    assert context["phone"]["vendor"] == "qtech" and context["phone"]["model"] == "QVP-95R"


def test_no_shared_or_base_files_of_its_own():
    files, owners = FleetRenderer(demo_fleet(), reveal).shared()  # no collision with the platform's files
    assert not [name for name, vendor in owners if vendor == "qtech"]
    assert MAC not in "".join(files)
    assert qtech.DRIVER.shared_files({}) == [] and qtech.DRIVER.base_files({}) == []


def test_the_platform_is_a_one_line_choice(monkeypatch):
    """Pointing Qtech at another platform (here Avaya's driver) serves the phone in that platform's format."""
    monkeypatch.setattr(qtech, "DRIVER", qtech.QtechDriver(platform=avaya.DRIVER))
    rendered = render_demo_phone(MAC)
    assert list(rendered.files) == [f"{MAC}.cfg"]
    text = rendered.files[f"{MAC}.cfg"].decode()
    assert 'SET SIP_CONTROLLER_LIST "sbc.demo.invalid:5061;transport=tls"' in text.splitlines()
    assert 'SET CODEC_PRIORITY "G711A,G729"' in text.splitlines()


@pytest.mark.parametrize("name", [f"{MAC}.cfg"])
def test_requests_recognised_through_the_platform(name):
    assert any(re.fullmatch(pattern, name) for pattern in qtech.DRIVER.requested_files)
