# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and behaviour every fleet-editing module shares (phone, phones_bulk, profile, ...)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  fleet_dir:
    description:
      - The fleet directory to change. Playbooks pass the fleet of their inventory with
        C({{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}).
    type: path
    required: true
notes:
  - The module runs on the controller, which holds the vault secrets. Secrets (passwords) are written as
    C(!vault) values encrypted with the play's vault secret (C(--vault-id) or C(--vault-password-file)), and an
    existing vault value is decrypted to compare, so giving the same secret again changes nothing.
  - Files are edited round-trip, so comments, key order, quoting, anchors and existing vault values stay as they
    are; only what the task names changes.
  - The whole fleet is validated as it would be after the change, as the inventory loads it; a change that
    would make it invalid writes nothing and the task fails naming the file and field.
  - Every file the change touches is written, or none (each staged beside its file, then renamed; on failure
    the files already replaced get their old text back).
  - With C(--diff), the items before and after are shown with every secret masked.
"""
