# Private to this collection: the fleet as inventory hosts.
"""What the inventory plugin shows of each phone: host name, ``phone_`` variables, groups.

Kept apart from the plugin so it is plain data (JSON-cacheable) and testable without Ansible.
"""

from __future__ import annotations

import os

from .mac import format_mac
from .model import Fleet, Phone
from .names import slug

VAR_PREFIX = "phone_"
SLUGGED = ("profile", "site", "tenant")


_LINE_FIELDS = ("number", "display_name", "label", "username", "auth_username", "password", "register", "voicemail")
_KEY_FIELDS = ("index", "function", "value", "label", "line")


def _fields(item, names: tuple) -> dict:
    # Not dataclasses.asdict: it deep-copies, and this runs for every line and key of the fleet.
    result = {}
    for name in names:
        value = getattr(item, name)
        if value is not None:
            result[name] = value
    return result


def phone_vars(fleet: Fleet, phone: Phone, template_keys: dict | None = None) -> dict:
    """The ``phone_*`` host variables of one phone (unset facts are left out).

    ``template_keys`` caches the key list of phones that only take their key template's keys: thousands
    of phones share one template, and the list is built once (each phone gets its own list object).
    """
    values = {
        "mac": format_mac(phone.mac),
        "name": phone.name,
        "vendor": phone.vendor,
        "vendor_source": phone.vendor_source,
        "model": phone.model,
        "profile": phone.profile,
        "firmware_kit": phone.firmware_kit,
        "site": phone.site,
        "tenant": fleet.tenant_of(phone),
        "description": phone.description,
        "key_template": phone.key_template,
        "lines": [_fields(line, _LINE_FIELDS) for line in phone.lines],
        "keys": _keys(fleet, phone, template_keys),
        "modules": list(phone.modules),
        "admin_password": phone.admin_password,
        "source": str(phone.origin),
    }
    # The identifier of each name that makes a group (profile_<slug>, site_<slug>; tenant_<slug> through the
    # documented keyed_groups): the same one the group has, for plays and keyed_groups (fleet/names.py).
    for name in SLUGGED:
        label = values[name]
        if isinstance(label, str):
            values[name + "_slug"] = slug(label)
    return {VAR_PREFIX + name: value for name, value in values.items() if value is not None}


def _keys(fleet: Fleet, phone: Phone, template_keys: dict | None) -> list:
    if phone.keys or template_keys is None:
        return [_fields(key, _KEY_FIELDS) for key in fleet.keys_of(phone)]
    if phone.key_template not in template_keys:
        template_keys[phone.key_template] = [_fields(key, _KEY_FIELDS) for key in fleet.keys_of(phone)]
    return [dict(key) for key in template_keys[phone.key_template]]


def phone_groups(fleet: Fleet, phone: Phone) -> list[tuple[str, str]]:
    """(prefix, value) pairs of the groups a phone belongs to, besides ``phones``.

    Tenants get no group of their own: ``keyed_groups`` on ``phone_tenant_slug`` makes one where wanted.
    """
    groups = [("vendor", phone.vendor or "unknown")]
    if phone.model:
        groups.append(("model", phone.model))
    if phone.profile:
        groups.append(("profile", phone.profile))
    if phone.site:
        groups.append(("site", phone.site))
    return groups


def host_records(fleet: Fleet) -> list[dict]:
    """One record per phone: host name (bare MAC), variables and groups, in fleet order."""
    template_keys: dict = {}
    return [
        {"host": phone.mac, "vars": phone_vars(fleet, phone, template_keys), "groups": phone_groups(fleet, phone)}
        for phone in fleet.phones
    ]


def fleet_fingerprint(files: list[str]) -> list:
    """Cheap identity of the fleet files' state: a cached inventory is reused only while it matches."""
    result = []
    for path in files:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        result.append([path, stat.st_mtime_ns, stat.st_size])
    return result
