# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory_fleet_dir filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory_fleet_dir
short_description: The fleet directory of the PhoneFleet inventory a play was given
version_added: 0.1.0
description:
  - Returns the C(fleet_dir) of the first PhoneFleet inventory configuration (a file named C(*phonefleet.yml)
    with C(plugin) set to V(phonefleet.provisioning.fleet)) among the inventory sources, resolved as the inventory
    plugin resolves it (relative to the configuration file).
  - The playbooks that edit or read the fleet on the controller use it on C(ansible_inventory_sources), so a
    site runs them with its own inventory and nothing points them at the demo fleet.
options:
  _input:
    description: Inventory sources (a list, as C(ansible_inventory_sources)) or one source.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Validate the fleet of the inventory given with -i
  phonefleet.provisioning.fleet_validate:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
"""

RETURN = r"""
_value:
  description: The absolute path of the fleet directory.
  type: string
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_config import (
    InventoryConfigError,
    fleet_dir_of,
)


def inventory_fleet_dir(sources):
    try:
        return fleet_dir_of(sources)
    except InventoryConfigError as exc:
        raise AnsibleFilterError(f"inventory_fleet_dir: {exc}") from None


class FilterModule:
    def filters(self):
        return {"inventory_fleet_dir": inventory_fleet_dir}
