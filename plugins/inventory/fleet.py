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
    (C(model_cp_8845)), Cyrillic transliterated (C(Склад 1) gives C(site_sklad_1)). Phones whose vendor is
    not known yet are in C(vendor_unknown).
  - C(phone_profile_slug), C(phone_site_slug) and C(phone_tenant_slug) hold the identifier a group name is
    made of (C(sklad_1)). Use O(keyed_groups) for more groups, for example with the key C(phone_tenant_slug)
    and the prefix C(tenant) for C(tenant_<tenant>) groups.
  - O(compose) expressions and O(keyed_groups) keys that are one variable (C(phone_description),
    C(phone_tenant_slug)) and O(groups) conditionals of the forms C(var), C(var | length > 0) (any comparison
    with a whole number) and C(var == 'text') are compiled once and cost little per phone; other expressions
    are evaluated per phone by Ansible's templar, which for a large fleet costs about 1 ms a phone and expression.
  - Every problem of the fleet is reported at once, each naming the file, the line and the field path;
    with problems, the source is not parsed (set C(unparsed_is_failed) so that fails the run).
  - Provisioning servers are ordinary hosts of the same inventory, in a group C(provisioning_servers).
  - The configuration file name must end in C(phonefleet.yml) or C(phonefleet.yaml).
  - With O(service_url), what the provisioning service saw is added as live facts, from C(GET /api/v1/phones)
    a run (page after page of 1000). Each phone of the fleet the service knows gets C(ansible_host) (the IP of
    its last request that proved it came from the phone with its access key or phone authentication; never
    the address of a request that only named the phone), C(phone_address_proven) (V(true) with it, V(false) when
    O(compose) sets C(ansible_host) to an unproven address), C(phone_last_ip) and C(phone_last_ip_proven)
    (its last request's address, proven or not, for the engineer), C(phone_status) (V(0) contacted without a
    config, V(1) configured but never contacted, V(2) configured but the current config not fetched yet,
    V(3) up to date), C(phone_status_text), C(phone_firmware), C(phone_last_contact) (seconds since the
    epoch) and C(phone_reported_model), each when the service has it, and is put in a group C(status_0) to C(status_3).
  - Phones the service saw that the fleet does not have (status V(0), and phones it auto-provisioned)
    become hosts of the group C(discovered), not C(phones), with the same facts, C(phone_mac),
    C(phone_vendor), C(phone_model), C(phone_name) and C(phone_number) when known, and C(phone_source)
    (V(autoprovision), or V(unconfigured) for a phone that got no config); they are also in
    C(vendor_<vendor>) and C(model_<model>) when they reported those. See O(discovered_phones).
  - Live facts are read on every run, also when the inventory cache is on (the cache holds what comes
    from the fleet files). When the service cannot be reached or refuses the token, the source fails to
    parse with a message naming the URL (never the token).
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
  service_url:
    description:
      - Base URL of a PhoneFleet provisioning service (the C(http_host) and C(http_port) of its settings),
        for live facts. Without it, the inventory holds only what the fleet files say.
      - May be a template, for example a C(lookup).
    type: string
    env:
      - name: PHONEFLEET_SERVICE_URL
  service_token:
    description:
      - An API token of the service (a token of a user of the job service, which the service shares, or one of
        the C(api_tokens) of its settings); any role reads the phones (C(auditor), C(api), C(administrator)).
      - A secret; it is sent only to O(service_url) (redirects are not followed) and never shown. Prefer the
        environment variable, a C(!vault) value or a template such as a C(lookup) to writing it in the file.
    type: string
    env:
      - name: PHONEFLEET_SERVICE_TOKEN
  service_timeout:
    description: Seconds to wait for the service's answer.
    type: int
    default: 10
    env:
      - name: PHONEFLEET_SERVICE_TIMEOUT
  service_validate_certs:
    description: Verify the service's TLS certificate when O(service_url) is C(https://).
    type: bool
    default: true
    env:
      - name: PHONEFLEET_SERVICE_VALIDATE_CERTS
  discovered_phones:
    description:
      - With O(service_url), add the phones the service saw that are not in the fleet, in the group
        C(discovered). With V(false), only the fleet's phones get live facts.
    type: bool
    default: true
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

