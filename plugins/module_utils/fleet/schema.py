# Private to this collection: the JSON Schema of fleet files.
"""The JSON Schema (draft-07) of every fleet file.

This dictionary is what validation uses; ``schemas/fleet.schema.json`` is the same schema written out
for editors (``make schema`` regenerates it, a unit test keeps the two equal). One schema covers every
file kind: a fleet file is a mapping whose top-level keys are the kinds it holds.
"""

from __future__ import annotations

from .names import LABEL
from .pin import CEILINGS as PIN_HASH_CEILINGS
from .pin import PIN_HASH_PATTERN

SCHEMA_ID = "https://phonefleet.invalid/schemas/fleet.schema.json"

TRANSPORTS = ("udp", "tcp", "tls")
CODECS = (
    "opus",
    "g722",
    "pcma",
    "pcmu",
    "g729",
    "g726",
    "g723",
    "ilbc",
    "gsm",
    "amr",
    "amr-wb",
    "g722.1",
    "g722.1c",
    "speex",
    "l16",
)
KEY_FUNCTIONS = (
    "line",
    "speed_dial",
    "blf",
    "intercom",
    "park",
    "pickup",
    "dnd",
    "transfer",
    "voicemail",
    "url",
    "none",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Identifiers the collection defines (vendors) or that name files (firmware files): letters, digits, '_.-'.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

_IDENTIFIER = {"type": "string", "pattern": NAME_PATTERN, "maxLength": 64}
# Names people give (profiles, kits, key templates, extended sets, sites, tenants): labels, fleet/names.py.
_NAME = LABEL
# One line of text: a newline in a name would start a new parameter in the phones' line-based formats.
_TEXT = {"type": "string", "maxLength": 256, "pattern": "^[^\\x00-\\x1f\\x7f]*$", "description": "one line of text"}
_ONE_LINE = "^[^\\x00-\\x1f\\x7f]*$"
# A secret: plain text or an Ansible Vault value (``!vault |``), which loads as a string.
_SECRET = {"type": "string", "minLength": 1, "description": "Plain text or an Ansible Vault value (!vault)."}
_HOST = {"type": "string", "minLength": 1, "maxLength": 253, "pattern": r"^[A-Za-z0-9_.:\[\]-]+$"}
_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
_NUMBER = {"type": "string", "minLength": 1, "maxLength": 32, "pattern": r"^[0-9*#+]+$"}
_DURATION = {"type": "string", "pattern": r"^[0-9]+[smhd]$", "description": "e.g. 90s, 30m, 1h, 1d"}
_HOURS = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"}
_MAC = {
    "type": "string",
    "description": "MAC in any usual notation: 00:15:65:aa:bb:cc, 00-15-65-AA-BB-CC, 0015.65aa.bbcc, 001565aabbcc",
}


def _names_of(enum: tuple[str, ...]) -> dict:
    return {"type": "string", "enum": list(enum)}


def _object(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    schema: dict = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def _map_of(value: dict, description: str, keys: dict | None = None) -> dict:
    """A mapping of names (by default the labels of fleet/names.py, the very object: name_plan finds it)."""
    names = _NAME if keys is None else keys
    return {"type": "object", "description": description, "propertyNames": names, "additionalProperties": value}


_LINE = _object(
    {
        "number": _NUMBER,
        "display_name": _TEXT,
        "label": _TEXT,
        "username": {
            "type": "string",
            "minLength": 1,
            "maxLength": 128,
            "pattern": "^[^\\s]+$",
            "description": "no spaces",
        },
        "auth_username": {
            "type": "string",
            "minLength": 1,
            "maxLength": 128,
            "pattern": "^[^\\s]+$",
            "description": "no spaces",
        },
        "password": _SECRET,
        "register": {"type": "boolean", "description": "false for a line that never registers (no password needed)"},
        "voicemail": _NUMBER,
    },
    required=("number",),
    description="A SIP account. Lines are numbered by position, from 1.",
)

_KEY = _object(
    {
        "index": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Key position, from 1."},
        "function": _names_of(KEY_FUNCTIONS),
        "value": {"type": "string", "maxLength": 256},
        "label": _TEXT,
        "line": {"type": "integer", "minimum": 1, "maximum": 64, "description": "Line (from 1) the key uses."},
    },
    required=("index", "function"),
)

_KEYS = {"type": "array", "items": _KEY}

_SIP = _object(
    {
        "registrar": _HOST,
        "port": _PORT,
        "transport": _names_of(TRANSPORTS),
        "proxy": _HOST,
        "outbound_proxy": _HOST,
        "backup_registrar": _HOST,
        "backup_port": _PORT,
        "expires": {"type": "integer", "minimum": 30, "maximum": 86400},
        "nat_keepalive": {"type": "integer", "minimum": 0, "maximum": 3600, "description": "seconds, 0 = off"},
        "srtp": {"type": "string", "enum": ["off", "optional", "required"]},
    },
    required=("registrar",),
)

_FEATURES = _object(
    {
        "call_waiting": {"type": "boolean"},
        "dnd": {"type": "boolean"},
        "call_forward": {"type": "boolean"},
        "transfer": {"type": "boolean"},
        "intercom": {"type": "boolean"},
        "voicemail_code": _NUMBER,
        "pickup_code": _NUMBER,
        "park_code": _NUMBER,
        "intercom_code": _NUMBER,
    }
)

_TIME = _object(
    {
        "ntp": {"type": "array", "items": _HOST, "minItems": 1, "maxItems": 4},
        "timezone": {"type": "string", "pattern": r"^[A-Za-z0-9_+/-]+$", "description": "Olson name"},
        "dst": {"type": "string", "enum": ["auto", "on", "off"]},
        "time_format": {"type": "string", "enum": ["12h", "24h"]},
        "date_format": {"type": "string", "maxLength": 32},
    },
    required=("timezone",),
)

_NETWORK = _object(
    {
        "vlan": _object(
            {
                "id": {"type": "integer", "minimum": 0, "maximum": 4094},
                "priority": {"type": "integer", "minimum": 0, "maximum": 7},
                "pc_port_id": {"type": "integer", "minimum": 0, "maximum": 4094},
            },
            required=("id",),
        ),
        "lldp": {"type": "boolean"},
        "cdp": {"type": "boolean"},
        "dscp": _object(
            {
                "sip": {"type": "integer", "minimum": 0, "maximum": 63},
                "rtp": {"type": "integer", "minimum": 0, "maximum": 63},
            }
        ),
    }
)

_UPDATES = _object(
    {
        "config_check": _object(
            {
                "every": _DURATION,
                "days": {"type": "array", "items": _names_of(WEEKDAYS), "uniqueItems": True},
                "hours": _HOURS,
            },
            description="When phones look for a new config: every N, or on days within hours.",
        ),
        "firmware_window": _object(
            {
                "days": {"type": "array", "items": _names_of(WEEKDAYS), "uniqueItems": True, "minItems": 1},
                "hours": _HOURS,
            },
            required=("days", "hours"),
            description="When a firmware upgrade may run.",
        ),
    }
)

PROFILE = _object(
    {
        "description": _TEXT,
        "sip": _SIP,
        "codecs": {"type": "array", "items": _names_of(CODECS), "minItems": 1, "uniqueItems": True},
        "features": _FEATURES,
        "mobility": {"type": "boolean"},
        "time": _TIME,
        "network": _NETWORK,
        "updates": _UPDATES,
        "admin_password": _SECRET,
        "extended": {"type": "array", "items": _NAME, "uniqueItems": True},
    },
    required=("sip",),
)

EXTENDED_SET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["vendor"],
    "properties": {
        "vendor": _IDENTIFIER,
        "description": _TEXT,
        "params": {
            "type": "object",
            "description": "The vendor's own parameter names and values, written as the phone reads them.",
            "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
        },
        "dial_rules": {
            "type": "array",
            "description": "Cisco only: SIP dial rules (dial plan template).",
            "items": _object(
                {
                    "pattern": {"type": "string", "minLength": 1},
                    "timeout": {"type": "integer", "minimum": 0},
                    "user": {"type": "string", "enum": ["phone", "ip"]},
                },
                required=("pattern",),
            ),
        },
        "softkey_template": {"type": "string", "description": "Cisco only: softkey template file name."},
        "certificates": {"type": "array", "items": {"type": "string"}, "description": "Cisco only: SIP-TLS CA files."},
    },
}

KEY_TEMPLATE = _object({"description": _TEXT, "keys": _KEYS}, required=("keys",))

PHONE = _object(
    {
        "mac": _MAC,
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": _ONE_LINE,
            "description": "one line of text",
        },
        "vendor": _IDENTIFIER,
        "model": {"type": "string", "minLength": 1, "maxLength": 64},
        "profile": _NAME,
        "firmware_kit": _NAME,
        "site": _NAME,
        "description": _TEXT,
        "lines": {"type": "array", "items": _LINE, "maxItems": 64},
        "key_template": _NAME,
        "keys": _KEYS,
        "modules": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "maxItems": 6,
            "description": "Expansion modules, in the order they are chained.",
        },
        "admin_password": _SECRET,
    },
    required=("mac",),
)

