# Private to this collection: one job run through ansible-runner, its secrets kept off disk and out of output.
"""Run one job with ansible-runner (``run_job``) and what it is given: nothing secret on a command line.

Each run gets a private data dir ``<run root>/job-<id>`` (0700) and, apart, ``<run root>/secret-<id>`` (0700)
holding the extra vars file (0600) that ansible-playbook reads with ``-e @file``: the survey's answers, the
password answers among them. That file is deleted as soon as the first event shows ansible-playbook has read
its options, and both folders are deleted when the run ends (events and stdout are in the database by then;
runner's own copies, its ``command`` and ``env`` artifacts included, go with the data dir). The vault password
is passed by path (``--vault-password-file``): its content is read only to mask it in the output.

Every event is scrubbed of the secret values before it leaves the run (``on_event``): a task that prints a
password shows ``********``, in the database and in runner's own artifacts alike: the event is scrubbed in
place, and runner writes that very dict to ``job_events`` after the handler returns. Runner writes no
``stdout``/``stderr`` artifact (``suppress_output_file``): the output is the events' ``stdout``, in the database.
Runner's callbacks: ``event_handler`` scrubs, hands the event on and returns True (fast: the caller only
enqueues); ``status_handler`` reports ``starting`` as the job running;
``cancel_callback`` asks runner to kill the process group once a cancel's grace time is over (the cancel itself
first sends SIGINT to the group: ansible-playbook stops as after Ctrl-C); ``finished_callback`` keeps runner's
final status and return code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shlex
import shutil
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..fleet.masking import MASK, scrub
from .model import CANCELED, ERROR, FAILED, SUCCESSFUL, Job

LOG = logging.getLogger("phonefleet.jobs")
#: the machine's tmpfs (RAM): the default place of running jobs' folders (``run_root``)
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - made private (0700, this user's) before use
#: the tmpfs is used only with this much free: a container's /dev/shm is often 64 MiB, and a 20,000-event job's
#: job_events files alone take tens of MiB (a full tmpfs would fail the job half way)
SHARED_MEMORY_MIN_FREE = 512 * 1024 * 1024
#: runner's env/settings of every job (``_run``)
RUNNER_SETTINGS = {"suppress_output_file": True}
#: shorter secrets are masked only where printed as a whole value (masking.scrub), so that a 3-letter
#: password does not turn every word holding those letters into a mask
_SUBSTRING_MIN = 4


def scrub_secrets(text: str, secrets: list[str]) -> str:
    """``text`` with every secret masked, also in its JSON spelling (events are scrubbed as JSON text)."""
    short = [secret for secret in secrets if 0 < len(secret) < _SUBSTRING_MIN]
    for secret in sorted((secret for secret in secrets if len(secret) >= _SUBSTRING_MIN), key=len, reverse=True):
        for spelling in (secret, json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(secret)[1:-1]):
            text = text.replace(spelling, MASK)
    return scrub(text, short) if short else text


def search_path() -> str:
    """PATH with the service's virtualenv first: its ansible-playbook runs the job (that bin/ is not always on
    PATH, e.g. under systemd)."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)])


def job_dirs(root: str, job_id: int) -> tuple[Path, Path]:
    """The private data dir and the secrets folder of job ``job_id`` in the run root ``root``."""
    return Path(root) / f"job-{job_id}", Path(root) / f"secret-{job_id}"


class RunRootError(Exception):
    """The run root is not a private folder of this user's: no job's folders may be made in it."""


