"""Which phones a selection picks (phones_bulk and phones_export share it): one test per filter, their
combination (OR within a filter, AND across), labels typed in Cyrillic, and the errors a user sees."""

from __future__ import annotations

import unicodedata

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.model import (
    Fleet,
    Line,
    Origin,
    Phone,
    Site,
    Tenant,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import (
    SELECTION_OPTIONS,
    Selection,
    SelectionError,
    select,
)

NOW = 1_800_000_000.0
DAY = 86400


def _phone(index: int, mac: str, name: str | None, vendor: str, model: str, profile: str, site: str, *numbers):
    return Phone(
        mac=mac,
        origin=Origin("phones.yml", ("phones", index)),
        name=name,
        vendor=vendor,
        model=model,
        profile=profile,
        site=site,
        lines=[Line(number=number) for number in numbers],
    )


PHONES = [
    _phone(0, "805ec0112233", "Reception", "yealink", "T54W", "office", "moscow-hq", "2001"),
    _phone(1, "0cd0f8a1b2c3", "Director", "cisco", "CP-8845", "office", "moscow-hq", "2002", "2102"),
    _phone(2, "805ec0aa0001", "Склад, стеллаж A", "yealink", "T31G", "Базовый", "Склад 1", "3101"),
    _phone(3, "805ec0aa0002", "Приёмная 2", "yealink", "T46U", "Базовый", "Склад 1", "3102"),
    _phone(4, "000413010203", None, "snom", "D785", "office", "Офис", "4001"),
]


def _fleet() -> Fleet:
    fleet = Fleet(
        tenants={"acme": Tenant("acme"), "ООО Ромашка": Tenant("ООО Ромашка")},
        sites={
            "moscow-hq": Site("moscow-hq", tenant="acme"),
            "Склад 1": Site("Склад 1", tenant="ООО Ромашка"),
            "Офис": Site("Офис"),
        },
        phones=list(PHONES),
    )
    fleet.phones_by_mac = {phone.mac: phone for phone in fleet.phones}
    return fleet


def names(options: dict, live: dict | None = None) -> list[str | None]:
    return [phone.name for phone in select(_fleet(), Selection.from_options(options), live, now=NOW)]


def test_options_fit_an_argument_spec():
    assert set(SELECTION_OPTIONS) == {
        "vendor",
        "model",
        "profile",
        "site",
        "tenant",
        "status",
        "not_seen_for",
        "name",
        "number",
        "macs",
        "all",
    }
    assert SELECTION_OPTIONS["all"] == {"type": "bool", "default": False}


def test_vendor_and_model_ignore_case_and_keep_fleet_order():
    assert names({"vendor": "Yealink"}) == ["Reception", "Склад, стеллаж A", "Приёмная 2"]
    assert names({"vendor": ["snom", "cisco"]}) == ["Director", None]  # fleet order, not the option's
    assert names({"model": "t46u"}) == ["Приёмная 2"]


def test_profile_site_and_tenant_are_cyrillic_labels_compared_exactly():
    assert names({"profile": "Базовый"}) == ["Склад, стеллаж A", "Приёмная 2"]
    assert names({"profile": "базовый"}) == []  # a label is exact: case counts
    assert names({"site": "Склад 1"}) == ["Склад, стеллаж A", "Приёмная 2"]
    assert names({"site": "Склад"}) == []  # no prefix matching
    assert names({"site": ["Офис", "moscow-hq"]}) == ["Reception", "Director", None]
    assert names({"tenant": "ООО Ромашка"}) == ["Склад, стеллаж A", "Приёмная 2"]
    assert names({"tenant": "acme"}) == ["Reception", "Director"]  # the site "Офис" has no tenant


def test_labels_are_compared_after_nfc_normalisation():
    # "й" typed as и + combining breve (as some keyboards and macOS file names give it) is the same name
    decomposed = unicodedata.normalize("NFD", "Базовый")
    assert decomposed != "Базовый"
    assert names({"profile": decomposed}) == ["Склад, стеллаж A", "Приёмная 2"]


def test_name_is_a_case_insensitive_unicode_glob():
    assert names({"name": "приёмная*"}) == ["Приёмная 2"]
    assert names({"name": "СКЛАД, *"}) == ["Склад, стеллаж A"]
    assert names({"name": ["re*", "d?rector"]}) == ["Reception", "Director"]
    assert names({"name": "*"}) == ["Reception", "Director", "Склад, стеллаж A", "Приёмная 2"]  # not the nameless
    assert names({"name": "Recep"}) == []  # a pattern matches the whole name


def test_number_globs_any_line():
    assert names({"number": "21*"}) == ["Director"]  # its second line
    assert names({"number": ["310?", "4001"]}) == ["Склад, стеллаж A", "Приёмная 2", None]
    assert names({"number": "2"}) == []


@pytest.mark.parametrize("mac", ["80:5E:C0:11:22:33", "80-5e-c0-11-22-33", "805e.c011.2233", "805EC0112233"])
def test_macs_in_any_notation(mac):
    assert names({"macs": [mac]}) == ["Reception"]


def test_an_invalid_mac_is_named():
    with pytest.raises(SelectionError, match=r"^select\.macs: 'zz:11' is not a MAC address"):
        Selection.from_options({"macs": ["80:5e:c0:11:22:33", "zz:11"]})


def test_a_mac_not_in_the_fleet_is_reported():
    selection = Selection.from_options({"macs": ["80:5e:c0:11:22:33", "00:11:22:33:44:55"]})
    assert selection.missing_macs(_fleet()) == ["001122334455"]


def test_or_within_an_option_and_across_options():
    assert names({"vendor": "yealink", "site": "Склад 1"}) == ["Склад, стеллаж A", "Приёмная 2"]
    assert names({"vendor": ["yealink", "cisco"], "profile": "office"}) == ["Reception", "Director"]
    assert names({"vendor": "cisco", "site": "Склад 1"}) == []
    assert names({"vendor": "yealink", "name": "*2", "number": "31*"}) == ["Приёмная 2"]


def test_nothing_selected_needs_all_true():
    with pytest.raises(SelectionError, match=r"^select: selects no phone; .*all: true"):
        Selection.from_options({})
    # an argument spec fills absent options with None; empty values count as absent
    with pytest.raises(SelectionError, match="selects no phone"):
        Selection.from_options({name: None for name in SELECTION_OPTIONS} | {"all": False, "vendor": []})
    assert len(names({"all": True})) == len(PHONES)


def test_all_with_a_filter_is_refused():
    with pytest.raises(SelectionError, match=r"^select\.all: true selects every phone; leave out site"):
        Selection.from_options({"all": True, "site": "Офис"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, r"^select: unknown option 'colour'"),
        ({"vendor": [""]}, r"^select\.vendor: an empty value selects nothing"),
        ({"profile": {"a": 1}}, r"^select\.profile: must be a string or a list of strings"),
        ({"status": 4}, r"^select\.status: must be a status 0, 1, 2 or 3 .*not 4"),
        ({"status": True}, r"^select\.status: must be a status"),
        ({"not_seen_for": "a while"}, r"^select\.not_seen_for: must be a duration such as"),
        ({"all": "yes"}, r"^select\.all: must be true or false"),
    ],
)
def test_bad_values_name_the_option(options, message):
    with pytest.raises(SelectionError, match=message):
        Selection.from_options(options)


