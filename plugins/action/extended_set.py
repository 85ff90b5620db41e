# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.extended_set: one extended set created, changed or removed."""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import FleetItemAction

EXTENDED_SET_FIELDS = {
    "vendor": {"type": "str"},
    "description": {"type": "str"},
    # The vendor's own parameter names: no fixed shape, so the fleet schema checks the values (and names them).
    "params": {"type": "dict"},
    "dial_rules": {
        "type": "list",
        "elements": "dict",
        "options": {
            "pattern": {"type": "str", "required": True},
            "timeout": {"type": "int"},
            "user": {"type": "str", "choices": ["phone", "ip"]},
        },
    },
    "softkey_template": {"type": "str"},
    "certificates": {"type": "list", "elements": "str"},
}


class ActionModule(FleetItemAction):
    KIND = "extended_sets"
    FIELDS = EXTENDED_SET_FIELDS
