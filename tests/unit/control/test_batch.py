"""The batch runner: bounded concurrency, input order kept, one slow or failing phone never stops the
others, a progress line at most every few seconds and one at the end."""

from __future__ import annotations

import threading
import time

from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.batch import run_batch


def test_results_keep_the_input_order_and_concurrency_is_bounded():
    running, peak, lock = 0, 0, threading.Lock()

    def work(item):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01 * (item % 3))
        with lock:
            running -= 1
        return item * 2

    results = run_batch(range(60), work, concurrency=7)
    assert results == [item * 2 for item in range(60)]
    assert 2 <= peak <= 7


def test_progress_is_reported_with_counts_and_at_the_end():
    calls = []
    results = run_batch(
        range(20),
        lambda item: "ok" if item % 4 else "failed",
        concurrency=4,
        progress=lambda done, total, counts, elapsed: calls.append((done, total, dict(counts))),
        outcome_of=lambda result: result,
    )
    assert results.count("failed") == 5
    assert calls[-1] == (20, 20, {"ok": 15, "failed": 5})


def test_progress_in_between_when_it_takes_time():
    calls = []
    run_batch(
        range(6),
        lambda item: time.sleep(0.15),
        concurrency=1,
        progress=lambda done, total, counts, elapsed: calls.append(done),
        every=0.2,
    )
    assert calls[-1] == 6 and len(calls) >= 3 and calls == sorted(calls)


def test_nothing_to_do():
    calls = []
    assert run_batch([], lambda item: item, progress=lambda *args: calls.append(args)) == []
    assert calls == [(0, 0, {}, 0.0)]


def test_thousands_of_items_with_few_threads_is_quick():
    started = time.monotonic()
    assert len(run_batch(range(5000), lambda item: item, concurrency=50)) == 5000
    assert time.monotonic() - started < 5
