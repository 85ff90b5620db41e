"""The job service's settings: file, environment, and what is refused."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import load_job_settings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import SettingsError

from tests.unit.jobs.support import TOKEN_HASH


def write(tmp_path, text: str) -> str:
    path = tmp_path / "jobs.yml"
    path.write_text(text)
    return str(path)


def test_file_then_environment(tmp_path):
    path = write(tmp_path, f"inventory: site\nadmin_token_hash: '{TOKEN_HASH}'\nmax_concurrent_jobs: 3\n")
    settings = load_job_settings(path, {"PHONEFLEET_JOBS_MAX_CONCURRENT_JOBS": "4"})
    assert settings.max_concurrent_jobs == 4 and settings.inventory.endswith("/site")


def test_the_admin_token_hash_comes_from_the_file_only(tmp_path):
    path = write(tmp_path, "inventory: site\n")
    assert load_job_settings(path, {"PHONEFLEET_JOBS_ADMIN_TOKEN_HASH": TOKEN_HASH}).admin_token_hash == ""
    path = write(tmp_path, "inventory: site\nadmin_token_hash: not-a-hash\n")
    with pytest.raises(SettingsError, match=r"jobs.yml: admin_token_hash must be a bcrypt hash"):
        load_job_settings(path, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("admin_token_hash: x\n", "inventory is required"),
        ("inventory: s\nadmin_token_hash: '{hash}'\nmax_concurrent_jobs: 0\n", "max_concurrent_jobs must be 1 or more"),
        (
            "inventory: s\nadmin_token_hash: '{hash}'\ncancel_grace_seconds: 0\n",
            "cancel_grace_seconds must be a positive number",
        ),
        ("inventory: s\nadmin_token_hash: '{hash}'\nproject_dir: /nonexistent\n", "holds no playbooks/ folder"),
        ("inventory: s\nadmin_token: x\n", "unknown setting 'admin_token'"),
    ],
)
def test_wrong_settings_are_named(tmp_path, text, message):
    with pytest.raises(SettingsError, match=message):
        load_job_settings(write(tmp_path, text.replace("{hash}", TOKEN_HASH)), {})
