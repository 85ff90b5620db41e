"""The live stream sends a job's first events as soon as the writer has stored them, and its end as soon as it is
stored, not an interval later."""

from __future__ import annotations

import asyncio
import json
import threading

from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import LaunchOptions
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

from tests.unit.jobs import support  # noqa: F401  # pylint: disable=unused-import  # puts service/ on the path

from phonefleet_jobs.app import _event_stream  # isort: skip

INTERVAL = 120.0  # far longer than the test waits: a stream that sleeps it out instead of waking fails


def test_a_quiet_stream_wakes_when_the_writer_stores_events(tmp_path):
    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")
    job = store.add_job(LaunchOptions(playbook="validate"), launched_by="admin")
    changes = {job.id: 0}

    def writer() -> None:  # the manager's writer: store, then count the change
        store.add_events(job.id, [{"counter": 1, "event": "playbook_on_start", "stdout": ""}])
        changes[job.id] += 1

    async def first_message() -> str:
        stream = _event_stream(store, job.id, 0, INTERVAL, lambda job_id: changes.get(job_id, 0), lambda _id: False)
        threading.Timer(0.5, writer).start()  # after the stream has found nothing and started to wait
        return await asyncio.wait_for(anext(stream), timeout=20)

    message = asyncio.run(first_message())
    assert message.startswith("id: 1\nevent: events\n")
    assert json.loads(message.split("data: ", 1)[1])[0]["event"] == "playbook_on_start"
    store.close()


def test_a_stream_that_sent_its_events_sends_the_end_as_the_end_is_stored(tmp_path):
    """After an ``events`` message the stream waits out the interval (throttling a live job's events), but not
    when the job's end is stored meanwhile: a client waiting for the job sees its end at once."""
    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")
    job = store.add_job(LaunchOptions(playbook="validate"), launched_by="admin")
    store.mark_running(job.id)
    store.add_events(job.id, [{"counter": 1, "event": "playbook_on_stats", "stdout": ""}])
    ended: set[int] = set()

    def writer() -> None:  # the manager's writer storing the end after the last event
        store.finish(job.id, "successful", 0, "")
        ended.add(job.id)

    async def messages() -> list[str]:
        stream = _event_stream(store, job.id, 0, INTERVAL, lambda _id: 1, ended.__contains__)
        first = await asyncio.wait_for(anext(stream), timeout=20)
        threading.Timer(0.5, writer).start()  # while the stream waits after its events message
        return [first, await asyncio.wait_for(anext(stream), timeout=20)]

    first, end = asyncio.run(messages())
    assert first.startswith("id: 1\nevent: events\n")
    assert end.startswith("event: end\n") and json.loads(end.split("data: ", 1)[1])["state"] == "successful"
    store.close()
