# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: publish
short_description: Render every phone's config files onto a provisioning server's web root
version_added: 0.1.0
description:
  - Loads and validates the fleet, renders every phone's files in its vendor's real format and file names,
    the files all phones of a vendor share, and the base files unknown phones get, all in one process.
  - Only what changed is rendered and written. Nothing changed since the last publish (fleet files and the
    collection's drivers and templates) is a no-op without loading the fleet; a phone whose inputs (its own data,
    its profile and extended sets, key template, firmware kit, the settings) did not change is not rendered
    again; a file equal to the one on disk is not written. Each write is atomic (temporary file and rename).
  - Files of phones that left the fleet are removed. Firmware files of the kits in use are copied from
    O(firmware_dir) into C(firmware/) of the web root, their sha256 checked against the fleet.
  - A manifest in C(<web_root>/.phonefleet/manifest.json) records every file with its sha256, phone and config
    version. A lock in the same folder keeps two publishes from interleaving.
  - If any phone cannot be rendered (no profile, no driver, ...) nothing is published and every such phone is named.
    A publish that fails for any reason leaves no staged file behind. Staged files and spares are readable by
    their owner only (they may hold passwords); a file takes mode 0644 as it goes in place.
  - The service bundle C(<web_root>/.phonefleet/service.json) holds what the provisioning service decides with
    (settings such as C(access_keys), C(phone_auth), C(autoprovision), and the fleet data it auto-provisions
    with). A change of it is a change (C(changed), RV(service_changed)), also when no rendered file changes.
  - Runs on the controller. For a server reached with the local connection the web root is written directly.
    For any other server the fleet is published into a staging copy on the controller (O(staging_dir)), and
    only what changed is sent through the connection in one archive and applied on the server by
    M(phonefleet.provisioning.web_root_sync), each file renamed into place. If applying fails, the staging
    copy is dropped so that the next publish sends everything.
options:
  fleet_dir:
    description:
      - The fleet directory, as the P(phonefleet.provisioning.fleet#inventory) inventory plugin reads it.
    type: path
    required: true
  web_root:
    description:
      - The folder the provisioning server serves to phones over HTTP, HTTPS and TFTP. Created if missing.
    type: path
    required: true
  firmware_dir:
    description:
      - Where the firmware files named in the fleet's C(firmware.files) are kept on the controller.
      - Without it, firmware is not published and a warning says so.
    type: path
  transfer:
    description:
      - V(auto) writes the web root directly when the server is reached with the local connection, and sends
        the files through the connection otherwise.
      - V(always) sends them through the connection in every case (for a local web root owned by another
        user, with C(become)).
    type: str
    choices: [auto, always]
    default: auto
  staging_dir:
    description:
      - Where the controller keeps its copy of a remote server's web root, with its manifest.
      - Defaults to C(~/.cache/phonefleet/publish/<inventory_hostname>).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details: The fleet is rendered and compared with the web root; nothing is written.
  diff_mode:
    support: full
    details: >-
      One diff per changed file, headed by the phone's MAC and name, and one of the lines of the service
      bundle that change (C(settings.yml: settings.provisioning.access_keys: true)); passwords appear as
      C(********).
  safe_file_operations:
    support: full
  vault:
    support: full
    details: Vault-encrypted secrets of the fleet are decrypted with the play's vault secrets.
seealso:
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
  - module: phonefleet.provisioning.fleet_validate
  - module: phonefleet.provisioning.web_root_sync
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Publish the fleet onto this provisioning server
  phonefleet.provisioning.publish:
    fleet_dir: "{{ inventory_dir }}/fleet"
    web_root: /srv/phonefleet/www
    firmware_dir: "{{ inventory_dir }}/firmware"
"""

RETURN = r"""
phones:
  description: Number of phones in the fleet.
  returned: always
  type: int
rendered:
  description: Number of phones rendered (the others' inputs did not change).
  returned: always
  type: int
phones_changed:
  description: MACs (12 hex digits) of the phones whose files changed.
  returned: always
  type: list
  elements: str
written:
  description: Files (relative to the web root) written, or that would be written in check mode.
  returned: always
  type: list
  elements: str
  sample: ["805ec0112233.cfg", "SEP0CD0F8A1B2C3.cnf.xml"]
removed:
  description: Files removed because their phone left the fleet.
  returned: always
  type: list
  elements: str
firmware_copied:
  description: Firmware files copied into the web root.
  returned: always
  type: list
  elements: str
service_changed:
  description: Whether the service bundle (what the provisioning service serves and decides) changed.
  returned: always
  type: bool
staging_dir:
  description: The controller's copy of the web root, for a server reached through the connection.
  returned: when the files were sent through the connection
  type: str
awaiting_model:
  description:
    - MACs (12 hex digits) of the phones whose model the fleet does not give (a vendor known from C(vendor) or the
      MAC prefix). They are not rendered; each is named in a warning, and the provisioning service renders its
      files with the model the phone reports at its first request (status 1 until then).
    - Any other phone that cannot be rendered stops the publish, naming it.
  returned: always
  type: list
  elements: str
  sample: ["805ec0998877"]
warnings_count:
  description: Number of warnings (features a model lacks, ...), each shown as a warning.
  returned: always
  type: int
"""
