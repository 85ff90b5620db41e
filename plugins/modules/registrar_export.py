# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: registrar_export
short_description: Give a SIP registrar the accounts of a fleet and of its auto-provisioning pool
version_added: 0.1.0
description:
  - Writes what a SIP registrar must know so that the fleet's phones register with the credentials their
    files carry, in the registrar's own format.
  - Every line of every phone that registers and has a password (user name, else number; auth user name,
    else the user name; the password; the domain = the registrar of the phone's profile), and, with
    O(pool), every free number of C(settings.autoprovision.number_pool) with the password derived for it from
    C(settings.autoprovision.password_secret). The pool's numbers are exported before any phone has one, so an
    auto-provisioned phone registers as soon as it has its file, with no export in between.
  - V(kamailio) writes a Kamailio C(db_text) database into the directory O(dest) (the tables C(subscriber) of
    C(auth_db), C(uri) of C(uri_db) for lines whose auth user differs from their user name, and C(version));
    point C(auth_db) and C(uri_db) at it with C(db_url "text:///dest"), or load the rows into your database.
  - V(pjsip) writes the file O(dest), an Asterisk C(pjsip.conf) include with an C(aor), an C(auth) and an
    C(endpoint) per account; C(#include) it from C(pjsip.conf).
  - The files hold the passwords in clear, as the registrar needs them; they are written atomically, only when
    their bytes change, with mode C(0600). Diffs and messages mask the passwords and their hashes.
  - The fleet is validated first; a fleet with problems, or an auth user with two different passwords in the same
    domain, is not exported. The module runs on the controller, which holds the vault secrets.
options:
  fleet_dir:
    description:
      - The fleet directory, as the P(phonefleet.provisioning.fleet#inventory) inventory plugin reads it.
    type: path
    required: true
  dest:
    description:
      - For V(kamailio), the directory of the C(db_text) tables (created); for V(pjsip), the file to write.
    type: path
    required: true
  format:
    description:
      - The registrar's format.
    type: str
    choices: [kamailio, pjsip]
    default: kamailio
  pool:
    description:
      - Also export every free number of the auto-provisioning pool (when C(settings.autoprovision) is enabled).
    type: bool
    default: true
  pjsip_context:
    description:
      - The dialplan context of the V(pjsip) endpoints.
    type: str
    default: phones
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details: The files are built and compared; nothing is written.
  diff_mode:
    support: full
    details: Each changed file before and after, with passwords and their hashes masked.
  safe_file_operations:
    support: full
  vault:
    support: full
seealso:
  - module: phonefleet.provisioning.autoprovisioned_export
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Give the site's Kamailio every line and pool number (review with --check --diff first)
  phonefleet.provisioning.registrar_export:
    fleet_dir: /srv/fleet/moscow
    dest: /etc/kamailio/dbtext
  notify: Restart kamailio

- name: The same for Asterisk
  phonefleet.provisioning.registrar_export:
    fleet_dir: /srv/fleet/moscow
    dest: /etc/asterisk/pjsip_phonefleet.conf
    format: pjsip
    pjsip_context: office
"""

RETURN = r"""
dest:
  description: The directory (V(kamailio)) or file (V(pjsip)) written, or that would be written in check mode.
  returned: always
  type: str
  sample: /etc/kamailio/dbtext
format:
  description: The format written.
  returned: always
  type: str
  sample: kamailio
accounts:
  description: Number of SIP accounts exported (lines and pool numbers).
  returned: always
  type: int
  sample: 114
pool:
  description: How many of them are numbers of the auto-provisioning pool.
  returned: always
  type: int
  sample: 100
files:
  description: Every file of the export.
  returned: always
  type: list
  elements: str
  sample: [/etc/kamailio/dbtext/version, /etc/kamailio/dbtext/subscriber, /etc/kamailio/dbtext/uri]
changed_files:
  description: The files whose bytes changed (written, or to be written in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/kamailio/dbtext/subscriber]
"""
