"""Grandstream (GXP21xx / GRP26xx) rendering: cfg<mac>.xml with P-values, and the base cfg.xml."""

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

MAC = "c074ad010203"
FILE = f"cfg{MAC}.xml"
PHONES = """
phones:
  - mac: c0:74:ad:01:02:03
    name: IT helpdesk
    vendor: grandstream
    model: GXP2170
    {extra}
    lines:
      - {{number: "2012", display_name: IT helpdesk, password: line-secret}}
      - {{number: "2112", display_name: IT second, password: second-secret}}
    keys:
      - {{index: 1, function: line, line: 1}}
      - {{index: 2, function: blf, value: "2002", label: Director}}
      - {{index: 3, function: speed_dial, value: "84951234567", label: Security}}
      - {{index: 8, function: park, value: "700", label: Park}}
      - {{index: 9, function: dnd, label: DND}}
      - {{index: 14, function: blf, value: "2003", label: Accounting, line: 2}}
"""
FIRMWARE = """
firmware:
  files:
    - name: gxp2170-1.0.11.79
      vendor: grandstream
      models: [GXP2170]
      version: 1.0.11.79
      file: v1.0.11.79-gxp2170fw.bin
  kits:
    2026-q3: {files: [gxp2170-1.0.11.79]}
"""


def p_values(data: bytes) -> dict:
    root = ET.fromstring(data)
    assert root.tag == "gs_provision"
    config = root.find("config")
    assert config.get("version") == "1"
    values: dict = {}
    for item in config:
        assert item.tag not in values, item.tag
        values[item.tag] = item.text or ""
    return values


def fleet(tmp_path, extra: str = "", **files: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    return support.fleet_from(tmp_path, **{"phones.yml": PHONES.format(extra=extra), **files})


def test_demo_account_one() -> None:
    rendered = support.render_demo_phone(MAC)
    assert list(rendered.files) == [FILE]
    assert ET.fromstring(rendered.files[FILE]).findtext("mac") == MAC
    values = p_values(rendered.files[FILE])
    assert values["P271"] == "1"
    assert values["P47"] == "pbx.demo.invalid:5060"
    assert values["P2312"] == "pbx2.demo.invalid:5060"
    assert values["P130"] == "0"  # UDP
    assert values["P35"] == "2012"
    assert values["P36"] == "2012"
    assert values["P34"] == "demo-2012-b6160b66"
    assert values["P3"] == "IT helpdesk"
    assert values["P33"] == "*97"
    assert values["P32"] == "60"  # 3600 s in minutes
    assert "P401" not in values


def test_demo_codecs_time_vlan_admin() -> None:
    values = p_values(support.render_demo_phone(MAC).files[FILE])
    # g722, pcma, pcmu, opus in the profile's order
    # Opus is vocoder 125 in the slots (123 is its payload type): Grandstream's GRP26xx/GXP17xx templates
    assert [values[p] for p in ("P57", "P58", "P59", "P60")] == ["9", "8", "0", "125"]
    assert "P61" not in values
    assert values["P30"] == "ntp.demo.invalid"
    assert (values["P64"], values["P246"]) == ("customize", "MSK-3")
    assert values["P122"] == "1"
    assert values["P51"] == "20"
    assert values["P87"] == "5"
    assert values["P2"] == "demo-admin-156fa093"
    assert values["P212"] == "2"  # HTTPS
    assert values["P237"] == "prov.demo.invalid"
    assert (values["P194"], values["P193"]) == ("1", "60")


def test_dst_zone_and_dst_off(tmp_path) -> None:
    text = (support.DEMO_FLEET / "profiles.yml").read_text()
    berlin = text.replace("Europe/Moscow, dst: auto", "Europe/Berlin")
    values = p_values(support.render_fleet_phone(fleet(tmp_path / "a", **{"profiles.yml": berlin}), MAC).files[FILE])
    assert (values["P64"], values["P246"]) == ("customize", "CET-1CEST,M3.5.0,M10.5.0/3")
    no_dst = text.replace("Europe/Moscow, dst: auto", "Europe/Berlin, dst: 'off'")
    values = p_values(support.render_fleet_phone(fleet(tmp_path / "b", **{"profiles.yml": no_dst}), MAC).files[FILE])
    assert (values["P64"], values["P246"]) == ("customize", "CET-1")


def test_multi_purpose_keys_and_expansion_module(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path, extra="modules: [GXP2200EXT]"), MAC)
    values = p_values(rendered.files[FILE])
    # key 1 is a line key: the phone's own account key, nothing written
    assert "P323" not in values
    # key 2: BLF (mode 1) on account 1 (0-based 0)
    assert [values[p] for p in ("P324", "P304", "P305", "P306")] == ["1", "0", "Director", "2002"]
    # key 3: speed dial (mode 0)
    assert [values[p] for p in ("P325", "P307", "P308", "P309")] == ["0", "0", "Security", "84951234567"]
    # key 8: call park (mode 9) on P353..P356
    assert [values[p] for p in ("P353", "P354", "P355", "P356")] == ["9", "0", "Park", "700"]
    # key 14 = the second key of the first GXP2200EXT, on account 2
    assert [values[p] for p in ("P6002", "P6202", "P6402", "P6602")] == ["1", "1", "Accounting", "2003"]
    assert values["P402"] == "pbx.demo.invalid:5060"
    assert values["P406"] == "second-secret"


