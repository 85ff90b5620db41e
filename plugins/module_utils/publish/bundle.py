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

from ..fleet.errors import format_path
from ..fleet.files import atomic_write, read_bytes
from ..fleet.masking import MASK, SECRET_KEYS, scrub
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


# A diff of the bundle shows at most this many lines on each side (a phone added at the top of a long list
# moves every phone after it).
DIFF_LINES = 50


def bundle_changes(before: bytes | None, after: bytes, secrets: list[str], fleet_dir: str) -> tuple[str, str]:
    """What differs between two bundles, for a diff: the lines ``file: path: value`` (file relative to
    ``fleet_dir``) that only one of them has (before, after). Lines are compared with their values and
    shown with secrets masked (by their key, and wherever ``secrets`` appear): a changed password shows
    as a masked line on each side."""
    old, new = _bundle_lines(before, fleet_dir), _bundle_lines(after, fleet_dir)
    old_only = [shown for line, shown in old.items() if line not in new]
    new_only = [shown for line, shown in new.items() if line not in old]
    return _shown(old_only, secrets), _shown(new_only, secrets)


def _bundle_lines(data: bytes | None, fleet_dir: str) -> dict[str, str]:
    """Every leaf of a bundle's documents: its line with the value -> the line as shown."""
    try:
        documents = json.loads(data)["documents"] if data else []
    except (ValueError, TypeError, KeyError):
        documents = [["(a bundle this version does not read)", None]]
    lines: dict[str, str] = {}
    for name, document in documents:
        _leaf_lines(f"{os.path.relpath(name, fleet_dir)}: ", (), document, False, lines)
    return lines


def _leaf_lines(prefix: str, path: tuple, value, secret: bool, lines: dict[str, str]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _leaf_lines(prefix, (*path, key), item, secret or key in SECRET_KEYS, lines)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _leaf_lines(prefix, (*path, index), item, secret, lines)
    else:
        where = f"{prefix}{format_path(path)}: "
        text = json.dumps(value, default=str)
        lines[where + text] = where + (MASK if secret and value not in (None, "") else text)


def _shown(lines: list[str], secrets: list[str]) -> str:
    shown = lines[:DIFF_LINES]
    if len(lines) > DIFF_LINES:
        shown.append(f"... and {len(lines) - DIFF_LINES} more")
    return "".join(scrub(line, secrets) + "\n" for line in shown)
