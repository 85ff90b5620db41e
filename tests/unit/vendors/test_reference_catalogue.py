"""The model catalogue covers every model the reference product lists, and its older models render.

The list below is the reference product's (issue 12, "migration"): Yealink T19–T58 with the older
T19P/T21P/T40P/T41P/T42G/T46G/T48G/T52S and the E2 variants, Unify CP100–CP700 with the CP600E, and the Cisco
CP families of research/unify-cisco.md B.6. Figures marked verified come from wazo-provd-plugins' Yealink
tables; the others must say they are not checked.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.yealink import driver as yealink

from tests.unit.render_support import DEMO_FLEET, fleet_from, render_fleet_phone, reveal
from tests.unit.vendors.test_yealink_render import params, yealink_only

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.vendors import yealink as yealink_phone  # noqa: E402

REFERENCE_MODELS = {
    "yealink": [
        "T19P", "T19P E2", "T19 E2", "T21P", "T21P E2", "T21 E2", "T23P", "T23G", "T27P", "T27G", "T29G",
        "T30", "T30P", "T31", "T31P", "T31G", "T31W", "T33P", "T33G", "T34W",
        "T40P", "T40G", "T41P", "T41S", "T41U", "T42G", "T42S", "T42U", "T43U", "T44U", "T44W",
        "T46G", "T46S", "T46U", "T48G", "T48S", "T48U",
        "T52S", "T53", "T53W", "T53C", "T54S", "T54W", "T57W", "T58A", "T58W",
    ],
    "unify": ["CP100", "CP110", "CP200", "CP205", "CP210", "CP400", "CP410", "CP600", "CP600E", "CP700", "CP700X",
              "CP710"],
    "cisco": [
        "CP-3905", "CP-6901", "CP-6911", "CP-6921", "CP-6941", "CP-6945", "CP-6961",
        "CP-7811", "CP-7821", "CP-7832", "CP-7841", "CP-7861",
        "CP-7906G", "CP-7911G", "CP-7941G", "CP-7942G", "CP-7945G", "CP-7961G", "CP-7962G", "CP-7965G",
        "CP-7970G", "CP-7971G", "CP-7975G",
        "CP-8811", "CP-8832", "CP-8841", "CP-8845", "CP-8851", "CP-8861", "CP-8865",
        "CP-8941", "CP-8945", "CP-8961", "CP-9951", "CP-9971",
    ],
}  # fmt: skip

#: name -> (SIP accounts, line keys, expansion modules, at most, verified) as the sources give them
FIGURES = {
    # wazo_yealink common.py _NB_SIP_ACCOUNTS / _NB_LINEKEY, six modules on T27P/T46G/T48G
    "T19P": (1, 0, (), 0, True),
    "T21P": (2, 2, (), 0, True),
    "T27P": (6, 21, ("EXP40",), 6, True),
    "T40P": (3, 3, (), 0, True),
    "T41P": (6, 15, (), 0, True),
    "T42G": (12, 15, (), 0, True),
    "T46G": (16, 27, ("EXP40",), 6, True),
    "T48G": (16, 29, ("EXP40",), 6, True),
    # in no table: assumed, and said so
    "T40G": (3, 3, (), 0, False),
    "T52S": (12, 21, ("EXP50",), 3, False),
    "T19 E2": (1, 0, (), 0, False),
    "T21 E2": (2, 2, (), 0, False),
}


@pytest.mark.parametrize(
    ("vendor", "name"), [(vendor, name) for vendor, names in REFERENCE_MODELS.items() for name in names]
)
def test_the_catalogue_lists_the_reference_products_model(vendor: str, name: str) -> None:
    info = registry.vendor_named(vendor)
    assert info is not None
    model = info.model(name)
    assert model is not None, f"{vendor} {name} is missing from the catalogue"
    assert model.lines >= 1 and model.line_keys >= 0
    for module in model.expansion_modules:
        assert info.expansion_module(module) is not None, (name, module)


@pytest.mark.parametrize("name", FIGURES)
def test_older_yealink_figures(name: str) -> None:
    model = yealink.VENDOR.model(name)
    assert model is not None
    assert (
        model.lines,
        model.line_keys,
        model.expansion_modules,
        model.max_expansion_modules,
        model.verified,
    ) == FIGURES[name]


def test_e2_variants_are_known_by_their_user_agent_spelling() -> None:
    for spelling, name in (("SIP-T19P_E2", "T19P E2"), ("SIP-T21_E2", "T21 E2"), ("SIP-T46G", "T46G")):
        model = yealink.VENDOR.model(spelling)
        assert model is not None and model.name == name, spelling


def test_cp600e_is_a_cp600_and_unverified() -> None:
    unify = registry.vendor_named("unify")
    assert unify is not None
    cp600, cp600e = unify.model("CP600"), unify.model("CP600E")
    assert cp600 is not None and cp600e is not None and cp600e.name == "CP600E"
    assert (cp600e.lines, cp600e.line_keys, cp600e.expansion_modules) == (
        cp600.lines,
        cp600.line_keys,
        cp600.expansion_modules,
    )
    assert not cp600e.verified


def test_cisco_79x1_and_797x_are_unverified() -> None:
    cisco = registry.vendor_named("cisco")
    assert cisco is not None
    for name in ("7906", "CP-7911G", "7941", "7961G", "CP-7970G", "CP-7971G"):
        model = cisco.model(name)
        assert model is not None and not model.verified, name


def test_yealink_common_files_agree_with_the_simulated_phone() -> None:
    # The simulator's table is written from FusionPBX's boot files; the driver's verified IDs must be exactly
    # those, and the driver must not claim as verified a file the simulated phone does not fetch.
    for name, (model_id, verified) in yealink.MODEL_IDS.items():
        simulated = yealink_phone.common_file(name)
        if verified:
            assert simulated == f"y{model_id:012d}.cfg", name
        else:
            assert simulated is None, f"{name}: the simulator knows its file, the driver calls it unverified"
    for name in yealink_phone.COMMON_FILES:
        assert yealink.MODEL_IDS[name][1], name
    assert set(yealink.MODEL_IDS) == {model.name for model in yealink.VENDOR.models}


T46G_PHONE = """
phones:
  - mac: 00:15:65:46:46:01
    name: Old desk
    model: T46G
    modules: [{module}]
    lines:
      - {{number: "2461", password: secret-2461}}
    keys:
      - {{index: 1, function: line, line: 1}}
      - {{index: 2, function: blf, value: "2002", label: Director}}
      - {{index: 28, function: speed_dial, value: "2040", label: Gate}}
