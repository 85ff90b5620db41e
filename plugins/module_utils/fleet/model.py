# Private to this collection: the fleet model.
"""The fleet as plain typed data, built once by the loader after validation; later code trusts it.

Nested vendor-neutral sections of a profile (sip, time, network, ...) stay mappings shaped exactly
as the JSON Schema describes them; entities that other entities refer to are dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import format_path


@dataclass(slots=True, frozen=True)
class Origin:
    """Where an item was written: file and field path (a tuple of keys and indices), for messages."""

    file: str
    at: tuple

    @property
    def path(self) -> str:
        return format_path(self.at)

    def __str__(self) -> str:
        return f"{self.file}: {self.path}"


@dataclass(slots=True)
class Line:
    number: str
    display_name: str | None = None
    label: str | None = None
    username: str | None = None
    auth_username: str | None = None
    password: str | None = None
    register: bool = True
    voicemail: str | None = None

    @property
    def sip_username(self) -> str:
        return self.username or self.number


@dataclass(slots=True)
class Key:
    index: int
    function: str
    value: str | None = None
    label: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Profile:
    name: str
    sip: dict
    description: str | None = None
    codecs: list = field(default_factory=list)
    features: dict = field(default_factory=dict)
    mobility: bool = False
    time: dict | None = None
    network: dict | None = None
    updates: dict | None = None
    admin_password: str | None = None
    extended: list = field(default_factory=list)
    origin: Origin | None = None


@dataclass(slots=True)
class ExtendedSet:
    name: str
    vendor: str
    description: str | None = None
    params: dict = field(default_factory=dict)
    dial_rules: list = field(default_factory=list)
    softkey_template: str | None = None
    certificates: list = field(default_factory=list)
    origin: Origin | None = None


@dataclass(slots=True)
class KeyTemplate:
    name: str
    keys: list
    description: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class FirmwareFile:
    name: str
    vendor: str
    models: list
    version: str
    file: str
    sha256: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class FirmwareKit:
    name: str
    files: list
    description: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class Site:
    name: str
    description: str | None = None
    tenant: str | None = None
    timezone: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class Tenant:
    name: str
    description: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class Phone:
    """One phone. ``mac`` is 12 lower-case hex digits; vendor and model are the catalog's names."""

    mac: str
    origin: Origin
    name: str | None = None
    vendor: str | None = None
    model: str | None = None
    vendor_source: str | None = None
    profile: str | None = None
    firmware_kit: str | None = None
    site: str | None = None
    description: str | None = None
    lines: list = field(default_factory=list)
    key_template: str | None = None
    keys: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    admin_password: str | None = None


@dataclass(slots=True)
class MobilityUser:
    name: str
    number: str
    pin_hash: str
    lines: list
    key_template: str | None = None
    keys: list = field(default_factory=list)
    profile: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class Fleet:
    """Everything a fleet directory says, validated and cross-referenced."""

    settings: dict = field(default_factory=dict)
    settings_origin: Origin | None = None
    tenants: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    profiles: dict = field(default_factory=dict)
    extended_sets: dict = field(default_factory=dict)
    key_templates: dict = field(default_factory=dict)
    firmware_files: dict = field(default_factory=dict)
    firmware_kits: dict = field(default_factory=dict)
    phones: list = field(default_factory=list)
    mobility_users: list = field(default_factory=list)
    files: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    phones_by_mac: dict = field(default_factory=dict)
    shared_accounts: list = field(default_factory=list)  # SIP accounts several lines carry alike

    def phone(self, mac: str) -> Phone | None:
        return self.phones_by_mac.get(mac)

    def keys_of(self, owner: Phone | MobilityUser) -> list[Key]:
        """Effective keys: the key template's, overridden index by index by the owner's own keys."""
        by_index: dict[int, Key] = {}
        if owner.key_template and owner.key_template in self.key_templates:
            for key in self.key_templates[owner.key_template].keys:
                by_index[key.index] = key
        for key in owner.keys:
            by_index[key.index] = key
        return [by_index[index] for index in sorted(by_index)]

    def tenant_of(self, phone: Phone) -> str | None:
        site = self.sites.get(phone.site) if phone.site else None
        return site.tenant if site else None


def build(cls: type, data: dict, **extra: Any):
    """Make a model object from a schema-valid mapping (unknown keys were already refused)."""
    return cls(**data, **extra)
