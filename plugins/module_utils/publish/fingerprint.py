# Private to this collection: what a rendered file depends on, as short hashes.
"""Fingerprints decide what must be rendered again.

- the fleet fingerprint (every fleet file's bytes) + the code fingerprint (every driver, template and
  render module): when both match the last publish, nothing can have changed and nothing is loaded;
- a phone's input fingerprint (its own data, its profile with the extended sets it lists, its key
  template, its firmware kit, the settings): a phone whose input did not change is not rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields

from ..fleet.model import Fleet, Phone

_CODE_ROOTS = ("catalog", "fleet", "render", "vendors", "publish")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value) -> bytes:
    # VaultValue is a str holding the ciphertext: json writes it as that string, so a changed
    # secret changes the fingerprint without the secret being revealed.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain).encode()


def _plain(value):
    if hasattr(value, "__dataclass_fields__"):
        return {item.name: getattr(value, item.name) for item in fields(value) if item.name != "origin"}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def files_fingerprint(paths: list[str]) -> str:
    """Hash of the names and contents of ``paths``."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        with open(path, "rb") as handle:
            digest.update(path.encode() + b"\0" + hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Hash of every file of the catalogue, fleet model, render core, vendor folders (code, templates) and publisher."""
    module_utils = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths: list[str] = []
    for root in _CODE_ROOTS:
        for folder, dirs, names in os.walk(os.path.join(module_utils, root)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            paths.extend(os.path.join(folder, name) for name in names if not name.endswith((".pyc", ".pyo")))
    digest = hashlib.sha256()
    for path in sorted(paths):
        with open(path, "rb") as handle:
            digest.update(os.path.relpath(path, module_utils).encode() + b"\0" + handle.read())
    return digest.hexdigest()


class InputFingerprints:
    """Per-phone input fingerprints; shared parts (profiles, templates, kits) are hashed once."""

    def __init__(self, fleet: Fleet, code: str) -> None:
        self.fleet = fleet
        self.common = _digest(_json({"settings": fleet.settings, "code": code}))
        self._profiles: dict = {}
        self._templates: dict = {}
        self._kits: dict = {}

    def _profile(self, name: str | None) -> str:
        if name not in self._profiles:
            profile = self.fleet.profiles.get(name) if name else None
            extended = [self.fleet.extended_sets.get(item) for item in (profile.extended if profile else [])]
            self._profiles[name] = _digest(_json({"profile": profile, "extended": extended}))
        return self._profiles[name]

    def _template(self, name: str | None) -> str:
        if name not in self._templates:
            self._templates[name] = _digest(_json(self.fleet.key_templates.get(name) if name else None))
        return self._templates[name]

    def _kit(self, name: str | None) -> str:
        if name not in self._kits:
            kit = self.fleet.firmware_kits.get(name) if name else None
            files = [self.fleet.firmware_files.get(item) for item in (kit.files if kit else [])]
            self._kits[name] = _digest(_json({"kit": kit, "files": files}))
        return self._kits[name]

    def phone(self, phone: Phone) -> str:
        # repr of plain tuples: ten times faster than JSON for the one part that is per phone.
        lines = tuple(
            (
                line.number,
                line.display_name,
                line.label,
                line.username,
                line.auth_username,
                _text(line.password),
                line.register,
                line.voicemail,
            )
            for line in phone.lines
        )
        keys = tuple((key.index, key.function, key.value, key.label, key.line) for key in phone.keys)
        own = (
            phone.mac,
            phone.name,
            phone.vendor,
            phone.model,
            lines,
            keys,
            tuple(phone.modules),
            _text(phone.admin_password),
            phone.description,
        )
        parts = (
            self.common,
            self._profile(phone.profile),
            self._template(phone.key_template),
            self._kit(phone.firmware_kit),
            repr(own),
        )
        return _digest("|".join(parts).encode())[:32]


def _text(value):
    """A secret as the text written in the fleet file (a vault value's ciphertext), never revealed."""
    return str.__str__(value) if isinstance(value, str) else value
