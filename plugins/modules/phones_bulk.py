# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phones_bulk
short_description: One change to every phone a selection matches (profile, firmware kit, site, key template)
version_added: 0.2.0
description:
  - Sets or removes a few fields on every phone of the fleet that O(select) matches, or removes those phones
    (O(state=absent)). Meant for "move every phone of this site to the new profile" over thousands of phones.
  - Only the fields that are the same for many phones can be changed in bulk - C(profile), C(firmware_kit),
    C(site), C(key_template) and C(description). The MAC, name, vendor, model, lines, keys and the admin
    password are changed phone by phone (M(phonefleet.provisioning.phone)).
  - A phone already as asked is left alone; a second run changes nothing.
  - The phones' lines are edited in place, so a 20,000-phone file is changed in a second or two; every
    other byte of the file stays as it was (comments, order, quoting, vault values). Each new text is read
    back and must give exactly the data expected; a file whose layout the fast path cannot edit surely
    (a multi-line value of one of these fields, a phone written in flow style over several lines) is edited
    through the round-trip engine instead, with a warning naming it.
  - A phone defined in a CSV fleet file or in a file encrypted whole with Ansible Vault cannot be changed;
    the task fails naming the file.
options:
  select:
    description:
      - Which phones the change applies to. The filters given must all hold; the values of one filter are
        alternatives. A selection with no filter is refused unless it says O(select.all=true).
      - O(select.status) and O(select.not_seen_for) are what the provisioning service saw; they need
        O(service_url) and O(service_token) (any role's token). Without them the service is not asked.
    type: dict
    required: true
    suboptions:
      vendor:
        description: Vendor names (case-insensitive), a string or a list.
        type: raw
      model:
        description: Model names (case-insensitive), a string or a list.
        type: raw
      profile:
        description: Profile names (a phone without a profile has the fleet's default profile).
        type: raw
      site:
        description: Site names (a phone without a site has the fleet's default site).
        type: raw
      tenant:
        description: Tenant names (the tenant of the phone's site).
        type: raw
      status:
        description: Status codes 0-3 as the provisioning service saw the phones.
        type: raw
      not_seen_for:
        description: Phones the service has not heard from for this long (V(30d), V(12h)).
        type: str
      name:
        description: Shell-style patterns on the phone's name, case-insensitive (V(Склад*)).
        type: raw
      number:
        description: Shell-style patterns on the numbers of the phone's lines.
        type: raw
      macs:
        description: MAC addresses in any notation.
        type: list
        elements: str
      all:
        description: Select every phone of the fleet (and give no other filter).
        type: bool
        default: false
  set:
    description:
      - The fields to set, each to one value for every selected phone. Fields not given are left as they
        are. To remove a field, list it in O(unset) (an empty value is refused).
      - A name must be defined in the fleet (an unknown profile, site, kit or key template fails naming it).
    type: dict
    suboptions:
      profile:
        description: The profile.
        type: str
      firmware_kit:
        description: The firmware kit.
        type: str
      site:
        description: The site.
        type: str
      key_template:
        description: The key template.
        type: str
      description:
        description: A free text.
        type: str
  unset:
    description: Fields to remove from every selected phone (the phone then has the fleet's default).
    type: list
    elements: str
    choices: [profile, firmware_kit, site, key_template, description]
    default: []
  state:
    description:
      - V(present) changes the selected phones as O(set) and O(unset) say.
      - V(absent) removes the selected phones from the fleet (give no O(set) or O(unset)).
    type: str
    choices: [present, absent]
    default: present
  show:
    description:
      - How many changed phones the result (RV(macs), RV(changes)) and the diff list one by one; the rest are
        counted.
    type: int
    default: 20
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.service_connection
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
    details: Before and after of the first O(show) changed phones, every secret masked, and how many more.
  safe_file_operations:
    support: full
  vault:
    support: full
seealso:
  - module: phonefleet.provisioning.phones_export
  - module: phonefleet.provisioning.phones_import
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Every phone of the warehouse gets the new profile
  phonefleet.provisioning.phones_bulk:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    select:
      site: Склад 1
    set:
      profile: warehouse-2026

- name: Yealink T54W phones take the spring firmware kit, and lose their own key template
  phonefleet.provisioning.phones_bulk:
    fleet_dir: /srv/fleet
    select:
      vendor: yealink
      model: [T54W, T57W]
    set:
      firmware_kit: 2026-q2
    unset: [key_template]

- name: Phones the service has not heard from for 90 days leave the fleet
  phonefleet.provisioning.phones_bulk:
    fleet_dir: /srv/fleet
    select:
      not_seen_for: 90d
    state: absent
    service_url: https://prov1.example.com:8480
    service_token: "{{ lookup('ansible.builtin.unvault', '/etc/phonefleet/token.vault') | trim }}"
"""

RETURN = r"""
matched:
  description: How many phones the selection matched.
  returned: success
  type: int
  sample: 6667
changed_phones:
  description: How many of them changed (or were removed); the others were already as asked.
  returned: success
  type: int
  sample: 6660
macs:
  description: The MACs of the first O(show) phones changed.
  returned: success
  type: list
  elements: str
  sample: ["80:5e:c0:11:22:33"]
macs_truncated:
  description: Whether more phones changed than RV(macs) lists.
  returned: success
  type: bool
  sample: true
changes:
  description: The first O(show) phones changed, each with its file and V(changed) or V(removed).
  returned: success
  type: list
  elements: dict
  sample: [{"kind": "phones", "name": "80:5e:c0:11:22:33", "file": "fleet/phones.yml", "action": "changed"}]
files:
  description: The fleet files written (in check mode, that would be written).
  returned: success
  type: list
  elements: str
  sample: [inventory/site/fleet/phones.yml]
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "6667 phones matched, 6660 changed (profile=warehouse-2026)"
"""
