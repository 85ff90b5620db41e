# Private to this collection: working through many phones on every core.
"""Rendering is CPU work on data already loaded, so forked workers share the fleet for free and each
takes slices of the phones. Outcomes come back in fleet order, so the result (warnings included) is the
same as a sequential run. Small batches, or a platform without fork, run in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator

CHUNK = 200
_STATE: dict = {}


def _work_slice(indexes: range) -> list:
    work, phones = _STATE["work"], _STATE["phones"]
    return [work(phones[index]) for index in indexes]


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def map_phones(
    work: Callable, phones: list, workers: int, min_parallel: int = 400, when_forked: Callable | None = None
) -> Iterator:
    """``work(phone)`` for each phone, in the order given; in forked workers when it is worth it.

    ``when_forked()`` is called once the workers exist, so that threads it starts in this process are
    never copied, half-way through, into a forked worker.
    """
    slices = [range(start, min(start + CHUNK, len(phones))) for start in range(0, len(phones), CHUNK)]
    _STATE.update(work=work, phones=phones)
    pool = None
    if workers > 1 and len(phones) >= min_parallel and "fork" in multiprocessing.get_all_start_methods():
        try:
            pool = multiprocessing.get_context("fork").Pool(workers)
        except (AssertionError, OSError):  # e.g. inside a daemonic process: work here instead
            pool = None
    try:
        if pool is not None and when_forked is not None:
            when_forked()
        batches = pool.imap(_work_slice, slices) if pool is not None else map(_work_slice, slices)
        for batch in batches:
            yield from batch
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        _STATE.clear()
