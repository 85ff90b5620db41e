"""Avaya J100 (3PCC): the script chain and the per-phone settings file, checked by real parameter names."""

from __future__ import annotations

import re

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.driver import RenderError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.avaya.driver import DRIVER
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

MAC = "24d921aabb01"
SET_LINE = re.compile(r'^SET (?P<name>[A-Z0-9_]+) "(?P<value>[^"]*)"$')


def settings(text: bytes) -> dict:
    """``SET NAME "value"`` lines -> {NAME: value}; PHONEKEY (repeated) -> list. Other lines must be comments."""
    result: dict = {"PHONEKEY": []}
    for line in text.decode().splitlines():
        if not line or line.startswith("##"):
            continue
        match = SET_LINE.match(line)
        assert match, f"not a SET line: {line!r}"
        name, value = match["name"], match["value"]
        if name == "PHONEKEY":
            result[name].append(dict(field.partition("=")[::2] for field in value.split(";")))
        else:
            assert name not in result, f"{name} set twice"
            result[name] = value
    return result


def phone_settings(fleet=None, mac: str = MAC) -> dict:
    rendered = render_demo_phone(mac) if fleet is None else render_fleet_phone(fleet, mac)
    return settings(rendered.files[f"{mac}.cfg"])


def profiles_with(tmp_path, old: str, new: str):
    text = (DEMO_FLEET / "profiles.yml").read_text()
    assert old in text
    return fleet_from(tmp_path, **{"profiles.yml": text.replace(old, new)})


def phones_with_sales(tmp_path, extra: str):
    """The demo phones, the Avaya phone (Sales) given extra YAML (keys, modules, profile ...)."""
    text = (DEMO_FLEET / "phones.yml").read_text()
    anchor = "    model: J179\n"
    assert anchor in text
    return fleet_from(tmp_path, **{"phones.yml": text.replace(anchor, anchor + extra)})


def test_phone_gets_its_mac_file_only():
    rendered = render_demo_phone(MAC)
    assert list(rendered.files) == [f"{MAC}.cfg"]
    assert rendered.warnings == []


def test_sip_account_from_profile_and_vault():
    fleet = demo_fleet()
    values = phone_settings()
    password = reveal(fleet.phone(MAC).lines[0].password)
    assert not password.startswith("$ANSIBLE_VAULT")
    assert values["SIP_CONTROLLER_LIST"] == "pbx.demo.invalid:5060;transport=udp,pbx2.demo.invalid:5060;transport=udp"
    assert values["SIPDOMAIN"] == "pbx.demo.invalid"
    assert values["SIP_USER_ACCOUNT"] == "2006@pbx.demo.invalid"
    assert values["SIP_USER_ID"] == "2006"
    assert values["FORCE_SIP_USERNAME"] == "2006"
    assert values["FORCE_SIP_EXTENSION"] == "2006"
    assert values["FORCE_SIP_PASSWORD"] == password
    assert values["DISPLAY_NAME"] == "Sales"
    assert values["ENABLE_3PCC_ENVIRONMENT"] == "1"
    assert values["ENABLE_AVAYA_ENVIRONMENT"] == "0"
    assert values["REGISTERWAIT"] == "3600"
    assert values["PSTN_VM_NUM"] == "*97"
    assert values["DISCOVER_AVAYA_ENVIRONMENT"] == "0"
    assert (values["ENABLE_OOD_RESET_NOTIFY"], values["ENABLE_OOD_MSG_TLS_ONLY"]) == ("1", "0")


def test_codecs_in_profile_order():
    values = phone_settings()
    assert values["CODEC_PRIORITY"] == "G722,G711A,G711U,OPUS"
    assert (values["ENABLE_G722"], values["ENABLE_G729"], values["ENABLE_OPUS"]) == ("1", "0", "1")


def test_time_without_dst_in_moscow():
    values = phone_settings()
    assert values["SNTPSRVR"] == "ntp.demo.invalid"
    assert values["GMTOFFSET"] == "+3:00"
    assert values["DAYLIGHT_SAVING_SETTING_MODE"] == "0"
    assert "DSTSTART" not in values and "DSTSTOP" not in values


