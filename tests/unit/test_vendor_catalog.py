"""The vendor catalog: every driver's data sheet is consistent and the registry look-ups behave."""

from __future__ import annotations

import re

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog.models import VendorInfo
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.atcom import datasheet as atcom
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.qtech import driver as qtech

VENDORS = list(registry.VENDORS.values())
HEX = set("0123456789abcdef")


def by_name(name: str) -> VendorInfo:
    vendor = registry.vendor_named(name)
    assert vendor is not None, name
    return vendor


def test_vendors_are_registered_once_in_order() -> None:
    assert list(registry.VENDORS) == [
        "yealink",
        "cisco",
        "cisco_mpp",
        "avaya",
        "unify",
        "atcom",
        "qtech",
        "poly",
        "grandstream",
        "snom",
        "fanvil",
    ]
    assert all(key == vendor.name for key, vendor in registry.VENDORS.items())


def _vendor_folder(root, folder: str, name: str) -> None:
    (root / folder).mkdir(parents=True)
    (root / folder / "__init__.py").write_text("")
    (root / folder / "datasheet.py").write_text(
        "from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog.models import "
        "PhoneModel, VendorInfo\n"
        f"VENDOR = VendorInfo(name={name!r}, title={name!r}, ouis=(), models=(PhoneModel('M1', 1, 1),))\n"
    )


def test_a_vendor_folder_is_found_by_its_data_sheet(tmp_path, monkeypatch) -> None:
    """Adding a vendor is adding its folder: the registry finds the data sheet, puts a vendor it does not
    rank after the ranked ones, and skips a folder without one."""
    package = tmp_path / "found_vendors"
    package.mkdir()
    (package / "__init__.py").write_text("")
    _vendor_folder(package, "acme", "acme")
    _vendor_folder(package, "snom", "snom")
    (package / "notes").mkdir()
    (package / "notes" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "VENDORS_PACKAGE", "found_vendors")
    assert list(registry._data_sheets()) == ["snom", "acme"]


def test_a_data_sheet_must_name_its_folder(tmp_path, monkeypatch) -> None:
    package = tmp_path / "misnamed_vendors"
    package.mkdir()
    (package / "__init__.py").write_text("")
    _vendor_folder(package, "acme", "acme_phones")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "VENDORS_PACKAGE", "misnamed_vendors")
    message = "vendors/acme/datasheet.py: VENDOR.name is 'acme_phones', not its folder's name 'acme'"
    with pytest.raises(ImportError, match=re.escape(message)):
        registry._data_sheets()


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
def test_every_vendor_has_models_and_ouis(vendor: VendorInfo) -> None:
    assert vendor.models
    assert vendor.ouis
    assert vendor.title
    for oui in vendor.ouis:
        assert len(oui) == 6 and set(oui) <= HEX, f"{vendor.name}: bad OUI {oui!r}"
    assert len(set(vendor.ouis)) == len(vendor.ouis), f"{vendor.name}: duplicate OUI"


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
def test_model_figures_are_sane(vendor: VendorInfo) -> None:
    for model in vendor.models:
        assert model.lines >= 1, model.name
        assert model.line_keys >= 0, model.name
        assert bool(model.expansion_modules) == (model.max_expansion_modules > 0), model.name


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
def test_every_model_expansion_module_is_declared_by_its_vendor(vendor: VendorInfo) -> None:
    for model in vendor.models:
        for name in model.expansion_modules:
            assert vendor.expansion_module(name) is not None, f"{vendor.name} {model.name}: unknown module {name}"
    for module in vendor.expansion_modules:
        assert module.keys > 0, module.name


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
def test_every_name_and_alias_resolves_to_its_model_in_one_vendor_only(vendor: VendorInfo) -> None:
    for model in vendor.models:
        for name in (model.name, *model.aliases):
            assert vendor.model(name) is model, f"{vendor.name}: {name!r} resolves to another model"
            assert registry.vendors_with_model(name) == [vendor], f"{name!r} is claimed by several vendors"


def test_model_lookup_ignores_case_spaces_and_dashes() -> None:
    assert [v.name for v in registry.vendors_with_model("cp 8845")] == ["cisco"]
    assert by_name("cisco").model("cp 8845") is by_name("cisco").model("CP-8845")
    assert by_name("cisco").model("8845") is by_name("cisco").model("CP-8845")
    assert by_name("yealink").model("sip-t54w") is by_name("yealink").model("T54W")
    assert by_name("yealink").model("SIP-T21P_E2") is by_name("yealink").model("T21P E2")
    assert by_name("poly").model("VVX_450") is by_name("poly").model("VVX 450")
    assert registry.vendors_with_model("no such phone") == []


