# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: vault_secrets
short_description: Generate random secrets, given only as Ansible Vault values
version_added: 0.1.0
description:
  - Generates one random secret per name (letters, digits, V(-) and V(_)) and returns each encrypted with the
    play's vault secret, as C(ansible-vault encrypt_string) would, ready to be written after C(!vault |).
    The clear text never leaves the action.
  - Used by the playbook C(phonefleet.provisioning.new_site) for the starter fleet's passwords.
  - The module runs on the controller whatever the host.
options:
  names:
    description: The names of the secrets to generate.
    type: list
    elements: str
    required: true
  length:
    description: Characters per secret, 16 to 64.
    type: int
    default: 32
  vault_id:
    description:
      - The vault id, among those the play was given (C(--vault-id)), that encrypts the secrets.
      - When it is not loaded and the play holds exactly one vault secret, that one is used; with none, or
        several and none of them O(vault_id), the task fails.
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details: It changes nothing; the secrets are generated in check mode too.
  diff_mode:
    support: none
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Generate the admin password of a profile
  phonefleet.provisioning.vault_secrets:
    names: [admin_password]
    vault_id: site
  register: phonefleet_secrets

- name: Write it into a fleet file
  ansible.builtin.copy:
    content: |
      admin_password: !vault |
        {{ phonefleet_secrets.secrets.admin_password | indent(2) }}
    dest: /srv/site/inventory/fleet/admin.yml
    mode: "0644"
"""

RETURN = r"""
secrets:
  description: Per name, the vault text of its secret (the text after C(!vault |)).
  returned: success
  type: dict
  sample: {admin_password: "$ANSIBLE_VAULT;1.1;AES256;site\n3661..."}
vault_id:
  description: The vault id the secrets are encrypted with.
  returned: success
  type: str
  sample: site
"""
