# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_validate
short_description: Validate the fleet files of a PhoneFleet fleet
version_added: 0.1.0
description:
  - Reads every fleet file of a fleet directory (YAML, and phones as CSV), checks it against the fleet
    JSON Schema and the cross-file rules (MACs, references, numbers, keys, lines, firmware kits), and
    reports every problem at once, each naming the file, the line and the path to the field.
  - On success returns a summary of the fleet; warnings (features a model lacks, ...) are shown and returned.
  - Runs on the controller whatever the host. A fleet file encrypted whole with Ansible Vault is read with
    the play's vault secrets. Relative paths are relative to the playbook directory.
options:
  fleet_dir:
    description:
      - The fleet directory (or one fleet file), as the P(phonefleet.provisioning.fleet#inventory) plugin reads it.
    type: path
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details: Validation changes nothing.
  diff_mode:
    support: none
seealso:
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Validate the fleet before publishing
  phonefleet.provisioning.fleet_validate:
    fleet_dir: "{{ playbook_dir }}/../inventory/site/fleet"
  register: fleet

- name: Show what the fleet holds
  ansible.builtin.debug:
    var: fleet.phones_by_vendor
"""

RETURN = r"""
problems:
  description: "Every problem found, as C(file:line: field.path: message). The task fails when there is one."
  returned: failure
  type: list
  elements: str
  sample: ["fleet/phones.yml:12: phones[3].lines[0].password: is required for a line that registers"]
phones:
  description: Number of phones.
  returned: success
  type: int
  sample: 14
lines:
  description: Number of SIP lines of all phones.
  returned: success
  type: int
  sample: 15
files:
  description: The fleet files read.
  returned: success
  type: list
  elements: str
profiles:
  description: Names of the profiles.
  returned: success
  type: list
  elements: str
extended_sets:
  description: Names of the extended sets.
  returned: success
  type: list
  elements: str
key_templates:
  description: Names of the key templates.
  returned: success
  type: list
  elements: str
firmware_kits:
  description: Names of the firmware kits.
  returned: success
  type: list
  elements: str
sites:
  description: Names of the sites.
  returned: success
  type: list
  elements: str
mobility_users:
  description: Number of mobility users.
  returned: success
  type: int
phones_by_vendor:
  description: Phones per vendor (C(unknown) for phones whose vendor is not known yet).
  returned: success
  type: dict
  sample: {"cisco": 3, "yealink": 2}
phones_by_model:
  description: Phones per C(vendor/model).
  returned: success
  type: dict
phones_by_profile:
  description: Phones per profile they name.
  returned: success
  type: dict
phones_without_profile:
  description: Phones that name no profile (apart from C(phones_by_profile), where a profile may be named C(none)).
  returned: success
  type: int
autoprovision:
  description: Whether unknown phones are provisioned from the number pool.
  returned: success
  type: bool
warnings:
  description: Warnings about the fleet (the fleet is still valid).
  returned: success
  type: list
  elements: str
"""
