"""Yealink rendering: the demo T54W/T31G files carry Yealink's real parameter names and the fleet's values."""

from __future__ import annotations

import re

from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.yealink import driver as yealink
from ansible_collections.phonefleet.provisioning.tests.unit.render_support import (
    DEMO_FLEET,
    demo_fleet,
    fleet_from,
    render_demo_phone,
    render_fleet_phone,
    reveal,
)

RECEPTION = "805ec0112233"
MEETING_ROOM = "0015654c4c26"

PHONES_WITH_MODULE = """
phones:
  - mac: 80:5e:c0:aa:bb:cc
    name: Front desk
    model: T54W
    modules: [EXP50]
    lines:
      - {number: "2101", password: secret-2101}
    keys:
      - {index: 1, function: line, line: 1}
      - {index: 2, function: blf, value: "2002", label: Director}
      - {index: 28, function: blf, value: "2030", label: Store}
      - {index: 48, function: speed_dial, value: "2040", label: Gate}
"""


def params(data: bytes) -> dict:
    """``name = value`` lines of a Yealink file; a name set twice keeps its last value, as on the phone."""
    found = {}
    for line in data.decode().splitlines():
        if " = " in line and not line.startswith("#"):
            name, value = line.split(" = ", 1)
            found[name] = value
    return found


def demo_file(mac: str) -> dict:
    return params(render_demo_phone(mac).files[f"{mac}.cfg"])


def profiles_with(old: str, new: str) -> str:
    text = (DEMO_FLEET / "profiles.yml").read_text()
    assert old in text
    return text.replace(old, new, 1)


def test_file_names_and_header() -> None:
    rendered = render_demo_phone(RECEPTION)
    assert list(rendered.files) == ["805ec0112233.cfg"]
    assert rendered.files["805ec0112233.cfg"].startswith(b"#!version:1.0.0.1\n")


def test_account_from_the_profile_and_the_vault() -> None:
    cfg = demo_file(RECEPTION)
    assert cfg["account.1.enable"] == "1"
    assert cfg["account.1.user_name"] == "2001"
    assert cfg["account.1.auth_name"] == "2001"
    assert cfg["account.1.display_name"] == "Reception"
    assert cfg["account.1.password"] == reveal(demo_fleet().phone(RECEPTION).lines[0].password)
    assert cfg["account.1.password"].startswith("demo-2001-")
    assert cfg["account.1.sip_server.1.address"] == "pbx.demo.invalid"
    assert cfg["account.1.sip_server.1.port"] == "5060"
    assert cfg["account.1.sip_server.1.transport_type"] == "0"
    assert cfg["account.1.sip_server.2.address"] == "pbx2.demo.invalid"
    assert cfg["voice_mail.number.1"] == "*97"


def test_codecs_enabled_in_priority_order() -> None:
    cfg = demo_file(RECEPTION)
    codec = re.compile(r"account\.1\.codec\.(\w+)\.enable")
    enabled = {m.group(1) for name, value in cfg.items() if (m := codec.fullmatch(name)) and value == "1"}
    assert enabled == {"g722", "pcma", "pcmu", "opus"}
    assert cfg["account.1.codec.g729.enable"] == "0"
    order = sorted(("g722", "pcma", "pcmu", "opus"), key=lambda c: int(cfg[f"account.1.codec.{c}.priority"]))
    assert order == ["g722", "pcma", "pcmu", "opus"]


def test_time_vlan_admin_schedule_firmware() -> None:
    cfg = demo_file(RECEPTION)
    assert cfg["local_time.ntp_server1"] == "ntp.demo.invalid"
    assert cfg["local_time.time_zone"] == "+3"
    assert cfg["local_time.summer_time"] == "0"
    assert cfg["static.network.vlan.internet_port_enable"] == "1"
    assert cfg["static.network.vlan.internet_port_vid"] == "20"
    assert cfg["static.network.vlan.internet_port_priority"] == "5"
    assert cfg["static.security.user_password"].startswith("admin:demo-admin-")
    assert cfg["static.auto_provision.repeat.enable"] == "1"
    assert cfg["static.auto_provision.repeat.minutes"] == "60"
    assert cfg["static.firmware.url"] == (
        "https://prov.demo.invalid/firmware/T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45.rom"
    )
    assert "static.firmware.url" not in demo_file(MEETING_ROOM)


