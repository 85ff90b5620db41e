# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: firmware_kit
short_description: Add, change or remove a firmware kit of the fleet
version_added: 0.2.0
description:
  - Creates or changes the firmware kit O(name) (C(firmware.kits) of the fleet), or removes it.
  - A kit names the firmware files phones that name the kit get, at most one per model. Add its files with
    P(phonefleet.provisioning.firmware_file#module) first.
  - Options a task does not give stay as they are; O(files) replaces the list. An empty O(description)
    removes it.
  - The fleet is validated as a whole; an unknown file, two files for the same model, or removing a kit that
    phones, the defaults or auto-provisioning still name fails naming the file and field, and writes nothing.
options:
  name:
    description: The kit's name (what phones name in C(firmware_kit)).
    type: str
    required: true
  state:
    description: V(absent) removes the kit.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: One line saying what the kit is. An empty string removes it.
    type: str
  files:
    description: The firmware files of the kit (their names). Required for a new kit.
    type: list
    elements: str
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
seealso:
  - module: phonefleet.provisioning.firmware_file
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: The Q4 kit
  phonefleet.provisioning.firmware_kit:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    name: 2026-q4
    description: Firmware approved in Q4 2026
    files: [yealink-t54w-96.86.0.70, cisco-8845-14-3]
"""

RETURN = r"""
changes:
  description: The items created, changed or removed (in check mode, that would be).
  returned: always
  type: list
  elements: dict
  sample: [{kind: firmware_kits, name: 2026-q4, file: inventory/site/fleet/firmware.yml, action: created}]
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/firmware.yml]
"""
