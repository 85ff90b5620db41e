"""Git commits of fleet changes (fleet/git.py) on scratch repositories: a bare "remote" and clones of it."""

from __future__ import annotations

import getpass
import socket
import subprocess
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.git import (
    FleetGit,
    GitError,
    GitOptions,
    mask_url_credentials,
)

IVAN = "Ivan Petrov <ivan@example.com>"


def git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(autouse=True)
def no_user_git_config(tmp_path, monkeypatch):
    isolate_git_config(tmp_path, monkeypatch)


def isolate_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's git configuration (identity, hooks) must not decide a test."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("PHONEFLEET_ACTOR", raising=False)


def clone(remote: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(remote), str(target)], check=True, capture_output=True)
    git(target, "config", "user.name", "Site Admin")
    git(target, "config", "user.email", "admin@site.example")
    return target


@pytest.fixture
def remote(tmp_path) -> Path:
    """A bare repository holding one commit with a fleet: inventory/fleet/{phones,profiles}.yml."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(bare)], check=True)
    seed = clone(bare, tmp_path / "seed")
    fleet = seed / "inventory" / "fleet"
    fleet.mkdir(parents=True)
    (fleet / "phones.yml").write_text("phones: []\n")
    (fleet / "profiles.yml").write_text("profiles:\n  office:\n    sip: {registrar: pbx.example}\n")
    (seed / "README.md").write_text("site\n")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "first")
    git(seed, "push", "--quiet", "origin", "main")
    return bare


@pytest.fixture
def work(remote, tmp_path) -> Path:
    return clone(remote, tmp_path / "work")


def push_from(clone_dir: Path, relative: str, text: str) -> None:
    """Someone else's change: ``relative`` rewritten in ``clone_dir``, committed and pushed."""
    (clone_dir / relative).write_text(text)
    git(clone_dir, "commit", "--quiet", "-am", f"someone else's {relative}")
    git(clone_dir, "push", "--quiet", "origin", "main")


def fleet_of(work: Path) -> Path:
    return work / "inventory" / "fleet"


def options(**changes) -> GitOptions:
    values = {"commit": True, "author": IVAN, "message": "phone 805ec0112233: profile office -> warehouse"}
    values.update(changes)
    return GitOptions(**values)


def change_phones(work: Path, text: str = "phones:\n  - {mac: 805ec0112233, profile: office}\n") -> None:
    (fleet_of(work) / "phones.yml").write_text(text)


