"""Job service benchmark (issue 13): first-event latency, event ingestion, overhead against ansible-playbook.

The site is bench_resync's: 5,000 simulated phones (phonefleet_simulator, each on its own 127.x.y.z address, in
this process), read by the fleet inventory plugin. The job service runs in a process of its own (uvicorn, the
repository's catalogue, SQLite, one job at a time), is driven over HTTP on loopback with a token, and every job
is followed to its end by its Server-Sent Events stream, as a client does. The job is the catalogue's
``resync.yml`` with ``phonefleet_batch=false``: one task per phone, so runner's events are per host (a
``runner_on_start`` and a ``runner_on_ok``, or ``runner_on_failed``, for every phone, plus the play's own).

- **first event**: BENCH_LAUNCHES (20) launches, each of a one-phone resync, one after the other: the seconds
  from the launch request to the first ``events`` message of the job's stream (the service's default stream
  interval, 0.5 s), split into queue (launch to running), ansible-playbook's start (running to its first
  event's own timestamp: Python, Ansible, the 5,000-phone inventory) and delivery (to the client); beside them,
  ansible-playbook run by hand to its first line and ``--list-hosts`` (its start: the inventory and the playbook).
- **ingestion**: one job over all the phones. Events: runner's own count (the ``job_events`` files runner wrote
  in the job's private data dir, counted by the service process just before it deletes that dir), the events
  stored (the job's ``event_count``), the events the stream delivered (in counter order, none twice); lost =
  runner's - stored. Ansible produces per-host events far slower than the service stores them, so the job's rate
  is Ansible's; the service's own ingestion rate is measured by replaying that job's events, as runner's event
  handler hands them on (scrubbed), into the service's writer (JobManager) and a fresh SQLite store, as fast
  as they can be put on its queue: BENCH_REPLAYS (3) times.
- **overhead**: the same playbook over the first BENCH_SAMPLE (200) phones (``--limit phones[0:199]``), run
  BENCH_RUNS (3) times each way, in turn: ``ansible-playbook`` directly and a launch through the service
  followed to its end. Wall seconds of each (median, min, max), the ratio pair by pair, and CPU seconds:
  ansible-playbook run directly, ansible-playbook under runner (the service's reaped children), the service
  process itself.

The bench lowers its own priority (nice 15; every process it starts inherits it): the machine is shared.
Asserts nothing; prints the goals of issue 13 beside the figures: first event <= 1 s median, >= 2,000 events/s
stored with 0 lost, overhead <= 10 %.
Environment: BENCH_PHONES (5000, bench_resync's), BENCH_LAUNCHES (20), BENCH_SAMPLE (200), BENCH_RUNS (3),
BENCH_REPLAYS (3), BENCH_OCTET (210), BENCH_SMALL_SITE (20: the first event is also measured on a site of that
many phones), BENCH_BASELINE (none: another checkout whose service the overhead part runs too, before/after).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "collections", ROOT / "simulator", ROOT / "service"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import httpx  # noqa: E402
import yaml  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import Catalogue  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.manager import JobManager  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import (  # noqa: E402
    SUCCESSFUL,
    LaunchOptions,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import JobRun  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import JobSettings  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore  # noqa: E402

from tests.bench.bench_resync import PHONES, booted_fleet, write_inventory  # noqa: E402
from tests.support.service import free_port  # noqa: E402
from tests.unit.jobs.support import ADMIN_TOKEN, TOKEN_HASH, wait_serving  # noqa: E402

LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", "20"))
SAMPLE = min(PHONES, int(os.environ.get("BENCH_SAMPLE", "200")))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REPLAYS = int(os.environ.get("BENCH_REPLAYS", "3"))
SMALL_SITE = int(os.environ.get("BENCH_SMALL_SITE", "20"))
BENCH = ROOT / "build" / "bench" / "jobs"
VAULT_PASSWORD_FILE = ROOT / "inventory" / "demo" / "demo-vault-password.txt"
#: resync.yml's survey answered as its defaults but for one task per phone (the survey requires every answer)
PER_HOST = {
    "phonefleet_targets": "phones",
    "phonefleet_batch": "false",
    "phonefleet_concurrency": 50,
    "phonefleet_method": "auto",
    "phonefleet_max_fail_percentage": 0,
}
GOAL_FIRST_EVENT, GOAL_EVENTS_PER_SECOND, GOAL_OVERHEAD = 1.0, 2000.0, 0.10
#: another checkout of the repository (e.g. `git worktree add /tmp/before <commit>`): the overhead part runs its
#: service too, in turn with this checkout's, and prints both side by side
BASELINE = os.environ.get("BENCH_BASELINE", "")
#: the service's process, with runner's events counted from its artifacts before the data dir goes (runner.py
#: deletes it when the job ends): one JSON line per job in the file argv[2]
SERVE = """
import json, sys
from pathlib import Path
import uvicorn
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs import runner
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import JobSettings
from phonefleet_jobs.app import create_app
from tests.bench.bench_jobs import runner_event_count