def test_unsupported_key_function_is_a_warning_naming_the_phone(tmp_path) -> None:
    rendered = support.render_fleet_phone(fleet(tmp_path), MAC)
    assert any("c0:74:ad:01:02:03" in warning and "'dnd'" in warning for warning in rendered.warnings)
    assert "P357" not in p_values(rendered.files[FILE])


def test_firmware_from_the_kit(tmp_path) -> None:
    rendered = support.render_fleet_phone(
        fleet(tmp_path, extra="firmware_kit: 2026-q3", **{"firmware.yml": FIRMWARE}), MAC
    )
    values = p_values(rendered.files[FILE])
    assert values["P192"] == "prov.demo.invalid/firmware"
    assert values["P232"] == "v1.0.11.79-"


def test_extended_set_params_must_be_p_values(tmp_path) -> None:
    extended = (support.DEMO_FLEET / "extended_sets.yml").read_text() + (
        "\n  gs-office:\n    vendor: grandstream\n    params: {P1362: en}\n"
    )
    profiles = (support.DEMO_FLEET / "profiles.yml").read_text().replace("unify-office]", "unify-office, gs-office]")
    rendered = support.render_fleet_phone(
        fleet(tmp_path / "a", **{"extended_sets.yml": extended, "profiles.yml": profiles}), MAC
    )
    assert p_values(rendered.files[FILE])["P1362"] == "en"
    bad = extended.replace("P1362: en", "language: en")
    with pytest.raises(driver_errors.RenderError, match="language"):
        support.render_fleet_phone(fleet(tmp_path / "b", **{"extended_sets.yml": bad, "profiles.yml": profiles}), MAC)


def test_rendering_is_deterministic_and_follows_the_profile(tmp_path) -> None:
    first = support.render_demo_phone(MAC).files[FILE]
    assert first == support.render_demo_phone(MAC).files[FILE]
    changed = support.render_fleet_phone(fleet(tmp_path, extra="profile: warehouse"), MAC).files[FILE]
    assert changed != first
    values = p_values(changed)
    assert values["P47"] == "sbc.demo.invalid:5061"
    assert values["P130"] == "2"  # TLS
    assert [values[p] for p in ("P57", "P58")] == ["8", "18"]  # pcma, g729
    assert values["P51"] == "30"


def test_base_file_only_says_how_to_reach_us() -> None:
    files, owners = renderer.FleetRenderer(support.demo_fleet(), support.reveal).shared()
    assert ("cfg.xml", "grandstream") in owners
    assert p_values(files["cfg.xml"]) == {"P212": "2", "P237": "prov.demo.invalid"}
