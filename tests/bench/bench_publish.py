"""Publish benchmark: a synthetic 20,000-phone mixed-vendor fleet onto a web root.

Prints cold publish, no-op publish and one profile change (seconds), and the ratio against the naive way
(ansible.builtin.template, one host per phone) measured in the same run on a sample. Asserts nothing.
Goals (issue 3): cold <= 5 s, no-op <= 1 s, profile change <= 2 s, ratio >= 1000x.

Each publish runs as a user's would: templates and the schema validator compiled by an earlier run come
from the user's code cache (like Python's own .pyc files); one more cold publish, in a fresh process with
an empty code cache, shows the first publish on a machine.

  tests/bench/bench_publish.py                 # everything
  tests/bench/bench_publish.py --cold-once DIR # one cold publish under DIR, seconds on stdout (used above)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "collections"))

import yaml  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet  # noqa: E402

from tests.bench.synthetic import write_fleet  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "20000"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "300"))
# The branch profile, a third of the phones: codecs changed, then changed again.
PROFILE_CHANGES = (["pcmu", "pcma"], ["g722", "pcmu"])


def reveal(value) -> str:
    return str(value)


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def phases(result) -> str:
    """Where the time went (PublishResult.timings): check, load, render (in workers), shared, commit."""
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())


def filesystem_of(path: Path) -> str:
    """The mount a path is on, as /proc/mounts says (type and options): disk figures depend on them."""
    best = ("", "?", "")
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                _device, point, kind, options = line.split()[:4]
                if f"{path}/".startswith(point.rstrip("/") + "/") and len(point) >= len(best[0]):
                    best = (point, kind, options)
    except OSError:
        pass
    return f"{best[1]} ({best[2]})"


def disk_base() -> Path:
    """build/bench, with ext4's TOPDIR flag when it can be set.

    On this project's VMs the root filesystem is ext4 without a journal: there, for minutes after many
    files are deleted, making a file in the same block group costs 0.2-1 ms of kernel time instead of
    ~25 us (the allocator skips recently freed inodes one by one). The bench deletes 50,000 files of its
    own at the end of a run; without the flag every run's web root would sit in the block group of the
    last run's deleted ones. With it, each temporary web root is placed like a top-level directory (as a
    web root under /srv is), in a block group with room.
    """
    base = ROOT / "build" / "bench"
    base.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chattr", "+T", str(base)], capture_output=True, check=False)
    return base


def cold_once(base: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-", dir=base) as tmp:
        fleet = write_fleet(Path(tmp) / "fleet", PHONES)
        seconds, _result = timed(lambda: publish_fleet(str(fleet), str(Path(tmp) / "www"), reveal))
        return seconds


def naive(site: Path) -> float:
    """Seconds per phone of ansible.builtin.template with one host per phone (default forks)."""
    sample = site / "naive"
    write_fleet(sample / "fleet", NAIVE_SAMPLE)
    (sample / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
    out = sample / "out"
    out.mkdir()
    command = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(sample / "phonefleet.yml"),
        str(ROOT / "tests/bench/naive/render.yml"),
        "-e",
        f"naive_out={out}",
    ]
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    seconds, completed = timed(
        lambda: subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    )
    if completed.returncode != 0:
        raise SystemExit(completed.stdout[-2000:] + completed.stderr[-2000:])
    return seconds / NAIVE_SAMPLE


def scenario(base: Path, label: str) -> float:
    """Cold, no-op and profile-change publishes of the synthetic fleet onto a web root under ``base``."""
    with tempfile.TemporaryDirectory(prefix="bench-", dir=base) as tmp:
        site = Path(tmp)
        fleet = write_fleet(site / "fleet", PHONES)
        web_root = site / "www"
        print(f"web root on {label}: {base}, {filesystem_of(base)}")

        cold, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
        files = len(result.written)
        print(f"  cold publish:          {cold:6.2f} s   ({result.rendered} phones rendered, {files} files written)")
        print(f"    phases: {phases(result)}")

        noop, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
        print(f"  no-op publish:         {noop:6.2f} s   (changed: {result.changed})")

        profiles = fleet / "profiles.yml"
        for number, codecs in enumerate(PROFILE_CHANGES, 1):
            data = yaml.safe_load(profiles.read_text())
            data["profiles"]["branch"]["codecs"] = codecs
            profiles.write_text(yaml.safe_dump(data, sort_keys=False))
            change, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
            print(
                f"  profile change #{number}:     {change:6.2f} s   ({result.rendered} phones rendered, "
                f"{len(result.phones_changed)} changed, {len(result.written)} files written)"
            )
            print(f"    phases: {phases(result)}")
        return cold


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--cold-once":
        print(f"{cold_once(Path(sys.argv[2])):.3f}")
        return
    print(f"synthetic fleet: {PHONES} phones of 12 vendor/model kinds")
    # Under build/, not /tmp: file creation in this machine's /tmp is several times slower than elsewhere
    # on the same disk, and a web root is never in /tmp. tmpfs shows the cost without the disk.
    cold = scenario(disk_base(), "disk")
    if Path("/dev/shm").is_dir():
        scenario(Path("/dev/shm"), "tmpfs")
        with tempfile.TemporaryDirectory(prefix="bench-cache-", dir=ROOT / "build") as cache:
            completed = subprocess.run(
                [sys.executable, __file__, "--cold-once", "/dev/shm"],
                env=dict(os.environ, XDG_CACHE_HOME=cache),
                capture_output=True,
                text=True,
                check=True,
            )
        print(f"first publish on a machine (empty code cache, tmpfs): {float(completed.stdout):6.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench-naive-", dir=ROOT / "build") as tmp:
        per_phone_naive = naive(Path(tmp))
    per_phone_ours = cold / PHONES
    print(
        f"naive template: {per_phone_naive * 1000:6.1f} ms a phone ({NAIVE_SAMPLE} phones, one host each, onto "
        f"disk); ours (cold, disk) {per_phone_ours * 1e6:.0f} us a phone: "
        f"ratio {per_phone_naive / per_phone_ours:,.0f}x"
    )


if __name__ == "__main__":
    main()
