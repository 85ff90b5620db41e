# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet inventory plugin: one host per phone, from the fleet files."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
short_description: Phones of a PhoneFleet fleet as Ansible hosts
version_added: 0.1.0
description:
  - Reads the fleet files (YAML, and phones as CSV) of a fleet directory, validates them against the
    fleet JSON Schema and the cross-file rules, and adds one host per phone.
  - The host name is the phone's MAC as 12 lower-case hex digits, the form phones use in file names.
  - Variables are prefixed C(phone_). Groups are C(phones), C(vendor_<vendor>), C(model_<model>),
    C(profile_<profile>) and C(site_<site>); names are lower case with C(_) for other characters
    (C(model_cp_8845)). Phones whose vendor is not known yet are in C(vendor_unknown). Use
    O(keyed_groups) for more, for example on C(phone_tenant).
  - Every problem of the fleet is reported at once, each naming the file, the line and the field path;
    with problems, the source is not parsed (set C(unparsed_is_failed) so that fails the run).
  - Provisioning servers are ordinary hosts of the same inventory, in a group C(provisioning_servers).
  - The configuration file name must end in C(phonefleet.yml) or C(phonefleet.yaml).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin.
    type: string
    required: true
    choices: [phonefleet.provisioning.fleet]
  fleet_dir:
    description:
      - The fleet directory (or one fleet file), relative to this configuration file unless absolute.
      - Every C(*.yml), C(*.yaml) and C(*.csv) file below it is read; hidden files are skipped.
    type: string
    default: fleet
  phone_connection:
    description:
      - C(ansible_connection) of phone hosts. Phones are driven from the controller over their own
        interfaces (HTTP, SSH, Telnet, SIP), never as Python targets, so the default is C(local).
    type: string
    default: local
"""

EXAMPLES = r"""
# inventory/site/phonefleet.yml
plugin: phonefleet.provisioning.fleet
fleet_dir: fleet

---
# Group phones by the first digit of their first number and add a variable.
plugin: phonefleet.provisioning.fleet
keyed_groups:
  - key: phone_lines[0].number[0] | default('none')
    prefix: range
compose:
  phone_label: phone_name ~ ' (' ~ phone_model | default('unknown model') ~ ')'
groups:
  phones_with_modules: phone_modules | length > 0
"""

import functools
import os
import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_view import (
    fleet_fingerprint,
    host_records,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import fleet_files, load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import (
    VaultValue,
    from_json_object,
    to_json_data,
)

try:  # ansible-core 2.19+
    from ansible.parsing.vault import EncryptedString

    def _encrypted(ciphertext):
        return EncryptedString(ciphertext=ciphertext)

except ImportError:  # pragma: no cover - older ansible-core
    from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode

    def _encrypted(ciphertext):
        return AnsibleVaultEncryptedUnicode(ciphertext)


display = Display()
_GROUP_UNSAFE = re.compile(r"[^a-z0-9_]+")


@functools.lru_cache(maxsize=4096)
def group_name(prefix, value):
    """vendor, 'CP-8845' -> 'vendor_cp_8845': a group name Ansible accepts without warnings."""
    return f"{prefix}_{_GROUP_UNSAFE.sub('_', str(value).lower()).strip('_')}"


def _from_cache(value):
    """Cached variables back to fleet values: marked vault values become VaultValue again."""
    if isinstance(value, dict):
        value = from_json_object(value)
        if isinstance(value, VaultValue):
            return value
        return {key: _from_cache(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_cache(item) for item in value]
    return value


def _ansible_secrets(host_vars):
    """Vault values to Ansible's encrypted strings, decrypted only if a play uses them.

    Secrets sit in known places only (line passwords, the admin password): no walk of every value.
    """
    for line in host_vars.get("phone_lines", ()):
        if isinstance(line.get("password"), VaultValue):
            line["password"] = _encrypted(line["password"].ciphertext)
    if isinstance(host_vars.get("phone_admin_password"), VaultValue):
        host_vars["phone_admin_password"] = _encrypted(host_vars["phone_admin_password"].ciphertext)
    return host_vars


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "phonefleet.provisioning.fleet"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("phonefleet.yml", "phonefleet.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        fleet_dir = os.path.expanduser(self.get_option("fleet_dir"))
        if not os.path.isabs(fleet_dir):
            fleet_dir = os.path.join(os.path.dirname(os.path.abspath(path)), fleet_dir)
        records = self._cached_records(path, fleet_dir, cache)
        self._populate(records)

    def _cached_records(self, path, fleet_dir, cache):
        """Host records from the cache when it is on, fresh and the fleet files did not change."""
        use_cache = self.get_option("cache") and cache
        cache_key = self.get_cache_key(path)
        fingerprint = fleet_fingerprint(fleet_files(fleet_dir)) if os.path.exists(fleet_dir) else None
        if use_cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                cached = None
            if cached and cached.get("fingerprint") == fingerprint:
                return _from_cache(cached["hosts"])
        try:
            fleet = load_fleet(fleet_dir, decrypt=self._decrypt)
        except FleetError as exc:
            raise AnsibleParserError(f"{path}: {exc}") from None
        for warning in fleet.warnings:
            display.warning(str(warning))
        records = host_records(fleet)
        if self.get_option("cache"):
            self._cache[cache_key] = {"fingerprint": fingerprint, "hosts": to_json_data(records)}
        return records

    def _decrypt(self, data, file):
        vault = getattr(self.loader, "_vault", None)
        if vault is None:
            raise AnsibleParserError(f"{file}: no vault secrets are available to decrypt it")
        return vault.decrypt(data, filename=file)

    def _populate(self, records):
        # ansible-core 2.19 wraps the inventory to deep-copy and tag every variable with its origin,
        # which costs ~0.5 ms a phone (10 s for 20,000). Phone variables are plain JSON built here,
        # not templates, so they go to the inventory data directly; untagged strings stay untrusted
        # (never templated), and vault values are already EncryptedString.
        inventory = getattr(self.inventory, "__wrapped__", self.inventory)
        connection = self.get_option("phone_connection")
        strict = self.get_option("strict")
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        inventory.add_group("phones")
        known_groups = {"phones"}
        for record in records:
            host = record["host"]
            inventory.add_host(host, group="phones")
            host_vars = _ansible_secrets(record["vars"])
            if connection:
                host_vars["ansible_connection"] = connection
            # A new host has no variables yet, and these names are valid: set them in one update
            # instead of one set_variable() (name validation, merge check) per variable.
            inventory.get_host(host).vars.update(host_vars)
            for prefix, value in record["groups"]:
                group = group_name(prefix, value)
                if group not in known_groups:
                    inventory.add_group(group)
                    known_groups.add(group)
                inventory.add_child(group, host)
            if compose or groups or keyed_groups:
                host_vars = inventory.get_host(host).get_vars()
                self._set_composite_vars(compose, host_vars, host, strict=strict)
                self._add_host_to_composed_groups(groups, host_vars, host, strict=strict)
                self._add_host_to_keyed_groups(keyed_groups, host_vars, host, strict=strict)
