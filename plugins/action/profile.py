# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.profile: one profile created, changed or removed."""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema import (
    CODECS,
    TRANSPORTS,
    WEEKDAYS,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import FleetItemAction

# Fixed shapes as suboptions: a misspelt field is refused by name before anything is read, and values from
# -e or a survey (text) are converted to the integers and booleans the fleet schema wants.
_WEEKDAYS = {"type": "list", "elements": "str", "choices": list(WEEKDAYS)}

PROFILE_FIELDS = {
    "description": {"type": "str"},
    "sip": {
        "type": "dict",
        "options": {
            "registrar": {"type": "str"},
            "port": {"type": "int"},
            "transport": {"type": "str", "choices": list(TRANSPORTS)},
            "proxy": {"type": "str"},
            "outbound_proxy": {"type": "str"},
            "backup_registrar": {"type": "str"},
            "backup_port": {"type": "int"},
            "expires": {"type": "int"},
            "nat_keepalive": {"type": "int"},
            "srtp": {"type": "str", "choices": ["off", "optional", "required"]},
        },
    },
    "codecs": {"type": "list", "elements": "str", "choices": list(CODECS)},
    "features": {
        "type": "dict",
        "options": {
            "call_waiting": {"type": "bool"},
            "dnd": {"type": "bool"},
            "call_forward": {"type": "bool"},
            "transfer": {"type": "bool"},
            "intercom": {"type": "bool"},
            "voicemail_code": {"type": "str"},
            "pickup_code": {"type": "str"},
            "park_code": {"type": "str"},
            "intercom_code": {"type": "str"},
        },
    },
    "mobility": {"type": "bool"},
    "time": {
        "type": "dict",
        "options": {
            "ntp": {"type": "list", "elements": "str"},
            "timezone": {"type": "str"},
            "dst": {"type": "str", "choices": ["auto", "on", "off"]},
            "time_format": {"type": "str", "choices": ["12h", "24h"]},
            "date_format": {"type": "str"},
        },
    },
    "network": {
        "type": "dict",
        "options": {
            "vlan": {
                "type": "dict",
                "options": {"id": {"type": "int"}, "priority": {"type": "int"}, "pc_port_id": {"type": "int"}},
            },
            "lldp": {"type": "bool"},
            "cdp": {"type": "bool"},
            "dscp": {"type": "dict", "options": {"sip": {"type": "int"}, "rtp": {"type": "int"}}},
        },
    },
    "updates": {
        "type": "dict",
        "options": {
            "config_check": {
                "type": "dict",
                "options": {"every": {"type": "str"}, "days": _WEEKDAYS, "hours": {"type": "str"}},
            },
            "firmware_window": {"type": "dict", "options": {"days": _WEEKDAYS, "hours": {"type": "str"}}},
        },
    },
    "admin_password": {"type": "str", "no_log": True},
    "extended": {"type": "list", "elements": "str"},
}


class ActionModule(FleetItemAction):
    KIND = "profiles"
    FIELDS = PROFILE_FIELDS
