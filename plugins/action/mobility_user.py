# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.mobility_user: a mobility (hot-desk) user of the fleet."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import EditError, FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import (
    hash_pin,
    needs_rehash,
    verify_pin,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import (
    FleetEditAction,
    fields_of,
)

LINE_OPTIONS = {
    "number": {"type": "str", "required": True},
    "display_name": {"type": "str"},
    "label": {"type": "str"},
    "username": {"type": "str"},
    "auth_username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "register": {"type": "bool"},
    "voicemail": {"type": "str"},
}
FIELDS = ("name", "pin_hash", "lines", "key_template", "keys", "profile")  # in the order the fleet writes them
KEY_OPTIONS = {
    "index": {"type": "int", "required": True},
    "function": {"type": "str", "required": True},
    "value": {"type": "str"},
    "label": {"type": "str"},
    "line": {"type": "int"},
}


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = {
        "number": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "name": {"type": "str"},
        "pin": {"type": "str", "no_log": True},
        "lines": {"type": "list", "elements": "dict", "options": LINE_OPTIONS},
        "key_template": {"type": "str"},
        "keys": {"type": "list", "elements": "dict", "options": KEY_OPTIONS},
        "profile": {"type": "str"},
    }

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        number = args["number"]
        if args["state"] == "absent":
            edit.remove("mobility_users", number)
            return None
        current = edit.get("mobility_users", number)
        pin = args["pin"]
        if pin is None and current is None:
            raise EditError(f"pin: a new mobility user ({number}) needs a PIN")
        pin_hash = None
        # The PIN is kept only as a salted hash: a PIN the stored hash verifies is the same PIN (no new salt), unless
        # that hash is of an older format or weaker than new ones (validation warns): then it is hashed anew.
        stored = str(current.get("pin_hash", "")) if current else ""
        if pin is not None and not (stored and verify_pin(pin, stored) and not needs_rehash(stored)):
            try:
                pin_hash = hash_pin(pin)
            except ValueError as exc:
                raise EditError(f"pin: {exc}") from None
        edit.put("mobility_users", number, fields_of({**args, "pin_hash": pin_hash}, FIELDS))
        return None