def test_dst_rule_of_a_zone_with_summer_time(tmp_path) -> None:
    fleet = fleet_from(
        tmp_path, **{"profiles.yml": profiles_with("Europe/Moscow, dst: auto", "Europe/Berlin, dst: auto")}
    )
    cfg = params(render_fleet_phone(fleet, RECEPTION).files[f"{RECEPTION}.cfg"])
    assert cfg["local_time.time_zone"] == "+1"
    assert cfg["local_time.summer_time"] == "1"
    assert cfg["local_time.dst_time_type"] == "1"
    assert cfg["local_time.start_time"] == "3/5/7/2"
    assert cfg["local_time.end_time"] == "10/5/7/3"
    assert cfg["local_time.offset_time"] == "60"


def test_keys_of_the_reception_template() -> None:
    cfg = demo_file(RECEPTION)
    assert (cfg["linekey.1.type"], cfg["linekey.1.line"], cfg["linekey.1.label"]) == ("15", "1", "Reception")
    assert (cfg["linekey.2.type"], cfg["linekey.2.value"], cfg["linekey.2.label"]) == ("16", "2002", "Director")
    assert cfg["linekey.2.extension"] == "*8"
    assert (cfg["linekey.4.type"], cfg["linekey.4.value"]) == ("13", "84951234567")
    assert (cfg["linekey.5.type"], cfg["linekey.5.value"]) == ("10", "700")


def test_keys_beyond_the_phone_go_to_the_exp50_pages(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"phones.yml": PHONES_WITH_MODULE})
    rendered = render_fleet_phone(fleet, "805ec0aabbcc")
    assert rendered.warnings == []
    data = rendered.files["805ec0aabbcc.cfg"]
    cfg = params(data)
    assert cfg["account.1.password"] == "secret-2101"
    assert (cfg["linekey.2.type"], cfg["linekey.2.value"]) == ("16", "2002")
    assert "linekey.28.type" not in cfg
    assert (cfg["expansion_module.1.key.1.type"], cfg["expansion_module.1.key.1.value"]) == ("16", "2030")
    assert cfg["expansion_module.1.key.1.label"] == "Store"
    assert (cfg["expansion_module.1.key.21.type"], cfg["expansion_module.1.key.21.value"]) == ("13", "2040")
    text = data.decode()
    assert text.index("## EXP50 1, page 1") < text.index("expansion_module.1.key.1.type")
    assert text.index("## EXP50 1, page 2") < text.index("expansion_module.1.key.21.type")


def test_extended_params_come_last_and_win() -> None:
    data = render_demo_phone(RECEPTION).files[f"{RECEPTION}.cfg"].decode()
    lines = data.splitlines()
    assert lines[-3:] == ["features.dnd.allow = 1", "phone_setting.backlight_time = 60", "lang.gui = Russian"]


def test_unsupported_codec_warns_with_the_phone(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"profiles.yml": profiles_with("[g722, pcma, pcmu, opus]", "[gsm, pcma]")})
    rendered = render_fleet_phone(fleet, RECEPTION)
    assert any("80:5e:c0:11:22:33" in w and "gsm" in w for w in rendered.warnings), rendered.warnings
    assert params(rendered.files[f"{RECEPTION}.cfg"])["account.1.codec.pcma.priority"] == "1"


