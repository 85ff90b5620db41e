# Private to this collection: writing files so that readers never see half of one.
"""Atomic writes: a temporary file in the same directory, flushed, then renamed over the target."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
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


_TEMPORARY_SUFFIX = ".phonefleet-tmp"
_SPARE_SUFFIX = ".phonefleet-spare"
#: a file in place: nginx, which serves the web root as another user, reads it
PUBLISHED_MODE = 0o644
#: a staged file or a spare: it may hold a phone's passwords (the next version, or the replaced one) and is
#: never served, so only its owner reads it
STAGED_MODE = 0o600


def temporary_name(path: str) -> str:
    """The temporary file beside ``path`` that is renamed over it (one writer at a time: callers lock)."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}{_TEMPORARY_SUFFIX}")


def spare_name(path: str) -> str:
    """The spare beside a published file: the inode the next change of ``path`` is written into."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}{_SPARE_SUFFIX}")


def is_staged(name: str) -> bool:
    """Whether a folder entry is a staged file: a temporary file or a spare (see :func:`stage`)."""
    return name.endswith((_TEMPORARY_SUFFIX, _SPARE_SUFFIX))


def leftovers(names: frozenset) -> list[str]:
    """The staged files among a folder's entries ``names`` (listed before a publish wrote anything) that no
    publish will take: every temporary file (publishes take turns, so one there when a publish starts was
    left by a failed or killed one) and every spare with no file beside it (its file left, or a crash)."""
    return sorted(
        name
        for name in names
        if name.endswith(_TEMPORARY_SUFFIX)
        or (name.endswith(_SPARE_SUFFIX) and name[1 : -len(_SPARE_SUFFIX)] not in names)
    )


def remove_staged(root: str, skip: str) -> None:
    """Remove every staged file (temporary files and spares) under ``root``, except in the folder ``skip``:
    after a publish failed, wherever it (or a worker whose outcome never came back) had written."""
    for folder, subfolders, names in os.walk(root):
        if folder == root:
            subfolders[:] = [name for name in subfolders if name != skip]
        for name in names:
            if is_staged(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))


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


def stage(path: str, blocks, replacing: bool) -> tuple[str, bool]:
    """Write the new content of ``path`` (``blocks`` of bytes) where :func:`put_in_place` takes it from.

    A file already there (``replacing``): into its spare, which put_in_place exchanges with it in one
    atomic step, so the replaced version becomes the spare and no file is made or freed (renaming over a
    file frees the old one's inode and blocks, which some filesystems do synchronously: ext4 without a
    journal mounted with ``discard`` takes ~0.1 ms a file). A new file: a temporary file beside it.
    Returns (the file written, whether it is the spare). The caller holds the lock that makes these
    names its own; it flushes what it wrote (os.sync) before recording it.
    """
    if replacing and can_exchange():
        spare = spare_name(path)
        try:
            descriptor = _open_for_writing(spare, truncate=False)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            os.unlink(spare)  # a symbolic link (the file was one, and was exchanged): never written through
            descriptor = _open_for_writing(spare, truncate=False)
        os.fchmod(descriptor, STAGED_MODE)  # a spare of an older version of this code was left readable
        _write_blocks(descriptor, blocks, truncate_after=True)
        return spare, True
    temporary = temporary_name(path)
    _write_blocks(_open_for_writing(temporary, truncate=True), blocks, truncate_after=False)
    return temporary, False


def file_sha256(path: str) -> str:
    """The sha256 of a file read a block at a time (firmware images are hundreds of MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in blocks_of(handle):
            digest.update(block)
    return digest.hexdigest()


def blocks_of(source, size: int = 1 << 20):
    """The content of an open binary file, ``size`` bytes at a time (for :func:`stage`)."""
    while True:
        block = source.read(size)
        if not block:
            return
        yield block


def put_in_place(written: str, path: str, is_spare: bool, mode: int = PUBLISHED_MODE) -> None:
    """Put a file written by :func:`stage` in place: exchanged with its spare, else renamed over it.

    It was private while staged and takes ``mode`` as it goes in place; the replaced version, now the
    spare, becomes private again (it was served a moment ago, but may hold a password changed since).
    """
    os.chmod(written, mode)
    if is_spare and exchange(written, path):
        os.chmod(written, STAGED_MODE)
        return
    os.replace(written, path)


def _open_for_writing(path: str, truncate: bool) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if truncate else 0)
    return os.open(path, flags, STAGED_MODE)


def _write_blocks(descriptor: int, blocks, truncate_after: bool) -> None:
    """Write every block; a spare is rewritten without truncating it first (its blocks are reused, not
    freed and allocated again), then cut to the new length."""
    try:
        length = 0
        for block in blocks:
            view = memoryview(block)
            length += len(view)
            while view:
                view = view[os.write(descriptor, view) :]
        if truncate_after:
            os.ftruncate(descriptor, length)
    finally:
        os.close(descriptor)
