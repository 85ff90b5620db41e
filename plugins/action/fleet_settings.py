# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.fleet_settings: the fleet's settings, merged into what is there."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import (
    FleetEditAction,
    fields_of,
)

SETTINGS = "settings"  # the one item of the kind

OPTIONS: dict = {
    "provisioning": {
        "type": "dict",
        "options": {
            "servers": {"type": "list", "elements": "str"},
            "http_port": {"type": "int"},
            "https_port": {"type": "int"},
            "tftp_port": {"type": "int"},
            "applications_http_port": {"type": "int"},
            "applications_https_port": {"type": "int"},
            "scheme": {"type": "str", "choices": ["http", "https"]},
            "access_keys": {"type": "bool"},
            "serve_without_proof": {"type": "list", "elements": "str"},
        },
    },
    "vendors": {"type": "list", "elements": "str"},
    "defaults": {
        "type": "dict",
        "options": {"profile": {"type": "str"}, "firmware_kit": {"type": "str"}, "site": {"type": "str"}},
    },
    "phone_auth": {
        "type": "list",
        "elements": "dict",
        "options": {
            "vendor": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "method": {"type": "str", "choices": ["none", "basic", "digest"]},
            "username": {"type": "str"},
            "password": {"type": "str", "no_log": True},
        },
    },
    "phone_control": {
        "type": "dict",
        "options": {
            "username": {"type": "str"},
            "password": {"type": "str", "no_log": True},
            "networks": {"type": "list", "elements": "str"},
        },
    },
    "autoprovision": {
        "type": "dict",
        "options": {
            "enabled": {"type": "bool"},
            "number_pool": {"type": "list", "elements": "str"},
            "name_pattern": {"type": "str"},
            "username_pattern": {"type": "str"},
            "password_length": {"type": "int", "no_log": False},
            "password_secret": {"type": "str", "no_log": True},
            "profile": {"type": "str"},
            "firmware_kit": {"type": "str"},
            "allowed_networks": {"type": "list", "elements": "str"},
            "rate_per_source": {"type": "int"},
            "rate_per_pool": {"type": "int"},
        },
    },
}


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = OPTIONS

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        fields = fields_of(args, ("provisioning", "vendors", "defaults", "phone_control", "autoprovision"))
        auth = {
            entry["vendor"]: None
            if entry["state"] == "absent"
            else fields_of(entry, ("method", "username", "password"))
            for entry in args["phone_auth"] or []
        }
        if auth:
            if edit.get("settings", SETTINGS) is not None:
                _own_nodes(edit, auth)
            fields["phone_auth"] = auth
        if fields:
            edit.put("settings", SETTINGS, fields)
        return None


def _own_nodes(edit: FleetEdit, auth: dict) -> None:
    """A change names vendors; only they change, whatever YAML anchors their phone_auth shares.

    The demo writes ``yealink: &phone_auth {...}`` and ``cisco_mpp: *phone_auth``: one node, and a change
    merged into it would change every vendor aliasing it. A vendor named alone gets its own copy first; when
    every vendor sharing the node is named with the same change, the shared node changes (the anchor stays).
    """
    for vendor, change in auth.items():
        if change is None:
            continue
        sharing = edit.sharing("settings", SETTINGS, ("phone_auth", vendor))
        together = all(len(path) == 2 and path[0] == "phone_auth" and auth.get(path[1]) == change for path in sharing)
        if sharing and not together:
            edit.detach("settings", SETTINGS, ("phone_auth", vendor))
