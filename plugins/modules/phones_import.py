# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phones_import
short_description: Import phones from a CSV phone list into the fleet files
version_added: 0.1.0
description:
  - Reads a phone list in the reference product's CSV format (columns MAC, name, number, username, password,
    profile, firmware kit) and merges it into the YAML files of a fleet directory.
  - Files made by Excel import as they are, UTF-8 with or without a BOM, Windows-1251 or UTF-16 text, with
    V(;), V(,) or tab separators, and English or the reference product's Russian headers
    (C(MAC Адрес), C(Название), C(Номер), C(Имя пользователя), C(Пароль), C(Профиль), C(Комплект ПО)).
    A C(Status) column, as an export writes it, is read past.
  - Every row is checked. The MAC may be written in any usual notation. A MAC given twice in the file is an
    error on the later row. Cells are checked against the fleet schema, and the fleet as it would be after
    the import is then loaded as the inventory loads it, so an unknown profile or firmware kit is an error
    of its row.
  - A row whose MAC is already in the fleet updates that phone in place, in the YAML file that holds it
    (name, profile, firmware kit and line 1's number, username and password), only for cells that are not
    empty. Phones are never duplicated. A phone defined in a CSV fleet file cannot be updated (that row is
    in error). Other rows become new phones appended to O(dest).
  - If any row is in error, nothing is written and the task fails listing every bad row, unless
    O(skip_bad_rows=true).
  - Files are edited so that comments, key order, quoting and existing C(!vault) values stay as they are.
    Only files that change are written, each atomically.
  - The module runs on the controller whatever the host, since the controller holds the vault secrets.
    Relative paths are relative to the playbook (or role) directory.
  - Passwords never appear in results, messages or diffs, neither in clear nor encrypted.
options:
  src:
    description:
      - The CSV file to import. Looked up like the O(ansible.builtin.template#module:src) of a template
        (the role's or playbook's C(files/) directory first).
    type: path
    required: true
  fleet_dir:
    description:
      - The fleet directory, as the P(phonefleet.provisioning.fleet#inventory) inventory plugin reads it.
    type: path
    required: true
  dest:
    description:
      - The YAML file, inside O(fleet_dir), that new phones are appended to. It is created if missing.
      - Defaults to C(phones.yml) in O(fleet_dir).
    type: path
  skip_bad_rows:
    description:
      - Import the good rows even when some rows are in error. The bad rows are reported with the result
        V(skipped) and as a warning.
    type: bool
    default: false
  passwords:
    description:
      - How passwords from the CSV file are written.
      - V(vault) writes them as C(!vault |) values encrypted with the play's vault secret
        (C(--vault-id) or C(--vault-password-file); with several secrets, the one of
        C(DEFAULT_VAULT_ENCRYPT_IDENTITY)). Without a vault secret the task fails.
      - V(plain) writes them in clear text.
      - To tell an unchanged password from a new one, the current C(!vault) password of line 1 is decrypted,
        so updating passwords needs the vault secret with either choice.
    type: str
    choices: [vault, plain]
    default: vault
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details: Everything is computed and reported, including the diff; nothing is written.
  diff_mode:
    support: full
    details: One before/after per created or updated phone, as YAML, with every password masked.
  safe_file_operations:
    support: full
  vault:
    support: full
seealso:
  - module: phonefleet.provisioning.phones_export
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Import the phone list exported from Excel
  phonefleet.provisioning.phones_import:
    src: phones.csv
    fleet_dir: "{{ playbook_dir }}/../inventory/site/fleet"
  register: phonefleet_import

- name: Import what can be imported, new phones into their own file, passwords in clear
  phonefleet.provisioning.phones_import:
    src: /srv/import/warehouse.csv
    fleet_dir: /srv/fleet
    dest: /srv/fleet/warehouse-phones.yml
    skip_bad_rows: true
    passwords: plain

- name: Show the rows in error
  ansible.builtin.debug:
    msg: "{{ phonefleet_import.bad_rows }}"
"""

RETURN = r"""
rows:
  description: What became of every data row, in file order.
  returned: when the file could be read
  type: list
  elements: dict
  contains:
    row:
      description: The row number a spreadsheet shows (the header is row 1).
      type: int
      sample: 2
    mac:
      description: The MAC, in colon notation when it is valid, else as written.
      type: str
      sample: 80:5e:c0:aa:00:01
    result:
      description:
        - V(created), V(updated), V(unchanged), V(error) (nothing is written),
          or V(skipped) (a bad row, with O(skip_bad_rows=true)).
        - In check mode, and when other rows are in error, what would have happened.
      type: str
      sample: created
    reason:
      description: Why the row is in error, naming the column.
      type: str
      returned: when result is V(error) or V(skipped)
      sample: "profile: unknown profile 'lab'; defined: office, warehouse"
    fields:
      description: The fields the row sets or changes.
      type: list
      elements: str
      sample: [name, number]
    file:
      description: The fleet file that holds (or would hold) the phone.
      type: str
      returned: when the MAC is valid
      sample: inventory/site/fleet/phones.yml
created:
  description: Number of new phones.
  returned: when the file could be read
  type: int
  sample: 2
updated:
  description: Number of phones changed.
  returned: when the file could be read
  type: int
  sample: 1
unchanged:
  description: Number of rows that match the fleet already.
  returned: when the file could be read
  type: int
  sample: 14
errors:
  description: Number of rows in error (or skipped).
  returned: when the file could be read
  type: int
  sample: 0
bad_rows:
  description: One message per problem of a bad row.
  returned: when the file could be read
  type: list
  elements: str
  sample: ["row 5: mac: '00:11' is not a MAC address (need 12 hex digits)"]
files:
  description: The fleet files written (in check mode, that would be written).
  returned: when the file could be read
  type: list
  elements: str
  sample: [inventory/site/fleet/phones.yml]
encoding:
  description: The encoding the CSV file was read in.
  returned: when the file could be read
  type: str
  sample: cp1251
delimiter:
  description: The separator found in the CSV file (V(;), V(,) or V(tab)).
  returned: when the file could be read
  type: str
  sample: ;
"""
