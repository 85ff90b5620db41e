# Private to this collection: the record of what a publish wrote.
"""The manifest of a web root: every published file with its sha256 and phone, every phone's input
fingerprint and config version, and the fingerprints of the fleet and the code that made them.

It lives in ``<web_root>/.phonefleet/manifest.json`` (the provisioning server does not serve it) and is
written last, atomically, after the files it lists are on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from ..fleet.files import atomic_write, read_bytes

STATE_DIR = ".phonefleet"
MANIFEST = "manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    fleet: str | None = None
    code: str | None = None
    firmware: str | None = None
    files: dict = field(default_factory=dict)  # name -> {"sha256", "phone" (mac or None), "vendor" (shared files)}
    # mac -> {"input", "version", "files": [names]}; with a firmware window also "window" ({days, hours,
    # timezone}), "firmware" (the kit's version) and "window_version" (the version served inside the window)
    phones: dict = field(default_factory=dict)
    firmware_files: dict = field(default_factory=dict)  # name -> {"sha256", "size", "mtime_ns"}
    # name as phones ask for it -> {"sha256", "phone"}: what the file holds inside its phone's firmware
    # window where that differs (it names the firmware), stored at window_path(name), never served by that path
    window_files: dict = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "fleet": self.fleet,
            "code": self.code,
            "firmware": self.firmware,
            "files": self.files,
            "phones": self.phones,
            "firmware_files": self.firmware_files,
            "window_files": self.window_files,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def digests_version(digests: dict) -> str:
    """A phone's config version: of the sha256 (hex) of each of its files, in name order."""
    return hashlib.sha256("".join(digests[name] for name in sorted(digests)).encode()).hexdigest()[:12]


def config_version(files: dict) -> str:
    """The config version a publish records for a phone whose files (name -> bytes) are ``files``."""
    return digests_version({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})


#: where the firmware-window variants of phones' files are stored: under the state, which is never served
WINDOW_DIR = STATE_DIR + "/window/"


def window_path(name: str) -> str:
    """The web-root-relative path the firmware-window variant of published file ``name`` is stored at."""
    return WINDOW_DIR + name


def state_dir(web_root: str) -> str:
    return os.path.join(web_root, STATE_DIR)


def read_manifest(web_root: str) -> Manifest:
    """The manifest of the last publish, or an empty one (first publish, or a manifest of another format)."""
    data = read_bytes(os.path.join(state_dir(web_root), MANIFEST))
    if not data:
        return Manifest()
    try:
        loaded = json.loads(data)
    except ValueError:
        return Manifest()
    if not isinstance(loaded, dict) or loaded.get("format") != FORMAT:
        return Manifest()
    return Manifest(
        fleet=loaded.get("fleet"),
        code=loaded.get("code"),
        firmware=loaded.get("firmware"),
        files=loaded.get("files") or {},
        phones=loaded.get("phones") or {},
        firmware_files=loaded.get("firmware_files") or {},
        window_files=loaded.get("window_files") or {},
    )


def write_manifest(web_root: str, manifest: Manifest) -> None:
    os.makedirs(state_dir(web_root), exist_ok=True)
    atomic_write(os.path.join(state_dir(web_root), MANIFEST), manifest.to_json(), new_file_mode=0o600)
