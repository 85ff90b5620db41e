# Private to this collection: writing files so that readers never see half of one.
"""Atomic writes: a temporary file in the same directory, flushed, then renamed over the target."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile


def read_bytes(path: str) -> bytes | None:
    """The content of ``path``, or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def atomic_write(path: str, data: bytes, new_file_mode: int = 0o644, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` in one step; an existing file keeps its permissions.

    ``sync=False`` skips the per-file fsync, for a caller that writes thousands of files and then
    flushes them all at once (``os.sync()``) before it records them as written.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if os.path.exists(path):
            shutil.copymode(path, temp)
        else:
            os.chmod(temp, new_file_mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class OutsideRoot(ValueError):
    """A relative file name that would leave the folder it belongs in."""


def path_inside(root: str, name: str) -> str:
    """The path of ``name`` (relative, '/' separated) inside ``root``; refuses names that would leave it."""
    if not name or name.startswith("/") or ".." in name.split("/") or "\\" in name or "\0" in name:
        raise OutsideRoot(f"refusing {name!r}: not a path inside {root}")
    return os.path.join(root, name)


def temporary_name(path: str) -> str:
    """The temporary file beside ``path`` that is renamed over it (one writer at a time: callers lock)."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.phonefleet-tmp")


def spare_name(path: str) -> str:
    """The spare beside a published file: the inode the next change of ``path`` is written into."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.phonefleet-spare")


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_RENAMEAT2: list = []
# the filesystem or the kernel cannot exchange names: the caller renames instead
_NO_EXCHANGE = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV)


def _renameat2():
    if not _RENAMEAT2:
        function = None
        with contextlib.suppress(OSError, AttributeError):
            function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc >= 2.28 (Linux only)
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            function.restype = ctypes.c_int
        _RENAMEAT2.append(function)
    return _RENAMEAT2[0]


def can_exchange() -> bool:
    """Whether this system has Linux's atomic exchange of two names (a filesystem may still refuse it)."""
    return _renameat2() is not None


def exchange(first: str, second: str) -> bool:
    """Swap the files named ``first`` and ``second`` in one atomic step (renameat2 RENAME_EXCHANGE).

    A reader of either name sees one file or the other, never none. False when the system or the
    filesystem cannot do it (nothing changed then); other failures raise OSError.
    """
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in _NO_EXCHANGE:
        return False
    raise OSError(number, os.strerror(number), first)
