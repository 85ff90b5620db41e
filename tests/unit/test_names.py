"""Names are what people type: labels in the fleet files, safe identifiers where Ansible needs them."""

from __future__ import annotations

import random
import re
import string
import unicodedata
from xml.etree import ElementTree

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_view import host_records
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.names import group_name, slug

from tests.unit.names_support import LABELS_YML, OFFICE_NFD, UNIFY_MAC, YEALINK_MAC
from tests.unit.render_support import demo_fleet, fleet_from, render_fleet_phone

OFFICE = unicodedata.normalize("NFC", OFFICE_NFD)


def _problems(tmp_path, **files: str) -> list[str]:
    with pytest.raises(FleetValidationError) as error:
        fleet_from(tmp_path, **files)
    return [str(problem) for problem in error.value.problems]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Склад 1", "sklad_1"),
        ("Офис", "ofis"),
        ("Базовый", "bazovyi"),
        ("Отдел продаж (2 этаж)", "otdel_prodazh_2_etazh"),
        ("Щука, ёж; Юг", "shchuka_ezh_iug"),
        ("Café Straße", "cafe_strasse"),
        ("北京", "u5317_u4eac"),
        ("İstanbul", "istanbul"),
        # ASCII names keep the group they had: lower case, each run of other characters one '_'
        ("CP-8845", "cp_8845"),
        ("moscow-hq", "moscow_hq"),
        ("a__b", "a__b"),
        ("2026.Q3", "2026_q3"),
        ("!!!", ""),
    ],
)
def test_slug(name, expected) -> None:
    assert slug(name) == expected
    assert slug(unicodedata.normalize("NFD", name)) == expected  # the same typed name, however composed


def _group_before_labels(prefix, value) -> str:
    # The rule before names were labels: no group of an ASCII fleet may change.
    return f"{prefix}_{re.sub(r'[^a-z0-9_]+', '_', str(value).lower()).strip('_')}"


def test_demo_groups_are_those_of_the_ascii_rule() -> None:
    pairs = [pair for record in host_records(demo_fleet()) for pair in record["groups"]]
    assert pairs
    assert all(group_name(*pair) == _group_before_labels(*pair) for pair in pairs)


def test_every_ascii_name_keeps_its_group() -> None:
    generator = random.Random(12)
    alphabet = string.printable[:-5]  # letters, digits, punctuation and the space
    for _attempt in range(5000):
        name = "".join(generator.choice(alphabet) for _position in range(generator.randint(1, 12)))
        assert group_name("profile", name) == _group_before_labels("profile", name), name


def test_a_fleet_named_as_people_type_validates_and_references_resolve(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"labels.yml": LABELS_YML})
    assert {"Базовый", OFFICE} <= set(fleet.profiles)
    assert fleet.profiles["Базовый"].extended == ["Громкость звонка"]
    unify = fleet.phone(UNIFY_MAC)
    assert unify is not None
    assert unify.profile == OFFICE  # written decomposed, found composed
    assert fleet.tenant_of(unify) == "ООО «Ромашка»"
    yealink = fleet.phone(YEALINK_MAC)
    assert yealink is not None
    assert [key.label for key in fleet.keys_of(yealink)] == [None, "Склад"]
    records = {record["host"]: record for record in host_records(fleet)}
    assert records[UNIFY_MAC]["vars"]["phone_profile_slug"] == "ofis_sever_2_i_etazh"
    assert records[UNIFY_MAC]["vars"]["phone_site_slug"] == "otdel_prodazh_2_etazh"
    assert records[UNIFY_MAC]["vars"]["phone_tenant_slug"] == "ooo_romashka"


