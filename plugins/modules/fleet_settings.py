# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_settings
short_description: Change the fleet's settings
version_added: 0.2.0
description:
  - Merges what the task gives into the fleet's C(settings) (the one file that holds them, else a new
    C(settings.yml)); a section given changes only the fields it names; options a task does not give stay as
    they are. Lists (O(vendors), servers, networks, pools) replace the list.
  - An empty string or empty list removes a field. A vendor's O(phone_auth) is removed with its
    O(phone_auth[].state=absent).
  - Secrets (phone auth and phone control passwords, the auto-provisioning O(autoprovision.password_secret))
    are written as vault values.
  - Several vendors may share one phone auth node through a YAML anchor (C(&phone_auth) on one vendor,
    C(*phone_auth) on the others, as in the demo fleet). A change names vendors, and only those change;
    a vendor named alone gets its own copy of the node; when every vendor sharing the node is named with the
    same change, the shared node changes and the anchor stays.
  - The fleet is validated as a whole; a vendor phones use taken out of O(vendors), a default profile that
    does not exist, auto-provisioning without its pool, fails naming the file and field and writes nothing.
options:
  provisioning:
    description: Where phones reach the provisioning service.
    type: dict
    suboptions:
      servers:
        description: Addresses phones use to reach the service.
        type: list
        elements: str
      http_port:
        description: HTTP port.
        type: int
      https_port:
        description: HTTPS port.
        type: int
      tftp_port:
        description: TFTP port.
        type: int
      applications_http_port:
        description: Port of the phone applications (hot-desk login screens) over HTTP; 8080 when not set.
        type: int
      applications_https_port:
        description: Port of the phone applications over HTTPS (with O(provisioning.scheme=https)); 8081 if not set.
        type: int
      scheme:
        description: The scheme of the provisioning URL.
        type: str
        choices: [http, https]
      access_keys:
        description: Serve phones' own files only at per-phone secret URLs.
        type: bool
      serve_without_proof:
        description: Vendors whose phones get their own files without proving who they are.
        type: list
        elements: str
  vendors:
    description: The vendors enabled on this fleet.
    type: list
    elements: str
  defaults:
    description: What a phone gets when it names none.
    type: dict
    suboptions:
      profile:
        description: Default profile.
        type: str
      firmware_kit:
        description: Default firmware kit.
        type: str
      site:
        description: Default site.
        type: str
  phone_auth:
    description: How phones of each vendor authenticate to the provisioning service; one item per vendor changed.
    type: list
    elements: dict
    suboptions:
      vendor:
        description: The vendor.
        type: str
        required: true
      state:
        description: V(absent) removes the vendor's phone auth.
        type: str
        choices: [present, absent]
        default: present
      method:
        description: The HTTP authentication phones use.
        type: str
        choices: [none, basic, digest]
      username:
        description: The user phones send.
        type: str
      password:
        description: The password phones send, written as a vault value.
        type: str
  phone_control:
    description: Credentials the collection drives phones with, and where from.
    type: dict
    suboptions:
      username:
        description: The phones' admin user.
        type: str
      password:
        description: The phones' admin password, written as a vault value.
        type: str
      networks:
        description: Networks (CIDR) or addresses the controller drives phones from.
        type: list
        elements: str
  autoprovision:
    description: Numbers for unknown phones that contact the service (docs/service.md).
    type: dict
    suboptions:
      enabled:
        description: Whether unknown phones get a number.
        type: bool
      number_pool:
        description: Numbers and ranges (C(3000-3099)).
        type: list
        elements: str
      name_pattern:
        description: The new phone's name, e.g. C(Phone {number}).
        type: str
      username_pattern:
        description: The new line's SIP user, e.g. C({number}).
        type: str
      password_length:
        description: Length of the derived SIP passwords.
        type: int
      password_secret:
        description: The secret the pool's SIP passwords are derived from, written as a vault value.
        type: str
      profile:
        description: The new phones' profile.
        type: str
      firmware_kit:
        description: The new phones' firmware kit.
        type: str
      allowed_networks:
        description: Networks (CIDR) whose phones may get a number.
        type: list
        elements: str
      rate_per_source:
        description: New numbers per minute for one source address.
        type: int
      rate_per_pool:
        description: New numbers per minute for the whole pool.
        type: int
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
- name: Yealink phones authenticate with their own password
  phonefleet.provisioning.fleet_settings:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    phone_auth:
      - {vendor: yealink, method: digest, username: provisioning, password: "{{ phonefleet_yealink_password }}"}
  no_log: true

- name: Default profile, and Snom phones no longer enabled
  phonefleet.provisioning.fleet_settings:
    fleet_dir: inventory/site/fleet
    defaults: {profile: office}
    vendors: [yealink, cisco, poly]
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