def test_cisco_enterprise_and_mpp_never_share_a_model_name() -> None:
    assert [v.name for v in registry.vendors_with_model("CP-8851-3PCC")] == ["cisco_mpp"]
    assert [v.name for v in registry.vendors_with_model("CP-8851")] == ["cisco"]
    assert [v.name for v in registry.vendors_with_model("CP-6841")] == ["cisco_mpp"]
    assert [v.name for v in registry.vendors_with_model("CP-7841-3PCC")] == ["cisco_mpp"]


def test_vendor_named() -> None:
    assert registry.vendor_named("yealink") is registry.VENDORS["yealink"]
    assert registry.vendor_named("Cisco_MPP") is registry.VENDORS["cisco_mpp"]
    assert registry.vendor_named("nokia") is None


def test_vendor_for_mac_matches_the_oui_prefix() -> None:
    assert registry.vendor_for_mac("001565aabbcc") is by_name("yealink")
    assert registry.vendor_for_mac("805ec0123456") is by_name("yealink")
    assert registry.vendor_for_mac("80:5E:C0:12:34:56") is by_name("yealink")
    assert registry.vendor_for_mac("808287000001") is by_name("atcom")
    assert registry.vendor_for_mac("000413741767") is by_name("snom")
    assert registry.vendor_for_mac("123456abcdef") is None
    assert registry.vendor_for_mac("001565") is None
    assert registry.vendor_for_mac("00156zaabbcc") is None


def test_a_cisco_mac_alone_names_no_firmware_family() -> None:
    mac = "00562b043615"
    assert registry.vendors_for_mac(mac) == [by_name("cisco"), by_name("cisco_mpp")]
    assert registry.vendor_for_mac(mac) is None


def test_only_cisco_families_share_mac_blocks() -> None:
    owners: dict[str, set[str]] = {}
    for vendor in VENDORS:
        for oui in vendor.ouis:
            owners.setdefault(oui, set()).add(vendor.name)
    shared = {oui: names for oui, names in owners.items() if len(names) > 1}
    assert all(names == {"cisco", "cisco_mpp"} for names in shared.values()), shared


def test_verified_yealink_figures() -> None:
    yealink = by_name("yealink")
    for name, keys in (("EXP40", 40), ("EXP43", 60), ("EXP50", 60)):
        module = yealink.expansion_module(name)
        assert module is not None and module.verified
        assert module.keys == keys
    t46s = yealink.model("T46S")
    assert t46s is not None and t46s.verified
    assert (t46s.lines, t46s.line_keys, t46s.expansion_modules, t46s.max_expansion_modules) == (16, 27, ("EXP40",), 6)
    t54w = yealink.model("T54W")
    assert t54w is not None and t54w.verified
    assert (t54w.lines, t54w.line_keys, t54w.expansion_modules, t54w.max_expansion_modules) == (16, 27, ("EXP50",), 3)
    assert all(model.screenshot and model.mobility for model in yealink.models)


def test_verified_cisco_figures() -> None:
    cisco = by_name("cisco")
    cp8841 = cisco.model("CP-8841")
    cp8845 = cisco.model("CP-8845")
    assert cp8841 is not None and cp8841.verified and cp8841.line_keys == 10
    # Same 88xx chassis; the 8845 figure itself is not checked, so it stays unverified.
    assert cp8845 is not None and not cp8845.verified and cp8845.line_keys == cp8841.line_keys
    cp8945 = cisco.model("CP-8945")
    assert cp8945 is not None and cp8945.verified and (cp8945.lines, cp8945.line_keys) == (4, 4)
    mpp8861 = by_name("cisco_mpp").model("CP-8861-3PCC")
    assert mpp8861 is not None and mpp8861.verified and mpp8861.max_expansion_modules == 3


def test_verified_avaya_expansion_module() -> None:
    avaya = by_name("avaya")
    jem24 = avaya.expansion_module("JEM24")
    assert jem24 is not None and jem24.verified and jem24.keys == 72
    j179 = avaya.model("J179")
    assert j179 is not None and "JEM24" in j179.expansion_modules and j179.max_expansion_modules == 3


def test_hot_desk_mobility_only_on_yealink_and_cisco_78xx_88xx() -> None:
    for vendor in VENDORS:
        for model in vendor.models:
            if not model.mobility:
                continue
            assert vendor.name in {"yealink", "cisco"}, f"{vendor.name} {model.name}"
            if vendor.name == "cisco":
                assert model.name[3:5] in {"78", "88"}, model.name


def test_screenshot_is_claimed_only_where_documented() -> None:
    claimed = {vendor.name for vendor in VENDORS if any(model.screenshot for model in vendor.models)}
    assert claimed == {"yealink", "cisco"}


def test_platform_of_rebranded_phones_is_recorded_and_unverified() -> None:
    assert atcom.PLATFORM == "yealink"
    assert qtech.PLATFORM is None
    for vendor in (by_name("atcom"), by_name("qtech")):
        assert not any(model.verified for model in vendor.models), vendor.name
