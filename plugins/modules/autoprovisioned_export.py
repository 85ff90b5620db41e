# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: autoprovisioned_export
short_description: Write the phones a provisioning service auto-provisioned into the fleet files
version_added: 0.1.0
description:
  - A PhoneFleet provisioning service gives an unknown phone of an enabled vendor a number of
    C(settings.autoprovision.number_pool), with its SIP user name and the password derived for that number from
    C(settings.autoprovision.password_secret), and serves it a config.
    This module makes Git the truth again by writing those phones into a fleet file.
  - Reads the assignments from the service (C(GET /api/v1/autoprovisioned), which needs a token of the C(api)
    or C(administrator) role) and the phones it knows (C(GET /api/v1/phones), for the vendor and model a phone
    reported).
  - Each phone not in the fleet yet is appended to O(dest) with its MAC, name, vendor and model, the C(profile)
    and C(firmware_kit) of C(settings.autoprovision) (when set; else the fleet's defaults apply, as on the
    service), and one line with the number, display name, user name and password, so that its config stays
    what the service rendered for it. The service's API gives no password; the module derives it from
    C(settings.autoprovision.password_secret) of O(fleet_dir) (decrypted with the play's vault secret), as the
    service does.
  - A MAC already in the fleet is left as it is (C(present)). A phone that has not reported its vendor and model
    yet is not exported (C(pending)), since the fleet could not render its config; it stays auto-provisioned.
  - The fleet as it would be after the export is loaded and validated as the inventory loads it. A phone with
    problems is not exported (C(error), with the reason, and a warning); the others are. Problems anywhere else
    fail the task and nothing is written.
  - O(dest) is edited so that comments, key order, quoting and existing C(!vault) values stay as they are, and
    written atomically, only when it changes. Run again, nothing changes.
  - Phones of the fleet without a C(model) (publish leaves them to the service, which renders each with the model
    it reports at its first request, after the same proof as any phone's own file) get the model the service
    rendered them with (C(learned_model) of C(GET /api/v1/phones)) written as C(model:) into the fleet file that
    holds them, the same way (after their C(vendor), C(name) or C(mac)); the next publish renders them itself.
    A phone with no C(vendor) either (a MAC prefix several vendors share, as Cisco and Cisco MPP do) gets the
    vendor the service rendered it as (C(learned_vendor)) as C(vendor:) too.
    A model a request only claimed is never written. A phone the service has not rendered yet is C(pending); one
    in a CSV file or a vault-encrypted file is C(error) (set its model by hand). See RV(models).
  - The module runs on the controller whatever the host, since the controller holds the vault secrets.
    Relative paths are relative to the playbook (or role) directory.
  - SIP passwords and the API token never appear in results, messages or diffs, neither in clear nor encrypted.
options:
  fleet_dir:
    description:
      - The fleet directory, as the P(phonefleet.provisioning.fleet#inventory) inventory plugin reads it.
    type: path
    required: true
  dest:
    description:
      - The YAML file, inside O(fleet_dir), that the phones are appended to. It is created if missing.
      - Defaults to C(autoprovisioned.yml) in O(fleet_dir).
    type: path
  service_url:
    required: true
  service_token:
    required: true
  release:
    description:
      - After the file is written, release on the service (C(DELETE /api/v1/autoprovisioned/<mac>)) the
        assignment of every phone now in the fleet, those exported by this run and those already there.
        A released number goes back to the pool once no published fleet phone uses it.
      - Release only when the fleet holding these phones is published, or is published right after. Until
        then, a released phone that asks for its config is auto-provisioned anew, with a new password. A
        warning names every released phone the service does not serve from a published fleet yet. The safe
        order is export, commit, publish, then export again with O(release=true).
      - Not done in check mode (the phones that would be released are returned).
    type: bool
    default: false
  passwords:
    description:
      - How SIP passwords are written.
      - V(vault) writes them as C(!vault |) values encrypted with the play's vault secret (C(--vault-id) or
        C(--vault-password-file); with several secrets, the one of C(DEFAULT_VAULT_ENCRYPT_IDENTITY)).
        Without a vault secret the task fails when there is a phone to export.
      - V(plain) writes them in clear text (a new O(dest) is then created readable by its owner only).
    type: str
    choices: [vault, plain]
    default: vault
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
  - phonefleet.provisioning.service_connection
attributes:
  check_mode:
    support: full
    details: The service is read and everything is computed and reported, including the diff; nothing is
      written and nothing is released.
  diff_mode:
    support: full
    details: One before/after per exported phone, as YAML, with the password masked.
  safe_file_operations:
    support: full
  vault:
    support: full
notes:
  - The task makes two or three kinds of requests to the service, all from the controller; the API token is an
    C(api) role's token, keep it in a vault or the environment.
seealso:
  - module: phonefleet.provisioning.phones_import
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Export the auto-provisioned phones into the fleet (review with --check --diff first)
  phonefleet.provisioning.autoprovisioned_export:
    fleet_dir: "{{ playbook_dir }}/../inventory/site/fleet"
    service_url: http://prov1.example.com:8480
    service_token: "{{ phonefleet_service_admin_token }}"
  register: phonefleet_export

- name: After the fleet with these phones is published, hand their numbers back to the fleet
  phonefleet.provisioning.autoprovisioned_export:
    fleet_dir: /srv/fleet
    dest: /srv/fleet/moscow/autoprovisioned.yml
    release: true
  environment:
    PHONEFLEET_SERVICE_URL: https://prov1.example.com
    PHONEFLEET_SERVICE_TOKEN: "{{ phonefleet_service_admin_token }}"

- name: Show the phones that could not be exported yet
  ansible.builtin.debug:
    msg: "{{ phonefleet_export.phones | selectattr('result', 'in', ['pending', 'error']) }}"
"""

RETURN = r"""
phones:
  description: What became of every assignment the service has, in the service's order (by number).
  returned: always
  type: list
  elements: dict
  contains:
    mac:
      description: The MAC, in colon notation.
      type: str
      sample: 80:5e:c0:99:88:77
    number:
      description: The number the service assigned.
      type: str
      sample: "3000"
    name:
      description: The name the service gave the phone.
      type: str
      sample: Autoprovisioned 3000
    vendor:
      description: The phone's vendor, as the assignment or the phone's reports give it.
      type: str
      sample: yealink
    model:
      description: The phone's model, as the assignment or the phone's reports give it.
      type: str
      sample: T46U
    result:
      description:
        - V(exported) (written to O(dest); in check mode, would be), V(present) (the MAC is in the fleet already),
          V(pending) (no vendor or model reported yet) or V(error) (not exported, see RV(phones[].reason)).
      type: str
      sample: exported
    reason:
      description: Why the phone is pending or in error.
      type: str
      returned: when result is V(pending) or V(error)
      sample: "model: unknown Yealink model 'T99'"
exported:
  description: Number of phones written to O(dest) (in check mode, that would be).
  returned: always
  type: int
  sample: 2
present:
  description: Number of assignments whose MAC is in the fleet already.
  returned: always
  type: int
  sample: 0
pending:
  description: Number of phones not exported because they have not reported their vendor and model.
  returned: always
  type: int
  sample: 1
errors:
  description: Number of phones not exported because of problems.
  returned: always
  type: int
  sample: 0
file:
  description: O(dest), as written or to be written.
  returned: always
  type: str
  sample: inventory/site/fleet/autoprovisioned.yml
models:
  description: Every phone of the fleet without a model, and whether the model the service learned is written.
  returned: always
  type: list
  elements: dict
  contains:
    mac:
      description: The MAC, in colon notation.
      type: str
      sample: 80:5e:c0:99:88:01
    name:
      description: The phone's name in the fleet.
      type: str
    file:
      description: The fleet file that holds the phone.
      type: str
      sample: inventory/site/fleet/phones.yml
    model:
      description: The model the service rendered the phone with, none yet when V(pending).
      type: str
      sample: T46U
    vendor:
      description: The vendor the service rendered the phone as, written with the model.
      type: str
      returned: when the fleet gave the phone no vendor (a MAC prefix several vendors share)
      sample: cisco_mpp
    result:
      description:
        - V(written) (C(model:) written into RV(models[].file); in check mode, would be), V(pending) (the service
          has not rendered it with a model yet) or V(error) (see RV(models[].reason)).
      type: str
      sample: written
    reason:
      description: Why the model is pending or not written.
      type: str
      returned: when result is V(pending) or V(error)
models_written:
  description: Number of phones whose model was written (in check mode, would be).
  returned: always
  type: int
  sample: 1
released:
  description:
    - MACs whose assignment was released on the service (with O(release=true); in check mode, would be).
  returned: always
  type: list
  elements: str
  sample: ["80:5e:c0:99:88:77"]
"""
