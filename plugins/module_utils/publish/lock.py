# Private to this collection: one publish at a time per web root.
"""An exclusive lock on ``<web_root>/.phonefleet/publish.lock`` (flock: released if the process dies)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time

from ..fleet.errors import FleetError


class PublishLocked(FleetError):
    pass


@contextlib.contextmanager
def publish_lock(directory: str, timeout: float = 60.0):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "publish.lock")
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PublishLocked(
                        f"another publish to {os.path.dirname(directory)} has held {path} for {timeout:.0f} s"
                    ) from None
                time.sleep(0.1)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
