# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.key_template: one key template created, changed or removed."""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema import KEY_FUNCTIONS
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import FleetItemAction

KEY_TEMPLATE_FIELDS = {
    "description": {"type": "str"},
    "keys": {
        "type": "list",
        "elements": "dict",
        "options": {
            "index": {"type": "int", "required": True},
            "function": {"type": "str", "required": True, "choices": list(KEY_FUNCTIONS)},
            "value": {"type": "str"},
            "label": {"type": "str"},
            "line": {"type": "int"},
        },
    },
}


class ActionModule(FleetItemAction):
    KIND = "key_templates"
    FIELDS = KEY_TEMPLATE_FIELDS