settings = JobSettings(**json.loads(sys.argv[1]))
settings.check("bench")
remove = runner._remove

def counted_remove(path):
    if path.name.startswith("job-"):
        with open(sys.argv[2], "a", encoding="utf-8") as counts:
            counts.write(json.dumps({"job": int(path.name[4:]), "events": runner_event_count(path)}) + "\\n")
    remove(path)

runner._remove = counted_remove
uvicorn.run(create_app(settings), host="127.0.0.1", port=settings.http_port, log_level="warning")
"""


# -- counting (tests/unit/jobs/test_bench_counting.py) -----------------------------------------------------


def runner_event_count(private_data_dir: Path) -> int:
    """The events runner wrote for a job: one ``job_events/<counter>-<uuid>.json`` file each (runner.py's ident
    is ``run``); runner writes one for every event its event handler accepted."""
    return sum(1 for _path in (private_data_dir / "artifacts" / "run" / "job_events").glob("*.json"))


def sse_messages(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(event, data) of each Server-Sent Events message in ``lines`` (the stream's lines, without line ends)."""
    event, data = "message", []
    for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


@dataclass
class Followed:
    """What a client following a job's stream saw."""

    launched: float  # time.time() just before the launch request
    first_seen: float | None = None  # when the first events message arrived
    first_event: dict = field(default_factory=dict)
    counters: list[int] = field(default_factory=list)
    job: dict = field(default_factory=dict)  # the end message's job
    ended: float = 0.0

    @property
    def out_of_order(self) -> int:
        """Events the stream delivered twice or after a later one (must be 0)."""
        return sum(1 for before, after in zip(self.counters, self.counters[1:], strict=False) if after <= before)

    def lost(self, runner_count: int) -> int:
        """Events runner counted that were not stored."""
        return runner_count - self.job["event_count"]

    def missing_from_stream(self) -> int:
        """Stored events the stream did not deliver (counters run 1..event_count)."""
        return len(set(range(1, self.job["event_count"] + 1)) - set(self.counters))


def read_stream(lines: Iterable[str], followed: Followed, clock=time.time) -> Followed:
    """Fill ``followed`` from a job's stream until its ``end`` message."""
    for event, data in sse_messages(lines):
        if event == "events":
            batch = json.loads(data)
            if followed.first_seen is None and batch:
                followed.first_seen, followed.first_event = clock(), batch[0]
            followed.counters += [item["counter"] for item in batch]
        elif event == "end":
            followed.job, followed.ended = json.loads(data), clock()
            break
    return followed


# -- the service ---------------------------------------------------------------------------------------------


@dataclass
class Service:
    client: httpx.Client
    process: subprocess.Popen
    counts: Path

    def launch_and_follow(self, playbook: str, limit: str = "", extra_vars: dict | None = None) -> Followed:
        followed = Followed(launched=time.time())
        answer = self.client.post(
            "/api/v1/jobs", json={"playbook": playbook, "limit": limit, "extra_vars": extra_vars or {}}
        )
        if answer.status_code != 201:
            raise SystemExit(f"launch refused: {answer.status_code} {answer.text}")
        with self.client.stream("GET", f"/api/v1/jobs/{answer.json()['id']}/stream", timeout=None) as stream:
            return read_stream(stream.iter_lines(), followed)

    def runner_count(self, job_id: int) -> int:
        for line in self.counts.read_text(encoding="utf-8").splitlines():
            if json.loads(line)["job"] == job_id:
                return json.loads(line)["events"]
        raise SystemExit(f"runner's event count of job {job_id} was not recorded")

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time (user + system) of the service process itself, and of the processes it started and reaped:
        the jobs' ansible-playbook and its workers (proc(5): utime, stime, cutime, cstime)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks, (int(fields[13]) + int(fields[14])) / ticks


