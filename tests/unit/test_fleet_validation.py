"""Validation of fleet files: each rule's message names the file, the line and the path to the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet

BASE_FILES = {
    "settings.yml": """
        settings:
          provisioning: {servers: [prov.test.invalid]}
        """,
    "profiles.yml": """
        profiles:
          office:
            sip: {registrar: pbx.test.invalid, transport: udp}
            codecs: [g722, pcma]
            network: {vlan: {id: 20}}
            extended: [yealink-office]
        """,
    "extended_sets.yml": """
        extended_sets:
          yealink-office:
            vendor: yealink
            params: {lang.gui: English}
        """,
    "key_templates.yml": """
        key_templates:
          desk:
            keys:
              - {index: 1, function: line, line: 1}
              - {index: 2, function: blf, value: "2002"}
        """,
    "firmware.yml": """
        firmware:
          files:
            - {name: t54w-96, vendor: yealink, models: [T54W], version: 96.86.0.45, file: T54W-96.86.0.45.rom}
          kits:
            stable: {files: [t54w-96]}
        """,
    "phones.yml": """
        phones:
          - mac: 80:5e:c0:11:22:33
            model: T54W
            profile: office
            firmware_kit: stable
            key_template: desk
            lines:
              - {number: "2001", password: secret-2001}
          - mac: 80:5e:c0:11:22:44
            model: T54W
            profile: office
            lines:
              - {number: "2002", password: secret-2002}
        """,
    "mobility.yml": """
        mobility_users:
          - name: Ivan
            number: "5001"
            pin_hash: pbkdf2_sha256$1000$c2FsdA==$aGFzaA==
            lines: [{number: "5001", password: secret-5001}]
        """,
}


def write_fleet(tmp_path: Path, **overrides: str) -> Path:
    """A valid fleet with some files replaced (``phones_yml="..."`` replaces phones.yml)."""
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    files = dict(BASE_FILES)
    for name, text in overrides.items():
        files[name.replace("_yml", ".yml").replace("_csv", ".csv")] = text
    for name, text in files.items():
        if text is not None:
            (fleet / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return fleet


def problems(fleet: Path) -> list[str]:
    with pytest.raises(FleetValidationError) as caught:
        load_fleet(str(fleet))
    return [str(problem) for problem in caught.value.problems]


def only_problem(fleet: Path) -> str:
    found = problems(fleet)
    assert len(found) == 1, found
    return found[0]


def test_the_base_fleet_is_valid(tmp_path):
    fleet = load_fleet(str(write_fleet(tmp_path)))
    assert [phone.mac for phone in fleet.phones] == ["805ec0112233", "805ec0112244"]
    assert fleet.phones[0].vendor == "yealink" and fleet.phones[0].vendor_source == "model"
    assert [key.index for key in fleet.keys_of(fleet.phones[0])] == [1, 2]


def test_malformed_mac(tmp_path):
    phones = BASE_FILES["phones.yml"].replace("80:5e:c0:11:22:44", "80:5e:c0:11:22")
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert message.startswith("fleet/phones.yml:9: phones[1].mac: ") or "phones.yml:9: phones[1].mac:" in message
    assert "'80:5e:c0:11:22' is not a MAC address" in message


@pytest.mark.parametrize(
    ("mac", "reason"),
    [
        # a Yealink phone's file 000000000000.cfg would be Poly's base file (Unify's is 000000000000_config.xml)
        ("00:00:00:00:00:00", "cannot be a phone's MAC: its file would bear the name of "),
        ("FF:FF:FF:FF:FF:FF", "is the broadcast address, not a phone's"),
        ("01:00:5e:11:22:44", "is a multicast address (the first octet is odd), not a phone's"),
        ("33-33-00-00-00-01", "is a multicast address (the first octet is odd), not a phone's"),
    ],
)
def test_mac_no_phone_can_have(tmp_path, mac, reason):
    phones = BASE_FILES["phones.yml"].replace("80:5e:c0:11:22:44", mac)
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:9: phones[1].mac: " in message
    assert f"'{mac}' {reason}" in message


def test_reserved_macs_come_from_the_drivers_shared_files():
    reserved = registry.reserved_macs()
    assert set(reserved) == {"000000000000"}
    assert reserved["000000000000"] in {("000000000000.cfg", "poly"), ("000000000000_config.xml", "unify")}
    # Yealink's common files (y000000000123.cfg) hold 12 hex digits no phone's file name puts there
    assert "000000000124" not in reserved


def test_unicast_macs_with_an_even_first_octet_are_phones(tmp_path):
    phones = BASE_FILES["phones.yml"].replace("80:5e:c0:11:22:44", "02:00:00:00:00:01")
    fleet = load_fleet(str(write_fleet(tmp_path, phones_yml=phones)))
    assert [phone.mac for phone in fleet.phones] == ["805ec0112233", "020000000001"]


@pytest.mark.parametrize("second", ["805e.c011.2233", "805ec0112233", "80-5E-C0-11-22-33", "805ec0:112233"])
def test_same_mac_in_another_notation(tmp_path, second):
    phones = BASE_FILES["phones.yml"].replace("80:5e:c0:11:22:44", second)
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:9: phones[1].mac:" in message
    assert f"'{second}' is the same MAC as " in message and "phones.yml: phones[0]" in message


def test_same_mac_in_two_files(tmp_path):
    more = """
        phones:
          - mac: 0015.65aa.bbcc
            model: T31G
            lines: [{number: "2003", password: x}]
        """
    other = """
        phones:
          - mac: 00:15:65:AA:BB:CC
            model: T31G
            lines: [{number: "2004", password: y}]
        """
    message = only_problem(write_fleet(tmp_path, **{"a_yml": more, "b_yml": other}))
    assert "b.yml:2: phones[0].mac:" in message and "a.yml: phones[0]" in message


@pytest.mark.parametrize(
    ("field", "value", "kind", "defined"),
    [
        ("profile", "lab", "profile", "office"),
        ("firmware_kit", "beta", "firmware kit", "stable"),
        ("key_template", "boss", "key template", "desk"),
    ],
)
def test_unknown_reference_from_a_phone(tmp_path, field, value, kind, defined):
    phones = BASE_FILES["phones.yml"].replace(
        "    profile: office\n            lines:", f"    {field}: {value}\n            lines:"
    )
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert f"phones.yml:11: phones[1].{field}: unknown {kind} '{value}'; defined: {defined}" in message


def test_unknown_extended_set(tmp_path):
    profiles = BASE_FILES["profiles.yml"].replace("extended: [yealink-office]", "extended: [yealink-office, snom-x]")
    message = only_problem(write_fleet(tmp_path, profiles_yml=profiles))
    assert (
        "profiles.yml:6: profiles.office.extended[1]: unknown extended set 'snom-x'; defined: yealink-office" in message
    )


def test_mobility_number_used_twice(tmp_path):
    mobility = BASE_FILES["mobility.yml"].rstrip(" ") + (
        "          - name: Anna\n"
        '            number: "5001"\n'
        "            pin_hash: pbkdf2_sha256$1000$c2FsdA==$aGFzaA==\n"
        '            lines: [{number: "5001", password: secret-5002}]\n'
    )
    message = only_problem(write_fleet(tmp_path, mobility_yml=mobility))
    assert "mobility.yml:7: mobility_users[1].number: number 5001 is already used by the mobility user at" in message
    assert "mobility_users[0]" in message


def test_mobility_number_that_a_phone_line_has(tmp_path):
    phones = BASE_FILES["phones.yml"].replace('number: "2002"', 'number: "5001"')
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:13: phones[1].lines[0].number: number 5001 belongs to the mobility user" in message


@pytest.mark.parametrize("vlan", [4095, -1, 10000])
def test_vlan_out_of_range(tmp_path, vlan):
    profiles = BASE_FILES["profiles.yml"].replace("vlan: {id: 20}", f"vlan: {{id: {vlan}}}")
    message = only_problem(write_fleet(tmp_path, profiles_yml=profiles))
    assert f"profiles.yml:5: profiles.office.network.vlan.id: {vlan} is out of range 0-4094" in message


def test_vlan_edges_are_valid(tmp_path):
    for vlan in (0, 4094):
        profiles = BASE_FILES["profiles.yml"].replace("vlan: {id: 20}", f"vlan: {{id: {vlan}}}")
        path = tmp_path / str(vlan)
        path.mkdir()
        load_fleet(str(write_fleet(path, profiles_yml=profiles)))


def test_unknown_transport(tmp_path):
    profiles = BASE_FILES["profiles.yml"].replace("transport: udp", "transport: sctp")
    message = only_problem(write_fleet(tmp_path, profiles_yml=profiles))
    assert (
        "profiles.yml:3: profiles.office.sip.transport: unknown transport 'sctp'; expected one of: udp, tcp, tls"
        in message
    )


def test_unknown_time_zone(tmp_path):
    profiles = BASE_FILES["profiles.yml"].replace(
        "codecs: [g722, pcma]\n", "codecs: [g722, pcma]\n            time: {timezone: Europe/Atlantis}\n"
    )
    message = only_problem(write_fleet(tmp_path, profiles_yml=profiles))
    assert "profiles.yml:5: profiles.office.time.timezone: unknown time zone 'Europe/Atlantis'" in message


def test_unknown_codec(tmp_path):
    profiles = BASE_FILES["profiles.yml"].replace("codecs: [g722, pcma]", "codecs: [g722, g999]")
    message = only_problem(write_fleet(tmp_path, profiles_yml=profiles))
    assert "profiles.yml:4: profiles.office.codecs[1]: unknown codec 'g999'; expected one of: opus, g722" in message


def test_key_on_a_line_the_phone_lacks(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        '              - {number: "2002", password: secret-2002}',
        '              - {number: "2002", password: secret-2002}\n'
        "            keys:\n"
        "              - {index: 1, function: line, line: 2}",
    )
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:15: phones[1].keys[0].line: key 1 uses line 2 but there is 1 line" in message


def test_key_template_on_a_line_the_phone_lacks(tmp_path):
    templates = BASE_FILES["key_templates.yml"].replace('value: "2002"}', 'value: "2002", line: 3}')
    message = only_problem(write_fleet(tmp_path, key_templates_yml=templates))
    assert "phones.yml:6: phones[0].key_template: key template 'desk' key 2 uses line 3 but there is 1 line" in message


AVAYA_WITH_TWO_LINES = """
          - mac: 24:d9:21:aa:bb:09
            model: J179
            profile: office
            lines:
              - {number: "2101", password: one}
              - {number: "2102", password: two}
