"""Where running jobs' folders are made (runner.py, ``run_root``): a private folder of the service's own on the
machine's tmpfs, or the data dir when that folder cannot be trusted; and a restart clears what a job left there."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import JobManager
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import ERROR, SUCCESSFUL
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import JobRun, run_root
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore

from tests.unit.jobs.support import catalogue_with_test_playbooks, job_settings


@pytest.fixture
def shared_memory(tmp_path):
    """A world-writable sticky folder, as /dev/shm is."""
    folder = tmp_path / "shm"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def test_the_run_root_is_a_private_folder_on_tmpfs_one_per_data_dir(tmp_path, shared_memory):
    first = run_root(str(tmp_path / "a" / "jobs"), shared_memory=str(shared_memory))
    again = run_root(str(tmp_path / "a" / "jobs"), shared_memory=str(shared_memory))
    other = run_root(str(tmp_path / "b" / "jobs"), shared_memory=str(shared_memory))
    assert first == again and first != other
    assert first.parent == shared_memory and first.name.startswith(f"phonefleet-jobs-{os.getuid()}-")
    status = first.lstat()
    assert stat.S_ISDIR(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o700


def test_the_machines_tmpfs_is_the_default_and_run_dir_overrides_it(tmp_path):
    if not os.path.isdir("/dev/shm"):
        pytest.skip("this machine has no /dev/shm")
    found = run_root(str(tmp_path / "jobs"))
    try:
        assert found.parent.as_posix() == "/dev/shm"
    finally:
        found.rmdir()
    assert run_root(str(tmp_path / "jobs"), str(tmp_path / "runs")) == tmp_path / "runs"


@pytest.mark.parametrize("planted", ["open to others", "a link to another folder", "a file"])
def test_a_folder_someone_else_put_at_that_name_is_not_used(tmp_path, shared_memory, planted):
    data_dir = str(tmp_path / "jobs")
    name = run_root(data_dir, shared_memory=str(shared_memory))
    name.rmdir()
    if planted == "open to others":
        name.mkdir()
        name.chmod(0o777)
    elif planted == "a link to another folder":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        name.symlink_to(tmp_path / "elsewhere")
    else:
        name.write_text("")
    assert run_root(data_dir, shared_memory=str(shared_memory)) == tmp_path / "jobs"


def test_without_tmpfs_the_jobs_folders_are_in_the_data_dir(tmp_path):
    assert run_root(str(tmp_path / "jobs"), shared_memory=str(tmp_path / "no-such")) == tmp_path / "jobs"


def test_a_small_tmpfs_is_not_used(tmp_path, shared_memory):
    """A container's /dev/shm (often 64 MiB) would fill up under a large job: the data dir is used instead."""
    free = os.statvfs(shared_memory).f_bavail * os.statvfs(shared_memory).f_frsize
    data_dir = str(tmp_path / "jobs")
    assert run_root(data_dir, shared_memory=str(shared_memory), min_free=free + 1) == tmp_path / "jobs"
    assert run_root(data_dir, shared_memory=str(shared_memory), min_free=free // 2).parent == shared_memory


def test_a_name_taken_at_start_is_said_in_the_log(tmp_path, shared_memory, caplog):
    """The service then keeps the answers file on disk: the operator is told, not left to find out."""
    data_dir = str(tmp_path / "jobs")
    name = run_root(data_dir, shared_memory=str(shared_memory))
    name.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="phonefleet.jobs"):
        assert run_root(data_dir, shared_memory=str(shared_memory)) == tmp_path / "jobs"
    assert f"{name} is open to other users (mode 0755, not 0700)" in caplog.text
    assert f"in the data dir {data_dir}, on disk" in caplog.text


def job_run(root: Path, private_root: bool = True) -> JobRun:
    job = SimpleNamespace(id=7, options=SimpleNamespace(answers={"site_name": "Head office"}))
    return JobRun(
        job=job,  # type: ignore[arg-type]  # JobRun.run reads only the id and the answers
        playbook=Path("answers.yml"),
        secrets={"sip_password": "Sip-Secret-7f3a9c"},
        data_dir=str(root),
        project_dir=".",
        inventory=".",
        on_event=lambda event: None,
        on_running=lambda: None,
        private_root=private_root,
    )


@pytest.fixture
def runs_seen(monkeypatch):
    """JobRun._run replaced by one that records where the job's folders were and runs nothing."""
    seen: list[dict] = []

    def record(self, private, extravars):
        status = private.parent.lstat()
        seen.append({"root": private.parent, "uid": status.st_uid, "mode": stat.S_IMODE(status.st_mode)})
        return SUCCESSFUL, 0, ""

    monkeypatch.setattr(JobRun, "_run", record)
    return seen


def test_a_run_root_removed_since_start_is_made_again_private(tmp_path, shared_memory, runs_seen):
    """logind's RemoveIPC (at the service user's logout) or a clean-up may remove it while the service runs."""
    root = run_root(str(tmp_path / "jobs"), shared_memory=str(shared_memory))
    root.rmdir()
    assert job_run(root).run() == (SUCCESSFUL, 0, "")
    assert runs_seen == [{"root": root, "uid": os.getuid(), "mode": 0o700}]
    assert list(root.iterdir()) == []  # the job's folders went with its end


@pytest.mark.parametrize("planted", ["another user's", "open to others", "a link to another folder"])
def test_a_run_root_taken_since_start_fails_the_job_and_nothing_is_made_in_it(
    tmp_path, shared_memory, runs_seen, caplog, planted
):
    """Another local user re-creates the predictable name: the job's answers file and runner settings would be
    made in his folder, for him to swap (code run as the service). The job fails with the reason instead."""
    root = run_root(str(tmp_path / "jobs"), shared_memory=str(shared_memory))
    root.rmdir()
    if planted == "another user's":
        if os.getuid() != 0:
            pytest.skip("making a folder of another user's needs root")
        root.mkdir(mode=0o700)
        os.chown(root, 65534, 65534)
        why = f"{root} belongs to user id 65534, not to this service's (0)"
    elif planted == "open to others":
        root.mkdir()
        root.chmod(0o777)
        why = f"{root} is open to other users (mode 0777, not 0700)"
    else:
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        root.symlink_to(tmp_path / "elsewhere")
        why = f"{root} is not a folder that can be used"
    with caplog.at_level(logging.WARNING, logger="phonefleet.jobs"):
        state, rc, reason = job_run(root).run()
    assert (state, rc) == (ERROR, None)
    assert reason.startswith(f"the job was not run: its run root cannot be trusted: {why}")
    assert f"job 7 not run: {why}" in caplog.text
    assert runs_seen == []
    assert list(root.iterdir()) == []
    if planted == "a link to another folder":
        assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_run_dir_given_is_made_as_before(tmp_path, runs_seen):
    """The operator's own folder (run_dir, data_dir) is made with its parents and used as it is."""
    root = tmp_path / "var" / "runs"
    assert job_run(root, private_root=False).run() == (SUCCESSFUL, 0, "")
    assert runs_seen[0]["root"] == root


def test_stop_keeps_a_run_dir_given_with_a_trailing_slash(tmp_path):
    """Only the tmpfs folder the service made is removed at stop, however the operator spelled run_dir."""
    store = JobStore.open(f"sqlite:///{tmp_path}/jobs.db")
    runs = tmp_path / "runs"
    runs.mkdir()
    for spelling in (f"{runs}/", str(runs)):
        manager = JobManager(store, catalogue_with_test_playbooks(), job_settings(tmp_path, run_dir=spelling))
        manager.start()
        manager.stop()
        assert runs.is_dir(), spelling
    store.close()
