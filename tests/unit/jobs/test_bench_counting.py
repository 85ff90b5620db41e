"""The job service bench's counting (tests/bench/bench_jobs.py): what it reports as lost, out of order or missing
must be what happened, or its "0 lost" means nothing. The bench itself is not run here (make bench runs it)."""

from __future__ import annotations

import json

import ansible_runner
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import search_path

from tests.bench.bench_jobs import Followed, percentile, read_stream, runner_event_count, sse_messages


def stream_lines(*messages: tuple[str, object]) -> list[str]:
    """A job's stream as the service sends it (app.py: ``id``, ``event``, ``data``, a blank line)."""
    lines = [": a comment line a proxy may add"]
    for event, data in messages:
        if event == "events" and data:
            lines.append(f"id: {data[-1]['counter']}")  # type: ignore[index]
        lines += [f"event: {event}", f"data: {json.dumps(data)}", ""]
    return lines


def events(*counters: int) -> list[dict]:
    return [
        {"counter": counter, "event": "runner_on_ok", "created": "2026-01-01T00:00:00+00:00"} for counter in counters
    ]


def test_sse_messages_joins_data_lines_and_ends_a_message_at_a_blank_line():
    lines = ["event: events", "data: [1,", "data:  2]", "", "id: 3", "data: x", "", "event: end", "data: {}"]
    assert list(sse_messages(lines)) == [("events", "[1,\n 2]"), ("message", "x")]  # the last: no blank line yet


def test_a_whole_stream_counts_nothing_lost():
    lines = stream_lines(("events", events(1, 2, 3)), ("events", events(4)), ("end", {"event_count": 4}))
    clock = iter([10.0, 11.0])
    followed = read_stream(lines, Followed(launched=9.0), clock=lambda: next(clock))
    assert (followed.first_seen, followed.first_event["counter"], followed.ended) == (10.0, 1, 11.0)
    assert followed.counters == [1, 2, 3, 4]
    assert (followed.out_of_order, followed.missing_from_stream(), followed.lost(4)) == (0, 0, 0)


def test_an_event_not_stored_a_gap_and_a_repeat_are_each_counted():
    lines = stream_lines(
        ("events", []), ("events", events(1, 2, 4)), ("events", events(4)), ("end", {"event_count": 4})
    )
    followed = read_stream(lines, Followed(launched=0.0), clock=lambda: 1.0)
    assert followed.first_event["counter"] == 1  # an empty message is no first event
    assert followed.out_of_order == 1  # 4 twice
    assert followed.missing_from_stream() == 1  # 3 stored, never streamed
    assert followed.lost(5) == 1  # runner counted 5 events, 4 stored


def test_the_stream_is_read_to_its_end_message_only():
    lines = stream_lines(("end", {"event_count": 0}), ("events", events(1)))
    followed = read_stream(lines, Followed(launched=0.0), clock=lambda: 1.0)
    assert followed.counters == [] and followed.first_seen is None


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(20, 0, -1)]
    assert (percentile(values, 0.95), percentile(values, 0.5), percentile([3.0], 0.95)) == (19.0, 10.0, 3.0)


def test_runner_event_count_is_what_runner_handed_its_event_handler(tmp_path):
    """The bench's "runner's own count" against runner itself: a real ansible-runner run of a small playbook."""
    playbook = tmp_path / "project" / "three.yml"
    playbook.parent.mkdir()
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.debug:\n        msg: '{{ item }}'\n      loop: [1, 2, 3]\n",
        encoding="utf-8",
    )
    (tmp_path / "job").mkdir()
    (tmp_path / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    handled = []
    ansible_runner.run(
        private_data_dir=str(tmp_path / "job"),
        project_dir=str(playbook.parent),
        playbook=playbook.name,
        ident="run",  # as the job service's runner.py names its run
        quiet=True,
        # this virtualenv's ansible-playbook, as the job service runs it; no ansible.cfg of the checkout (make
        # exports ANSIBLE_CONFIG: its demo vault file is relative to the checkout, not to this project)
        envvars={"PATH": search_path(), "ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg")},
        event_handler=lambda event: handled.append(event["counter"]) or True,
    )
    (tmp_path / "job" / "artifacts" / "run" / "job_events" / "1-x.json.tmp").write_text("{}")  # a write under way
    assert len(handled) > 3  # the play's own events and one per item at least
    assert runner_event_count(tmp_path / "job") == len(handled)
