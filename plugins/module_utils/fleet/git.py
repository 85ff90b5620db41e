# Private to this collection: recording fleet changes as Git commits.
"""Git around a fleet change: one commit per change, the acting user as author, nothing half applied.

A module that writes fleet files calls it like this::

    from .git import FleetGit, GitOptions, GitError

    options = GitOptions(commit=True, pull=False, push=False, author="Ivan Petrov <ivan@example.com>",
                         message="phone 805ec0112233: profile office -> warehouse", reason="TICKET-42")
    git = FleetGit(fleet_dir, options)  # GitError if a commit is asked and fleet_dir is in no work tree
    git.before(paths)     # refuses uncommitted changes to ``paths`` and a repository mid-merge or mid-rebase;
                          # with pull: ``git pull --ff-only`` (a diverged branch is refused, nothing changed)
    try:
        ...               # the caller writes its files (all or none)
    except Exception:
        git.undo(paths)   # the write failed: ``paths`` back as they were committed
        raise
    sha = git.after(paths)  # commits exactly ``paths`` (None when nothing changed); with push: pushes, and
                            # when the remote moved, rebases onto it; on any failure the commit and the
                            # caller's change are undone and GitError names the conflicting files

The commit runs without the repository's hooks (``--no-verify``): a local hook must not stop a run between
its write and its commit. If the commit itself fails, the files stay written (unstaged) and GitError says
why: the caller calls undo() to drop them.

``paths`` are files or folders, absolute or relative to the fleet directory, inside the work tree. With
``commit=False`` every call does nothing, so callers need no branch of their own.

Author: the ``author`` option, else ``$PHONEFLEET_ACTOR`` (set by the job service), else the repository's
configured user, else ``<os user> <os user@host>``; always ``Name <email>``. Committer: the repository's
configured identity, else ``PhoneFleet <phonefleet@localhost>``. The message: ``message`` (what, at most 72
characters) on the first line; then ``reason`` (why), the actor and the files; then trailers.

Git runs as a command (argument lists, no shell), never prompting (``GIT_TERMINAL_PROMPT=0``); a remote URL
is never shown with its credentials: ``user:password@`` is masked in every message.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import subprocess
from dataclasses import dataclass, field

DEFAULT_COMMITTER = ("PhoneFleet", "phonefleet@localhost")
SUBJECT_LIMIT = 72
ACTOR_ENV = "PHONEFLEET_ACTOR"
_IDENTITY = re.compile(r"^(?P<name>[^<>\n]*[^<>\s][^<>\n]*?) <(?P<email>[^<>\s]+)>$")
# The user-information part of a URL (``https://user:token@host``), in any message git prints.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'\"]+@")
_TIMEOUT = 300


class GitError(Exception):
    """A Git step refused or failed; the message says what to do and never holds URL credentials."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_url_credentials(message))


def mask_url_credentials(text: str) -> str:
    """``text`` with the credentials of every URL in it masked: ``https://***@host/...``."""
    return _URL_CREDENTIALS.sub(lambda match: match["scheme"] + "***@", text)


def parse_identity(identity: str, what: str = "author") -> tuple[str, str]:
    """(name, email) of ``Name <email>``; GitError naming ``what`` otherwise."""
    match = _IDENTITY.match(identity.strip())
    if match is None or "@" not in match["email"]:
        raise GitError(f"{what}: {identity!r} is not of the form 'Name <email@domain>'")
    return match["name"].strip(), match["email"]


@dataclass(frozen=True)
class GitOptions:
    """What a fleet change asks of Git (the modules' ``git_*`` options)."""

    commit: bool = False
    pull: bool = False
    push: bool = False
    #: ``Name <email>`` of the acting user; empty: resolved (see the module docstring)
    author: str | None = None
    #: what changed, the commit's first line
    message: str = "Fleet change"
    #: why (a ticket, a request), in the body
    reason: str | None = None
    #: remote and branch to pull from and push to; None: the branch's upstream (else ``origin``, the current branch)
    remote: str | None = None
    branch: str | None = None
    #: trailers, e.g. ``{"Phonefleet-Run": "import_csv.yml"}``
    trailers: dict[str, str] = field(default_factory=dict)


