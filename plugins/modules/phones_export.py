# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phones_export
short_description: Export the phones of a fleet as a CSV phone list
version_added: 0.1.0
description:
  - Writes the phones of a fleet directory in the reference product's CSV format, one row per phone with
    the columns MAC (colon notation), name, number, username, [password], profile, firmware kit, then the
    live columns when the provisioning service is asked (status, status text, IP address, firmware version,
    last contact), or a status column from O(statuses).
  - O(select) limits the export to some phones, with the same filters as
    M(phonefleet.provisioning.phones_bulk). Rows keep the fleet's order.
  - The live columns are what the service saw of each phone (C(GET /api/v1/phones), an API token of any
    role is enough); a phone the service does not know (not published yet) has them empty.
    They hold no secret, and M(phonefleet.provisioning.phones_import) reads past them.
  - Values are the ones written in the fleet files, so a phone that takes the default profile has an empty
    profile cell, and importing the export again with M(phonefleet.provisioning.phones_import) changes nothing.
  - The fleet is validated first, as the inventory plugin validates it; a fleet with problems is not exported.
  - The file is written atomically, and only when its bytes change. A file with passwords is created with
    mode C(0600).
  - The module runs on the controller whatever the host, since the controller holds the vault secrets.
    Relative paths are relative to the playbook (or role) directory.
options:
  fleet_dir:
    description:
      - The fleet directory, as the P(phonefleet.provisioning.fleet#inventory) inventory plugin reads it.
    type: path
    required: true
  dest:
    description:
      - The CSV file to write.
    type: path
    required: true
  headers:
    description:
      - The language of the header row. V(ru) writes the reference product's headers
        (C(MAC Адрес), C(Название), C(Номер), C(Имя пользователя), C(Пароль), C(Профиль), C(Комплект ПО), C(Статус)).
    type: str
    choices: [en, ru]
    default: en
  delimiter:
    description:
      - The separator. Excel in locales with a decimal comma (Russian among them) expects V(;).
    type: str
    choices: [';', ',', tab]
    default: ';'
  encoding:
    description:
      - The encoding. V(utf-8-sig) (UTF-8 with a BOM) is what Excel needs to read UTF-8 correctly;
        V(cp1251) is Windows-1251 for old tools. A value that the encoding cannot write fails the task.
    type: str
    choices: [utf-8-sig, utf-8, cp1251]
    default: utf-8-sig
  include_credentials:
    description:
      - Add a password column holding line 1's password in clear text, decrypted with the play's vault
        secrets. Without this the column is left out.
      - The file then holds secrets; it is created with mode C(0600), and diffs still mask them.
    type: bool
    default: false
  statuses:
    description:
      - Provisioning statuses to write in an added status column, as a mapping of MAC (any notation) to a
        status code from V(0) to V(3). Phones not in the mapping get an empty cell.
      - Use it for statuses known another way; with the provisioning service, leave it out and the live columns
        carry the status. With O(statuses), O(live=auto) does not ask the service, and O(live=always) fails.
    type: dict
  live:
    description:
      - Whether to add what the provisioning service saw of each phone (status, status text, IP address, firmware
        version, last contact in UTC, ISO 8601) as the last columns.
      - V(auto) asks the service when O(service_url) is set (with an O(service_token) of any role, C(auditor)
        included). A service that cannot be asked (down, a refused
        token, an answer that is not a phone list) then only warns, and the export is written without those
        columns, unless O(select) filters on O(select.status) or O(select.not_seen_for), which fails the task.
      - V(always) fails the task when the service is not configured or cannot be asked. V(never) does not ask.
    type: str
    choices: [auto, always, never]
    default: auto
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
  - phonefleet.provisioning.service_connection
  - phonefleet.provisioning.selection
attributes:
  check_mode:
    support: full
    details: The file is built and compared; nothing is written.
  diff_mode:
    support: full
    details: The file before and after, with the password column masked.
  safe_file_operations:
    support: full
  vault:
    support: full
seealso:
  - module: phonefleet.provisioning.phones_import
  - module: phonefleet.provisioning.phones_bulk
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Export the phones for Excel, with Russian headers
  phonefleet.provisioning.phones_export:
    fleet_dir: "{{ playbook_dir }}/../inventory/site/fleet"
    dest: /tmp/phones.csv
    headers: ru

- name: Export with passwords, for a hand-over (needs the vault password)
  phonefleet.provisioning.phones_export:
    fleet_dir: /srv/fleet
    dest: /srv/export/phones-with-passwords.csv
    include_credentials: true
    encoding: cp1251

- name: Export the warehouse's Yealink phones, with what the provisioning service saw of them
  phonefleet.provisioning.phones_export:
    fleet_dir: /srv/fleet
    dest: /srv/export/warehouse.csv
    select:
      site: Склад 1
      vendor: yealink
    live: always
    service_url: http://127.0.0.1:8480
    service_token: "{{ phonefleet_service_token }}"

- name: Export the phones that have not asked for their config for 30 days (or never)
  phonefleet.provisioning.phones_export:
    fleet_dir: /srv/fleet
    dest: /srv/export/stale.csv
    select:
      not_seen_for: 30d
    service_url: http://127.0.0.1:8480
    service_token: "{{ phonefleet_service_token }}"

- name: Export with statuses known another way
  phonefleet.provisioning.phones_export:
    fleet_dir: /srv/fleet
    dest: /srv/export/phones.csv
    statuses:
      "80:5e:c0:11:22:33": 1
      0cd0.f8a1.b2c3: 3
"""

RETURN = r"""
dest:
  description: The file written (in check mode, that would be written).
  returned: always
  type: str
  sample: /tmp/phones.csv
phones:
  description: Number of phones (data rows) exported.
  returned: always
  type: int
  sample: 14
columns:
  description: The columns written, in order.
  returned: always
  type: list
  elements: str
  sample: [mac, name, number, username, profile, firmware_kit]
encoding:
  description: The encoding of the file.
  returned: always
  type: str
  sample: utf-8-sig
delimiter:
  description: The separator, as given.
  returned: always
  type: str
  sample: ;
headers:
  description: The language of the header row.
  returned: always
  type: str
  sample: en
live:
  description: Whether the live columns (what the provisioning service saw) are in the file.
  returned: always
  type: bool
  sample: true
"""