FIRMWARE_FILE = _object(
    {
        "name": _IDENTIFIER,
        "vendor": _IDENTIFIER,
        "models": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "version": {"type": "string", "minLength": 1, "maxLength": 64},
        "file": {"type": "string", "pattern": r"^[^/\\]+$", "description": "File name in the firmware store."},
        "sha256": {"type": "string", "pattern": r"^[0-9a-fA-F]{64}$"},
    },
    required=("name", "vendor", "models", "version", "file"),
)

FIRMWARE = _object(
    {
        "files": {"type": "array", "items": FIRMWARE_FILE},
        "kits": _map_of(
            _object(
                {
                    "description": _TEXT,
                    "files": {"type": "array", "items": _IDENTIFIER, "minItems": 1, "uniqueItems": True},
                },
                required=("files",),
            ),
            "Firmware kits: a named set of firmware files, at most one per model.",
        ),
    }
)

MOBILITY_USER = _object(
    {
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": _ONE_LINE,
            "description": "one line of text",
        },
        "number": _NUMBER,
        "pin_hash": {
            "type": "string",
            "pattern": PIN_HASH_PATTERN,
            "description": "an argon2id hash ($argon2id$v=19$m=...) of the PIN from the"
            " phonefleet.provisioning.pin_hash filter or the mobility_user module (or an older pbkdf2_sha256$ one);"
            f" never the PIN itself; {PIN_HASH_CEILINGS}",
        },
        "lines": {"type": "array", "items": _LINE, "minItems": 1, "maxItems": 16},
        "key_template": _NAME,
        "keys": _KEYS,
        "profile": _NAME,
    },
    required=("name", "number", "pin_hash", "lines"),
)