def _subject(message: str) -> str:
    """The first line of ``message``, at most SUBJECT_LIMIT characters."""
    lines = message.strip().splitlines()
    first = lines[0].strip() if lines else ""
    if not first:
        raise GitError("message: the commit message is empty; say what changed")
    return first if len(first) <= SUBJECT_LIMIT else first[: SUBJECT_LIMIT - 1].rstrip() + "…"


class FleetGit:
    """Git steps around one fleet change in the work tree holding ``fleet_dir`` (see the module docstring)."""

    def __init__(self, fleet_dir: str, options: GitOptions) -> None:
        self.options = options
        self.fleet_dir = os.path.abspath(fleet_dir)
        self.top: str | None = None
        if not self.enabled:
            return
        if options.author:
            parse_identity(options.author)
        if not os.path.isdir(self.fleet_dir):
            raise GitError(f"fleet_dir: {self.fleet_dir} is not a directory")
        completed = self._run_in(self.fleet_dir, "rev-parse", "--show-toplevel", check=False)
        if completed.returncode != 0:
            raise GitError(
                f"fleet_dir: {self.fleet_dir} is not inside a Git work tree, so the change cannot be committed"
                " (git init there, or clone the site repository, or leave the commit option off)"
            )
        self.top = completed.stdout.strip()

    @property
    def enabled(self) -> bool:
        return self.options.commit

    # -- the three steps ------------------------------------------------------------------------------------

    def before(self, paths: list[str]) -> None:
        """Check that ``paths`` can be changed and committed alone; with pull, bring the branch up to date."""
        if not self.enabled:
            return
        self._refuse_operation_in_progress()
        pathspecs = self._pathspecs(paths)
        dirty = self._changed(pathspecs)
        if dirty:
            raise GitError(
                "these fleet files have uncommitted changes, which a commit of this change would carry: "
                + ", ".join(dirty)
                + "; commit or discard them first (git status), nothing was changed"
            )
        if self.options.pull:
            remote, branch = self._remote_branch()
            pulled = self._run("pull", "--ff-only", "--no-rebase", remote, branch, check=False)
            if pulled.returncode != 0:
                raise GitError(
                    f"git pull --ff-only {remote} {branch} failed, nothing was changed: {_tail(pulled)}"
                    " (the local branch and the remote have diverged or the remote is unreachable: merge or"
                    " rebase by hand, then run again)"
                )

    def after(self, paths: list[str]) -> str | None:
        """Commit exactly ``paths``; with push, push. The commit's sha, or None when nothing changed."""
        if not self.enabled:
            return None
        self._refuse_operation_in_progress()
        pathspecs = self._pathspecs(paths)
        head_before = self._head()
        changed = self._changed(pathspecs)
        if not changed:
            return None
        self._run("add", "--all", "--", *pathspecs)
        author = self.author()
        try:
            self._run(
                "commit", "--quiet", "--no-verify", "--author", author, "--file", "-", "--only", "--", *pathspecs,
                input=self._message(author, changed), env=self._committer_env(),
            )  # fmt: skip
        except GitError:
            self._restore(head_before, pathspecs, keep_worktree=True)
            raise
        sha = self._head()
        if self.options.push:
            self._push(head_before, pathspecs)
            sha = self._head()
        return sha

    def pending(self, paths: list[str]) -> list[str]:
        """The files under ``paths`` that after() would commit (check mode), relative to the work tree."""
        return self._changed(self._pathspecs(paths)) if self.enabled else []

    def undo(self, paths: list[str]) -> None:
        """The caller's write failed after before(): ``paths`` back to their committed state."""
        if not self.enabled:
            return
        self._restore(self._head(), self._pathspecs(paths), keep_worktree=False)

    # -- identity and message -------------------------------------------------------------------------------

    def author(self) -> str:
        """``Name <email>`` of the acting user (see the module docstring for the order)."""
        if self.options.author:
            identity, what = self.options.author, "author"
        elif os.environ.get(ACTOR_ENV):
            identity, what = os.environ[ACTOR_ENV], f"${ACTOR_ENV}"
        else:
            configured = self._configured_identity()
            user = getpass.getuser()
            name, email = configured or (user, f"{user}@{socket.gethostname()}")
            identity, what = f"{name} <{email}>", "the Git user (user.name, user.email)"
        name, email = parse_identity(identity, what)
        return f"{name} <{email}>"

    def _message(self, author: str, files: list[str]) -> str:
        body = []
        if self.options.reason:
            body.append(f"Why: {self.options.reason.strip()}")
        body.append(f"Changed by: {author}")
        body.append("")
        body.append("Files:")
        body.extend(f"  {name}" for name in files)
        trailers = [f"{key}: {value}" for key, value in self.options.trailers.items() if value]
        text = _subject(self.options.message) + "\n\n"
        rest = self.options.message.strip().splitlines()[1:]
        if any(line.strip() for line in rest):
            text += "\n".join(rest).strip() + "\n\n"
        text += "\n".join(body) + "\n"
        if trailers:
            text += "\n" + "\n".join(trailers) + "\n"
        return text

    def _configured_identity(self) -> tuple[str, str] | None:
        name = self._run("config", "user.name", check=False).stdout.strip()
        email = self._run("config", "user.email", check=False).stdout.strip()
        return (name, email) if name and email else None

    def _committer_env(self) -> dict[str, str]:
        name, email = self._configured_identity() or DEFAULT_COMMITTER
        return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}

    # -- push, and going back -------------------------------------------------------------------------------

    def _push(self, head_before: str | None, pathspecs: list[str]) -> None:
        remote, branch = self._remote_branch()
        pushed = self._run("push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            return
        fetched = self._run("fetch", remote, branch, check=False)
        if fetched.returncode != 0:
            self._restore(head_before, pathspecs, keep_worktree=False)
            raise GitError(
                f"git push {remote} failed and the remote could not be fetched, so the change was undone and"
                f" nothing was changed: {_tail(pushed)}"
            )
        rebased = self._run("rebase", "--no-autostash", "FETCH_HEAD", check=False)
        if rebased.returncode != 0:
            conflicts = self._run("diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
            self._run("rebase", "--abort", check=False)
            self._restore(head_before, pathspecs, keep_worktree=False)
            raise GitError(
                f"the remote {remote} {branch} changed the same fleet files meanwhile"
                + (f" ({', '.join(conflicts)})" if conflicts else "")
                + ": this change conflicts with it, so it was undone and nothing was changed; pull, then run again"
            )
        pushed = self._run("push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode != 0:
            self._restore(head_before, pathspecs, keep_worktree=False)
            raise GitError(
                f"git push {remote} failed, so the change was undone and nothing was changed: {_tail(pushed)}"
            )

    def _restore(self, head: str | None, pathspecs: list[str], keep_worktree: bool) -> None:
        """Back to commit ``head`` on the current branch, and ``pathspecs`` as ``head`` holds them (unless
        ``keep_worktree``: only the index). Other files, staged or not, are left alone."""
        if head is None:
            self._run("update-ref", "-d", "HEAD", check=False)
            self._run("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "--", *pathspecs, check=False)
            if not keep_worktree:
                self._run("clean", "-f", "-d", "--quiet", "--", *pathspecs, check=False)
            return
        self._run("reset", "--soft", head)
        if keep_worktree:
            for pathspec in pathspecs:
                self._run("restore", f"--source={head}", "--staged", "--", pathspec, check=False)
            return
        added = self._run("diff", "--cached", "--name-only", "-z", "--diff-filter=A", head, "--", *pathspecs).stdout
        # restore (no-overlay) takes back what ``head`` holds under the paths; files the change added go after
        for pathspec in pathspecs:  # one by one: a path ``head`` lacks (a new file) makes restore refuse them all
            self._run("restore", f"--source={head}", "--staged", "--worktree", "--", pathspec, check=False)
        for name in filter(None, added.split("\0")):
            self._run("rm", "--cached", "--quiet", "--ignore-unmatch", "--", f":(literal){name}", check=False)
        # before() saw nothing untracked under the paths: what is untracked there now, the change wrote
        self._run("clean", "-f", "-d", "--quiet", "--", *pathspecs, check=False)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _refuse_operation_in_progress(self) -> None:
        for marker, what in (
            ("MERGE_HEAD", "a merge"),
            ("rebase-merge", "a rebase"),
            ("rebase-apply", "a rebase"),
            ("CHERRY_PICK_HEAD", "a cherry-pick"),
            ("REVERT_HEAD", "a revert"),
        ):
            path = self._run("rev-parse", "--git-path", marker).stdout.strip()
            if os.path.exists(os.path.join(self.top or "", path)):
                raise GitError(
                    f"the repository {self.top} is in the middle of {what}: finish or abort it first,"
                    " nothing was changed"
                )

    def _pathspecs(self, paths: list[str]) -> list[str]:
        """``paths`` as literal pathspecs relative to the work tree's top; refuses paths outside it."""
        if not paths:
            raise GitError("paths: give the fleet files (or folders) the change writes")
        top = os.path.realpath(self.top or "")
        specs = []
        for path in paths:
            absolute = os.path.realpath(os.path.join(self.fleet_dir, path))
            relative = os.path.relpath(absolute, top)
            if relative == ".." or relative.startswith("../"):
                raise GitError(f"paths: {path} is outside the Git work tree {self.top}")
            specs.append(f":(literal){relative}" if relative != "." else ":/")
        return specs

    def _changed(self, pathspecs: list[str]) -> list[str]:
        """Files under ``pathspecs`` that differ from HEAD (staged or not) or are untracked and not ignored."""
        status = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs).stdout
        names = []
        entries = status.split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if not entry:
                continue
            names.append(entry[3:])
            if entry[0] in "RC":  # a rename's source follows
                index += 1
        return sorted(names)

    def _head(self) -> str | None:
        completed = self._run("rev-parse", "--verify", "--quiet", "HEAD", check=False)
        return completed.stdout.strip() or None

    def _remote_branch(self) -> tuple[str, str]:
        branch = self.options.branch or self._run("symbolic-ref", "--short", "HEAD").stdout.strip()
        remote = self.options.remote
        if remote is None:
            configured = self._run("config", f"branch.{branch}.remote", check=False).stdout.strip()
            remote = configured or "origin"
        return remote, branch

    def _run(
        self, *args: str, check: bool = True, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self._run_in(self.top or self.fleet_dir, *args, check=check, input=input, env=env)

    @staticmethod
    def _run_in(
        directory: str, *args: str, check: bool = True, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0", **(env or {}))
        environment.pop("GIT_DIR", None)
        environment.pop("GIT_WORK_TREE", None)
        command = ["git", "-C", directory, "-c", "core.quotepath=off", *args]
        try:
            completed = subprocess.run(
                command, input=input, capture_output=True, text=True, env=environment, timeout=_TIMEOUT, check=False
            )
        except FileNotFoundError:
            raise GitError("git is not installed on the controller (apt-get install git)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} did not finish within {_TIMEOUT} s") from None
        if check and completed.returncode != 0:
            raise GitError(f"git {' '.join(args[:1])} failed: {_tail(completed)}")
        return completed


def _tail(completed: subprocess.CompletedProcess[str]) -> str:
    """The last lines git printed, credentials masked."""
    text = (completed.stderr or completed.stdout or "").strip()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
    return mask_url_credentials(" / ".join(lines[-3:]) or f"exit status {completed.returncode}")