---
# Live facts from the provisioning service; the token comes from PHONEFLEET_SERVICE_TOKEN.
# ansible-inventory -i inventory/site --graph status_0   # phones that asked and got no config
plugin: phonefleet.provisioning.fleet
fleet_dir: fleet
service_url: https://prov1.example.com:8480
compose:
  # Phones that have not asked for their config for a day.
  phone_silent: phone_last_contact is not defined or (now(utc=true).timestamp() - phone_last_contact) > 86400
groups:
  stale_config: phone_status | default(-1) == 2
keyed_groups:
  - key: phone_firmware | default('unknown')
    prefix: firmware

---
# The token from a vault-encrypted file (ansible-vault encrypt), live facts for the fleet's phones only.
plugin: phonefleet.provisioning.fleet
service_url: http://127.0.0.1:8480
service_token: "{{ lookup('ansible.builtin.unvault', '/etc/phonefleet/inventory-token.vault') | trim }}"
discovered_phones: false
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_view import (
    fleet_fingerprint,
    host_records,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.inventory_config import resolve_fleet_dir
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import fleet_files, load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.names import group_name
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import (
    VaultValue,
    from_json_object,
    to_json_data,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.live_facts import (
    ADDRESS_PROVEN,
    DISCOVERED,
    STATUS_PREFIX,
    STATUSES,
    LiveFactsError,
    address_proven,
    check_rows,
    merge_live,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.constructed import (
    UNDECIDED,
    compile_conditional,
    compile_key,
    compile_value,
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
        fleet_dir = resolve_fleet_dir(path, self.get_option("fleet_dir"))
        records = self._cached_records(path, fleet_dir, cache)
        service_url = self._text_option("service_url")
        if service_url:
            records = self._with_live_facts(path, service_url, records)
        self._populate(records, live=bool(service_url))

    def _text_option(self, name):
        """A string option, templated when it is a template (trusted: from the configuration file)."""
        value = self.get_option(name)
        if isinstance(value, str) and self.templar.is_template(value):
            value = self.templar.template(value)
        return None if value is None else str(value)  # str() of a vault value decrypts it

    def _with_live_facts(self, path, service_url, records):
        """The fleet's records with what the service saw (never cached: the facts are live)."""
        # Imported here: its HTTP client (ansible.module_utils.urls) costs ~0.03 s of every run's start,
        # and a site without a service never uses it.
        # pylint: disable-next=import-outside-toplevel
        from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import (
            ServiceApi,
            ServiceApiError,
            redact_url,
        )

        try:
            api = ServiceApi(
                service_url,
                self._text_option("service_token"),
                timeout=self.get_option("service_timeout"),
                validate_certs=self.get_option("service_validate_certs"),
            )
            rows = check_rows(api.phones())
        except ServiceApiError as exc:
            hint = "" if self.get_option("service_token") else " (set service_token or PHONEFLEET_SERVICE_TOKEN)"
            raise AnsibleParserError(f"{path}: live facts: {exc}{hint}") from None
        except LiveFactsError as exc:
            where = redact_url(service_url.rstrip("/")) + "/api/v1/phones"
            message = f"{path}: live facts: {where} answered a phone list that is not valid: {exc}"
            raise AnsibleParserError(message) from None
        return merge_live(records, rows, discovered=self.get_option("discovered_phones"))

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

    def _populate(self, records, live=False):
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
        # Compiled once for the whole fleet, not once a host (see plugin_utils/constructed.py).
        constructed_groups = self._compile_constructed_groups(groups, keyed_groups)
        composed = self._compile_compose(compose)
        self._constructed_names = {}
        known_groups = {"phones"}
        if live:
            known_groups.update(group_name(STATUS_PREFIX, status) for status in STATUSES)
            if self.get_option("discovered_phones"):
                known_groups.add(DISCOVERED)
        for group in sorted(known_groups):
            inventory.add_group(group)
        for record in records:
            host = record["host"]
            inventory.add_host(host, group=record.get("base_group", "phones"))
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
                if compose:
                    self._compose_vars(inventory, composed, host_vars, host, strict)
                    if not (live or groups or keyed_groups):
                        continue  # nothing reads the variables compose set: get_vars() for each phone spared
                    host_vars = inventory.get_host(host).get_vars()
                    if live:  # compose may have set ansible_host: say whether it is proven
                        proven = address_proven(host_vars)
                        if proven is not None:
                            inventory.set_variable(host, ADDRESS_PROVEN, proven)
                            host_vars = inventory.get_host(host).get_vars()
                self._add_to_constructed_groups(inventory, constructed_groups, host_vars, host, strict)

    def _compile_compose(self, compose):
        """``compose`` entries as (variable, expression, its natively compiled expression or None)."""
        if not isinstance(compose, dict):
            return []
        # extra vars take precedence over host vars in expressions: the templar's to merge
        native = not self.get_option("use_extra_vars")
        return [
            (name, expression, compile_value(expression) if native else None) for name, expression in compose.items()
        ]

    def _compose_vars(self, inventory, composed, host_vars, host, strict):
        """Set the ``compose`` variables of a host.

        Every expression sees the variables from before ``compose``, as in Constructable; an expression
        the native evaluation does not decide goes to Constructable for this host.
        """
        for name, expression, compiled in composed:
            value = UNDECIDED if compiled is None else compiled(host_vars)
            if value is UNDECIDED:
                self._set_composite_vars({name: expression}, host_vars, host, strict=strict)
            else:
                inventory.set_variable(host, name, value)

    def _compile_constructed_groups(self, groups, keyed_groups):
        """``groups`` and ``keyed_groups`` entries, each with its natively compiled expression or None."""
        conditionals = [
            (name, conditional, compile_conditional(conditional)) for name, conditional in (groups or {}).items()
        ]
        keyed = []
        for entry in keyed_groups or ():
            compiled = None
            # Only the plain entries: a parent group is a template, and default_value with
            # trailing_separator is an error that Constructable reports.
            if isinstance(entry, dict) and entry.get("parent_group") is None:
                if entry.get("default_value") is None or entry.get("trailing_separator") is None:
                    compiled = compile_key(entry.get("key"))
            if compiled is not None and self.get_option("use_extra_vars"):
                compiled = None  # extra vars take precedence over host vars in keys: the templar's to merge
            keyed.append((entry, compiled))
        return conditionals, keyed

    def _add_to_constructed_groups(self, inventory, constructed_groups, host_vars, host, strict):
        """Groups of ``groups`` then ``keyed_groups`` (Constructable's order), natively where decided."""
        conditionals, keyed = constructed_groups
        for name, conditional, compiled in conditionals:
            result = UNDECIDED if compiled is None else compiled(host_vars)
            if result is UNDECIDED:
                self._add_host_to_composed_groups({name: conditional}, host_vars, host, strict=strict)
            elif result:
                inventory.add_child(self._constructed_group(inventory, name), host)
        for entry, compiled in keyed:
            key = UNDECIDED if compiled is None else compiled(host_vars)
            if key is UNDECIDED:
                self._add_host_to_keyed_groups([entry], host_vars, host, strict=strict)
                continue
            prefix = entry.get("prefix", "")
            separator = entry.get("separator", "_")
            if prefix == "" and self.get_option("leading_separator") is False:
                separator = ""
            inventory.add_child(self._constructed_group(inventory, f"{prefix}{separator}{key}"), host)

    def _constructed_group(self, inventory, raw_name):
        """The group of a constructed name, sanitised as Constructable does, created once."""
        group = self._constructed_names.get(raw_name)
        if group is None:
            group = inventory.add_group(self._sanitize_group_name(raw_name))
            self._constructed_names[raw_name] = group
        return group
