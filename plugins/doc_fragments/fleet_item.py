# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the modules that edit one named item of the fleet (profile, key_template, extended_set)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  name:
    description:
      - The item's name, as phones and other parts of the fleet refer to it.
    type: str
    required: true
  state:
    description:
      - V(present) creates the item, or changes the fields the task gives. Fields the task does not give are
        left as they are; a field given as V(null) (C(~)) is removed; a mapping given (such as C(sip)) merges
        into the one there, its own V(null) values removing fields; a list given replaces the list.
      - V(absent) removes the item. It is refused, writing nothing, while anything in the fleet still refers
        to it; the message names each file, line and field that does. No other field may be given with it.
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Make the item exactly what the task gives; fields not given are removed.
    type: bool
    default: false
  dest:
    description:
      - The YAML file a new item is written to, relative to O(fleet_dir) or absolute inside it. It is created
        if missing.
      - Default is the first fleet file that holds items of this kind, else the kind's usual file.
      - An item that exists stays in the file that holds it.
    type: path
attributes:
  check_mode:
    support: full
    details: Everything is computed, validated and reported, including the diff; nothing is written.
  diff_mode:
    support: full
    details: The item before and after, as YAML, with every secret masked.
  safe_file_operations:
    support: full
  vault:
    support: full
"""
