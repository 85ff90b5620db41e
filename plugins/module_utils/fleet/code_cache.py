# Private to this collection: compiled code kept between runs (like Python's __pycache__).
"""Where compiled templates, the compiled schema validator and values the vendors' code computes are kept
between runs.

Compiling the drivers' templates and the fleet schema's validator costs ~0.6 s; every publish, every
forked render worker and every service start paid it. Compiled code is kept in the user's cache folder
(``$XDG_CACHE_HOME/phonefleet`` or ``~/.cache/phonefleet``), in a folder only its owner can write: what
is loaded from it is executed. When that folder cannot be made or is not private, nothing is cached and
everything works as before, only slower to start.

Entries are named by the digest of what they were compiled from (and the Python, library and code
versions that compiled them), so a changed template or schema is never answered with stale code.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from typing import Any

_MAGIC = f"{sys.implementation.cache_tag}".encode()


def cache_dir(kind: str) -> str | None:
    """A private folder ``kind`` under the user's cache folder, made if needed; None when it cannot be."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    directory = os.path.join(base, "phonefleet", kind)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.stat(directory, follow_symlinks=False)
    except OSError:
        return None
    private = (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_IRGRP | stat.S_IROTH)
    )
    return directory if private else None


def digest_of(*parts: bytes | str) -> str:
    digest = hashlib.sha256(_MAGIC)
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()


def load_code(kind: str, key: str, source: bytes | str, filename: str, compile_source=None):
    """The code object compiled from ``source``, from the cache when an entry for ``key`` is there.

    ``compile_source`` (default: the built-in compile) turns the source into a code object on a miss.
    """
    return load_value(kind, key, lambda: (compile_source or _compile)(source, filename))


def load_value(kind: str, key: str, make: Callable[[], Any]) -> Any:
    """What ``make()`` returns (code, or plain data marshal keeps), from the cache when an entry for ``key`` is
    there."""
    directory = cache_dir(kind)
    if not directory:
        return make()
    path = os.path.join(directory, key + ".marshal")
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        with open(path, "rb") as handle:
            return marshal.loads(handle.read())  # noqa: S302 - our own private folder, see cache_dir
    value = make()
    _store(directory, path, marshal.dumps(value))
    return value


def code_state(top: str) -> str:
    """The digest of every file's path, size and modification time below ``top`` (what Python's own bytecode
    cache trusts): a value computed by that code is cached under it, and any edit of the code misses."""
    state = []
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                info = os.stat(path)
                state.append(f"{os.path.relpath(path, top)}\0{info.st_size}\0{info.st_mtime_ns}")
    return digest_of(*state)


def _compile(source, filename: str):
    return compile(source, filename, "exec")


def _store(directory: str, path: str, data: bytes) -> None:
    """Write an entry atomically; a cache that cannot be written is simply not used."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
