"""Unify OpenScape CP: the WPI item list, as a DMS file and as ``wpi_items`` for the WPI service."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.context import ContextBuilder
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.driver import RenderError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.unify.driver import DRIVER
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.vendors import unify as unify_phone  # noqa: E402

MAC = "001ae8556677"
FILE = f"{MAC}_config.xml"
NS = {"dls": "http://www.siemens.com/DLS"}
LEGAL = "    model: CP400\n"


def messages(data: bytes) -> dict:
    """{action: [(name, index, value), ...]} of a DMS file."""
    root = ET.fromstring(data)
    assert root.tag == "{http://www.siemens.com/DLS}DLSMessage"
    result = {}
    for message in root.findall("dls:Message", NS):
        action = message.findtext("dls:Action", namespaces=NS)
        result[action] = [
            (item.get("name"), int(item.get("index")) if item.get("index") else None, item.text or "")
            for item in message.findall("dls:ItemList/dls:Item", NS)
        ]
    return result


def items(data: bytes) -> dict:
    listed = messages(data)["WriteItems"]
    found = {(name, index): value for name, index, value in listed}
    assert len(found) == len(listed), "an item is written twice"
    return found


def phones_with_legal(tmp_path, extra: str, **files):
    text = (DEMO_FLEET / "phones.yml").read_text()
    assert LEGAL in text
    return fleet_from(tmp_path, **{"phones.yml": text.replace(LEGAL, LEGAL + extra)}, **files)


def test_phone_gets_its_dms_file():
    rendered = render_demo_phone(MAC)
    assert list(rendered.files) == [FILE]
    assert list(messages(rendered.files[FILE])) == ["WriteItems"]


def test_registration_and_account_items():
    fleet = demo_fleet()
    found = items(render_demo_phone(MAC).files[FILE])
    password = reveal(fleet.phone(MAC).lines[0].password)
    assert not password.startswith("$ANSIBLE_VAULT")
    assert found[("reg-addr", None)] == found[("registrar-addr", None)] == "pbx.demo.invalid"
    assert found[("reg-port", None)] == found[("registrar-port", None)] == "5060"
    assert found[("sip-transport", None)] == "0"
    assert found[("reg-ttl", None)] == "3600"
    assert found[("backup-addr", None)] == "pbx2.demo.invalid"
    assert found[("e164", None)] == "2007"
    assert found[("sip-user-id", None)] == "2007"
    assert found[("sip-pwd", None)] == password
    assert found[("realm", None)] == "pbx.demo.invalid"
    assert found[("display-id-unicode", None)] == "Legal"
    assert found[("voice-mail-e164", None)] == "*97"


def test_extended_set_item_replaces_the_rendered_one():
    found = items(render_demo_phone(MAC).files[FILE])
    assert found[("display-id", None)] == "number"  # unify-office sets display-id


def test_codecs_ranked_in_profile_order_and_unsupported_warned():
    rendered = render_demo_phone(MAC)
    found = items(rendered.files[FILE])
    assert [found[("codec-type", i)] for i in (1, 2)] == ["1", "0"]  # G.722, then G.711 (pcma and pcmu)
    assert [found[("codec-rank", i)] for i in (1, 2)] == ["1", "2"]
    assert found[("codec-allowed", 1)] == "true"
    assert ("codec-type", 3) not in found
    assert any("00:1a:e8:55:66:77 (Legal)" in w and "opus" in w for w in rendered.warnings)


def test_time_items(tmp_path):
    found = items(render_demo_phone(MAC).files[FILE])
    assert found[("sntp-addr", None)] == "ntp.demo.invalid"
    assert found[("sntp-tz-offset", None)] == "180"
    assert found[("auto-daylight-save", None)] == "false"
    profiles = (DEMO_FLEET / "profiles.yml").read_text().replace("Europe/Moscow, dst: auto", "Europe/Berlin, dst: auto")
    found = items(render_fleet_phone(fleet_from(tmp_path, **{"profiles.yml": profiles}), MAC).files[FILE])
    assert found[("sntp-tz-offset", None)] == "60"
    assert found[("auto-daylight-save", None)] == "true"
    assert found[("daylight-save-minutes", None)] == "60"


def test_vlan_and_admin_password():
    found = items(render_demo_phone(MAC).files[FILE])
    assert (found[("vlan-method", None)], found[("vlan-id", None)]) == ("0", "20")
    assert found[("l2qos-voice", None)] == "5"
    assert found[("l3qos-voice", None)] == "46"
    assert found[("admin-pwd", None)] == reveal(demo_fleet().profiles["office"].admin_password)


def test_keys_lines_blf_and_key_module(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text()
    start = text.index('      - {number: "2007"', text.index(LEGAL))
    end = text.index("\n", start)
    second_line = '\n      - {number: "2107", display_name: Legal 2, password: "line-two-pw"}'
    text = text[:end] + second_line + text[end:]
    text = text.replace(
        LEGAL,
        LEGAL + "    modules: [KM400]\n"
        "    keys:\n"
        "      - {index: 1, function: line, line: 1}\n"
        "      - {index: 2, function: line, line: 2, label: Team}\n"
        "      - {index: 3, function: blf, value: '2001', label: Reception}\n"
        "      - {index: 4, function: speed_dial, value: '84951234567', label: Security}\n"
        "      - {index: 5, function: park, value: '700'}\n"
        "      - {index: 17, function: blf, value: '2002', label: Director}\n"
        "      - {index: 33, function: dnd, label: DND}\n"
        "    admin_password: phone-admin\n",
    )
    fleet = fleet_from(tmp_path, **{"phones.yml": text})
    rendered = render_fleet_phone(fleet, MAC)
    found = items(rendered.files[FILE])
    assert found[("function-key-def", 1)] == "31" and found[("line-primary", 1)] == "true"
    assert found[("line-sip-uri", 2)] == "2107"
    assert found[("line-sip-pwd", 2)] == "line-two-pw"
    assert found[("line-primary", 2)] == "false"
    assert found[("key-label-unicode", 2)] == "Team"
    assert found[("function-key-def", 3)] == "59"
    assert found[("stimulus-led-control-uri", 3)] == "2001"
    assert found[("key-label-unicode", 3)] == "Reception"
    assert (found[("function-key-def", 4)], found[("select-dial", 4)]) == ("1", "84951234567")
    assert ("function-key-def", 5) not in found
    assert any("00:1a:e8:55:66:77 (Legal)" in w and "'park'" in w for w in rendered.warnings)
    # KM400 (16 keys a page): key 17 is its first key, key 33 the first of its second page
    assert (found[("function-key-def", 301)], found[("stimulus-led-control-uri", 301)]) == ("59", "2002")
    assert found[("function-key-def", 1301)] == "25"
    assert found[("admin-pwd", None)] == "phone-admin"


def test_wpi_items_are_what_the_dms_file_writes():
    fleet = demo_fleet()
    phone = fleet.phone(MAC)
    context, _ignored = ContextBuilder(fleet, reveal).phone_context(phone, DRIVER, DRIVER.vendor.model(phone.model))
    listed = DRIVER.wpi_items(context)
    assert all(isinstance(name, str) and (index is None or isinstance(index, int)) for name, index, _ignored in listed)
    assert messages(render_demo_phone(MAC).files[FILE])["WriteItems"] == listed
    assert DRIVER.software_items(context) == []


def test_firmware_kit_adds_a_software_deployment(tmp_path):
    firmware = (DEMO_FLEET / "firmware.yml").read_text()
    firmware = firmware.replace(
        "  kits:\n",
        "    - name: unify-cp400-v1r9\n      vendor: unify\n      models: [CP400]\n"
        "      version: V1 R9.4.0\n      file: CP400_SIP_V1_R9_4_0.img\n  kits:\n",
    ).replace("avaya-j179-4.1.6]", "avaya-j179-4.1.6, unify-cp400-v1r9]")
    fleet = phones_with_legal(tmp_path, "    firmware_kit: 2026-q3\n", **{"firmware.yml": firmware})
    software = messages(render_fleet_phone(fleet, MAC).files[FILE])["SoftwareDeployment"]
    assert software == [
        ("file-https-base-url", None, "https://prov.demo.invalid/firmware/CP400_SIP_V1_R9_4_0.img"),
        ("file-type", None, "APP"),
        ("file-priority", None, "normal"),
        ("file-sw-version", None, "V1 R9.4.0"),
    ]


def test_profile_change_changes_the_file(tmp_path):
    before = render_demo_phone(MAC).files[FILE]
    fleet = phones_with_legal(tmp_path, "    profile: warehouse\n")
    after = render_fleet_phone(fleet, MAC).files[FILE]
    assert after != before
    found = items(after)
    assert (found[("reg-addr", None)], found[("reg-port", None)]) == ("sbc.demo.invalid", "5061")
    assert found[("sip-transport", None)] == "2"
    assert found[("reg-ttl", None)] == "600"
    assert [found[("codec-type", i)] for i in (1, 2)] == ["0", "2"]  # G.711, G.729
    assert found[("call-waiting-enabled", None)] == "false"
    assert found[("display-id", None)] == "Legal"  # warehouse has no unify extended set to replace it


def test_markup_in_values_is_escaped(tmp_path):
    text = (DEMO_FLEET / "phones.yml").read_text().replace("display_name: Legal,", "display_name: R&D <Legal>,", 1)
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": text}), MAC)
    assert items(rendered.files[FILE])[("display-id-unicode", None)] == "R&D <Legal>"


def test_rendering_is_deterministic():
    assert render_demo_phone(MAC).files == render_demo_phone(MAC).files


def test_base_file_for_an_unknown_phone():
    files, owners = FleetRenderer(demo_fleet(), reveal).shared()
    assert ("000000000000_config.xml", "unify") in owners
    assert messages(files["000000000000_config.xml"]) == {"WriteItems": []}


def test_requests_recognised():
    def full(name):
        return next((m for p in DRIVER.requested_files if (m := re.fullmatch(p, name))), None)

    assert full(FILE)["mac"] == MAC
    assert full("001AE8556677_config.xml")["mac"] == "001AE8556677"
    base = full("000000000000_config.xml")
    assert base is not None and "mac" not in base.groupdict()
    assert full(f"{MAC}.cfg") is None
    assert DRIVER.user_agents == ()


def _legal_with(tmp_path, lines: int, model: str, keys: str):
    """The demo's Legal phone as ``model`` with ``lines`` lines and ``keys`` (YAML rows of its keys list)."""
    text = (DEMO_FLEET / "phones.yml").read_text()
    start = text.index('      - {number: "2007"', text.index(LEGAL))
    end = text.index("\n", start)
    more = "".join(
        f'\n      - {{number: "21{n}7", display_name: Legal {n}, password: "line-{n}-pw"}}' for n in range(2, lines + 1)
    )
    text = text[:end] + more + text[end:]
    text = text.replace(LEGAL, f"    model: {model}\n" + ("    keys:\n" + keys if keys else ""))
    return fleet_from(tmp_path, **{"phones.yml": text})


