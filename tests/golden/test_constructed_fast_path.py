"""Constructed groups and composed variables evaluated natively are exactly those ansible-core's Constructable
makes.

The same site is read twice by ``ansible-inventory --list``: as users run it, and with the native
evaluation turned off by a sitecustomize of this test, and the two inventories must be equal.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.bench.synthetic import write_fleet
from tests.golden.test_inventory_plugin import REPO, inventory

# Everything the native evaluation handles, and forms it must leave to the templar.
CONFIG = """\
plugin: phonefleet.provisioning.fleet
keyed_groups:
  - key: phone_tenant
    prefix: tenant
    separator: "_"
  - key: phone_site
  - key: phone_missing_variable
    prefix: none
  - key: phone_lines
    prefix: lines
  - key: phone_vendor
    prefix: ""
  - key: phone_profile
    parent_group: profiles
compose:
  phone_label: phone_name ~ ' (' ~ phone_model | default('unknown model') ~ ')'
  phone_name_copy: phone_name
  phone_model_copy: phone_model
  phone_copied_missing_variable: phone_missing_variable
  phone_lines_copy: phone_lines
  phone_modules_copy: phone_modules
groups:
  phones_with_modules: phone_modules | length > 0
  one_line: phone_lines | length == 1
  yealinks: phone_vendor == 'yealink'
  not_cisco: phone_vendor != "cisco"
  labelled: phone_label is defined
  broken: phone_missing_variable
"""

# The slow path: when the fleet plugin's class is defined, its module's compilers are withdrawn, so every
# entry goes to Constructable (ansible loads the plugin itself: it cannot be imported before).
SITECUSTOMIZE = """\
import sys

from ansible.plugins.inventory import Constructable


def _withdraw_compilers(cls, **kwargs):
    plugin_module = sys._getframe(1).f_globals
    if "compile_key" in plugin_module:
        plugin_module["compile_key"] = lambda expression: None
        plugin_module["compile_conditional"] = lambda expression: None
        plugin_module["compile_value"] = lambda expression: None


Constructable.__init_subclass__ = classmethod(_withdraw_compilers)
"""


def _site(tmp_path: Path, fleet: str) -> Path:
    site = tmp_path / fleet
    if fleet == "demo":
        shutil.copytree(REPO / "inventory/demo/fleet", site / "fleet")
    else:
        write_fleet(site / "fleet", 600)
    (site / "phonefleet.yml").write_text(CONFIG, encoding="utf-8")
    return site


@pytest.mark.parametrize("fleet", ["demo", "generated"])
def test_native_groups_equal_constructable(tmp_path, fleet):
    site = _site(tmp_path, fleet)
    fast = inventory(site, "--list")
    assert fast.returncode == 0, fast.stderr
    slow_hooks = tmp_path / "slow"
    slow_hooks.mkdir()
    (slow_hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    slow = inventory(site, "--list", env={"PYTHONPATH": f"{slow_hooks}:{REPO / 'collections'}"})
    assert slow.returncode == 0, slow.stderr
    fast_inventory, slow_inventory = json.loads(fast.stdout), json.loads(slow.stdout)
    assert fast_inventory == slow_inventory
    # The comparison is not empty: the native forms made groups, with hosts.
    assert fast_inventory["tenant_bench" if fleet == "generated" else "yealinks"]["hosts"]
    assert "one_line" in fast_inventory and "not_cisco" in fast_inventory
    # ... and composed variables, natively (a one-variable expression) and by the templar (a missing variable).
    phones = [host_vars for host_vars in fast_inventory["_meta"]["hostvars"].values() if "phone_mac" in host_vars]
    assert phones and all(host_vars["phone_name_copy"] == host_vars["phone_name"] for host_vars in phones)
    assert all("phone_copied_missing_variable" not in host_vars for host_vars in phones)
