# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pin_hash filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: pin_hash
short_description: Hash a mobility user's PIN for the fleet files
version_added: 0.1.0
description:
  - Returns a salted argon2id hash of a PIN (the OWASP Password Storage Cheat Sheet's minimum parameters,
    m=19456 KiB, t=2, p=1), the only form in which a mobility user's PIN is kept in the fleet files
    (C(mobility_users[].pin_hash)).
  - Needs the Python library C(argon2-cffi) on the controller.
  - A new random salt is used on every call, so the same PIN gives a different hash each time.
options:
  _input:
    description: The PIN, 4 to 12 digits.
    type: string
    required: true
"""

EXAMPLES = r"""
- name: Hash a PIN to paste into mobility.yml
  ansible.builtin.debug:
    msg: "{{ '4711' | phonefleet.provisioning.pin_hash }}"
"""

RETURN = r"""
_value:
  description: The hash, a PHC string C($argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>).
  type: string
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import MissingLibraryError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import hash_pin


def pin_hash(pin):
    try:
        return hash_pin(str(pin))
    except (ValueError, MissingLibraryError) as exc:
        raise AnsibleFilterError(f"pin_hash: {exc}") from None


class FilterModule:
    def filters(self):
        return {"pin_hash": pin_hash}
