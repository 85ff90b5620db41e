# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phone
short_description: Create, change or remove one phone of the fleet
version_added: 0.1.0
description:
  - Creates a phone in the fleet files, changes the fields a task gives, or removes it, identified by its MAC.
  - Options a task does not give are left as they are. A text option given as an empty string (V("")) and a
    list given empty (V([])) remove that field. O(replace=true) makes the phone exactly what the task gives.
  - A phone defined in a CSV fleet file or in a vault-encrypted file cannot be changed here; the task fails
    naming the file.
options:
  mac:
    description:
      - The phone's MAC, in any usual notation (V(80:5e:c0:11:22:33), V(80-5E-C0-11-22-33), V(805e.c011.2233),
        V(805ec0112233)). It is the phone's identity and is never changed.
    type: str
    required: true
  state:
    description:
      - V(present) creates the phone or changes it; V(absent) removes it (nothing happens if there is none).
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The phone's name, one line of free text (names need not be unique).
    type: str
  vendor:
    description: The vendor's driver name (V(yealink), V(cisco), ...); without it the model or the MAC prefix names it.
    type: str
  model:
    description: The model as the vendor names it (V(T54W), V(CP-8845)). May be left out when the phone tells it.
    type: str
  profile:
    description: The profile the phone uses (it must exist).
    type: str
  site:
    description: The site the phone belongs to (it must exist).
    type: str
  firmware_kit:
    description: The firmware kit the phone runs (it must exist).
    type: str
  key_template:
    description: The key template the phone uses (it must exist).
    type: str
  description:
    description: Free text about the phone, one line.
    type: str
  lines:
    description:
      - The phone's SIP accounts, numbered from 1 by their position.
      - Each line given changes the phone's line at the same position; fields of that line not given stay as they
        are, a field given as V("") is removed. A line beyond the phone's lines is added (it needs O(lines[].number)).
      - Lines after the last one given are removed, unless O(keep_other_lines=true).
      - V([]) removes every line.
    type: list
    elements: dict
    suboptions:
      number:
        description: The line's number (digits, V(*), V(#), V(+)).
        type: str
      display_name:
        description: The name the phone shows and sends as caller name.
        type: str
      label:
        description: The line key's label.
        type: str
      username:
        description: The SIP user name, when it is not the number.
        type: str
      auth_username:
        description: The SIP authentication user name, when it is not the user name.
        type: str
      password:
        description:
          - The SIP password, in clear; written as a C(!vault) value. The same password as the current one changes
            nothing.
        type: str
      register:
        description: V(false) for a line that never registers (it needs no password).
        type: bool
      voicemail:
        description: The voicemail number of the line.
        type: str
  keep_other_lines:
    description: Keep the phone's lines after the last one given in O(lines) (change line 1 alone).
    type: bool
    default: false
  keys:
    description:
      - The phone's own keys; they replace the key template's keys index by index.
      - The list given is the phone's keys, each key exactly as given. V([]) removes them.
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
        description: The number or URL the key uses.
        type: str
      label:
        description: The key's label.
        type: str
      line:
        description: The line (from 1) the key uses.
        type: int
  modules:
    description: Expansion modules, in the order they are chained (V(EXP50)). V([]) removes them.
    type: list
    elements: str
  admin_password:
    description: The phone's own admin password, in clear; written as a C(!vault) value. V("") removes it.
    type: str
  dest:
    description:
      - The YAML file a new phone goes to; a relative path is relative to O(fleet_dir). Created if missing.
      - Defaults to the first fleet file holding phones, else C(phones.yml) in O(fleet_dir).
      - A phone that exists stays in its file.
    type: path
  replace:
    description: Make the phone exactly what the task gives; fields not given are removed.
    type: bool
    default: false
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
attributes:
  check_mode:
    support: full
    details: Everything is computed, validated and reported, including the diff; nothing is written.
  diff_mode:
    support: full
    details: The phone before and after, as YAML, with every password masked.
  safe_file_operations:
    support: full
  vault:
    support: full
seealso:
  - module: phonefleet.provisioning.phones_import
  - module: phonefleet.provisioning.fleet_validate
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Add a phone from a form
  phonefleet.provisioning.phone:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    mac: 80:5E:C0:AA:00:10
    name: Warehouse, shelf C
    model: T54W
    profile: warehouse
    lines:
      - number: "2110"
        display_name: Shelf C
        password: "{{ phonefleet_line_password }}"
  no_log: true

- name: Move a phone to another profile; nothing else changes
  phonefleet.provisioning.phone:
    fleet_dir: inventory/site/fleet
    mac: 805ec0aa0010
    profile: office

- name: Change the password of line 1 only, keeping its other fields and the other lines
  phonefleet.provisioning.phone:
    fleet_dir: inventory/site/fleet
    mac: 805e.c0aa.0010
    lines:
      - password: "{{ phonefleet_new_password }}"
    keep_other_lines: true
  no_log: true

- name: Remove the firmware kit and the expansion modules of a phone
  phonefleet.provisioning.phone:
    fleet_dir: inventory/site/fleet
    mac: 80:5e:c0:aa:00:10
    firmware_kit: ""
    modules: []

- name: Remove a phone
  phonefleet.provisioning.phone:
    fleet_dir: inventory/site/fleet
    mac: 80:5e:c0:aa:00:10
    state: absent
"""

RETURN = r"""
mac:
  description: The phone's MAC, in colon notation.
  returned: always
  type: str
  sample: 80:5e:c0:aa:00:10
file:
  description: The fleet file that holds the phone (that held it, when removed); null when there is no such phone.
  returned: always
  type: str
  sample: inventory/site/fleet/phones.yml
changes:
  description: What changed (in check mode, what would change).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(phones).
      type: str
    name:
      description: The phone's MAC.
      type: str
    file:
      description: The fleet file.
      type: str
    action:
      description: V(created), V(changed) or V(removed).
      type: str
  sample: [{kind: phones, name: "80:5e:c0:aa:00:10", file: inventory/site/fleet/phones.yml, action: created}]
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/phones.yml]
msg:
  description: What was done, in a sentence.
  returned: always
  type: str
  sample: phones 80:5e:c0:aa:00:10 created
"""
