"""The live stream sends a job's first events as soon as the writer has stored them, not an interval later."""

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
        stream = _event_stream(store, job.id, 0, INTERVAL, lambda job_id: changes.get(job_id, 0))
        threading.Timer(0.5, writer).start()  # after the stream has found nothing and started to wait
        return await asyncio.wait_for(anext(stream), timeout=20)

    message = asyncio.run(first_message())
    assert message.startswith("id: 1\nevent: events\n")
    assert json.loads(message.split("data: ", 1)[1])[0]["event"] == "playbook_on_start"
    store.close()
