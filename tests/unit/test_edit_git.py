"""An editing module with git.commit: one commit of the change, the acting user as author; a conflicting remote
gives a clear error and a clean working copy (issue 12's Git acceptance), through the real ansible-playbook."""

from __future__ import annotations

import shutil

import pytest
from csv_support import DEMO_FLEET, run_tasks
from test_fleet_git import IVAN, clone, git, isolate_git_config, push_from

PHONE = "80:5e:c0:11:22:33"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A bare remote holding the demo fleet, and a site clone of it (the working copy the modules change)."""
    isolate_git_config(tmp_path, monkeypatch)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    seed = clone(bare, tmp_path / "seed")
    shutil.copytree(DEMO_FLEET, seed / "inventory" / "fleet")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "the fleet")
    git(seed, "push", "--quiet", "origin", "main")
    return bare, clone(bare, tmp_path / "site"), seed


def rename_task(site_dir, name: str, **git_options) -> dict:
    return {
        "phonefleet.provisioning.phone": {
            "fleet_dir": str(site_dir / "inventory" / "fleet"),
            "mac": PHONE,
            "name": name,
            "git": {"commit": True, **git_options},
        }
    }


def test_a_change_is_one_commit_of_its_file_by_the_acting_user(tmp_path, site):
    _bare, site_dir, _seed = site
    before = git(site_dir, "rev-parse", "HEAD")
    (site_dir / "notes.txt").write_text("someone's unrelated work\n")  # never carried by the change's commit
    rc, results, output = run_tasks(
        tmp_path, "commit", [rename_task(site_dir, "Front desk", author=IVAN, reason="TICKET-42", push=True)]
    )
    assert rc == 0 and not results[0].get("failed"), output
    assert git(site_dir, "rev-list", "--count", f"{before}..HEAD") == "1"
    assert results[0]["commit"] == git(site_dir, "rev-parse", "HEAD")
    assert git(site_dir, "log", "-1", "--format=%an <%ae>") == IVAN
    assert git(site_dir, "show", "--name-only", "--format=", "HEAD").split() == ["inventory/fleet/phones.yml"]
    message = git(site_dir, "log", "-1", "--format=%B")
    assert message.startswith("phone 80:5e:c0:11:22:33 changed") and "TICKET-42" in message, message
    assert git(site_dir, "rev-parse", "origin/main") == git(site_dir, "rev-parse", "HEAD")  # pushed
    assert git(site_dir, "status", "--porcelain") == "?? notes.txt"
    rc, results, output = run_tasks(tmp_path, "again", [rename_task(site_dir, "Front desk", author=IVAN)])
    assert rc == 0 and results[0]["changed"] is False and results[0].get("commit") is None, results[0]


def test_a_conflicting_remote_fails_clearly_and_leaves_a_clean_working_copy(tmp_path, site):
    bare, site_dir, seed = site
    phones = "inventory/fleet/phones.yml"
    text = (seed / phones).read_text()
    push_from(seed, phones, text.replace("name: Reception", "name: Reception desk"))
    remote_head = git(bare, "rev-parse", "main")
    committed = (site_dir / phones).read_bytes()
    _rc, results, output = run_tasks(
        tmp_path, "conflict", [rename_task(site_dir, "Front desk", author=IVAN, push=True)]
    )
    assert results[0].get("failed"), output
    message = results[0]["msg"]
    assert "conflicts" in message and "inventory/fleet/phones.yml" in message and "nothing was changed" in message
    assert git(site_dir, "status", "--porcelain") == ""
    assert (site_dir / phones).read_bytes() == committed
    assert git(bare, "rev-parse", "main") == remote_head  # the remote untouched


def test_uncommitted_edits_of_the_file_refuse_before_anything_is_written(tmp_path, site):
    _bare, site_dir, _seed = site
    phones = site_dir / "inventory" / "fleet" / "phones.yml"
    phones.write_text(phones.read_text() + "# a hand edit\n")
    edited = phones.read_bytes()
    _rc, results, output = run_tasks(tmp_path, "dirty", [rename_task(site_dir, "Front desk", author=IVAN)])
    assert results[0].get("failed") and "uncommitted changes" in results[0]["msg"], output
    assert phones.read_bytes() == edited