def private_folder(folder: Path) -> Path:
    """``folder``, made 0700 if it is missing; :class:`RunRootError` unless it is then this user's own directory
    (not a symbolic link) that no one else may enter (mode 0700).

    Anyone may make names in a world-writable place (/dev/shm): a folder another user made there (or a link he
    put) would let him swap a job's answers file or its runner settings, which then run as this service."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    try:
        # the folder itself, never what a link put at its name points to: checked on the open descriptor
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise RunRootError(f"{folder} is not a folder that can be used: {exc.strerror}") from None
    try:
        status = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if status.st_uid != os.getuid():
        raise RunRootError(f"{folder} belongs to user id {status.st_uid}, not to this service's ({os.getuid()})")
    if status.st_mode & 0o077:
        raise RunRootError(f"{folder} is open to other users (mode {stat.S_IMODE(status.st_mode):04o}, not 0700)")
    return folder


def run_root(
    data_dir: str, run_dir: str = "", shared_memory: str = SHARED_MEMORY, min_free: int = SHARED_MEMORY_MIN_FREE
) -> Path:
    """Where running jobs' private data dirs and secrets folders are made: ``run_dir`` when it is set.

    Otherwise a folder on the machine's tmpfs (``shared_memory``, in RAM) named after the absolute ``data_dir``
    and the user: one per service, so that its restart finds its own leftovers and two services never share
    one. Runner's per-event files (the partial file ansible-playbook writes and runner reads and removes, the
    ``job_events`` file runner writes) then cost no disk, and the answers file is written to RAM, not to a disk
    (tmpfs pages may still be swapped out). Anyone may make names in /dev/shm: the folder is used only if it is
    this user's own directory, 0700 (``private_folder``); else ``data_dir``, with a warning (the answers file then
    goes to a disk). A tmpfs with less than ``min_free`` bytes free (a container's small /dev/shm) is not used
    either. JobRun checks the folder again before each job (it may have been removed and its name taken since).
    """
    if run_dir:
        return Path(run_dir)
    if not os.path.isdir(shared_memory):
        return Path(data_dir)
    space = os.statvfs(shared_memory)
    if space.f_bavail * space.f_frsize < min_free:
        return Path(data_dir)
    digest = hashlib.sha256(os.path.abspath(data_dir).encode()).hexdigest()[:16]
    try:
        return private_folder(Path(shared_memory) / f"phonefleet-jobs-{os.getuid()}-{digest}")
    except RunRootError as exc:
        LOG.warning("jobs' folders are made in the data dir %s, on disk, instead of the tmpfs: %s", data_dir, exc)
        return Path(data_dir)


@dataclass
class JobRun:
    """One job's run. ``run()`` blocks until it ends and returns (state, rc, reason); ``cancel()`` from any thread."""

    job: Job
    playbook: Path
    secrets: dict
    data_dir: str  # where the run's folders are made: the service's run root (run_root)
    project_dir: str
    inventory: str
    on_event: Callable[[dict], None]
    on_running: Callable[[], None]
    vault_password_file: str = ""
    cancel_grace_seconds: float = 10.0
    actor: str = ""  # PHONEFLEET_ACTOR: who launched the job, as a Git identity (fleet/git.py)
    #: the run root must be a private folder (``private_folder``): checked, and made again if gone, before the job,
    #: as run_root did at start; a folder on the shared tmpfs may have been removed since (logind's RemoveIPC at the
    #: service user's logout, a clean-up) and its name taken by another user. False only for the operator's own
    #: ``run_dir``/``data_dir``, made with its parents as it is
    private_root: bool = True
    pid: int | None = None
    _cancel_at: float | None = None
    _cancel_reason: str = ""
    _secret_values: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _final: tuple[str, int | None] = ("", None)

    def cancel(self, reason: str) -> None:
        """Stop the run: SIGINT to its process group now, SIGKILL (runner) after the grace time."""
        with self._lock:
            if self._cancel_at is not None:
                return
            self._cancel_at = time.monotonic()
            self._cancel_reason = reason
            pid = self.pid
        if pid is not None:
            _signal_group(pid, signal.SIGINT)

    def _cancel_callback(self) -> bool:
        with self._lock:
            if self._cancel_at is None:
                return False
            # no process seen yet (no event): nothing to stop gently, runner kills at once
            return self.pid is None or time.monotonic() - self._cancel_at >= self.cancel_grace_seconds

    def _event_handler(self, event: dict) -> bool:
        pid = event.get("pid")
        if self.pid is None and isinstance(pid, int) and pid > 0:
            with self._lock:
                self.pid = pid
                canceled_before = self._cancel_at is not None
            _remove(job_dirs(self.data_dir, self.job.id)[1])  # ansible-playbook has read its extra vars
            if canceled_before:
                _signal_group(pid, signal.SIGINT)
        serialized = json.dumps(event, ensure_ascii=False)
        scrubbed = scrub_secrets(serialized, self._secret_values)
        if scrubbed != serialized:
            # in place: runner writes this very dict to job_events after the handler returns. Most events hold no
            # secret (the text comes back unchanged) and are handed on as they are: no second parse
            replacement = json.loads(scrubbed)
            event.clear()
            event.update(replacement)
        # a copy: runner hands a verbose output's lines to the handler as one dict, changed line by line (counter,
        # uuid, stdout), while the writer thread stores the events queued before
        self.on_event(dict(event))
        return True

    def _status_handler(self, status: dict, runner_config=None) -> None:
        if status.get("status") == "starting":
            self.on_running()

    def _finished_callback(self, runner) -> None:
        self._final = (runner.status, runner.rc)

    def run(self) -> tuple[str, int | None, str]:
        private, secret_dir = job_dirs(self.data_dir, self.job.id)
        self._secret_values = [str(value) for value in self.secrets.values() if str(value)]
        if self.vault_password_file:
            try:
                self._secret_values.append(Path(self.vault_password_file).read_text(encoding="utf-8").strip())
            except OSError as exc:
                return ERROR, None, f"the vault password file cannot be read: {exc.strerror}"
        if self.private_root:
            try:
                private_folder(Path(self.data_dir))
            except RunRootError as exc:
                LOG.warning("job %s not run: %s", self.job.id, exc)
                return ERROR, None, f"the job was not run: its run root cannot be trusted: {exc}"
        try:
            if not self.private_root:
                os.makedirs(self.data_dir, mode=0o700, exist_ok=True)
            private.mkdir(mode=0o700)
            secret_dir.mkdir(mode=0o700)
            extravars = secret_dir / "extravars.json"
            descriptor = os.open(extravars, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({**self.job.options.answers, **self.secrets}, handle)
            return self._run(private, extravars)
        except Exception as exc:  # noqa: BLE001  # pylint: disable=broad-exception-caught  # the job's error
            return ERROR, None, scrub_secrets(f"the job could not be run: {exc}", self._secret_values)
        finally:
            _remove(secret_dir)
            _remove(private)

    def _run(self, private: Path, extravars: Path) -> tuple[str, int | None, str]:
        import ansible_runner  # pylint: disable=import-outside-toplevel

        # runner's settings, read from this file only: runner 2.4 overwrites its ``suppress_output_file`` keyword
        # with its settings' value, and drops a ``settings`` keyword when no env/settings file exists.
        # No ``stdout``/``stderr`` artifacts: the job's output is its events' stdout, stored in the database, and
        # runner would write and flush each event's text to files nobody reads (the data dir goes at the end)
        (private / "env").mkdir(mode=0o700)
        (private / "env" / "settings").write_text(json.dumps(RUNNER_SETTINGS), encoding="utf-8")
        options = self.job.options
        cmdline = ["-e", f"@{extravars}"]
        if options.check:
            cmdline.append("--check")
        if options.diff:
            cmdline.append("--diff")
        if self.vault_password_file:
            cmdline += ["--vault-password-file", str(Path(self.vault_password_file).resolve())]
        ansible_runner.run(
            private_data_dir=str(private),
            project_dir=self.project_dir,
            playbook=str(self.playbook),
            inventory=str(Path(self.inventory).resolve()),
            limit=options.limit or None,
            verbosity=options.verbosity or None,
            cmdline=shlex.join(cmdline),
            envvars={
                "ANSIBLE_CONFIG": str(Path(self.project_dir) / "ansible.cfg"),
                "ANSIBLE_NOCOLOR": "1",
                "PATH": search_path(),
                **({"PHONEFLEET_ACTOR": self.actor} if self.actor else {}),
            },
            ident="run",
            quiet=True,
            suppress_env_files=True,
            # the fact cache of ansible.cfg, as ansible-playbook run by hand has: runner's default is a jsonfile
            # cache in its artifacts, which go with the data dir at the job's end, and each host's variables then
            # cost a look for a file that is not there
            fact_cache_type="",
            event_handler=self._event_handler,
            status_handler=self._status_handler,
            cancel_callback=self._cancel_callback,
            finished_callback=self._finished_callback,
        )
        if self.pid is not None:  # whatever of the group outlived ansible-playbook (a task's child) goes too
            _signal_group(self.pid, signal.SIGKILL)
        status, rc = self._final
        if self._cancel_at is not None:
            return CANCELED, rc, self._cancel_reason
        if status == "successful":
            return SUCCESSFUL, rc, ""
        return (
            FAILED,
            rc,
            f"ansible-playbook ended with return code {rc}" if status == "failed" else f"runner: {status}",
        )


def _signal_group(pid: int, signal_number: int) -> None:
    try:
        os.killpg(pid, signal_number)
    except (ProcessLookupError, PermissionError):
        pass


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
