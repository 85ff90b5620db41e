# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.firmware_file: a firmware file of the fleet, its image in the store."""

from __future__ import annotations

import os
from typing import ClassVar

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.firmware_store import (
    ImagePlan,
    firmware_dir_of,
    install_image,
    plan_image,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import (
    FleetEditAction,
    fields_of,
)

FIELDS = ("vendor", "models", "version", "file", "sha256")


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "vendor": {"type": "str"},
        "models": {"type": "list", "elements": "str"},
        "version": {"type": "str"},
        "file": {"type": "str"},
        "sha256": {"type": "str"},
        "src": {"type": "path"},
        "firmware_dir": {"type": "path"},
    }

    image: ImagePlan | None = None

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        if args["state"] == "absent":
            edit.remove("firmware_files", args["name"])
            return None
        fields = fields_of(args, FIELDS)
        if not args["src"]:
            edit.put("firmware_files", args["name"], fields)
            return None
        src = self._path(args["src"])
        current = edit.get("firmware_files", args["name"]) or {}
        # the image keeps the name it has in the fleet unless the task names another
        file_name = args["file"] or current.get("file") or os.path.basename(src)
        firmware_dir = self._path(args["firmware_dir"]) if args["firmware_dir"] else firmware_dir_of(edit.fleet_dir)
        self.image = plan_image(src, firmware_dir, file_name, args["sha256"])
        edit.put("firmware_files", args["name"], {**fields, "file": file_name, "sha256": self.image.sha256})
        return {"changed": self.image.copy, "image": self.image.target, "sha256": self.image.sha256}

    def before_write(self, args: dict) -> None:
        del args
        if self.image is not None:
            install_image(self.image)
