"""The jobs store on both databases, and the job manager's bookkeeping without a run (no workers started)."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import LaunchError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import (
    RESTART_REASON_PENDING,
    RESTART_REASON_RUNNING,
    JobManager,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

from tests.unit.jobs.support import catalogue_with_test_playbooks, job_settings

ANSWERS = {"site_name": "Head office", "mode": "pass", "sip_password": "Sip-Secret-7f3a9c"}


@pytest.fixture
def manager(store_url, tmp_path):
    store = JobStore.open(store_url)
    yield JobManager(store, catalogue_with_test_playbooks(), job_settings(tmp_path))
    store.close()


def launch(manager: JobManager, **answers):
    options, secrets = manager.catalogue.launch_options("answers", limit="office", extra_vars={**ANSWERS, **answers})
    return manager.launch(options, secrets, launched_by="admin")


def test_jobs_and_events_round_trip(manager):
    store = manager.store
    job = launch(manager)
    assert (job.state, job.options.limit, job.options.answers["phone_count"]) == ("pending", "office", 5)
    assert "Sip-Secret-7f3a9c" not in repr(store.job(job.id))
    store.mark_running(job.id)
    events = [{"counter": counter, "event": "verbose", "stdout": f"line {counter}\nmore"} for counter in (1, 2, 3)]
    store.add_events(job.id, events[:2])
    store.add_events(job.id, events[1:])  # an event seen twice is kept once
    assert [event["counter"] for event in store.events(job.id, after=1, limit=5)] == [2, 3]
    assert store.stdout_lines(job.id, offset=1, limit=2) == (["more", "line 2"], 6)
    store.finish(job.id, "successful", 0, "")
    store.finish(job.id, "failed", 1, "too late")  # a finished job keeps its first end
    done = store.job(job.id)
    assert (done.state, done.rc, done.event_count) == ("successful", 0, 3)
    second = launch(manager)
    page, total = store.jobs(offset=0, limit=1)
    assert total == 2 and [item.id for item in page] == [second.id]
    assert [item.id for item in store.jobs(state="successful")[0]] == [job.id]


def test_event_count_counts_each_counter_once_whatever_the_batches(manager):
    store = manager.store
    job = launch(manager)
    store.mark_running(job.id)

    def events(*counters):
        return [{"counter": counter, "event": "verbose", "stdout": f"line {counter}"} for counter in counters]

    store.add_events(job.id, events(1, 5))
    store.add_events(job.id, events(7, 2, 5, 3))  # 5 again; a batch need not be in order
    store.add_events(job.id, [])
    store.add_events(job.id, events(3))
    assert store.job(job.id).event_count == 5
    assert [event["counter"] for event in store.events(job.id)] == [1, 2, 3, 5, 7]


def test_a_restart_fails_what_an_earlier_process_left(manager):
    running, pending = launch(manager), launch(manager)
    manager.store.mark_running(running.id)
    manager.store.add_events(running.id, [{"counter": 1, "event": "verbose", "stdout": "partial"}])
    manager.recover()
    assert (manager.store.job(running.id).state, manager.store.job(running.id).reason) == (
        "failed",
        RESTART_REASON_RUNNING,
    )
    assert manager.store.job(pending.id).reason == RESTART_REASON_PENDING
    assert manager.store.stdout_lines(running.id) == (["partial"], 1)


def test_relaunch_asks_every_password_answer_again(manager):
    job = launch(manager, api_token="Token-0123456789abcdef")
    assert job.options.secret_variables == ("api_token", "sip_password")
    with pytest.raises(LaunchError) as caught:
        manager.relaunch(job.id, {"sip_password": "Sip-Secret-7f3a9c"}, launched_by="admin")
    assert caught.value.field == "extra_vars.api_token"
    again = manager.relaunch(
        job.id, {"sip_password": "Sip-Secret-7f3a9c", "api_token": "Token-0123456789abcdef"}, launched_by="admin"
    )
    assert (again.relaunch_of, again.options.answers) == (job.id, job.options.answers)