def test_every_line_is_read_by_the_phone_without_line_keys_in_the_fleet(tmp_path):
    # a CP phone reads lines 2+ only from line keys (the simulator's Unify reader, from Unify's WPI pages)
    fleet = _legal_with(tmp_path, 3, "CP400", "      - {index: 1, function: blf, value: '2001', label: Reception}\n")
    files = {"/" + name: body for name, body in render_fleet_phone(fleet, MAC).files.items()}
    read = unify_phone.accounts(files)
    assert [(a.user, a.password) for a in read] == [
        ("2007", reveal(fleet.phone(MAC).lines[0].password)),
        ("2127", "line-2-pw"),
        ("2137", "line-3-pw"),
    ]
    found = items(files["/" + FILE])
    # the BLF keeps key 1; the lines take the lowest free keys
    assert found[("function-key-def", 1)] == "59"
    assert [found[("line-sip-uri", index)] for index in (2, 3)] == ["2127", "2137"]


def test_a_line_with_no_free_key_left_is_refused_naming_the_line(tmp_path):
    blf = "".join(f"      - {{index: {n}, function: blf, value: '200{n}'}}\n" for n in range(1, 5))
    fleet = _legal_with(tmp_path, 2, "CP200", blf)
    with pytest.raises(
        RenderError, match=r"00:1a:e8:55:66:77 \(Legal\): lines\[1\]: a CP200 reads line 2 only from a line key"
    ):
        render_fleet_phone(fleet, MAC)
