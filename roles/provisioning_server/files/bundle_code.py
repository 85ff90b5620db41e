# Private to this collection: run on the controller by the provisioning_server role.
"""Bundle the parts of the collection the provisioning service runs into one reproducible archive.

Usage: python bundle_code.py COLLECTION_DIR [OUTPUT_DIR]

The archive holds ``galaxy.yml``, ``plugins/module_utils/`` and ``service/`` under
``ansible_collections/phonefleet/provisioning/``, without caches and hidden files, with fixed owners,
modes and times: the same code always gives the same bytes, so its SHA-256 names the release on the
server and an unchanged collection changes nothing there. The archive is written (atomically) to
OUTPUT_DIR, by default a private folder in the temporary directory; other archives there older than a
day are removed. Prints one line of JSON: ``{"path": ..., "sha256": ..., "files": N}``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import tempfile
import time

PREFIX = "ansible_collections/phonefleet/provisioning"
PARTS = ("galaxy.yml", "plugins/module_utils", "service")
SKIPPED_DIRS = frozenset(("__pycache__", "node_modules"))
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
# A fixed time for every entry (2020-01-01): file times say nothing about the code, and would make two
# checkouts of the same commit look different. (The role unpacks each archive into a folder of its own,
# named by its digest, so .pyc files compiled there never go stale.)
MTIME = 1577836800
STALE_SECONDS = 86400


class BundleError(Exception):
    """The collection cannot be bundled; the message says why."""


def list_files(source: str) -> list[str]:
    """Paths (relative to ``source``) of the files to bundle, sorted."""
    found = []
    for part in PARTS:
        path = os.path.join(source, part)
        if os.path.isfile(path):
            found.append(part)
        elif os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = [name for name in dirs if not name.startswith(".") and name not in SKIPPED_DIRS]
                for name in names:
                    if not name.startswith(".") and not name.endswith(SKIPPED_SUFFIXES):
                        found.append(os.path.relpath(os.path.join(root, name), source))
        else:
            raise BundleError(f"{path} does not exist: is {source} the phonefleet.provisioning collection?")
    return sorted(found)


def _entry(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(f"{PREFIX}/{name}" if name else PREFIX)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build(source: str, files: list[str]) -> bytes:
    """The gzip-compressed tar archive of ``files``, byte for byte the same for the same content."""
    folders = {""}
    for name in files:
        parent = os.path.dirname(name)
        while parent not in folders:
            folders.add(parent)
            parent = os.path.dirname(parent)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for folder in sorted(folders):
            archive.addfile(_entry(folder, tarfile.DIRTYPE, 0o755))
        for name in files:
            path = os.path.join(source, name)
            with open(path, "rb") as handle:
                data = handle.read()
            mode = 0o755 if os.stat(path).st_mode & stat.S_IXUSR else 0o644
            archive.addfile(_entry(name, tarfile.REGTYPE, mode, len(data)), io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def private_dir(path: str | None) -> str:
    """``path``, or a folder of this user's own in the temporary directory (created, checked)."""
    if path:
        os.makedirs(path, exist_ok=True)
        return path
    path = os.path.join(tempfile.gettempdir(), f"phonefleet-bundles-{os.getuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise BundleError(f"{path} is not a private folder of this user; remove it or give an output folder")
    return path


def write(folder: str, data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    target = os.path.join(folder, f"phonefleet-code-{digest[:16]}.tar.gz")
    if not os.path.isfile(target):
        handle, temp = tempfile.mkstemp(prefix=".bundle-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    else:
        os.utime(target)
    now = time.time()
    for name in os.listdir(folder):
        other = os.path.join(folder, name)
        if name.startswith("phonefleet-code-") and other != target and now - os.path.getmtime(other) > STALE_SECONDS:
            os.unlink(other)
    return target, digest


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: bundle_code.py COLLECTION_DIR [OUTPUT_DIR]\n")
        return 2
    source = os.path.realpath(argv[1])
    try:
        files = list_files(source)
        path, digest = write(private_dir(argv[2] if len(argv) == 3 else None), build(source, files))
    except (BundleError, OSError) as exc:
        sys.stderr.write(f"bundle_code.py: {exc}\n")
        return 1
    sys.stdout.write(json.dumps({"path": path, "sha256": digest, "files": len(files)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
