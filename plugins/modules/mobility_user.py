# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: mobility_user
short_description: Add, change or remove a mobility (hot-desk) user of the fleet
version_added: 0.2.0
description:
  - Creates or changes the mobility user whose number is O(number) (C(mobility_users) of the fleet), or
    removes it.
  - The PIN is kept only as a salted argon2id hash (C(pin_hash)); a PIN that the stored hash verifies is the
    same PIN and changes nothing, another is hashed anew. A PIN that an older hash verifies (C(pbkdf2_sha256),
    or argon2id below the OWASP minimum; M(phonefleet.provisioning.fleet_validate) warns about them) is
    hashed anew, so giving the same PIN again brings its hash up to date.
  - Options a task does not give stay as they are. O(lines) and O(keys) replace the lists item by item; give
    every line as it should be, with its password (an unchanged password keeps its vault value).
    An empty string removes O(name), O(key_template) or O(profile); an empty list removes O(keys).
  - The fleet is validated as a whole; a number another user or a phone line has, an unknown profile or key
    template fails naming the file and field, and writes nothing.
options:
  number:
    description: The user's number, which identifies the user.
    type: str
    required: true
  state:
    description: V(absent) removes the user.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The user's name as phones show it. Required for a new user.
    type: str
  pin:
    description:
      - The PIN the user logs in with, 4 to 12 digits. Required for a new user. Written only as its hash.
    type: str
  lines:
    description: The user's SIP accounts, line 1 first. Required for a new user.
    type: list
    elements: dict
    suboptions:
      number:
        description: The line's number.
        type: str
        required: true
      display_name:
        description: The name shown to the called party.
        type: str
      label:
        description: The line key's label.
        type: str
      username:
        description: The SIP user (default the number).
        type: str
      auth_username:
        description: The SIP authentication user (default the username).
        type: str
      password:
        description: The SIP password, written as a vault value.
        type: str
      register:
        description: V(false) for a line that never registers.
        type: bool
      voicemail:
        description: The voicemail number.
        type: str
  key_template:
    description: The key template of the user's keys.
    type: str
  keys:
    description: The user's own keys, replacing the template's index by index.
    type: list
    elements: dict
    suboptions:
      index:
        description: Key position, from 1.
        type: int
        required: true
      function:
        description: line, speed_dial, blf, intercom, park, pickup, dnd, transfer, voicemail, url or none.
        type: str
        required: true
      value:
        description: The number or URL the key uses.
        type: str
      label:
        description: The key's label.
        type: str
      line:
        description: The line (from 1) the key uses.
        type: int
  profile:
    description: The profile phones take while the user is logged in.
    type: str
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: A hot-desk user
  phonefleet.provisioning.mobility_user:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    number: "5004"
    name: Maria Ivanova
    pin: "{{ phonefleet_pin }}"
    lines:
      - {number: "5004", display_name: Maria Ivanova, password: "{{ phonefleet_line_password }}"}
    key_template: manager
  no_log: true

- name: The user leaves
  phonefleet.provisioning.mobility_user:
    fleet_dir: inventory/site/fleet
    number: "5004"
    state: absent
"""

RETURN = r"""
changes:
  description: The items created, changed or removed (in check mode, that would be).
  returned: always
  type: list
  elements: dict
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
"""
