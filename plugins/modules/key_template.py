# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: key_template
short_description: Create, change or remove a key template of the fleet
version_added: 0.2.0
description:
  - A key template is a vendor-neutral layout of a phone's programmable keys; phones and mobility users name
    it with C(key_template), and each vendor driver maps the functions onto its own key codes (a phone's own
    C(keys) replace the template's index by index). See docs/fleet-format.md.
  - O(keys) replaces the template's list of keys; a key that stays the same keeps its comments.
  - The validation of the whole fleet names the file, line and field of a problem, such as a key on a line
    that a phone using the template does not have, or an index given twice.
  - To remove the description give O(description=null); O(keys) is required by the fleet and cannot be removed.
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_item
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
options:
  description:
    description: One line saying what the layout is for.
    type: str
  keys:
    description: The keys, each at its position (required for a new template; replaces the list).
    type: list
    elements: dict
    suboptions:
      index:
        description: Key position, from 1.
        type: int
        required: true
      function:
        description: What the key does.
        type: str
        required: true
        choices: [line, speed_dial, blf, intercom, park, pickup, dnd, transfer, voicemail, url, none]
      value:
        description: The number, extension or URL the key uses (BLF target, speed dial number, park slot ...).
        type: str
      label:
        description: The text the phone shows beside the key.
        type: str
      line:
        description: The line (from 1) the key uses.
        type: int
seealso:
  - module: phonefleet.provisioning.profile
  - module: phonefleet.provisioning.fleet_validate
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: The reception desk's keys
  phonefleet.provisioning.key_template:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    name: reception
    description: Reception desk with presence of the managers
    keys:
      - {index: 1, function: line, line: 1, label: Reception}
      - {index: 2, function: blf, value: "2002", label: Director}
      - {index: 3, function: speed_dial, value: "84951234567", label: Security}

- name: Remove a template no phone uses any more
  phonefleet.provisioning.key_template:
    fleet_dir: /srv/fleet
    name: old-reception
    state: absent
"""

RETURN = r"""
changes:
  description: The key template created, changed or removed (empty when nothing changed).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The part of the fleet, V(key_templates).
      type: str
      sample: key_templates
    name:
      description: The key template's name.
      type: str
      sample: reception
    file:
      description: The fleet file that holds (or held) it.
      type: str
      sample: inventory/site/fleet/key_templates.yml
    action:
      description: V(created), V(changed) or V(removed).
      type: str
      sample: changed
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/key_templates.yml]
"""