@contextlib.contextmanager
def job_service(directory: Path, inventory: Path, root: Path = ROOT) -> Iterator[Service]:
    """The job service of the checkout ``root`` (this one, or BENCH_BASELINE's) in a process of its own."""
    port = free_port()
    settings = {
        "inventory": str(inventory),
        "data_dir": str(directory / "data"),
        "database_url": f"sqlite:///{directory}/jobs.db",
        "admin_token_hash": TOKEN_HASH,
        "vault_password_file": str(VAULT_PASSWORD_FILE),
        "max_concurrent_jobs": 1,
        "http_port": port,
    }
    counts = directory / "runner-counts.jsonl"
    counts.touch()
    environment = dict(
        os.environ, PYTHONPATH=os.pathsep.join(str(root / name) for name in ("", "collections", "service"))
    )
    with open(directory / "service.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, json.dumps(settings), str(counts)],
            cwd=root,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_serving(process, base_url, 60)  # its log: service.log in the bench's folder
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60) as client:
            yield Service(client, process, counts)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the figures ---------------------------------------------------------------------------------------------


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    return (
        f"median {statistics.median(values):.{digits}f} {unit}, min {min(values):.{digits}f}, "
        f"max {max(values):.{digits}f} ({len(values)} runs)"
    )


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def event_time(event: dict) -> float:
    """An event's own timestamp (ansible-playbook's clock, this machine's), as epoch seconds."""
    return datetime.fromisoformat(event["created"]).timestamp()


def goal(met: bool) -> str:
    return "met" if met else "NOT met"


def small_site(inventory: Path, count: int) -> Path:
    """A copy of the bench's site holding only its first ``count`` phones: the latency a small site sees, where
    ansible-playbook reads its inventory in a moment (on the 5,000-phone site that reading is most of it)."""
    site = inventory.parent
    small = site.with_name(f"{site.name}-{count}")
    shutil.rmtree(small, ignore_errors=True)
    shutil.copytree(site, small)
    phones = yaml.load((small / "fleet" / "phones.yml").read_text(), Loader=yaml.CSafeLoader)["phones"][:count]
    (small / "fleet" / "phones.yml").write_text(yaml.dump({"phones": phones}, Dumper=yaml.CSafeDumper, sort_keys=False))
    return small / inventory.name


def first_event(service: Service, inventory: Path, phone: str, site: str = f"{PHONES}-phone site") -> None:
    followed, directly, listed = [], [], []
    # what of ansible-playbook's start is reading the inventory and the playbook: --list-hosts does only that
    list_hosts = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory)]
    list_hosts += [str(ROOT / "playbooks" / "resync.yml"), "--list-hosts", "--limit", phone]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    for launch in range(LAUNCHES):
        followed.append(service.launch_and_follow("resync", phone, PER_HOST))
        if launch % 4 == 0:  # among the launches: the machine's load changes
            directly.append(run_directly(inventory, phone)[0])
            started = time.perf_counter()
            subprocess.run(list_hosts, cwd=ROOT, env=environment, capture_output=True, check=True)
            listed.append(time.perf_counter() - started)
    latencies = [item.first_seen - item.launched for item in followed if item.first_seen is not None]
    median = statistics.median(latencies)
    print(
        f"first event on the {site}, {len(latencies)} launches of a one-phone resync, launch request to the first "
        "events message "
        f"of the job's stream: median {median:.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
        f"min {min(latencies):.2f}, max {max(latencies):.2f}  (goal <= {GOAL_FIRST_EVENT:.0f} s median: "
        f"{goal(median <= GOAL_FIRST_EVENT)})"
    )
    queue = [item.job["started_at"] - item.job["created_at"] for item in followed]
    start = [event_time(item.first_event) - item.job["started_at"] for item in followed]
    delivery = [item.first_seen - event_time(item.first_event) for item in followed if item.first_seen]
    names = sorted({item.first_event.get("event", "") for item in followed})
    print(f"  of which: queue (launch to running)        {spread(queue)}")
    print(f"            ansible-playbook to its 1st event {spread(start)}  (first event: {', '.join(names)})")
    print(f"            stored and streamed to the client {spread(delivery)}  (stream interval 0.5 s)")
    print(f"  for comparison, ansible-playbook run directly to its first line of output: {spread(directly)}")
    print(f"  and ansible-playbook --list-hosts (Python, Ansible, the inventory, the playbook): {spread(listed)}")


