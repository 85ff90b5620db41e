# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phone: create, change or remove one phone of the fleet."""

from __future__ import annotations

import os
from typing import ClassVar

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import EditError, FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import display_name
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import (
    InvalidMac,
    format_mac,
    normalize_mac,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema import KEY_FUNCTIONS
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import FleetEditAction

LINE_OPTIONS = {
    "number": {"type": "str"},
    "display_name": {"type": "str"},
    "label": {"type": "str"},
    "username": {"type": "str"},
    "auth_username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "register": {"type": "bool"},
    "voicemail": {"type": "str"},
}

KEY_OPTIONS = {
    "index": {"type": "int", "required": True},
    "function": {"type": "str", "required": True, "choices": list(KEY_FUNCTIONS)},
    "value": {"type": "str"},
    "label": {"type": "str"},
    "line": {"type": "int"},
}

# The phone's own text fields: given as a string, "" removes the field.
TEXT_FIELDS = ("name", "vendor", "model", "profile", "site", "firmware_kit", "key_template", "description")


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = {
        "mac": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        **{name: {"type": "str"} for name in TEXT_FIELDS},
        # names holding "key" look like secrets to ansible-test's no_log check; these are not secrets
        "key_template": {"type": "str", "no_log": False},
        "lines": {"type": "list", "elements": "dict", "options": LINE_OPTIONS},
        "keep_other_lines": {"type": "bool", "default": False},
        "keys": {"type": "list", "elements": "dict", "options": KEY_OPTIONS, "no_log": False},
        "modules": {"type": "list", "elements": "str"},
        "admin_password": {"type": "str", "no_log": True},
        "dest": {"type": "path"},
        "replace": {"type": "bool", "default": False},
    }

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        try:
            mac = normalize_mac(args["mac"])
        except InvalidMac as exc:
            raise EditError(f"mac: {exc}") from None
        if args["state"] == "absent":
            change = edit.remove("phones", mac)
            return {"mac": format_mac(mac), "file": change.file if change else None}
        # replace: the phone becomes what is given, so no line keeps a field of the line it replaces
        current = {} if args["replace"] else edit.get("phones", mac) or {}
        dest = args["dest"]
        if dest is not None and not os.path.isabs(dest):
            dest = os.path.join(edit.fleet_dir, dest)  # a file name from a form: in the fleet directory
        change = edit.put("phones", mac, phone_fields(args, current), dest=dest, replace=args["replace"])
        if change is not None:
            return {"mac": format_mac(mac), "file": change.file}
        located = edit.locate("phones", mac)  # unchanged: the phone is where it was
        return {"mac": format_mac(mac), "file": display_name(located.path) if located else None}


def phone_fields(args: dict, current: dict) -> dict:
    """The fields to put: options not given left out, an empty value (``""``, ``[]``) as None (removes it)."""
    fields: dict = {}
    for name in (*TEXT_FIELDS, "admin_password", "modules"):
        if args[name] is not None:
            fields[name] = args[name] or None
    if args["keys"] is not None:
        # the keys given are the phone's keys: a key is exactly what is given ("" as not given)
        keys = [{name: value for name, value in key.items() if value not in (None, "")} for key in args["keys"]]
        fields["keys"] = keys or None
    if args["lines"] is not None:
        fields["lines"] = merged_lines(args["lines"], current.get("lines") or [], args["keep_other_lines"]) or None
    return fields


def given(item: dict) -> dict:
    """The suboptions a task gave (Ansible fills the others with None); ``""`` stays, to remove that field."""
    return {name: value for name, value in item.items() if value is not None}


def merged_lines(lines: list[dict], current: list, keep_other_lines: bool) -> list[dict]:
    """Each line given merged into the phone's line at its position: fields not given stay, ``""`` removes one.

    The engine makes each list item exactly what it is given, so the fields kept are given again as they are
    (a vault value as the vault value, which the engine keeps untouched).
    """
    merged: list[dict] = []
    for position, line in enumerate(lines):
        before = current[position] if position < len(current) and isinstance(current[position], dict) else {}
        item = {**before, **given(line)}
        if not item:
            continue  # nothing given for a line the phone does not have
        merged.append({name: value for name, value in item.items() if value != ""})
    if keep_other_lines:
        merged.extend(current[len(lines) :])
    return merged
