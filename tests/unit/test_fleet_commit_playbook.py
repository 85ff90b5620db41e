"""fleet_commit as users run it: import_csv.yml with phonefleet_git_commit on a site in a scratch Git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO, ROWS, VAULT_PASSWORD_FILE, csv_bytes, run_task
from tests.unit.test_fleet_git import git, isolate_git_config

IVAN = "Ivan Petrov <ivan@example.com>"


@pytest.fixture(autouse=True)
def no_user_git_config(tmp_path, monkeypatch):
    isolate_git_config(tmp_path, monkeypatch)


@pytest.fixture
def site(tmp_path) -> Path:
    """A Git repository holding a copy of the demo site (its inventory configuration and fleet), committed."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "inventory" / "demo", site / "inventory", ignore=shutil.ignore_patterns("firmware"))
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(site)], check=True)
    git(site, "config", "user.name", "Site Admin")
    git(site, "config", "user.email", "admin@site.example")
    git(site, "add", "-A")
    git(site, "commit", "--quiet", "-m", "the site")
    return site


def import_csv(site: Path, csv: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(site / "inventory"), str(REPO / "playbooks" / "import_csv.yml")]
    command += ["-e", f"phonefleet_csv={csv}", "--vault-password-file", str(VAULT_PASSWORD_FILE), *extra]
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_import_csv_commits_the_import_as_the_acting_user(site, tmp_path):
    csv = tmp_path / "phones.csv"
    csv.write_bytes(csv_bytes(ROWS))
    head = git(site, "rev-parse", "HEAD")

    git_vars = {"phonefleet_git_commit": True, "phonefleet_git_author": IVAN, "phonefleet_git_reason": "TICKET-7"}
    run = import_csv(site, csv, "-e", json.dumps(git_vars))

    assert run.returncode == 0, run.stdout + run.stderr
    assert git(site, "rev-parse", "HEAD^") == head
    assert git(site, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s") == (
        f"{IVAN}|Site Admin <admin@site.example>|import_csv: 2 new, 0 changed phones from phones.csv"
    )
    body = git(site, "log", "-1", "--format=%b")
    assert "Why: TICKET-7" in body and "Phonefleet-Run: import_csv.yml" in body
    assert git(site, "show", "--name-only", "--format=", "HEAD") == "inventory/fleet/phones.yml"
    assert git(site, "status", "--porcelain") == ""
    assert "Shelf-A-2101-sip" not in run.stdout + git(site, "show", "HEAD")  # vault-encrypted, never in clear


def test_import_csv_refuses_to_commit_over_uncommitted_fleet_edits(site, tmp_path):
    csv = tmp_path / "phones.csv"
    csv.write_bytes(csv_bytes(ROWS))
    phones = site / "inventory" / "fleet" / "phones.yml"
    phones.write_text(phones.read_text() + "# someone's unfinished edit\n")
    edited = phones.read_text()

    run = import_csv(site, csv, "-e", "phonefleet_git_commit=true")

    assert run.returncode != 0
    assert "these fleet files have uncommitted changes" in run.stdout
    assert "inventory/fleet/phones.yml; commit or discard them first" in run.stdout
    assert phones.read_text() == edited  # nothing imported
    assert git(site, "log", "--format=%s") == "the site"


def test_a_bad_author_is_refused_before_anything_is_written(site, tmp_path):
    csv = tmp_path / "phones.csv"
    csv.write_bytes(csv_bytes(ROWS))
    run = import_csv(site, csv, "-e", json.dumps({"phonefleet_git_commit": True, "phonefleet_git_author": "Ivan"}))
    assert run.returncode != 0
    assert "author: 'Ivan' is not of the form 'Name <email@domain>'" in run.stdout
    assert git(site, "status", "--porcelain") == ""


def test_fleet_commit_in_check_mode_commits_nothing(site, tmp_path):
    phones = site / "inventory" / "fleet" / "phones.yml"
    phones.write_text(phones.read_text() + "# a comment\n")
    args = {"fleet_dir": str(site / "inventory" / "fleet"), "message": "a comment", "author": IVAN}

    rc, result, output = run_task(tmp_path, "fleet_commit", args, "--check")
    assert rc == 0 and result["changed"] is True, output
    assert result["files"] == ["inventory/fleet/phones.yml"] and "sha" not in result
    assert git(site, "log", "--format=%s") == "the site"

    rc, result, output = run_task(tmp_path, "fleet_commit", args)
    assert rc == 0 and result["changed"] is True, output
    assert result["sha"] == git(site, "rev-parse", "HEAD") and git(site, "status", "--porcelain") == ""

    rc, result, output = run_task(tmp_path, "fleet_commit", args)
    assert rc == 0 and result["changed"] is False and result["sha"] is None, output