def test_labelled_phones_render_and_a_name_cannot_break_out_of_a_comment(tmp_path) -> None:
    fleet = fleet_from(tmp_path, **{"labels.yml": LABELS_YML})
    unify = render_fleet_phone(fleet, UNIFY_MAC)
    text = unify.files[f"{UNIFY_MAC}_config.xml"].decode()
    ElementTree.fromstring(text)  # '-->' in the profile name does not end the comment early
    comment = text.split("<!--", 1)[1].split("-->", 1)[0]
    assert "profile Офис «Север» - -&gt; 2-й этаж (" in comment
    yealink = render_fleet_phone(fleet, YEALINK_MAC)
    config = yealink.files[f"{YEALINK_MAC}.cfg"].decode()
    assert "profile Базовый." in config
    assert "voice.ring_vol = 8" in config  # the extended set named in Cyrillic is applied


def test_names_that_would_share_a_group_are_an_error_naming_both(tmp_path) -> None:
    more = "profiles:\n  СКЛАД-1:\n    sip: {registrar: pbx}\n  Склад 1:\n    sip: {registrar: pbx}\n"
    problems = _problems(tmp_path, **{"more.yml": more})
    assert len(problems) == 1, problems
    assert "profile 'Склад 1' and profile 'СКЛАД-1'" in problems[0]
    assert "profile_sklad_1" in problems[0]
    assert "more.yml" in problems[0]


def test_sites_and_tenants_that_would_share_a_group_are_errors(tmp_path) -> None:
    more = "tenants:\n  Ромашка: {}\n  ромашка: {}\nsites:\n  moscow hq: {}\n"  # the demo has site moscow-hq
    problems = _problems(tmp_path, **{"more.yml": more})
    tenants = [problem for problem in problems if "tenant 'ромашка' and tenant 'Ромашка'" in problem]
    assert len(tenants) == 1 and "tenant_romashka" in tenants[0], problems
    # more.yml is read before sites.yml: the demo's site is the second one
    assert any("site 'moscow-hq' and site 'moscow hq' (" in problem for problem in problems), problems


def test_a_name_without_letters_or_digits_is_an_error(tmp_path) -> None:
    problems = _problems(tmp_path, **{"more.yml": "sites:\n  '---': {}\n"})
    assert any("site '---' gives no inventory group name" in problem for problem in problems), problems


def test_the_same_name_composed_twice_ways_is_an_error(tmp_path) -> None:
    nfd = unicodedata.normalize("NFD", "Ёлка")
    problems = _problems(tmp_path, **{"more.yml": f"key_templates:\n  Ёлка:\n    keys: []\n  {nfd}:\n    keys: []\n"})
    assert any("is the same name as 'Ёлка'" in problem for problem in problems), problems


@pytest.mark.parametrize(
    "name", ['" leading"', '"trailing "', '"two\\nlines"', '"bell\\a"', '"bidi\\u202e"', "x" * 101]
)
def test_names_that_are_no_one_line_label_are_refused(tmp_path, name) -> None:
    problems = _problems(tmp_path, **{"more.yml": f"sites:\n  {name}: {{}}\n"})
    assert any("more.yml" in problem and "sites" in problem for problem in problems), problems


def test_a_reference_differing_in_case_says_what_was_meant(tmp_path) -> None:
    phones = "phones:\n  - mac: 80:5e:c0:77:00:09\n    model: T54W\n    profile: OFFICE\n"
    problems = _problems(tmp_path, **{"more.yml": phones})
    hint = "unknown profile 'OFFICE' (names compare exactly, case included: did you mean 'office'?)"
    assert any(hint in problem for problem in problems), problems


def test_a_problem_under_a_name_written_decomposed_names_its_line(tmp_path) -> None:
    nfd = unicodedata.normalize("NFD", "Ёлка")
    more = f"profiles:\n  {nfd}:\n    sip: {{registrar: pbx}}\n    time: {{timezone: Mars/Base}}\n"
    problems = _problems(tmp_path, **{"more.yml": more})
    assert any("more.yml:4: profiles.Ёлка.time.timezone: " in problem for problem in problems), problems
