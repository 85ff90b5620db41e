"""Every publish of the tests checked against the disk: the manifest, the files, and a fresh render.

A publish that records a file in its manifest but leaves the old content on disk (say it skips a phone's
second changed file) passes every test that only reads the manifest or the result, and the next publish
then says there is nothing to do: the phone keeps its old file for good. :func:`disk_problems` finds it:

- every file the manifest lists is on disk with the manifest's sha256 (phone files, shared files,
  firmware); every phone file on disk is in the manifest;
- a fresh render of the fleet (:class:`FleetRenderer`, not the publish engine) gives, for every phone and
  every shared file, exactly the bytes on disk, and the manifest lists exactly those files.

:func:`checked_publish` is ``publish_fleet`` followed by that check: the second part only when the
publish succeeded and wrote (not in check mode; a refused publish leaves the previous state, which only
has to agree with its own manifest).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import PublishResult, publish_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.manifest import STATE_DIR, read_manifest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import (
    AwaitingModel,
    FleetRenderer,
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _served(web_root: Path) -> set[str]:
    """The names of the files phones can get (not the publish state, not the hidden spares of changed files)."""
    return {
        str(path.relative_to(web_root))
        for path in web_root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(web_root).parts)
    }


def manifest_problems(web_root: str | Path) -> list[str]:
    """Where the disk and the manifest of ``web_root`` disagree."""
    web_root = Path(web_root)
    manifest = read_manifest(str(web_root))
    problems = []
    for name, entry in sorted(manifest.files.items()):
        path = web_root / name
        if not path.is_file():
            problems.append(f"{name}: in the manifest, not on disk")
        elif _sha256(path.read_bytes()) != entry["sha256"]:
            problems.append(f"{name}: the file on disk is not the one the manifest records")
    listed = {name for entry in manifest.phones.values() for name in entry.get("files", [])}
    for mac, entry in sorted(manifest.phones.items()):
        problems += [
            f"{name}: a file of {mac} the manifest's files do not list"
            for name in entry.get("files", [])
            if name not in manifest.files
        ]
    stray = _served(web_root) - set(manifest.files) - listed
    problems += [f"{name}: on disk, in no manifest" for name in sorted(stray)]
    return problems


def render_problems(fleet_source: str | Path, web_root: str | Path, reveal: Callable, decrypt_file=None) -> list[str]:
    """Where the disk and the manifest of ``web_root`` disagree with a fresh render of the fleet."""
    web_root = Path(web_root)
    fleet = load_fleet(str(fleet_source), decrypt=decrypt_file)
    renderer = FleetRenderer(fleet, reveal)
    manifest = read_manifest(str(web_root))
    problems = []
    expected: dict[str, bytes] = {}
    for phone in fleet.phones:
        recorded = manifest.phones.get(phone.mac, {}).get("files", [])
        try:
            rendered = renderer.phone(phone)
        except AwaitingModel:  # no files until the service learns its model from the phone
            if recorded or not manifest.phones.get(phone.mac, {}).get("awaiting_model"):
                problems.append(f"{phone.mac}: awaits its model, the manifest says {manifest.phones.get(phone.mac)}")
            continue
        expected.update(rendered.files)
        if sorted(recorded) != sorted(rendered.files):
            problems.append(
                f"{phone.mac}: the manifest lists {sorted(recorded)}, a render makes {sorted(rendered.files)}"
            )
    shared, _owners = renderer.shared()
    expected.update(shared)
    for name, data in sorted(expected.items()):
        path = web_root / name
        if not path.is_file():
            problems.append(f"{name}: rendered, not on disk")
        elif path.read_bytes() != data:
            problems.append(f"{name}: the file on disk is not what a fresh render makes")
    firmware = {name for name in manifest.files if manifest.files[name].get("phone") is None and name not in shared}
    left = set(manifest.files) - set(expected) - firmware
    problems += [f"{name}: in the manifest, made by no render" for name in sorted(left)]
    return problems


def disk_problems(fleet_source: str | Path, web_root: str | Path, reveal: Callable, decrypt_file=None) -> list[str]:
    return manifest_problems(web_root) + render_problems(fleet_source, web_root, reveal, decrypt_file)


def assert_disk_matches(fleet_source: str | Path, web_root: str | Path, reveal: Callable, decrypt_file=None) -> None:
    problems = disk_problems(fleet_source, web_root, reveal, decrypt_file)
    assert not problems, "the published web root disagrees:\n" + "\n".join(f"  - {problem}" for problem in problems)


def checked_publish(fleet_source: str | Path, web_root: str | Path, reveal: Callable, **options) -> PublishResult:
    """``publish_fleet`` and then the disk checked against the manifest and, after a publish that wrote, a render."""
    result = publish_fleet(str(fleet_source), str(web_root), reveal, **options)
    if options.get("check_mode") or not (Path(web_root) / STATE_DIR).is_dir():
        return result
    problems = manifest_problems(web_root)
    if not result.errors:
        problems += render_problems(fleet_source, web_root, reveal, options.get("decrypt_file"))
    assert not problems, "the published web root disagrees:\n" + "\n".join(f"  - {problem}" for problem in problems)
    return result
