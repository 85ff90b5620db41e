"""Shared helpers of the rendering tests: the demo fleet, decrypted with the demo vault password."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.model import Fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import (
    FleetRenderer,
    RenderedPhone,
)

REPO = Path(__file__).resolve().parents[2]
DEMO_FLEET = REPO / "inventory" / "demo" / "fleet"
VAULT_PASSWORD_FILE = REPO / "inventory" / "demo" / "demo-vault-password.txt"


@functools.lru_cache(maxsize=1)
def demo_vault() -> VaultLib:
    return VaultLib([("default", VaultSecret(VAULT_PASSWORD_FILE.read_text().strip().encode()))])


def reveal(value) -> str:
    """Clear text of a secret: plain strings as they are, vault values decrypted."""
    if isinstance(value, VaultValue):
        return demo_vault().decrypt(value.ciphertext.strip().encode()).decode()
    return str(value)


def demo_fleet() -> Fleet:
    return load_fleet(str(DEMO_FLEET))


def render_fleet_phone(fleet: Fleet, mac: str) -> RenderedPhone:
    """Render one phone (MAC as 12 hex digits) of ``fleet``: its files as served inside its firmware window,
    naming its kit's firmware (outside the window the service serves them without: test_firmware_window.py)."""
    rendered = FleetRenderer(fleet, reveal).phone(fleet.phone(mac))
    return dataclasses.replace(rendered, files=rendered.files_in_window())


def render_demo_phone(mac: str) -> RenderedPhone:
    return render_fleet_phone(demo_fleet(), mac)


def fleet_from(tmp_path: Path, **files: str) -> Fleet:
    """A fleet of the demo files with some replaced or added: ``fleet_from(tmp, **{"phones.yml": "..."})``."""
    folder = tmp_path / "fleet"
    folder.mkdir()
    for source in DEMO_FLEET.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_fleet(str(folder))