@pytest.mark.parametrize(
    ("zone", "offset", "start", "stop"),
    [
        ("Europe/Berlin", "+1:00", "LSunMar2L", "LSunOct3L"),
        ("America/New_York", "-5:00", "2SunMar2L", "1SunNov2L"),
    ],
)
def test_time_with_dst_rules(tmp_path, zone, offset, start, stop):
    fleet = profiles_with(tmp_path, "timezone: Europe/Moscow, dst: auto", f"timezone: {zone}, dst: auto")
    values = phone_settings(fleet)
    assert values["GMTOFFSET"] == offset
    assert values["DAYLIGHT_SAVING_SETTING_MODE"] == "2"
    assert values["DSTOFFSET"] == "1"
    assert (values["DSTSTART"], values["DSTSTOP"]) == (start, stop)


def test_dst_off_in_profile_writes_no_rule(tmp_path):
    fleet = profiles_with(tmp_path, "timezone: Europe/Moscow, dst: auto", "timezone: Europe/Berlin, dst: 'off'")
    values = phone_settings(fleet)
    assert values["DAYLIGHT_SAVING_SETTING_MODE"] == "0"
    assert "DSTSTART" not in values


def test_vlan_and_dscp():
    values = phone_settings()
    assert (values["L2Q"], values["L2QVLAN"], values["L2QAUD"], values["L2QSIG"]) == ("1", "20", "5", "5")
    assert (values["DSCPSIG"], values["DSCPAUD"]) == ("26", "46")


def test_no_vlan_turns_tagging_off(tmp_path):
    fleet = profiles_with(tmp_path, "network: {vlan: {id: 20, priority: 5}, ", "network: {")
    values = phone_settings(fleet)
    assert (values["L2Q"], values["L2QVLAN"]) == ("0", "0")
    assert "L2QAUD" not in values


def test_admin_password_decrypted():
    fleet = demo_fleet()
    values = phone_settings()
    password = reveal(fleet.profiles["office"].admin_password)
    assert values["ADMIN_PASSWORD"] == password
    assert values["FORCE_WEB_ADMIN_PASSWORD"] == password
    assert values["ENABLE_WEBSERVER"] == "1"


def test_firmware_from_kit_relative_to_provisioning_root():
    values = phone_settings()
    assert values["APPNAME"] == "firmware/FW_S_J169_J179_R4_1_6_0_6.bin"


