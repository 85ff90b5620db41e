# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.firmware_kit: a firmware kit of the fleet (a named set of files)."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import (
    FleetEditAction,
    fields_of,
)


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "description": {"type": "str"},
        "files": {"type": "list", "elements": "str"},
    }

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        if args["state"] == "absent":
            edit.remove("firmware_kits", args["name"])
        else:
            edit.put("firmware_kits", args["name"], fields_of(args, ("description", "files")))
        return None