_NUMBER_RANGE = {"type": "string", "pattern": r"^[0-9]+(-[0-9]+)?$", "description": "a number or a range 3000-3099"}

SETTINGS = _object(
    {
        "provisioning": _object(
            {
                "servers": {
                    "type": "array",
                    "minItems": 1,
                    "items": _HOST,
                    "description": "Addresses phones use to reach the provisioning service.",
                },
                "http_port": _PORT,
                "https_port": _PORT,
                "tftp_port": _PORT,
                "applications_http_port": {
                    **_PORT,
                    "description": "Port of the service's phone applications over HTTP (hot-desk login screens the"
                    " phones' services button or XML-browser key opens); 8080 by default.",
                },
                "applications_https_port": {
                    **_PORT,
                    "description": "Port of the phone applications over HTTPS (used when scheme is https); 8081 by"
                    " default.",
                },
                "scheme": {"type": "string", "enum": ["http", "https"]},
                "access_keys": {"type": "boolean", "description": "Serve configs only at per-phone secret URLs."},
                "serve_without_proof": {
                    "type": "array",
                    "items": _IDENTIFIER,
                    "uniqueItems": True,
                    "description": "Vendors whose phones get their own files (SIP and admin passwords) without"
                    " proving who they are (no access key, no phone auth): an explicit choice for phones that"
                    " cannot prove themselves, such as Cisco enterprise phones over TFTP. See docs/security.md.",
                },
            },
            required=("servers",),
        ),
        "vendors": {
            "type": "array",
            "items": _IDENTIFIER,
            "uniqueItems": True,
            "description": "Vendors enabled on this fleet; others are refused.",
        },
        "phone_auth": _map_of(
            _object(
                {
                    "method": {"type": "string", "enum": ["none", "basic", "digest"]},
                    "username": {"type": "string", "minLength": 1},
                    "password": _SECRET,
                },
                required=("method",),
            ),
            "Per vendor: how phones authenticate to the provisioning server.",
            keys=_IDENTIFIER,
        ),
        "calendar": _object(
            {
                "timezone": {
                    "type": "string",
                    "pattern": r"^[A-Za-z0-9_+/-]+$",
                    "description": "Olson name the job service's schedules run in (default UTC), e.g. Europe/Berlin",
                },
                "day_groups": _map_of(
                    {
                        "type": "array",
                        "items": {"type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                    "Named groups of weekdays a schedule may be restricted to; workdays (mon-fri) and weekends"
                    " (sat, sun) exist unless redefined here.",
                    keys=_IDENTIFIER,
                ),
                "holidays": {
                    "type": "array",
                    "items": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "uniqueItems": True,
                    "description": "Dates (YYYY-MM-DD) schedules skip unless told otherwise",
                },
            },
            description="The job service's calendar: the time zone, day groups and holidays schedules use"
            " (docs/jobs.md).",
        ),
        "phone_control": _object(
            {
                "username": {"type": "string", "minLength": 1},
                "password": _SECRET,
                "networks": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 64},
                    "description": "networks (CIDR) or addresses the controller drives phones from, e.g. "
                    "['10.0.5.0/24']; written into the phones' remote-control allow lists (docs/control.md)",
                },
            },
            description="Credentials the collection uses to drive phones (web UI, SSH), and where it drives them from.",
        ),
        "autoprovision": _object(
            {
                "enabled": {"type": "boolean"},
                "number_pool": {"type": "array", "items": _NUMBER_RANGE, "minItems": 1},
                "name_pattern": {"type": "string", "minLength": 1, "description": "e.g. 'Phone {number}'"},
                "username_pattern": {"type": "string", "minLength": 1, "description": "e.g. '{number}'"},
                "password_length": {
                    "type": "integer",
                    "minimum": 12,
                    "maximum": 64,
                    "description": "length of the SIP passwords derived for the pool's numbers (default 16)",
                },
                "password_secret": {
                    "type": "string",
                    "minLength": 16,
                    "description": "secret (a vault value) each pool number's SIP password is derived from "
                    "(HMAC; docs/service.md), so the registrar export knows them before any phone asks; "
                    "required when enabled",
                },
                "profile": _NAME,
                "firmware_kit": _NAME,
                "allowed_networks": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 64},
                    "minItems": 1,
                    "description": "networks (CIDR) whose phones may get a number, e.g. ['10.20.0.0/16']; "
                    "required when enabled",
                },
                "rate_per_source": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100000,
                    "description": "new numbers per minute for one source address (default 5)",
                },
                "rate_per_pool": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100000,
                    "description": "new numbers per minute for the whole pool (default 60)",
                },
            },
            required=("enabled",),
        ),
        "defaults": _object(
            {"profile": _NAME, "firmware_kit": _NAME, "site": _NAME},
            description="Values a phone gets when it does not name its own.",
        ),
    }
)

SITE = _object({"description": _TEXT, "tenant": _NAME, "timezone": {"type": "string"}})
TENANT = _object({"description": _TEXT})

# Top-level keys a fleet file may hold, in the order fleets are documented.
KINDS = (
    "settings",
    "tenants",
    "sites",
    "profiles",
    "extended_sets",
    "key_templates",
    "firmware",
    "phones",
    "mobility_users",
)

FLEET_FILE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": SCHEMA_ID,
    "title": "PhoneFleet fleet file",
    "description": "A fleet file holds one or more kinds: settings, profiles, phones, ...",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "settings": SETTINGS,
        "tenants": _map_of(TENANT, "Tenants (customers) sites belong to."),
        "sites": _map_of(SITE, "Sites phones belong to."),
        "profiles": _map_of(PROFILE, "Profiles: settings shared by groups of phones of any vendor."),
        "extended_sets": _map_of(EXTENDED_SET, "Vendor-specific parameter sets that profiles list."),
        "key_templates": _map_of(KEY_TEMPLATE, "Vendor-neutral key layouts."),
        "firmware": FIRMWARE,
        "phones": {"type": "array", "items": PHONE},
        "mobility_users": {"type": "array", "items": MOBILITY_USER},
    },
}
