"""The fleet directory of an inventory, as playbooks that edit the fleet find it (inventory_fleet_dir)."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_config import (
    InventoryConfigError,
    fleet_dir_of,
)


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_an_inventory_directory_gives_its_configured_fleet_dir(tmp_path):
    write(tmp_path / "site" / "hosts.yml", "all: {}\n")
    write(tmp_path / "site" / "phonefleet.yml", "plugin: phonefleet.provisioning.fleet\nfleet_dir: data/fleet\n")
    assert fleet_dir_of([str(tmp_path / "site")]) == str(tmp_path / "site" / "data" / "fleet")


def test_a_configuration_file_without_fleet_dir_gives_fleet_beside_it(tmp_path):
    write(tmp_path / "site" / "my.phonefleet.yaml", "plugin: phonefleet.provisioning.fleet\n")
    assert fleet_dir_of(str(tmp_path / "site" / "my.phonefleet.yaml")) == str(tmp_path / "site" / "fleet")


def test_an_absolute_fleet_dir_stays(tmp_path):
    write(tmp_path / "inv" / "phonefleet.yml", f"plugin: phonefleet.provisioning.fleet\nfleet_dir: {tmp_path}/x\n")
    assert fleet_dir_of([str(tmp_path / "other"), str(tmp_path / "inv")]) == f"{tmp_path}/x"


def test_no_phonefleet_inventory_is_a_clear_error(tmp_path):
    write(tmp_path / "inv" / "phonefleet.yml", "plugin: some.other.plugin\n")
    with pytest.raises(InventoryConfigError, match=r"no PhoneFleet inventory .* -e phonefleet_fleet_dir"):
        fleet_dir_of([str(tmp_path / "inv")])