def test_where_prefixes_the_messages():
    with pytest.raises(SelectionError, match=r"^filter\.status: "):
        Selection.from_options({"status": 9}, where="filter")


LIVE = {
    "805ec0112233": {"mac": "805ec0112233", "status": 3, "last_contact": NOW - 60},
    "0cd0f8a1b2c3": {"mac": "0cd0f8a1b2c3", "status": 2, "last_contact": NOW - 40 * DAY},
    "805ec0aa0001": {"mac": "805ec0aa0001", "status": 1, "last_contact": None},
    # 805ec0aa0002 and the snom phone: not published, the service does not know them
}


def test_status_needs_the_service():
    selection = Selection.from_options({"status": [1, 2]})
    assert selection.needs_live
    assert not Selection.from_options({"vendor": "snom"}).needs_live
    with pytest.raises(SelectionError, match=r"^select\.status: needs the provisioning service"):
        select(_fleet(), selection)
    with pytest.raises(SelectionError, match=r"^select\.status: needs the provisioning service"):
        selection.matches(_fleet(), PHONES[0], None)


def test_status_from_the_service_rows():
    assert names({"status": [1, 2]}, LIVE) == ["Director", "Склад, стеллаж A"]
    assert names({"status": "3"}, LIVE) == ["Reception"]
    assert names({"status": 0}, LIVE) == []  # phones the service does not know have no status
    assert names({"status": [2, 3], "vendor": "yealink"}, LIVE) == ["Reception"]


def test_not_seen_for_counts_never_contacted_phones():
    selection = Selection.from_options({"not_seen_for": "30d"})
    assert selection.needs_live
    with pytest.raises(SelectionError, match=r"^select\.not_seen_for: needs the provisioning service"):
        select(_fleet(), selection)
    assert names({"not_seen_for": "30d"}, LIVE) == ["Director", "Склад, стеллаж A"]
    assert names({"not_seen_for": "1m"}, LIVE) == ["Reception", "Director", "Склад, стеллаж A"]
    assert names({"not_seen_for": "2m"}, LIVE) == ["Director", "Склад, стеллаж A"]
