"""The vendor-neutral half of rendering: precedence, key layout on expansion modules, time zones."""

from __future__ import annotations

import typing
from xml.etree import ElementTree

from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog.models import (
    ExpansionModule,
    PhoneModel,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog.registry import vendor_named
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.model import Key
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.timezone import zone_facts
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.context import ContextBuilder
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.driver import VendorDriver
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.keys import lay_out_keys
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer

from tests.unit.render_support import DEMO_FLEET, demo_fleet, fleet_from, reveal

MODEL = PhoneModel("X1", lines=2, line_keys=4, expansion_modules=("M10",), max_expansion_modules=2)
MODULE = ExpansionModule("M10", keys_per_page=5, pages=2)
ALL = {"line", "blf", "speed_dial"}


def keys(*indexes: int, function: str = "blf") -> list[Key]:
    return [Key(index=index, function=function, value=str(1000 + index)) for index in indexes]


def test_keys_past_the_phone_go_to_modules_page_by_page():
    layout = lay_out_keys(keys(1, 4, 5, 10, 11, 14, 15, 24), MODEL, [MODULE, MODULE], ALL, "phone x")
    assert [key["index"] for key in layout.phone] == [1, 4]
    first, second = layout.modules
    assert [(key["index"], key["page"]) for key in first["keys"]] == [(1, 1), (6, 2), (7, 2), (10, 2)]
    assert [(key["index"], key["page"]) for key in second["keys"]] == [(1, 1), (10, 2)]
    assert layout.warnings == []


def test_a_key_with_no_place_or_no_function_is_a_warning_naming_the_phone():
    layout = lay_out_keys([*keys(25), *keys(2, function="intercom")], MODEL, [MODULE, MODULE], ALL, "phone 80:5e")
    assert layout.phone == [] and all(not module["keys"] for module in layout.modules)
    assert layout.warnings == [
        "phone 80:5e: key 25 has no place (X1 with 2 expansion module(s) has 24 keys); left out",
        "phone 80:5e: key 2 'intercom' is not supported on this vendor; left out",
    ]


def test_time_zone_facts_come_from_the_tz_database():
    berlin = zone_facts("Europe/Berlin")
    assert (berlin.utc_offset_hours, berlin.dst_offset_minutes) == ("+1", 60)
    assert (berlin.dst_start.month, berlin.dst_start.week, berlin.dst_start.weekday, berlin.dst_start.hour) == (
        3,
        5,
        0,
        2,
    )
    assert (berlin.dst_end.month, berlin.dst_end.hour) == (10, 3)
    assert zone_facts("Asia/Kolkata").utc_offset_hours == "+5:30"
    assert not zone_facts("Europe/Moscow").has_dst


class _Driver(VendorDriver):
    vendor = vendor_named("yealink")
    key_functions: typing.ClassVar[dict] = {"line": 15, "blf": 16, "speed_dial": 13}
    defaults: typing.ClassVar[dict] = {"sip": {"expires": 1800, "nat_keepalive": 15}, "network": {"lldp": False}}


def test_precedence_vendor_defaults_profile_extended_sets_template_phone(tmp_path):
    extended = (
        "extended_sets:\n"
        "  first: {vendor: yealink, params: {a: 1, b: 1}}\n"
        "  second: {vendor: yealink, params: {b: 2}}\n"
        "  other: {vendor: snom, params: {a: 9}}\n"
    )
    original = (DEMO_FLEET / "profiles.yml").read_text()
    profiles = original.replace(
        "extended: [yealink-office, cisco-dialrules, avaya-office, unify-office]", "extended: [first, other, second]"
    )
    assert profiles != original
    fleet = fleet_from(tmp_path, **{"extended_sets.yml": extended, "profiles.yml": profiles})
    phone = fleet.phone("0cd0f8a1b2c3")  # Director: template 'manager' + its own key 4
    context, _warnings = ContextBuilder(fleet, reveal).phone_context(phone, _Driver(), None)
    assert context["params"] == {"a": 1, "b": 2}  # profile order, later sets win, other vendors' sets ignored
    assert context["sip"]["expires"] == 3600  # profile over vendor default
    assert context["sip"]["nat_keepalive"] == 30
    assert context["network"]["lldp"] is True  # profile over vendor default
    assert [(key["index"], key["function"]) for key in context["keys"]] == [
        (1, "line"),
        (2, "line"),
        (3, "blf"),
        (4, "speed_dial"),
    ]  # template keys 1-3, the phone's own key 4 over the template's voicemail key
    assert context["lines"][1]["password"].startswith("demo-")  # revealed from the demo vault
    assert context["time"]["utc_offset"] == "+3"
    assert context["provisioning"]["base_url"] == "https://prov.demo.invalid/"


def test_text_is_escaped_in_every_xml_format():
    """Names with XML's special characters are written escaped: every XML file parses and reads them back."""
    fleet = demo_fleet()
    awkward = 'R&D <Lab\'s> "B"'
    for phone in fleet.phones:
        phone.name = awkward
        for line in phone.lines:
            line.display_name = awkward
    renderer = FleetRenderer(fleet, reveal)
    phones_in_xml = 0
    for phone in fleet.phones:
        # Avaya refuses '"' (its script has no escape)
        if not (phone.vendor and phone.model) or phone.vendor == "avaya":
            continue
        texts = []
        for data in renderer.phone(phone).files.values():
            if data.lstrip().startswith(b"<"):
                assert b"R&D <" not in data
                root = ElementTree.fromstring(data)
                texts += [text for element in root.iter() for text in (element.text, *element.attrib.values()) if text]
        if texts:
            phones_in_xml += 1
            assert any(awkward in text for text in texts), phone.vendor
    assert phones_in_xml >= 8
