# Private to this collection: where an inventory's fleet is, for playbooks that edit or read the fleet files.
"""The fleet directory of an inventory, as the ``phonefleet.provisioning.fleet`` plugin reads it.

Playbooks that run on the controller only (validate, import, the editing modules) have no provisioning
server whose ``inventory_dir`` names the site; they take the fleet of the inventory they were given
(``ansible_inventory_sources``), so a site repository works with ``-i inventory`` and nothing forces the
demo fleet on it.
"""

from __future__ import annotations

import os

from .yamlio import YamlSyntaxError, load_yaml

PLUGIN_NAMES = ("phonefleet.provisioning.fleet",)
CONFIG_SUFFIXES = ("phonefleet.yml", "phonefleet.yaml")
DEFAULT_FLEET_DIR = "fleet"


class InventoryConfigError(ValueError):
    """No inventory source is a PhoneFleet inventory, or its configuration cannot be read."""


def resolve_fleet_dir(config_path: str, fleet_dir: str | None) -> str:
    """``fleet_dir`` of the configuration file at ``config_path``: relative to that file unless absolute."""
    fleet_dir = os.path.expanduser(fleet_dir or DEFAULT_FLEET_DIR)
    if not os.path.isabs(fleet_dir):
        fleet_dir = os.path.join(os.path.dirname(os.path.abspath(config_path)), fleet_dir)
    return fleet_dir


def _configs(source: str) -> list[str]:
    if os.path.isdir(source):
        return [
            os.path.join(source, name)
            for name in sorted(os.listdir(source))
            if name.endswith(CONFIG_SUFFIXES) and not name.startswith(".")
        ]
    return [source] if source.endswith(CONFIG_SUFFIXES) else []


def fleet_dir_of(sources: list[str] | str) -> str:
    """The fleet directory of the first PhoneFleet inventory configuration among ``sources``."""
    if isinstance(sources, str):
        sources = [sources]
    for source in sources:
        for config in _configs(str(source)):
            try:
                with open(config, encoding="utf-8") as handle:
                    data = load_yaml(handle.read())
            except (OSError, UnicodeDecodeError, YamlSyntaxError) as exc:
                raise InventoryConfigError(f"{config}: cannot read the inventory configuration: {exc}") from None
            if isinstance(data, dict) and data.get("plugin") in PLUGIN_NAMES:
                fleet_dir = data.get("fleet_dir")
                return resolve_fleet_dir(config, fleet_dir if isinstance(fleet_dir, str) else None)
    shown = ", ".join(str(source) for source in sources) or "none"
    raise InventoryConfigError(
        f"no PhoneFleet inventory (a file named *phonefleet.yml with plugin: phonefleet.provisioning.fleet) among"
        f" the inventory sources ({shown}); run with -i <site inventory> or pass -e phonefleet_fleet_dir=<dir>"
    )
