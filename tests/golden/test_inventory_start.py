"""What the fleet inventory plugin imports to start a run, and that what it leaves out is still there when needed.

Every ``ansible-playbook`` of a job reads the inventory before its first event (issue 13: first event <= 1 s), so
the plugin imports only what builds hosts from a valid fleet. Python's own import log
(``PYTHONPROFILEIMPORTTIME``) says which modules a real ``ansible-inventory`` run imported.
"""

from __future__ import annotations

import re

from tests.golden.test_inventory_plugin import hostvars, inventory, make_site

IMPORT_LOG = {"PYTHONPROFILEIMPORTTIME": "1"}


def imported(stderr: str) -> set[str]:
    """Module names of Python's import log (``import time: self | cumulative | name``)."""
    return {match.strip() for match in re.findall(r"^import time:\s+\d+ \|\s+\d+ \|(.+)$", stderr, re.MULTILINE)}


def test_a_valid_fleet_without_a_service_is_read_without_jsonschema_or_an_http_client(tmp_path):
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    result = inventory(site, "--list", env=IMPORT_LOG)
    assert len(hostvars(result)) == 14
    modules = imported(result.stderr)
    assert "ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema_check" in modules
    assert "fastjsonschema" in modules
    assert "jsonschema" not in modules
    assert "ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api" not in modules
    assert "ansible.module_utils.urls" not in modules
    assert "netaddr" not in modules  # the demo's MACs are in the usual notations


def test_a_schema_error_is_still_explained_by_jsonschema(tmp_path):
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    phones = site / "fleet/phones.yml"
    text = phones.read_text(encoding="utf-8")
    phones.write_text(text.replace("model: CP-8845", "model: CP-8845\n    colour: red", 1), encoding="utf-8")
    result = inventory(site, "--graph", env=IMPORT_LOG)
    assert result.returncode != 0
    assert re.search(r"phones\.yml:\d+: phones\[\d+\]\.colour: unknown field; expected one of: ", result.stderr)
    assert "jsonschema" in imported(result.stderr)


def test_the_vendor_drivers_are_imported_once_for_the_reserved_macs(tmp_path):
    site = make_site(tmp_path, "plugin: phonefleet.provisioning.fleet\n")
    environment = {**IMPORT_LOG, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    # every vendor's driver stands on the renderer, and nothing else of an inventory read does (the vendors'
    # own modules are imported by name, which Python's import log leaves out)
    driver = "ansible_collections.phonefleet.provisioning.plugins.module_utils.render.driver"
    first = inventory(site, "--list", env=environment)
    assert len(hostvars(first)) == 14
    assert driver in imported(first.stderr)  # the MAC rule asked every driver for its shared files
    second = inventory(site, "--list", env=environment)
    assert hostvars(second) == hostvars(first)
    assert driver not in imported(second.stderr)  # ... and the answer was kept
    phones = site / "fleet/phones.yml"
    phones.write_text(phones.read_text(encoding="utf-8").replace("0cd0.f8a1.b2c3", "00:00:00:00:00:00"))
    refused = inventory(site, "--graph", env=environment)
    assert refused.returncode != 0
    assert "'00:00:00:00:00:00' cannot be a phone's MAC: its file would bear the name of " in refused.stderr
