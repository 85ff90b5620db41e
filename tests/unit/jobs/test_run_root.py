"""Where running jobs' folders are made (runner.py, ``run_root``): a private folder of the service's own on the
machine's tmpfs, or the data dir when that folder cannot be trusted; and a restart clears what a job left there."""

from __future__ import annotations

import os
import stat

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import run_root


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
