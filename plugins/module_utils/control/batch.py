# Private to this collection: one command over many phones at once, with bounded concurrency.
"""Run a function over many phones with at most ``concurrency`` at a time, in threads.

Phone control is waiting on the network (a NOTIFY answered in a millisecond, a web page in tens), so
threads are what it needs: thousands of phones in one task, on the controller, with a progress line.
Each phone's result is its own; one failing phone never stops the others. Results keep the input order.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

DEFAULT_CONCURRENCY = 50
MAX_CONCURRENCY = 1000


def run_batch(
    items: Iterable,
    work: Callable,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int, Counter, float], None] | None = None,
    every: float = 2.0,
    outcome_of: Callable = lambda result: "done",
) -> list:
    """``work(item)`` for every item, at most ``concurrency`` at once; the results in input order.

    ``work`` must not raise (it turns a phone's error into that phone's result). ``progress(done, total,
    counts, elapsed)`` is called from the calling thread at most every ``every`` seconds and once at the
    end; ``counts`` counts ``outcome_of(result)`` over the results so far.
    """
    items = list(items)
    total = len(items)
    results: list = [None] * total
    counts: Counter = Counter()
    started = time.monotonic()
    if not items:
        if progress is not None:
            progress(0, 0, counts, 0.0)
        return results
    concurrency = max(1, min(int(concurrency), MAX_CONCURRENCY, total))
    last_report = started
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="phonefleet-control") as pool:
        pending = {}
        queue = iter(enumerate(items))
        # keep at most 2 x concurrency submitted: thousands of futures at once cost memory and nothing else
        for index, item in queue:
            pending[pool.submit(work, item)] = index
            if len(pending) >= 2 * concurrency:
                break
        done_count = 0
        while pending:
            finished, _left = wait(pending, timeout=every, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                results[index] = future.result()
                counts[outcome_of(results[index])] += 1
                done_count += 1
                following = next(queue, None)
                if following is not None:
                    pending[pool.submit(work, following[1])] = following[0]
            now = time.monotonic()
            if progress is not None and now - last_report >= every and pending:
                last_report = now
                progress(done_count, total, counts, now - started)
    if progress is not None:
        progress(total, total, counts, time.monotonic() - started)
    return results
