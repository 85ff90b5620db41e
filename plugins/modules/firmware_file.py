# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: firmware_file
short_description: Add, change or remove a firmware file of the fleet, and keep its image in the site's store
version_added: 0.2.0
description:
  - Creates or changes the firmware file O(name) in the fleet's C(firmware.files) list, or removes it.
  - With O(src), the image is copied into the site's firmware store (O(firmware_dir)), where
    P(phonefleet.provisioning.publish#module) copies it from, and its sha256 is computed (read a block at a time)
    and written to the fleet. A store that already holds another image under the same file name is never
    overwritten; the task fails naming O(file) instead. The image is copied only after the whole change was validated,
    and before the fleet names it.
  - Options a task does not give stay as they are. O(models) replaces the list.
  - The fleet is validated as a whole, so a model the vendor's catalogue does not know, an unknown vendor,
    or removing a file a kit still lists fails naming the file and field, and writes nothing.
  - A separate module from P(phonefleet.provisioning.firmware_kit#module) because a file and a kit are named
    differently and live apart (files are shared by kits); add the files first, then the kit that lists them.
options:
  name:
    description: The firmware file's name in the fleet (what kits list).
    type: str
    required: true
  state:
    description:
      - V(absent) removes the file from the fleet. Its image stays in the store (published kits may use it).
    type: str
    choices: [present, absent]
    default: present
  vendor:
    description: The vendor whose phones take this firmware. Required for a new file.
    type: str
  models:
    description:
      - The models the image is for, as the vendor's catalogue names them. Required for a new file.
    type: list
    elements: str
  version:
    description: The firmware version the phones report once they run it. Required for a new file.
    type: str
  file:
    description:
      - The image's file name in the store. Defaults to the name it has in the fleet, else the name of O(src).
    type: str
  sha256:
    description:
      - The image's sha256. With O(src), computed; a value given must then match the image.
      - An empty string removes it.
    type: str
  src:
    description:
      - The firmware image to keep in the store, a path on the controller. Relative to the playbook directory.
    type: path
  firmware_dir:
    description:
      - The site's firmware store. Defaults to the C(firmware) folder beside O(fleet_dir)
        (C(inventory/<site>/firmware)), the default of the publish playbook.
    type: path
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
seealso:
  - module: phonefleet.provisioning.firmware_kit
  - module: phonefleet.provisioning.publish
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Add a Yealink image to the fleet and to the site's firmware store
  phonefleet.provisioning.firmware_file:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    name: yealink-t54w-96.86.0.70
    vendor: yealink
    models: [T54W, T57W]
    version: 96.86.0.70
    src: /srv/downloads/T54W-96.86.0.70.rom

- name: Remove a firmware file no kit uses any more
  phonefleet.provisioning.firmware_file:
    fleet_dir: inventory/site/fleet
    name: avaya-j179-4.1.6
    state: absent
"""

RETURN = r"""
changes:
  description: The items created, changed or removed (in check mode, that would be).
  returned: always
  type: list
  elements: dict
  sample:
    - {kind: firmware_files, name: yealink-t54w-96.86.0.70, file: inventory/site/fleet/firmware.yml, action: created}
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/firmware.yml]
image:
  description: Where the image is kept in the store.
  returned: when O(src) is given
  type: str
  sample: inventory/site/firmware/T54W-96.86.0.70.rom
sha256:
  description: The sha256 of the image.
  returned: when O(src) is given
  type: str
  sample: 90a99f20cdda36dfe7639f772f42c82e0a800e24a891be048d08d987d3f0d799
"""