def ingestion(service: Service, directory: Path) -> None:
    own_before, _jobs = service.cpu_seconds()
    followed = service.launch_and_follow("resync", "", PER_HOST)
    cpu = service.cpu_seconds()[0] - own_before
    job = followed.job
    runner_count = service.runner_count(job["id"])
    seconds = job["finished_at"] - job["started_at"]
    kinds: dict[str, int] = {}
    stored = fetch_events(service, job["id"])
    for event in stored:
        kinds[event.get("event", "")] = kinds.get(event.get("event", ""), 0) + 1
    print(
        f"ingestion, one per-host resync job over {PHONES} phones ({job['state']}, rc {job['rc']}): "
        f"{seconds:.1f} s running, {job['event_count']} events stored ({job['event_count'] / seconds:.0f} events/s: "
        f"Ansible's pace); the service process's own CPU {cpu:.1f} s"
    )
    print("  events: " + ", ".join(f"{name} {count}" for name, count in sorted(kinds.items())))
    lost = followed.lost(runner_count)
    print(
        f"  runner's own count {runner_count}, stored {job['event_count']}, lost {lost}; the stream delivered "
        f"{len(followed.counters)} in counter order ({followed.out_of_order} out of order, "
        f"{followed.missing_from_stream()} missing); the job's end stored "
        f"{job['finished_at'] - event_time(stored[-1]):.2f} s after its last event's own time"
    )
    rates = [len(stored) / replay(stored, directory / f"replay-{index}") for index in range(REPLAYS)]
    median = statistics.median(rates)
    print(
        f"  the service's ingestion rate, these {len(stored)} events replayed through runner's event handler "
        f"(scrubbing) into the writer and SQLite: {spread(rates, 'events/s', 0)}  (goal >= "
        f"{GOAL_EVENTS_PER_SECOND:.0f} events/s with 0 lost: {goal(median >= GOAL_EVENTS_PER_SECOND and lost == 0)})"
    )


def fetch_events(service: Service, job_id: int) -> list[dict]:
    """Every stored event of the job, through the events API, page after page."""
    events: list[dict] = []
    while True:
        after = events[-1]["counter"] if events else 0
        page = service.client.get(f"/api/v1/jobs/{job_id}/events", params={"after": after, "limit": 1000})
        page.raise_for_status()
        if not page.json():
            return events
        events += page.json()


def replay(events: list[dict], directory: Path) -> float:
    """Seconds for the service's writer to store ``events`` into a fresh SQLite store, handed to it by runner's
    event handler (JobRun: scrub, then the manager's queue) as fast as one thread can, until the job's end is
    stored (the writer stores it after the job's last event)."""
    directory.mkdir(parents=True)
    settings = JobSettings(inventory=str(directory), data_dir=str(directory / "data"))
    store = JobStore.open(f"sqlite:///{directory}/jobs.db")
    manager = JobManager(store, Catalogue(ROOT / "playbooks"), settings)
    manager.start()
    try:
        job = store.add_job(LaunchOptions("resync", "", False, False, 0, PER_HOST, ()), "bench")
        run = JobRun(
            job=job,
            playbook=ROOT / "playbooks" / "resync.yml",
            secrets={},
            data_dir=settings.data_dir,
            project_dir=str(ROOT),
            inventory=str(directory),
            on_event=lambda event: manager._enqueue_event(job.id, event),  # the writer's own path
            on_running=lambda: None,
            _secret_values=[VAULT_PASSWORD_FILE.read_text(encoding="utf-8").strip()],
        )
        started = time.perf_counter()
        for event in events:
            run._event_handler(event)  # runner's event handler, as runner calls it
        done = threading.Event()
        manager._writes.put(("finish", job.id, SUCCESSFUL, 0, "", done))  # as a worker does
        done.wait()
        seconds = time.perf_counter() - started
        stored = store.job(job.id).event_count
        if stored != len(events):
            raise SystemExit(f"replay: {len(events)} events handed to the writer, {stored} stored")
        return seconds
    finally:
        manager.stop()
        store.close()