def test_no_kit_no_appname(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text()
    anchor = "    model: J179\n    firmware_kit: 2026-q3\n"
    assert anchor in text
    fleet = fleet_from(tmp_path, **{"phones.yml": text.replace(anchor, "    model: J179\n")})
    assert "APPNAME" not in phone_settings(fleet)


def test_own_keys_line_and_blf():
    keys = phone_settings()["PHONEKEY"]
    assert keys == [
        {"Key": "1", "Type": "line", "Name": "primary", "attr1": "1", "Forced": ""},
        {"Key": "2", "Type": "feature", "Name": "blf", "attr1": "2001", "Label": "Reception", "Forced": ""},
    ]


def test_jem24_keys_numbered_after_the_phone_keys(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text()
    own_keys = '      - {index: 2, function: blf, value: "2001", label: Reception}\n'
    assert own_keys in text
    text = text.replace("    model: J179\n", "    model: J179\n    modules: [JEM24, JEM24]\n").replace(
        own_keys,
        own_keys
        + "      - {index: 25, function: speed_dial, value: '2010', label: Meeting}\n"
        + "      - {index: 60, function: blf, value: '2003', label: Accounting}\n"
        + "      - {index: 97, function: dnd, label: DND}\n",
    )
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": text}), MAC)
    assert rendered.warnings == []
    keys = {key["Key"]: key for key in settings(rendered.files[f"{MAC}.cfg"])["PHONEKEY"]}
    assert sorted(keys, key=int) == ["1", "2", "25", "60", "97"]
    assert keys["25"] == {
        "Key": "25",
        "Type": "autodial",
        "Name": "autodial",
        "attr1": "2010",
        "Label": "Meeting",
        "Forced": "",
    }
    assert (keys["60"]["Name"], keys["60"]["attr1"], keys["60"]["Label"]) == ("blf", "2003", "Accounting")
    assert (keys["97"]["Type"], keys["97"]["Name"]) == ("feature", "dnd")  # first key of the second JEM24


def test_key_beyond_the_modules_is_a_warning(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text()
    own_keys = '      - {index: 2, function: blf, value: "2001", label: Reception}\n'
    text = text.replace(own_keys, own_keys + "      - {index: 25, function: blf, value: '2003'}\n")
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": text}), MAC)
    assert [key["Key"] for key in settings(rendered.files[f"{MAC}.cfg"])["PHONEKEY"]] == ["1", "2"]
    assert any("24:d9:21:aa:bb:01 (Sales)" in w and "key 25 has no place" in w for w in rendered.warnings)


def test_key_function_avaya_lacks_is_a_warning_naming_the_phone(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text()
    own_keys = (
        "    keys:\n"
        "      - {index: 1, function: line, line: 1}\n"
        '      - {index: 2, function: blf, value: "2001", label: Reception}\n'
    )
    assert own_keys in text
    fleet = fleet_from(tmp_path, **{"phones.yml": text.replace(own_keys, "    key_template: reception\n", 1)})
    rendered = render_fleet_phone(fleet, MAC)
    keys = [int(key["Key"]) for key in settings(rendered.files[f"{MAC}.cfg"])["PHONEKEY"]]
    assert 5 not in keys and 6 not in keys  # park, pickup
    assert any("24:d9:21:aa:bb:01 (Sales)" in w and "'park'" in w for w in rendered.warnings)
    assert any("'pickup'" in w for w in rendered.warnings)


def test_extended_set_parameters_written():
    values = phone_settings()
    assert values["DISPLAY_NAME_NUMBER"] == "1"


def test_profile_change_changes_the_file(tmp_path):
    before = render_demo_phone(MAC).files[f"{MAC}.cfg"]
    fleet = phones_with_sales(tmp_path, "    profile: warehouse\n")
    after = render_fleet_phone(fleet, MAC).files[f"{MAC}.cfg"]
    assert after != before
    values = settings(after)
    assert values["SIP_CONTROLLER_LIST"] == "sbc.demo.invalid:5061;transport=tls"
    assert values["CODEC_PRIORITY"] == "G711A,G729"
    assert values["ENABLE_G729"] == "1"
    assert values["L2QVLAN"] == "30"


def test_rendering_is_deterministic():
    assert render_demo_phone(MAC).files == render_demo_phone(MAC).files
    first, _ignored = FleetRenderer(demo_fleet(), reveal).shared()
    second, _ignored = FleetRenderer(demo_fleet(), reveal).shared()
    assert {k: v for k, v in first.items() if k.endswith(".txt")} == {
        k: v for k, v in second.items() if k.endswith(".txt")
    }


def test_value_with_a_quote_fails_loudly(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text().replace("display_name: Sales,", 'display_name: Sales "A",', 1)
    fleet = fleet_from(tmp_path, **{"phones.yml": text})
    with pytest.raises(RenderError, match=f"{MAC}.cfg"):
        render_fleet_phone(fleet, MAC)


def test_shared_chain_ends_in_the_per_mac_get():
    files, owners = FleetRenderer(demo_fleet(), reveal).shared()
    assert ("J100Supgrade.txt", "avaya") in owners and ("46xxsettings.txt", "avaya") in owners
    upgrade = files["J100Supgrade.txt"].decode().splitlines()
    assert upgrade[-1] == "GET 46xxsettings.txt"
    assert all(line.startswith("##") for line in upgrade[:-1])
    base = files["46xxsettings.txt"].decode().splitlines()
    assert base[-1] == "GET $MACADDR.cfg"
    assert "SET ENABLE_3PCC_ENVIRONMENT 1" in base
    assert 'SET HTTPSRVR "prov.demo.invalid"' in base
    assert 'SET TLSPORT "443"' in base
    assert "SET ENABLE_OOD_RESET_NOTIFY 1" in base
    assert not any("PASSWORD" in line for line in base)


def test_requests_and_user_agent_recognised():
    def full(name):
        return next((m for p in DRIVER.requested_files if (m := re.fullmatch(p, name))), None)

    assert full("J100Supgrade.txt") and full("46xxsettings.txt")
    assert full(f"{MAC}.cfg")["mac"] == MAC
    assert full("SIP24d921aabb01.cfg") is None
    agent = "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)"
    match = re.search(DRIVER.user_agents[0], agent)
    assert match.group("model", "firmware", "mac") == ("J179", "4.1.3.0.6", "c81fea83e85a")
