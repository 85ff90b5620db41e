"""The simulator's facts are its own: no simulator module asks the collection what a phone knows.

A simulator that takes a file name, a parameter or a code from the driver it tests agrees with it by
construction (issue 11 item 10). The one import of the collection left is the operator's side, documented in
its module: ``__main__.load_bundle`` resolving the vendor of a model-only fleet entry as the fleet format does,
and ``demo`` reading the Cisco phones with the collection's control code (the operator's Ansible would).
"""

from __future__ import annotations

import re
from pathlib import Path

SIMULATOR = Path(__file__).resolve().parents[3] / "simulator" / "phonefleet_simulator"
#: module -> why it may use the collection (its docstring says so)
OPERATOR_SIDE = {
    "__main__.py": "the fleet bundle's vendor of a model-only entry",
    "demo.py": "the demo drives the Cisco phones with the collection's control code, as status.yml does",
}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+ansible_collections\.phonefleet\.provisioning\.plugins", re.MULTILINE)


def test_no_simulator_module_imports_the_collection_but_the_operator_side():
    importing = sorted(
        str(path.relative_to(SIMULATOR)) for path in SIMULATOR.rglob("*.py") if _IMPORT.search(path.read_text())
    )
    assert importing == sorted(OPERATOR_SIDE), importing
    for name in OPERATOR_SIDE:
        assert "not a phone's fact" in (SIMULATOR / name).read_text()


def test_every_vendor_module_names_its_mac_prefix():
    from phonefleet_simulator import vendors
    from phonefleet_simulator.__main__ import SYNTHETIC

    for vendor, _model in SYNTHETIC:
        prefixes = vendors.ouis(vendor)
        assert prefixes and all(re.fullmatch(r"[0-9a-f]{6}", prefix) for prefix in prefixes), vendor
