# Private to this collection: the fleet as the provisioning service reads it.
"""The service bundle: the fleet documents of the last publish, secrets decrypted, for the service.

The provisioning service renders configs itself for what a publish cannot know in advance (a phone it
auto-provisions on first contact) and checks phone-to-server credentials; both need the fleet with its
secrets readable. Publish writes ``<web_root>/.phonefleet/service.json`` (mode 0600, never served: the
service serves only files the manifest lists) beside the manifest. The rendered configs hold the same
secrets in clear, so the bundle exposes nothing a config on the same server does not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from ..fleet.files import atomic_write, read_bytes
from ..fleet.yamlio import VaultValue
from .manifest import state_dir

BUNDLE = "service.json"
BUNDLE_NAME = ".phonefleet/" + BUNDLE
FORMAT = 1


class BundleError(ValueError):
    pass


def _revealed(value, reveal: Callable[[object], str]):
    if isinstance(value, VaultValue):
        return reveal(value)
    if isinstance(value, dict):
        return {key: _revealed(item, reveal) for key, item in value.items()}
    if isinstance(value, list):
        return [_revealed(item, reveal) for item in value]
    return value


# How a vault value shows in repr(): a document whose repr lacks it holds none, and repr walks the
# document in C, several times faster than _revealed (a plain string holding this text costs the walk).
_VAULT_REPR = repr(VaultValue(""))


def _revealed_document(data, reveal: Callable[[object], str]):
    return _revealed(data, reveal) if _VAULT_REPR in repr(data) else data


def make_bundle(documents: list, reveal: Callable[[object], str]) -> bytes:
    """The bundle of ``(file name, data)`` documents with every vault value decrypted by ``reveal``."""
    data = {"format": FORMAT, "documents": [[name, _revealed_document(item, reveal)] for name, item in documents]}
    # key order kept: it is the order of extended-set parameters in the rendered files
    return json.dumps(data, separators=(",", ":"), default=str).encode() + b"\n"


def bundle_path(web_root: str) -> str:
    return os.path.join(state_dir(web_root), BUNDLE)


def write_bundle(web_root: str, data: bytes) -> bool:
    """Write the bundle when it differs from the one on disk; True when written."""
    path = bundle_path(web_root)
    if read_bytes(path) == data:
        return False
    os.makedirs(state_dir(web_root), exist_ok=True)
    atomic_write(path, data, new_file_mode=0o600)
    return True


def read_bundle(web_root: str) -> list | None:
    """The ``(file name, data)`` documents of the last publish; None when there is none yet."""
    data = read_bytes(bundle_path(web_root))
    if not data:
        return None
    try:
        loaded = json.loads(data)
    except ValueError as exc:
        raise BundleError(f"{BUNDLE_NAME} is not JSON: {exc}") from None
    if not isinstance(loaded, dict) or loaded.get("format") != FORMAT or not isinstance(loaded.get("documents"), list):
        raise BundleError(f"{BUNDLE_NAME} is not a bundle of format {FORMAT}; publish again")
    return [tuple(item) for item in loaded["documents"] if isinstance(item, list) and len(item) == 2]