def test_key_without_a_place_warns_with_the_phone(tmp_path) -> None:
    phones = PHONES_WITH_MODULE.replace("modules: [EXP50]", "modules: []")
    rendered = render_fleet_phone(fleet_from(tmp_path, **{"phones.yml": phones}), "805ec0aabbcc")
    assert any("80:5e:c0:aa:bb:cc" in w and "key 28" in w for w in rendered.warnings), rendered.warnings
    assert not any(name.startswith("expansion_module.") for name in params(rendered.files["805ec0aabbcc.cfg"]))


def yealink_only(tmp_path, phones: str = PHONES_WITH_MODULE):
    """The demo fleet cut down to Yealink phones, so shared files are only Yealink's."""
    settings = (DEMO_FLEET / "settings.yml").read_text()
    vendors = re.search(r"^  vendors: \[.*\]$", settings, re.M)
    assert vendors
    settings = settings.replace(vendors.group(0), "  vendors: [yealink]")
    return fleet_from(tmp_path, **{"settings.yml": settings, "phones.yml": phones})


def test_rendering_is_deterministic(tmp_path) -> None:
    assert render_demo_phone(RECEPTION).files == render_demo_phone(RECEPTION).files
    fleet = yealink_only(tmp_path)
    assert FleetRenderer(fleet, reveal).shared() == FleetRenderer(fleet, reveal).shared()


def test_a_profile_change_changes_the_file(tmp_path) -> None:
    before = render_demo_phone(RECEPTION).files[f"{RECEPTION}.cfg"]
    fleet = fleet_from(tmp_path, **{"profiles.yml": profiles_with("[g722, pcma, pcmu, opus]", "[pcmu, g722]")})
    after = render_fleet_phone(fleet, RECEPTION).files[f"{RECEPTION}.cfg"]
    assert after != before
    cfg = params(after)
    assert (cfg["account.1.codec.pcmu.priority"], cfg["account.1.codec.g722.priority"]) == ("1", "2")
    assert cfg["account.1.codec.pcma.enable"] == "0"


def test_shared_and_base_files(tmp_path) -> None:
    phones = (
        PHONES_WITH_MODULE
        + """
  - mac: 00:15:65:4c:4c:27
    model: T31G
    lines:
      - {number: "2102", password: secret-2102}
"""
    )
    files, owners = FleetRenderer(yealink_only(tmp_path, phones), reveal).shared()
    yealink_files = {name for name, vendor in owners if vendor == "yealink"}
    assert yealink_files == set(files)
    # T54W (96) and T31G (124) are in the fleet: full common files; every other model ID: base files
    assert {"y000000000096.cfg", "y000000000124.cfg", "y000000000044.cfg", "y000000000108.cfg"} <= yealink_files
    assert all(re.fullmatch(r"y0{9}\d{3}\.cfg", name) for name in yealink_files)
    common = params(files["y000000000096.cfg"])
    assert files["y000000000096.cfg"].startswith(b"#!version:1.0.0.1\n")
    assert common["static.auto_provision.server.url"] == "https://prov.demo.invalid/"
    assert common["static.auto_provision.pnp_enable"] == "0"
    assert common["sip.notify_reboot_enable"] == "0"
    assert params(files["y000000000044.cfg"]) == {"static.auto_provision.server.url": "https://prov.demo.invalid/"}


def test_every_model_has_a_common_file_id() -> None:
    for model in yealink.VENDOR.models:
        assert yealink.DRIVER.common_file(model.name), model.name
    assert yealink.DRIVER.common_file("SIP-T54W") == "y000000000096.cfg"


def test_request_and_user_agent_patterns() -> None:
    driver = yealink.DRIVER
    assert any(re.fullmatch(p, "805ec0112233.cfg") for p in driver.requested_files)
    assert any(re.fullmatch(p, "y000000000096.cfg") for p in driver.requested_files)
    assert not any(re.fullmatch(p, "000000000000.cfg") for p in driver.requested_files)
    match = re.search(driver.user_agents[0], "Yealink SIP-T54W 96.86.0.45 80:5e:c0:11:22:33")
    assert match and match.group("model", "firmware", "mac") == ("T54W", "96.86.0.45", "80:5e:c0:11:22:33")


