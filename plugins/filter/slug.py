# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The slug filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: slug
short_description: The safe identifier of a fleet name, as the inventory's group names use it
version_added: 0.1.0
description:
  - Profile, site, tenant, kit and template names are labels people type (C(Склад 1)); where an identifier is
    needed (Ansible group names, host names) the collection uses this identifier of the name.
  - Lower case; Cyrillic transliterated (ICAO 9303); other letters without their accents, or as C(u) and their
    code point when they have no Latin form; every run of other characters one C(_), none at either end.
    An empty string for a name of punctuation only.
options:
  _input:
    description: The name.
    type: string
    required: true
"""

EXAMPLES = r"""
- name: The group of the profile "Склад 1"
  ansible.builtin.debug:
    msg: "profile_{{ 'Склад 1' | phonefleet.provisioning.slug }}"  # profile_sklad_1
"""

RETURN = r"""
_value:
  description: The identifier.
  type: string
"""

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.names import slug


class FilterModule:
    def filters(self):
        return {"slug": lambda name: slug(str(name))}
