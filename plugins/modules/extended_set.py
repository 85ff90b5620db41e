# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: extended_set
short_description: Create, change or remove an extended set of vendor parameters
version_added: 0.2.0
description:
  - An extended set holds a vendor's own parameters, written as the phone reads them, for what the
    vendor-neutral profile does not say; a profile lists the sets it applies in C(extended). See
    docs/fleet-format.md.
  - O(params) merges into the parameters there, parameter by parameter; a parameter given as V(null) is
    removed. O(dial_rules) and O(certificates) replace their lists.
  - The parameter names are the vendor's and are not checked; their values must be text, numbers or booleans,
    which the validation of the whole fleet checks, naming the file, line and parameter.
  - To remove a field give it as V(null), or give the whole set with O(replace=true).
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_item
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
options:
  vendor:
    description: The vendor whose phones read the parameters (required for a new set), such as V(yealink).
    type: str
  description:
    description: One line saying what the set is for.
    type: str
  params:
    description:
      - The vendor's parameter names and their values, such as C(phone_setting.backlight_time) V(60).
    type: dict
  dial_rules:
    description: Cisco only; the SIP dial plan (replaces the list).
    type: list
    elements: dict
    suboptions:
      pattern:
        description: The dial pattern, such as C(8.........).
        type: str
        required: true
      timeout:
        description: Seconds to wait for more digits.
        type: int
      user:
        description: The C(user=) of the SIP URI.
        type: str
        choices: [phone, ip]
  softkey_template:
    description: Cisco only; the softkey template file name.
    type: str
  certificates:
    description: Cisco only; CA files for SIP over TLS (replaces the list).
    type: list
    elements: str
seealso:
  - module: phonefleet.provisioning.profile
  - module: phonefleet.provisioning.fleet_validate
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Yealink tweaks for the office
  phonefleet.provisioning.extended_set:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    name: yealink-office
    vendor: yealink
    params:
      features.dnd.allow: 1
      lang.gui: Russian

- name: Drop one parameter, leaving the others
  phonefleet.provisioning.extended_set:
    fleet_dir: /srv/fleet
    name: yealink-office
    params:
      lang.gui: null
"""

RETURN = r"""
changes:
  description: The extended set created, changed or removed (empty when nothing changed).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The part of the fleet, V(extended_sets).
      type: str
      sample: extended_sets
    name:
      description: The extended set's name.
      type: str
      sample: yealink-office
    file:
      description: The fleet file that holds (or held) it.
      type: str
      sample: inventory/site/fleet/extended_sets.yml
    action:
      description: V(created), V(changed) or V(removed).
      type: str
      sample: changed
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/extended_sets.yml]
"""