def test_commit_has_the_author_the_message_and_exactly_the_files(work):
    fleet = fleet_of(work)
    (work / "README.md").write_text("an unrelated edit, not ours\n")
    git(work, "add", "README.md")  # even staged, it stays out of our commit
    fleet_git = FleetGit(str(fleet), options(reason="TICKET-42", trailers={"Phonefleet-Run": "phone.yml"}))
    fleet_git.before(["phones.yml", "new.yml"])
    change_phones(work)
    (fleet / "new.yml").write_text("sites: {}\n")
    before = git(work, "rev-parse", "HEAD")

    sha = fleet_git.after(["phones.yml", "new.yml"])

    assert sha == git(work, "rev-parse", "HEAD")
    assert git(work, "rev-parse", "HEAD^") == before  # one commit
    assert git(work, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == f"{IVAN}|Site Admin <admin@site.example>"
    files = git(work, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert files == ["inventory/fleet/new.yml", "inventory/fleet/phones.yml"]
    message = git(work, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "phone 805ec0112233: profile office -> warehouse"
    assert "Why: TICKET-42" in message and f"Changed by: {IVAN}" in message
    assert "  inventory/fleet/phones.yml" in message and "Phonefleet-Run: phone.yml" in message
    assert git(work, "status", "--porcelain") == "M  README.md"  # still staged, not committed


def test_nothing_changed_gives_no_commit(work):
    fleet_git = FleetGit(str(fleet_of(work)), options())
    fleet_git.before(["phones.yml"])
    head = git(work, "rev-parse", "HEAD")
    assert fleet_git.after(["phones.yml"]) is None
    assert git(work, "rev-parse", "HEAD") == head


def test_committer_defaults_to_phonefleet_and_author_to_the_actor(work, monkeypatch):
    git(work, "config", "--unset", "user.name")
    git(work, "config", "--unset", "user.email")
    monkeypatch.setenv("PHONEFLEET_ACTOR", "Job Runner <jobs@example.com>")
    fleet_git = FleetGit(str(fleet_of(work)), options(author=None))
    fleet_git.before(["phones.yml"])
    change_phones(work)
    fleet_git.after(["phones.yml"])
    assert git(work, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == (
        "Job Runner <jobs@example.com>|PhoneFleet <phonefleet@localhost>"
    )


def test_author_falls_back_to_the_repository_identity(work):
    assert FleetGit(str(fleet_of(work)), options(author=None)).author() == "Site Admin <admin@site.example>"


def test_author_falls_back_to_the_os_user_at_the_host(work):
    git(work, "config", "--unset", "user.name")
    git(work, "config", "--unset", "user.email")
    user = getpass.getuser()
    assert FleetGit(str(fleet_of(work)), options(author=None)).author() == f"{user} <{user}@{socket.gethostname()}>"


def test_a_malformed_actor_is_refused_naming_the_variable(work, monkeypatch):
    monkeypatch.setenv("PHONEFLEET_ACTOR", "jobs")
    with pytest.raises(GitError, match=r"^\$PHONEFLEET_ACTOR: 'jobs' is not of the form"):
        FleetGit(str(fleet_of(work)), options(author=None)).author()


@pytest.mark.parametrize("author", ["Ivan", "Ivan <ivan>", "<ivan@example.com>", "Ivan <a b@example.com>"])
def test_an_author_not_of_the_form_name_email_is_refused(work, author):
    with pytest.raises(GitError, match=r"author: .* is not of the form 'Name <email@domain>'"):
        FleetGit(str(fleet_of(work)), options(author=author))


def test_a_long_first_line_is_cut_to_72_characters(work):
    fleet_git = FleetGit(str(fleet_of(work)), options(message="x" * 100 + "\nsecond line"))
    fleet_git.before(["phones.yml"])
    change_phones(work)
    fleet_git.after(["phones.yml"])
    subject = git(work, "log", "-1", "--format=%s")
    assert len(subject) == 72 and subject.endswith("…")
    assert "second line" in git(work, "log", "-1", "--format=%b")


def test_a_fleet_outside_a_work_tree_is_refused(tmp_path):
    lonely = tmp_path / "lonely" / "fleet"
    lonely.mkdir(parents=True)
    with pytest.raises(GitError, match=r"fleet_dir: .*lonely/fleet is not inside a Git work tree"):
        FleetGit(str(lonely), options())
    FleetGit(str(lonely), options(commit=False)).before(["phones.yml"])  # no commit asked: nothing checked


def test_uncommitted_changes_to_a_target_file_are_refused_before_writing(work):
    change_phones(work, "phones: []  # someone's edit\n")
    (fleet_of(work) / "draft.yml").write_text("sites: {}\n")
    fleet_git = FleetGit(str(fleet_of(work)), options())
    with pytest.raises(GitError, match=r"uncommitted changes.*inventory/fleet/phones\.yml; commit or discard"):
        fleet_git.before(["phones.yml"])
    with pytest.raises(GitError, match=r"uncommitted changes.*inventory/fleet/draft\.yml"):
        fleet_git.before(["."])
    fleet_git.before(["profiles.yml"])  # other files' edits do not matter


def test_a_repository_mid_merge_is_refused(work):
    (work / ".git" / "MERGE_HEAD").write_text(git(work, "rev-parse", "HEAD") + "\n")
    with pytest.raises(GitError, match="in the middle of a merge"):
        FleetGit(str(fleet_of(work)), options()).before(["phones.yml"])


def test_undo_restores_the_paths(work):
    fleet = fleet_of(work)
    original = (fleet / "phones.yml").read_text()
    fleet_git = FleetGit(str(fleet), options())
    fleet_git.before(["phones.yml", "new.yml"])
    change_phones(work)
    (fleet / "new.yml").write_text("sites: {}\n")
    fleet_git.undo(["phones.yml", "new.yml"])
    assert (fleet / "phones.yml").read_text() == original
    assert not (fleet / "new.yml").exists()
    assert git(work, "status", "--porcelain") == ""


def test_pull_fast_forwards_and_a_diverged_branch_is_refused(remote, work, tmp_path):
    other = clone(remote, tmp_path / "other")
    push_from(other, "README.md", "moved on\n")

    FleetGit(str(fleet_of(work)), options(pull=True)).before(["phones.yml"])
    assert git(work, "rev-parse", "HEAD") == git(other, "rev-parse", "HEAD")

    push_from(other, "README.md", "moved again\n")
    (work / "README.md").write_text("local commit\n")
    git(work, "commit", "--quiet", "-am", "local")
    head = git(work, "rev-parse", "HEAD")
    with pytest.raises(GitError, match=r"git pull --ff-only origin main failed, nothing was changed: .*diverged"):
        FleetGit(str(fleet_of(work)), options(pull=True)).before(["phones.yml"])
    assert git(work, "rev-parse", "HEAD") == head
    assert git(work, "status", "--porcelain") == ""


def test_push_rebases_onto_a_remote_that_moved_elsewhere(remote, work, tmp_path):
    other = clone(remote, tmp_path / "other")
    push_from(other, "README.md", "moved on\n")

    fleet_git = FleetGit(str(fleet_of(work)), options(push=True))
    fleet_git.before(["phones.yml"])
    change_phones(work)
    sha = fleet_git.after(["phones.yml"])
    assert git(remote, "rev-parse", "main") == sha
    assert git(remote, "rev-parse", "main^") == git(other, "rev-parse", "HEAD")


def test_a_conflicting_push_is_undone_and_leaves_everything_clean(remote, work, tmp_path):
    other = clone(remote, tmp_path / "other")
    push_from(other, "inventory/fleet/phones.yml", "phones:\n  - {mac: 805ec0999999}\n")
    remote_head = git(remote, "rev-parse", "main")
    fleet = fleet_of(work)
    before_files = {path.name: path.read_text() for path in fleet.iterdir()}
    head = git(work, "rev-parse", "HEAD")

    fleet_git = FleetGit(str(fleet), options(push=True))
    fleet_git.before(["phones.yml", "new.yml"])
    change_phones(work)
    (fleet / "new.yml").write_text("sites: {}\n")
    with pytest.raises(GitError) as raised:
        fleet_git.after(["phones.yml", "new.yml"])

    assert str(raised.value) == (
        "the remote origin main changed the same fleet files meanwhile (inventory/fleet/phones.yml): this change"
        " conflicts with it, so it was undone and nothing was changed; pull, then run again"
    )
    assert git(work, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(work, "rev-parse", "HEAD") == head
    assert {path.name: path.read_text() for path in fleet.iterdir()} == before_files
    assert git(remote, "rev-parse", "main") == remote_head


@pytest.mark.parametrize("given_as", ["configured remote", "remote option"])
def test_credentials_in_a_remote_url_never_appear_in_an_error(work, given_as):
    url = "http://fleetbot:s3cr3t-token@127.0.0.1:9/site.git"  # nothing listens on port 9 of loopback
    if given_as == "configured remote":
        git(work, "remote", "set-url", "origin", url)
        changes = {}
    else:
        changes = {"remote": url, "branch": "main"}
    fleet_git = FleetGit(str(fleet_of(work)), options(push=True, **changes))
    with pytest.raises(GitError) as pulled:
        FleetGit(str(fleet_of(work)), options(pull=True, **changes)).before(["phones.yml"])
    fleet_git.before(["phones.yml"])
    change_phones(work)
    head = git(work, "rev-parse", "HEAD")
    with pytest.raises(GitError) as pushed:
        fleet_git.after(["phones.yml"])
    for error in (pulled.value, pushed.value):
        assert "s3cr3t-token" not in str(error) and "fleetbot" not in str(error)
        assert "127.0.0.1:9/site.git" in str(error)
        if given_as == "remote option":
            assert "http://***@127.0.0.1:9/site.git" in str(error)
    assert git(work, "rev-parse", "HEAD") == head  # the push failed: the commit was undone
    assert git(work, "status", "--porcelain") == ""


def test_mask_url_credentials():
    assert mask_url_credentials("fatal: unable to access 'https://u:p@h.example/r.git/'") == (
        "fatal: unable to access 'https://***@h.example/r.git/'"
    )
    assert mask_url_credentials("ssh://git@h.example/r.git and git@h.example:r.git") == (
        "ssh://***@h.example/r.git and git@h.example:r.git"
    )