"""


def test_lines_beyond_the_models_sip_accounts_are_refused(tmp_path):
    # a J179 in open SIP mode has one SIP identity (its eight call appearances are of that one): its file
    # carries line 1 only, so a second line would be dropped without a word
    phones = BASE_FILES["phones.yml"] + AVAYA_WITH_TWO_LINES
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:20: phones[2].lines[1]: J179 has 1 SIP account; line 2 cannot be written" in message


def test_password_missing_on_a_registering_line(tmp_path):
    phones = BASE_FILES["phones.yml"].replace('{number: "2002", password: secret-2002}', '{number: "2002"}')
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:13: phones[1].lines[0].password: is required for a line that registers" in message


def test_a_line_that_does_not_register_needs_no_password(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        '{number: "2002", password: secret-2002}', '{number: "2002", register: false}'
    )
    load_fleet(str(write_fleet(tmp_path, phones_yml=phones)))


def test_all_problems_are_reported_together(tmp_path):
    phones = (
        BASE_FILES["phones.yml"]
        .replace("80:5e:c0:11:22:44", "not-a-mac")
        .replace("firmware_kit: stable", "firmware_kit: beta")
        .replace('{number: "2001", password: secret-2001}', '{number: "2001"}')
    )
    profiles = BASE_FILES["profiles.yml"].replace("transport: udp", "transport: sctp")
    found = problems(write_fleet(tmp_path, phones_yml=phones, profiles_yml=profiles))
    assert len(found) == 4, found
    text = "\n".join(found)
    for expected in ("phones[1].mac", "phones[0].firmware_kit", "phones[0].lines[0].password", "sip.transport"):
        assert expected in text


def test_unknown_field_is_named(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        "    model: T54W\n            profile: office\n            firmware",
        "    model: T54W\n            profil: office\n            firmware",
    )
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:4: phones[0].profil: unknown field; expected one of:" in message


def test_unquoted_mac_read_as_a_number(tmp_path):
    phones = BASE_FILES["phones.yml"].replace("80:5e:c0:11:22:44", "10:15:25:30:40:50")
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones[1].mac: must be of type string, not int (write the MAC in quotes" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    message = only_problem(write_fleet(tmp_path, phones_yml="phones:\n  - mac: [unclosed\n"))
    assert "phones.yml:3: YAML syntax error" in message


def test_unknown_model_and_vendor(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        "    model: T54W\n            profile: office\n            lines",
        "    vendor: yealink\n            model: T99\n            profile: office\n            lines",
    )
    message = _fresh(tmp_path, "unknown-model", phones_yml=phones)
    assert "phones.yml:11: phones[1].model: unknown Yealink model 'T99'; known:" in message
    phones = BASE_FILES["phones.yml"].replace(
        "    model: T54W\n            profile: office\n            lines",
        "    vendor: acme\n            profile: office\n            lines",
    )
    message = _fresh(tmp_path, "unknown-vendor", phones_yml=phones)
    assert "phones.yml:10: phones[1].vendor: unknown vendor 'acme'; known: atcom, avaya, cisco" in message


def _fresh(tmp_path: Path, name: str, **overrides: str) -> str:
    path = tmp_path / name
    path.mkdir()
    return only_problem(write_fleet(path, **overrides))


def test_expansion_module_the_model_does_not_take(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        "    key_template: desk\n", "    key_template: desk\n            modules: [EXP40]\n"
    )
    message = only_problem(write_fleet(tmp_path, phones_yml=phones))
    assert "phones.yml:7: phones[0].modules[0]: T54W does not take a EXP40 (it takes: EXP50)" in message


def test_vendor_from_mac_prefix(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        "    model: T54W\n            profile: office\n            lines", "    profile: office\n            lines"
    )
    fleet = load_fleet(str(write_fleet(tmp_path, phones_yml=phones)))
    assert (fleet.phones[1].vendor, fleet.phones[1].model, fleet.phones[1].vendor_source) == ("yealink", None, "mac")


def test_phones_in_csv_report_row_and_column(tmp_path):
    csv_text = (
        "MAC Адрес;Название;Номер;Имя пользователя;Пароль;Профиль;Комплект ПО\r\n"
        "80:5e:c0:00:00:01;Склад A;3001;3001;pw;office;\r\n"
        "xx;Склад B;3002;3002;pw;office;\r\n"
        "80:5e:c0:00:00:03;Склад C;3003;3003;pw;lab;\r\n"
    )
    fleet = write_fleet(tmp_path)
    (fleet / "more-phones.csv").write_bytes(csv_text.encode("cp1251"))
    found = [item.split("fleet/", 1)[1] for item in problems(fleet)]
    assert found == [
        "more-phones.csv:3: mac: 'xx' is not a MAC address (need 12 hex digits)",
        "more-phones.csv:4: profile: unknown profile 'lab'; defined: office",
    ]


def test_settings_references(tmp_path):
    settings = """
        settings:
          provisioning: {servers: [prov.test.invalid]}
          vendors: [yealink, nokia]
          autoprovision: {enabled: true, number_pool: ["3099-3000"], profile: lab}
        """
    found = problems(write_fleet(tmp_path, settings_yml=settings))
    text = "\n".join(found)
    assert "settings.yml:3: settings.vendors[1]: unknown vendor 'nokia'" in text
    assert "settings.autoprovision.number_pool[0]: range '3099-3000' ends before it starts" in text
    assert "settings.autoprovision.profile: unknown profile 'lab'" in text
    # a stranger anywhere could drain the pool: auto-provisioning names the networks it serves
    assert "settings.autoprovision.allowed_networks: is required when autoprovision is enabled" in text
    # the pool's SIP passwords are derived from password_secret: a fleet validated now must have it
    assert "settings.autoprovision.password_secret: is required when autoprovision is enabled" in text


def test_autoprovisioning_allowed_networks_are_cidr(tmp_path):
    settings = """
        settings:
          provisioning: {servers: [prov.test.invalid]}
          autoprovision:
            enabled: true
            number_pool: ["3000-3009"]
            profile: office
            allowed_networks: [10.20.0.0/16, 10.0.0.0/33, voice-vlan]
        """
    found = "\n".join(problems(write_fleet(tmp_path, settings_yml=settings)))
    assert "settings.yml:7: settings.autoprovision.allowed_networks[1]: not a network (CIDR)" in found
    assert "settings.autoprovision.allowed_networks[2]: not a network (CIDR)" in found
    assert "allowed_networks[0]" not in found


def test_two_files_defining_the_same_profile(tmp_path):
    more = """
        profiles:
          office:
            sip: {registrar: other.test.invalid}
        """
    message = only_problem(write_fleet(tmp_path, more_profiles_yml=more))
    assert "fleet/profiles.yml:2: profiles.office: profile 'office' is already defined in " in message
    assert message.endswith("fleet/more_profiles.yml")


def test_vault_values_count_as_passwords(tmp_path):
    phones = BASE_FILES["phones.yml"].replace(
        "password: secret-2002",
        'password: !vault "$ANSIBLE_VAULT;1.1;AES256\\n6162636465"',
    )
    fleet = load_fleet(str(write_fleet(tmp_path, phones_yml=phones)))
    password = fleet.phones[1].lines[0].password
    assert type(password).__name__ == "VaultValue" and password.ciphertext.startswith("$ANSIBLE_VAULT;1.1;AES256")


def with_updates(tmp_path: Path, updates: str) -> Path:
    """The base fleet whose profile office has ``updates`` (a flow mapping)."""
    profiles = BASE_FILES["profiles.yml"].replace(
        "extended: [yealink-office]", f"extended: [yealink-office]\n            updates: {updates}"
    )
    return write_fleet(tmp_path, profiles_yml=profiles)


WINDOW_NEVER_REACHED = (
    "updates.config_check ({days} {hours}) never falls inside updates.firmware_window ({window}),"
    " so its phones get new firmware only when rebooted inside the window (firmware_upgrade.yml reboots them there)"
)


@pytest.mark.parametrize(
    ("updates", "warning"),
    [
        pytest.param(  # the demo's warehouse: checks on weeknights, firmware on Sunday
            '{config_check: {days: [mon, tue, wed, thu, fri], hours: "01:00-04:00"},'
            ' firmware_window: {days: [sun], hours: "03:00-04:00"}}',
            WINDOW_NEVER_REACHED.format(days="mon, tue, wed, thu, fri", hours="01:00-04:00", window="sun 03:00-04:00"),
            id="days-apart",
        ),
        pytest.param(  # the same days, hours that end where the window starts
            '{config_check: {days: [sun], hours: "01:00-03:00"}, firmware_window: {days: [sun], hours: "03:00-04:00"}}',
            WINDOW_NEVER_REACHED.format(days="sun", hours="01:00-03:00", window="sun 03:00-04:00"),
            id="hours-apart",
        ),
        pytest.param(  # Saturday 23:00 to Sunday 02:00 reaches Sunday's window
            '{config_check: {days: [sat], hours: "23:00-02:00"}, firmware_window: {days: [sun], hours: "01:00-02:00"}}',
            None,
            id="past-midnight-reaches-it",
        ),
        pytest.param(  # Sunday night past midnight is Monday morning
            '{config_check: {days: [sun], hours: "23:00-01:00"}, firmware_window: {days: [mon], hours: "00:00-00:30"}}',
            None,
            id="past-the-end-of-the-week",
        ),
        pytest.param(
            '{config_check: {hours: "03:30-03:45"}, firmware_window: {days: [wed], hours: "03:00-04:00"}}',
            None,
            id="every-day",
        ),
        pytest.param(
            '{config_check: {every: 1h}, firmware_window: {days: [sat, sun], hours: "02:00-05:00"}}',
            None,
            id="every-hour-in-three",
        ),
        pytest.param(
            '{config_check: {every: 2h}, firmware_window: {days: [sun], hours: "03:00-04:00"}}',
            "updates.config_check (every 2h) is longer than updates.firmware_window (sun 03:00-04:00):"
            " a check may miss it, so its phones get new firmware only when rebooted inside the window"
            " (firmware_upgrade.yml reboots them there)",
            id="every-two-hours-in-one",
        ),
    ],
)
def test_a_firmware_window_no_config_check_reaches_is_a_warning(tmp_path, updates, warning):
    directory = with_updates(tmp_path, updates)
    fleet = load_fleet(str(directory))
    found = [str(item) for item in fleet.warnings if "updates.firmware_window" in str(item)]
    expected = f"{directory}/profiles.yml:7: profiles.office.updates.firmware_window: {warning}"
    assert found == ([expected] if warning else [])
