"""A loopback server of the demo in a process of its own: started, awaited until it answers, always stopped."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


class ServerDidNotStart(RuntimeError):
    """The process ended or did not answer in time; the message names its log."""


@contextlib.contextmanager
def served(
    command: list[str], environment: dict[str, str], log: Path, ready_url: str, what: str, timeout: float = 30
) -> Iterator[subprocess.Popen]:
    """``command`` running (its output in ``log``) once ``ready_url`` answers 200; terminated (killed if it must)
    when the block ends."""
    with log.open("w") as output:
        process = subprocess.Popen(  # our own interpreter and module
            command, env=environment, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"{what} did not start; see {log}")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