def test_provisioning_credentials_go_to_the_phones_own_file_only() -> None:
    # The demo settings give Yealink phones digest credentials for the provisioning server (a vault value).
    # A phone's own file, served only once it proved itself, repeats them; common and base files are served
    # to whoever asks (also over TFTP) and must not carry them.
    auth = demo_fleet().settings["phone_auth"]["yealink"]
    password = reveal(auth["password"])
    own = demo_file(RECEPTION)
    assert own["static.auto_provision.server.username"] == "provisioning"
    assert own["static.auto_provision.server.password"] == password and password.startswith("demo-prov")
    files, owners = FleetRenderer(demo_fleet(), reveal).shared()
    shared = [name for name, vendor in owners if vendor == "yealink"]
    # the T54W's common file, and a base file (a model not in the fleet: what an unknown phone gets)
    assert {"y000000000096.cfg", "y000000000044.cfg"} <= set(shared)
    for name in shared:
        names = params(files[name])
        assert "static.auto_provision.server.username" not in names, name
        assert "static.auto_provision.server.password" not in names, name
        assert password not in files[name].decode(), name


MOBILITY_PHONES = """
phones:
  - {mac: 80:5e:c0:00:00:21, model: T46S, profile: office, lines: [{number: "2121", password: secret-2121}]}
  - {mac: 80:5e:c0:00:00:22, model: T46S, profile: warehouse, lines: [{number: "2122", password: secret-2122}]}
  - {mac: 00:09:45:00:00:23, vendor: atcom, model: A20W, profile: office, lines: [{number: "2123", password: s}]}
"""
LOGIN_KEY = "programablekey.3"


def login_key(fleet, mac: str) -> dict:
    found = params(render_fleet_phone(fleet, mac).files[f"{mac}.cfg"])
    return {name.removeprefix(LOGIN_KEY + "."): value for name, value in found.items() if name.startswith(LOGIN_KEY)}


def test_the_hot_desk_login_key_opens_the_applications_url() -> None:
    # the Reception's profile (office) allows hot-desking, and a T54W supports it; the fleet's scheme is https
    found = demo_file(RECEPTION)
    assert found[f"{LOGIN_KEY}.type"] == "27"  # XML browser
    assert found[f"{LOGIN_KEY}.value"] == "https://prov.demo.invalid:8081/yealink/mobility"
    assert found[f"{LOGIN_KEY}.label"] == "Hot desk"


def test_no_login_key_without_mobility_in_the_profile_or_the_model(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"phones.yml": MOBILITY_PHONES})
    assert login_key(fleet, "805ec0000021") == {
        "type": "27",
        "line": "%EMPTY%",
        "value": "https://prov.demo.invalid:8081/yealink/mobility",
        "label": "Hot desk",
    }
    assert login_key(fleet, "805ec0000022") == {}  # warehouse: mobility: false
    assert login_key(fleet, "000945000023") == {}  # Atcom on Yealink's platform: no hot-desk support claimed


def test_login_key_on_the_applications_http_port_of_an_http_fleet(tmp_path) -> None:
    settings = (DEMO_FLEET / "settings.yml").read_text()
    settings = settings.replace("    scheme: https\n", "    scheme: http\n    applications_http_port: 9080\n", 1)
    fleet = fleet_from(tmp_path, **{"phones.yml": MOBILITY_PHONES, "settings.yml": settings})
    assert login_key(fleet, "805ec0000021")["value"] == "http://prov.demo.invalid:9080/yealink/mobility"


def test_shared_files_carry_no_login_key(tmp_path) -> None:
    files, _owners = FleetRenderer(yealink_only(tmp_path), reveal).shared()
    assert not any(b"programablekey" in data for data in files.values())
