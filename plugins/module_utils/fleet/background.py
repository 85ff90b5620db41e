# Private to this collection: work done in a thread while this one does something else.
"""A function run in a thread, its value (or its error) collected when it is needed."""

from __future__ import annotations

import threading
from collections.abc import Callable


class InThread:
    """``function(*args)`` in a thread; ``result()`` waits for it and returns its value or raises its error."""

    def __init__(self, name: str, function: Callable, *args) -> None:
        self._outcome: list = []
        self._thread = threading.Thread(target=self._run, args=(function, args), name=name, daemon=True)
        self._thread.start()

    def _run(self, function: Callable, args: tuple) -> None:
        try:
            self._outcome.append((True, function(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed to result()
            self._outcome.append((False, exc))

    def wait(self) -> None:
        self._thread.join()

    def result(self):
        self.wait()
        succeeded, value = self._outcome[0]
        if not succeeded:
            raise value
        return value
