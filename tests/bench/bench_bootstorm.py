"""Boot-storm benchmark: a synthetic 20,000-phone fleet fetching its files, from the service and from nginx.

Every phone asks for the files its vendor really asks for, in that order, with its vendor's real
User-Agent (model, firmware and MAC where the vendor sends them; none for Cisco enterprise, Unify and
Atcom, which send none we know; Unify's ``macaddress`` header instead). wrk replays that list
(tests/bench/bootstorm.lua), cycling through it, against nginx serving the web root statically and
against the provisioning service (2 workers, SQLite, every request journaled), with the same threads,
connections and duration: both run side by side and are loaded in turn, a few rounds in alternating
order, so load from elsewhere on the machine falls on both alike (the ratio is taken per round). Each
round lasts long enough for the service to fetch every phone's files. Afterwards the journal rows are
counted in the SQLite file and the phones' statuses read from the API.

Prints requests/s, p50/p99 latency and errors of both (medians of the rounds), the ratio service/nginx,
journal rows against requests, and the goals (issue: zero errors, ratio >= 0.25, p99 <= 20 ms).
Asserts nothing. Environment: BENCH_PHONES (20000), BENCH_CONNECTIONS (64), BENCH_SECONDS (8, at
least), BENCH_ROUNDS (3), BENCH_WARMUP (3).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.manifest import (  # noqa: E402
    read_manifest,
)

from tests.bench.synthetic import MIX, write_fleet  # noqa: E402
from tests.support.service import free_port  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "20000"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
THREADS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
MAX_SECONDS = 40  # a slow service gets longer rounds, so each traverses the list, but never longer

# Under build/, not /tmp (file creation in this machine's /tmp is slow); gitignored.
BENCH = ROOT / "build" / "bench" / "bootstorm"
LUA = ROOT / "tests" / "bench" / "bootstorm.lua"
TOKEN = "bench-auditor-token-0123456789"
GOAL_RATIO, GOAL_P99_MS = 0.25, 20.0

# What each (vendor, model) of the synthetic MIX asks for at boot, in order, and its User-Agent, from
# the drivers' data sheets (plugins/module_utils/vendors/*/driver.py) and tests/unit/test_recognition.py.
# {mac}: 12 lower-case hex digits, {MAC}: upper case, {colons}: aa:bb:...; only files the publish
# writes (a real phone's 404 fallbacks, e.g. Cisco's CTL/ITL files, would count as errors here).
SEQUENCES: dict[tuple[str, str], tuple[tuple[str, ...], str | None]] = {
    ("yealink", "T54W"): (("y000000000096.cfg", "{mac}.cfg"), "Yealink SIP-T54W 96.86.0.100 {colons}"),
    ("yealink", "T31G"): (("y000000000123.cfg", "{mac}.cfg"), "Yealink SIP-T31G 124.86.0.75 {colons}"),
    # enterprise firmware over HTTP 6970: no User-Agent worth matching; the MAC in upper case
    ("cisco", "CP-8845"): (("SEP{MAC}.cnf.xml",), None),
    ("cisco", "CP-7841"): (("SEP{MAC}.cnf.xml",), None),
    ("cisco", "CP-3905"): (("SEP{MAC}.cnf.xml",), None),
    # J100Supgrade.txt -> GET 46xxsettings.txt -> GET $MACADDR.cfg
    ("avaya", "J179"): (
        ("J100Supgrade.txt", "46xxsettings.txt", "{mac}.cfg"),
        "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:{mac})",
    ),
    # DMS file mode: no User-Agent, the MAC in a macaddress header (see MAC_HEADER)
    ("unify", "CP400"): (("{mac}_config.xml",), None),
    # no User-Agent known; the common file a0000000000<family>.cfg has no known family code: the base one
    ("atcom", "A20W"): (("a000000000000.cfg", "{MAC}.cfg"), None),
    # master file, then the CONFIG_FILES it names (the directory: the synthetic phones have speed dials)
    ("poly", "VVX 450"): (
        ("{mac}.cfg", "{mac}-phone.cfg", "{mac}-directory.xml"),
        "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application",
    ),
    ("grandstream", "GXP2170"): (("cfg{mac}.xml",), "Grandstream Model HW GXP2170 SW 1.0.11.64 DevId {mac}"),
    # the phone's setting-files list, then the files it names
    ("snom", "D785"): (
        ("snomD785-{MAC}.htm", "{MAC}.xml", "snomD785.xml"),
        "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 {MAC})",
    ),
    # no model common file is published (it describes firmware only)
    ("fanvil", "X6U"): (("{mac}.cfg",), "Fanvil X6U 2.12.1.6887 {mac}"),
}
MAC_HEADER = {"unify"}


def reveal(value) -> str:
    return str(value)


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the fleet and its requests ------------------------------------------------------------------------


def publish(web_root: Path) -> None:
    fleet = write_fleet(BENCH / "fleet", PHONES)
    start = time.perf_counter()
    result = publish_fleet(str(fleet), str(web_root), reveal)
    seconds = time.perf_counter() - start
    if result.errors:
        raise SystemExit(f"publish failed: {result.errors[:3]}")
    how = "a no-op: the web root was current" if result.noop else f"{len(result.written)} files written"
    print(
        f"publish of {PHONES:,} phones into {web_root.relative_to(ROOT)}: {seconds:.2f} s "
        f"({result.rendered:,} phones rendered, {how})"
    )


def request_list(web_root: Path, target: Path) -> tuple[int, dict[str, int]]:
    """Write every phone's requests (tab-separated, see bootstorm.lua) into ``target``; their count and mix."""
    manifest = read_manifest(str(web_root))
    published = manifest.files
    lines, per_vendor = [], {}
    for index, phone in enumerate(sorted(manifest.phones)):
        entry = MIX[int(phone[6:], 16) % len(MIX)]  # synthetic MACs are <oui><index:06x>
        if entry[:2] not in SEQUENCES:
            raise SystemExit(f"no request sequence for {entry[0]} {entry[1]} of tests/bench/synthetic.py: add one")
        files, agent = SEQUENCES[entry[:2]]
        colons = ":".join(phone[i : i + 2] for i in range(0, 12, 2))
        values = {"mac": phone, "MAC": phone.upper(), "colons": colons}
        header = phone if entry[0] in MAC_HEADER else ""
        for pattern in files:
            name = pattern.format(**values)
            if name not in published:
                raise SystemExit(f"{name} ({entry[0]} {entry[1]}) is not published: the bench's sequences are stale")
            lines.append(f"{index}\t/{name}\t{agent.format(**values) if agent else ''}\t{header}\n")
            per_vendor[entry[0]] = per_vendor.get(entry[0], 0) + 1
    target.write_text("".join(lines))
    return len(lines), per_vendor