"""


def test_a_t46g_phone_validates_and_renders(tmp_path: Path) -> None:
    fleet = yealink_only(tmp_path, T46G_PHONE.format(module="EXP40"))
    rendered = render_fleet_phone(fleet, "001565464601")
    cfg = params(rendered.files["001565464601.cfg"])
    assert cfg["account.1.user_name"] == "2461"
    assert (cfg["linekey.2.type"], cfg["linekey.2.value"]) == ("16", "2002")
    # 27 keys of its own: key 28 is the EXP40's first
    assert (cfg["expansion_module.1.key.1.type"], cfg["expansion_module.1.key.1.value"]) == ("13", "2040")
    assert not rendered.warnings
    # its common file is the one a T46G fetches (y000000000028.cfg), with the fleet's server
    files, _owners = FleetRenderer(fleet, reveal).shared()
    common = yealink_phone.common_file("SIP-T46G")
    assert common == "y000000000028.cfg"
    assert params(files[common])["static.auto_provision.server.url"] == "https://prov.demo.invalid/"


def test_a_t46g_with_a_t5x_module_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FleetValidationError, match=r"T46G does not take a EXP50 \(it takes: EXP40\)"):
        yealink_only(tmp_path, T46G_PHONE.format(module="EXP50"))


def test_a_cp600e_renders(tmp_path: Path) -> None:
    text = (DEMO_FLEET / "phones.yml").read_text()
    assert text.count("    model: CP400\n") == 1
    cp600e = (
        "    model: CP600E\n"
        "    modules: [KM410]\n"
        "    keys:\n"
        "      - {index: 1, function: line, line: 1}\n"
        "      - {index: 13, function: blf, value: '2002', label: Director}\n"
    )
    fleet = fleet_from(tmp_path, **{"phones.yml": text.replace("    model: CP400\n", cp600e)})
    mac = "001ae8556677"
    rendered = render_fleet_phone(fleet, mac)
    root = ET.fromstring(rendered.files[f"{mac}_config.xml"])
    found = {(item.get("name"), item.get("index")): item.text for item in root.iter("{http://www.siemens.com/DLS}Item")}
    assert (found[("e164", None)], found[("sip-user-id", None)]) == ("2007", "2007")
    assert found[("function-key-def", "1")] == "31"
    # 12 keys of its own: key 13 is the key module's first (index 301)
    assert (found[("function-key-def", "301")], found[("stimulus-led-control-uri", "301")]) == ("59", "2002")
    # the demo profile's Opus is the only thing a CP leaves out
    assert [warning for warning in rendered.warnings if "opus" not in warning] == []