def run_directly(inventory: Path, limit: str) -> tuple[float, float, float]:
    """``ansible-playbook`` as an engineer runs the job's playbook (the same answers, site and vault password):
    the seconds to its first line of output and to its end, and its CPU seconds (with its workers')."""
    command = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        "-i",
        str(inventory),
        str(ROOT / "playbooks" / "resync.yml"),
        "--limit",
        limit,
        "--vault-password-file",
        str(VAULT_PASSWORD_FILE),
        "--extra-vars",
        json.dumps(PER_HOST),
    ]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as process:
        assert process.stdout is not None
        process.stdout.readline()
        first_line = time.perf_counter() - started
        process.stdout.read()
    return first_line, time.perf_counter() - started, children_cpu_seconds() - cpu_before


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def overhead(service: Service, inventory: Path) -> None:
    """The per-host resync of SAMPLE phones, RUNS times in turn: ansible-playbook directly, then through the
    service (and first through BENCH_BASELINE's service, when set: before and after side by side, in one run)."""
    limit = f"phones[0:{SAMPLE - 1}]"
    with contextlib.ExitStack() as stack:
        services = {"service": service}
        if BASELINE:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="phonefleet-bench-baseline-")))
            services = {"baseline": stack.enter_context(job_service(folder, inventory, Path(BASELINE))), **services}
        direct, direct_cpu = [], []
        figures: dict[str, dict[str, list[float]]] = {
            name: {kind: [] for kind in ("through", "running", "seen", "own_cpu", "job_cpu", "ratio", "lost")}
            for name in services
        }
        for _run in range(RUNS):
            _first_line, seconds, cpu = run_directly(inventory, limit)
            direct.append(seconds)
            direct_cpu.append(cpu)
            for name, each in services.items():
                own_before, jobs_before = each.cpu_seconds()
                followed = each.launch_and_follow("resync", limit, PER_HOST)
                own_after, jobs_after = each.cpu_seconds()
                figure = figures[name]
                figure["through"].append(followed.ended - followed.launched)
                figure["running"].append(followed.job["finished_at"] - followed.job["started_at"])
                figure["seen"].append(followed.ended - followed.job["finished_at"])
                figure["own_cpu"].append(own_after - own_before)
                figure["job_cpu"].append(jobs_after - jobs_before)
                figure["ratio"].append(figure["through"][-1] / seconds)
                # nothing lost in a faster path: runner's own count = stored = streamed, in order
                runner_count = each.runner_count(followed.job["id"])
                figure["lost"].append(
                    followed.lost(runner_count) + followed.missing_from_stream() + followed.out_of_order
                )
    print(f"overhead, per-host resync of {SAMPLE} phones ({limit}), {RUNS} runs each way in turn:")
    print(f"  ansible-playbook directly               {spread(direct)}")
    print(f"  CPU of ansible-playbook run directly     {spread(direct_cpu)}")
    for name, figure in figures.items():
        median = statistics.median(figure["ratio"]) - 1
        code = f"BENCH_BASELINE {BASELINE}" if name == "baseline" else "this checkout"
        print(f"  {name} ({code}):")
        print(f"    through the service, launch to end      {spread(figure['through'])}")
        print(f"      of which running (runner's start to the end stored) {spread(figure['running'])}")
        print(f"      and the end stored to its stream message seen      {spread(figure['seen'])}")
        print(f"    CPU of ansible-playbook under runner    {spread(figure['job_cpu'])}  (its callback encodes events)")
        print(f"    CPU of the service process itself       {spread(figure['own_cpu'])}")
        print(f"    events lost, missing from the stream or out of order: {sum(figure['lost']):.0f} in all runs")
        print(
            f"    ratio service / direct, pair by pair: {spread(figure['ratio'], 'x')}: overhead {median * 100:+.0f} % "
            f"(goal <= {GOAL_OVERHEAD * 100:.0f} %: {goal(median <= GOAL_OVERHEAD)})"
        )
    if BASELINE:
        after_before = [
            after / before
            for after, before in zip(figures["service"]["through"], figures["baseline"]["through"], strict=True)
        ]
        print(f"  this checkout / the baseline, wall pair by pair: {spread(after_before, 'x')}")


def main() -> None:
    os.nice(max(0, 15 - os.nice(0)))  # a shared machine; ansible-playbook and the service inherit it
    print(f"job service benchmark: {PHONES} simulated phones, {os.cpu_count()} CPUs, nice {os.nice(0)}")
    started = time.monotonic()
    with booted_fleet() as fleet, tempfile.TemporaryDirectory(prefix="phonefleet-bench-jobs-") as scratch:
        directory = Path(scratch)
        inventory = write_inventory(fleet, BENCH / "inventory")
        print(f"  phones up and the site written in {time.monotonic() - started:.1f} s")
        first_phone = next(iter(fleet)).mac
        small = small_site(inventory, SMALL_SITE)
        (directory / "small").mkdir()
        with job_service(directory / "small", small) as service:
            first_event(service, small, first_phone, f"{SMALL_SITE}-phone site")
        with job_service(directory, inventory) as service:
            first_event(service, inventory, first_phone)
            ingestion(service, directory)
            overhead(service, inventory)
    print(f"  the whole bench: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
