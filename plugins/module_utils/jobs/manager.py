# Private to this collection: the job service's queue, workers, event writer and restart recovery.
"""Jobs from launch to end: a queue, at most ``max_concurrent_jobs`` runs at once, one writer for events.

``launch`` stores the job (pending) and queues it; its password answers stay in this process's memory only, until
a worker hands them to the run. Runner's event handler only puts events on the writer's queue; the writer thread
stores them in batches, and stores a job's end after its last event, so a client that sees the end has seen
every event. At start (``start``) no job is left running or pending from an earlier process: each is marked
failed with the reason (its events so far are kept), what is left of its process group is killed and the data
dirs left behind are deleted. The jobs' folders are made in the run root (runner.run_root: on the machine's tmpfs
unless ``run_dir`` is set), found at start; an empty one made on tmpfs is removed at stop.

Seams for the next pieces: ``launched_by`` / ``by`` name who acted (the user-action journal records them);
``on_finished`` (job) is called with every job that ends, however it ends (run, canceled while it waited, failed
by a stop or a restart), once, after its end is stored: webhooks hook in there.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import queue
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from .catalogue import Catalogue, LaunchError
from .model import CANCELED, FAILED, PENDING, RUNNING, Job
from .runner import JobRun, job_dirs, run_root
from .settings import JobSettings
from .store import JobStore

LOG = logging.getLogger("phonefleet.jobs")
#: events written in one transaction at most
_BATCH = 1000
RESTART_REASON_RUNNING = "the job service stopped while the job ran; its output up to then is kept"
RESTART_REASON_PENDING = "the job service stopped before the job started; relaunch it (passwords are asked again)"
STOP_REASON = "the job service was stopped"


class JobManager:
    def __init__(
        self,
        store: JobStore,
        catalogue: Catalogue,
        settings: JobSettings,
        on_finished: Callable[[Job], None] | None = None,
        actor_of: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.settings = settings
        self.on_finished = on_finished
        # "Full Name <email>" of the user who launched a job: its PHONEFLEET_ACTOR (a fleet edit's Git author)
        self.actor_of = actor_of or (lambda name: f"{name} <{name}@phonefleet>")
        self._pending: queue.Queue[int | None] = queue.Queue()
        self._writes: queue.Queue[tuple] = queue.Queue()
        self._secrets: dict[int, dict] = {}
        self._runs: dict[int, JobRun] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._pid_known: set[int] = set()  # jobs whose process id is stored (for a restart to kill what is left)
        # per job, how many times the writer stored something of it (events, its end): a live stream waits on
        # this in memory instead of asking the database again and again (``stored_changes``)
        self._stored_changes: dict[int, int] = {}
        self._ended: set[int] = set()  # jobs whose end the writer stored (``ended``)
        self.run_root = settings.run_dir or settings.data_dir  # found at start (runner.run_root)
        self._shared_root = False  # whether the run root is run_root's own folder on the tmpfs (``start``)

    # -- life of the service -----------------------------------------------------------------------

    def start(self) -> None:
        self.run_root = str(run_root(self.settings.data_dir, self.settings.run_dir))
        # as Paths: "runs/" and "runs" are one folder, the operator's, never removed at stop
        self._shared_root = Path(self.run_root) not in (Path(self.settings.run_dir), Path(self.settings.data_dir))
        self.recover()
        writer = threading.Thread(target=self._write_loop, name="jobs-writer", daemon=True)
        self._threads = [writer] + [
            threading.Thread(target=self._work_loop, name=f"jobs-worker-{index}", daemon=True)
            for index in range(self.settings.max_concurrent_jobs)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Cancel what runs, fail what waits, and wait for the workers and the writer."""
        with self._lock:
            runs = list(self._runs.values())
            waiting = list(self._secrets)
            self._secrets.clear()
        for job_id in waiting:
            self.store.finish(job_id, FAILED, None, STOP_REASON)
            self._finished(job_id)
        for run in runs:
            run.cancel(STOP_REASON)
        for _thread in self._threads[1:]:
            self._pending.put(None)
        for thread in self._threads[1:]:
            thread.join()
        self._writes.put(("stop",))
        self._threads[0].join()
        if self._shared_root:
            with contextlib.suppress(OSError):  # not empty: a job's leftovers, for the next start to clear
                os.rmdir(self.run_root)

    def recover(self) -> None:
        """End what an earlier process left pending or running (see the module's doc)."""
        for job, _pid in self.store.unfinished():
            if job.state == RUNNING:
                self._kill_leftover(job.id)
            self.store.finish(
                job.id, FAILED, None, RESTART_REASON_RUNNING if job.state == RUNNING else RESTART_REASON_PENDING
            )
            self._finished(job.id)
        for root in self._roots():
            if root.is_dir():
                for leftover in root.iterdir():
                    if leftover.name.startswith(("job-", "secret-")):
                        shutil.rmtree(leftover, ignore_errors=True)

    def _roots(self) -> list[Path]:
        """Where jobs' folders may be: the run root and the data dir (the run root of a service before it)."""
        return list(dict.fromkeys((Path(self.run_root), Path(self.settings.data_dir))))

    def _kill_leftover(self, job_id: int) -> None:
        """Kill every process an earlier run left: ansible-playbook may be gone while a task's command still runs.
        Each is known by its environment, which names the job's private data dir (runner sets it, children
        inherit it): a process id reused by another program is left alone."""
        folders = [str(job_dirs(str(root), job_id)[0].resolve()).encode() for root in self._roots()]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environment = (entry / "environ").read_bytes()
            except OSError:  # gone, or not ours
                continue
            if any(private + b"/" in environment or private + b"\0" in environment for private in folders):
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    # -- what the API calls ------------------------------------------------------------------------

    def launch(self, options, secrets: dict, launched_by: str, relaunch_of: int | None = None) -> Job:
        job = self.store.add_job(options, launched_by, relaunch_of)
        with self._lock:
            self._secrets[job.id] = secrets
        self._pending.put(job.id)
        return job

    def relaunch(self, job_id: int, secrets: dict, launched_by: str) -> Job:
        """The job again with the same answers; its password answers must be given again (``secrets``)."""
        earlier = self.store.job(job_id)
        for variable in earlier.options.secret_variables:
            if variable not in secrets:
                raise LaunchError(f"extra_vars.{variable}", "is a password: give it again to relaunch")
        options = earlier.options
        new_options, new_secrets = self.catalogue.launch_options(
            options.playbook,
            options.limit,
            options.check,
            options.diff,
            options.verbosity,
            {**options.answers, **secrets},
        )
        return self.launch(new_options, new_secrets, launched_by, relaunch_of=job_id)

    def cancel(self, job_id: int, by: str) -> Job:
        reason = f"canceled by {by}"
        with self._lock:
            run = self._runs.get(job_id)
            waited = self._secrets.pop(job_id, None) is not None
            if waited or run is None:
                self.store.finish(job_id, CANCELED, None, reason)  # not started: it never will
        if waited:
            self._finished(job_id)  # no worker will: it ends here
        if run is not None:
            run.cancel(reason)
        return self.store.job(job_id)

    # -- threads -----------------------------------------------------------------------------------

    def _work_loop(self) -> None:
        while (job_id := self._pending.get()) is not None:
            with self._lock:
                secrets = self._secrets.pop(job_id, None)
                job = self.store.job(job_id)
                if secrets is None or job.state != PENDING:
                    continue  # canceled while it waited
                run = JobRun(
                    job=job,
                    playbook=self.catalogue.get(job.options.playbook).path,
                    secrets=secrets,
                    data_dir=self.run_root,
                    project_dir=self.settings.project_dir,
                    inventory=self.settings.inventory,
                    on_event=functools.partial(self._enqueue_event, job_id),
                    on_running=functools.partial(self.store.mark_running, job_id),
                    vault_password_file=self.settings.vault_password_file,
                    cancel_grace_seconds=self.settings.cancel_grace_seconds,
                    actor=self.actor_of(job.launched_by),
                    private_root=self._shared_root,
                )
                self._runs[job_id] = run
            state, rc, reason = run.run()
            with self._lock:
                del self._runs[job_id]
            done = threading.Event()
            self._writes.put(("finish", job_id, state, rc, reason, done))
            done.wait()

    def _enqueue_event(self, job_id: int, event: dict) -> None:
        self._writes.put(("event", job_id, event))

    def _write_loop(self) -> None:
        stop = False
        while not stop:
            items = [self._writes.get()]
            while len(items) < _BATCH:
                try:
                    items.append(self._writes.get_nowait())
                except queue.Empty:
                    break
            events: dict[int, list[dict]] = {}
            for item in items:
                if item[0] == "event":
                    events.setdefault(item[1], []).append(item[2])
                    continue
                self._flush(events)
                events = {}
                if item[0] == "stop":
                    stop = True
                else:
                    self._end(*item[1:])
            self._flush(events)

    def _flush(self, events: dict[int, list[dict]]) -> None:
        for job_id, batch in events.items():
            first_pid = next((event["pid"] for event in batch if isinstance(event.get("pid"), int)), None)
            try:
                if first_pid is not None and job_id not in self._pid_known:
                    self.store.set_pid(job_id, first_pid)
                    self._pid_known.add(job_id)
                self.store.add_events(job_id, batch)
            except Exception:  # pylint: disable=broad-exception-caught  # the writer must outlive a bad batch
                LOG.exception("job %s: %d events could not be stored", job_id, len(batch))
            self._stored_changes[job_id] = self._stored_changes.get(job_id, 0) + 1

    def stored_changes(self, job_id: int) -> int:
        """A number that grows each time the writer has stored events or the end of job ``job_id``."""
        return self._stored_changes.get(job_id, 0)

    def ended(self, job_id: int) -> bool:
        """Whether the writer has stored the end of job ``job_id`` run here (after all its events)."""
        return job_id in self._ended

    def _end(self, job_id: int, state: str, rc: int | None, reason: str, done: threading.Event) -> None:
        try:
            self.store.finish(job_id, state, rc, reason)
        except Exception:  # pylint: disable=broad-exception-caught
            LOG.exception("job %s: its end could not be stored", job_id)
        else:
            self._ended.add(job_id)
            self._stored_changes[job_id] = self._stored_changes.get(job_id, 0) + 1
            self._finished(job_id)
        finally:
            done.set()

    def _finished(self, job_id: int) -> None:
        """``on_finished`` with the ended job as stored; what it raises is logged, never the end's undoing."""
        if self.on_finished is None:
            return
        try:
            self.on_finished(self.store.job(job_id))
        except Exception:  # pylint: disable=broad-exception-caught
            LOG.exception("job %s: what follows its end failed", job_id)