# -- servers -------------------------------------------------------------------------------------------


def start_nginx(web_root: Path, port: int) -> subprocess.Popen:
    prefix = BENCH / "nginx"
    shutil.rmtree(prefix, ignore_errors=True)
    for folder in ("logs", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True)
    config = prefix / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {web_root};
        location /.phonefleet/ {{ return 404; }}
    }}
}}
"""
    )
    process = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(config)])
    wait_for_port(port, process)
    return process


def start_service(web_root: Path, port: int, database: Path) -> subprocess.Popen:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = BENCH / "service.yml"
    settings.write_text(
        json.dumps(  # JSON is YAML
            {
                "web_root": str(web_root),
                "database_url": f"sqlite:///{database}",
                "http_host": "127.0.0.1",
                "http_port": port,
                "workers": 2,
                "secret": "bench-secret-0123456789abcdef",
                "log_level": "warning",
                "tftp_enabled": False,
                "api_tokens": [
                    {"name": "bench", "role": "auditor", "token_sha256": hashlib.sha256(TOKEN.encode()).hexdigest()}
                ],
            }
        )
    )
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'collections'}:{ROOT / 'service'}")
    env = {name: value for name, value in env.items() if not name.startswith("PHONEFLEET_")}
    command = [sys.executable, "-m", "phonefleet_service", "serve", "--config", str(settings)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    wait_for_port(port, process)
    health = api(port, "/api/v1/health")  # a worker loads the manifest and fleet here, not in the run
    if health.get("fleet_error"):
        raise SystemExit(f"service: {health['fleet_error']}")
    return process


def api(port: int, path: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


# -- load ----------------------------------------------------------------------------------------------


def wrk(port: int, seconds: int, requests: Path) -> dict:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "-s",
        str(LUA),
        "--latency",
        f"http://127.0.0.1:{port}",
        "--",
        str(requests),
        str(THREADS),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    found = [line for line in completed.stdout.splitlines() if line.startswith("BENCH ")]
    if completed.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({completed.returncode}): {completed.stdout[-1500:]}{completed.stderr[-1500:]}")
    figures = json.loads(found[-1][len("BENCH ") :])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["socket_errors"] = sum(figures[kind] for kind in ("connect", "read", "write", "timeout"))
    figures["errors"] = figures["status"] + figures["socket_errors"]
    return figures


def journal_rows(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return connection.execute("SELECT count(*) FROM journal").fetchone()[0]
    finally:
        connection.close()


def summary(label: str, runs: list[dict], listed: int) -> str:
    """Medians over the rounds, errors summed; the spread of req/s in brackets."""
    rates = [run["rate"] for run in runs]
    errors = sum(run["errors"] for run in runs)
    status, sockets = sum(run["status"] for run in runs), sum(run["socket_errors"] for run in runs)
    fewest = min(run["requests"] for run in runs)
    return (
        f"  {label:8} {statistics.median(rates):9,.0f} req/s ({min(rates):,.0f}-{max(rates):,.0f})   "
        f"p50 {statistics.median(run['p50_us'] for run in runs) / 1000:5.2f} ms   "
        f"p99 {statistics.median(run['p99_us'] for run in runs) / 1000:6.2f} ms   "
        f"max {max(run['max_us'] for run in runs) / 1000:7.2f} ms   "
        f"errors {errors} (non-2xx/3xx {status}, socket {sockets})   "
        f"list traversed {fewest / listed:.1f}+ times a round"
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    if not (shutil.which("wrk") and shutil.which("nginx")):
        raise SystemExit("bench_bootstorm needs wrk and nginx (Debian: apt-get install -y wrk nginx)")
    BENCH.mkdir(parents=True, exist_ok=True)
    web_root = BENCH / "www"
    publish(web_root)
    requests = BENCH / "requests.tsv"
    listed, per_vendor = request_list(web_root, requests)
    mix = ", ".join(f"{vendor} {count:,}" for vendor, count in sorted(per_vendor.items()))
    print(f"boot storm: {PHONES:,} phones, {listed:,} requests ({listed / PHONES:.2f} a phone: {mix})")

    database = BENCH / "state.db"
    service_port, nginx_port = free_port(), free_port()
    service = start_service(web_root, service_port, database)
    nginx = None
    try:
        nginx = start_nginx(web_root, nginx_port)
        ports = {"nginx": nginx_port, "service": service_port}
        # twice for the service: in the first, the worker the health check did not reach loads the fleet
        warm = {"nginx": wrk(nginx_port, WARMUP, requests), "service": wrk(service_port, WARMUP, requests)}
        again = wrk(service_port, WARMUP, requests)
        # long enough for the service to fetch every phone's files in each round
        seconds = min(MAX_SECONDS, max(SECONDS, math.ceil(1.2 * listed / max(again["rate"], 1.0))))
        print(
            f"wrk: {THREADS} threads, {CONNECTIONS} connections; warm-up {WARMUP} s (the service twice), then "
            f"{ROUNDS} rounds of {seconds} s against each, alternating (load average before: {os.getloadavg()[0]:.1f})"
        )
        runs: dict[str, list[dict]] = {"nginx": [], "service": []}
        for round_ in range(ROUNDS):
            for name in ("nginx", "service") if round_ % 2 == 0 else ("service", "nginx"):
                runs[name].append(wrk(ports[name], seconds, requests))
        time.sleep(1.0)  # a few flush intervals: both workers' journals reach the database
        statuses: dict[int, int] = {}
        cursor = ""
        while True:  # every page of the API's phone list
            page = api(service_port, "/api/v1/phones?limit=1000" + (f"&after={cursor}" if cursor else ""))
            for phone in page["phones"]:
                statuses[phone["status"]] = statuses.get(phone["status"], 0) + 1
            if not page.get("next"):
                break
            cursor = page["next"]
    finally:
        stop(service)  # SIGTERM: uvicorn stops the workers, each flushes what its journal holds
        if nginx is not None:
            stop(nginx, signal.SIGQUIT)
    rows = journal_rows(database)

    print(f"results (medians of {ROUNDS} rounds; load average after: {os.getloadavg()[0]:.1f}):")
    print(summary("nginx", runs["nginx"], listed))
    print(summary("service", runs["service"], listed))
    ratios = [served["rate"] / static["rate"] for served, static in zip(runs["service"], runs["nginx"], strict=True)]
    ratio = statistics.median(ratios)
    print(f"  ratio service/nginx: {ratio:.2f} (rounds: {', '.join(f'{value:.2f}' for value in ratios)})")
    made = warm["service"]["requests"] + again["requests"] + sum(run["requests"] for run in runs["service"])
    slack = (ROUNDS + 2) * CONNECTIONS  # answered and journaled, but in flight when wrk stopped: not counted
    print(
        f"  journal: {rows:,} rows for {made:,} requests wrk counted from the service (warm-up included); "
        f"{rows - made:+,} (requests in flight when a wrk run ends are journaled, not counted: at most {slack})"
    )
    status_text = ", ".join(f"status {code}: {count:,}" for code, count in sorted(statuses.items()))
    print(f"  phones: {status_text} (of {PHONES:,}; 3 = fetched its current config)")
    p99 = statistics.median(run["p99_us"] for run in runs["service"]) / 1000
    every_run = [*warm.values(), again, *runs["nginx"], *runs["service"]]
    errors = sum(run["errors"] for run in every_run)
    print(
        f"goals: ratio {ratio:.3f} >= {GOAL_RATIO}: {verdict(ratio >= GOAL_RATIO)}; "
        f"service p99 {p99:.1f} ms <= {GOAL_P99_MS:.0f} ms: {verdict(p99 <= GOAL_P99_MS)}; "
        f"errors {errors} (warm-ups too) = 0: {verdict(errors == 0)}; "
        f"every request journaled: {verdict(0 <= rows - made <= slack)}"
    )


if __name__ == "__main__":
    main()
