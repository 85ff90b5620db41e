"""Playbook benchmark: the commands users run on a 20,000-phone site with the documented inventory configuration.

The site is laid out as README tells people to make theirs: a copy of ``inventory/demo/phonefleet.yml`` (its
``keyed_groups`` and ``groups``), a ``servers.yml`` and the fleet files. After one publish that fills the web root,
it times ``ansible-playbook publish.yml`` with nothing to publish and ``ansible-playbook publish.yml --list-hosts``,
each a whole process (start-up, inventory, play), and prints median, min and max. Asserts nothing.
Goal (issue 12): <= 5 s each.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.synthetic import write_fleet  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
SERVERS = """\
all:
  children:
    provisioning_servers:
      hosts:
        prov1.bench.invalid:
          ansible_connection: local
          ansible_python_interpreter: "{{ ansible_playbook_python }}"
          phonefleet_web_root: "{{ inventory_dir }}/../www"
"""


def make_site(directory: Path) -> Path:
    site = directory / "site"
    write_fleet(site / "fleet", PHONES)
    shutil.copy(ROOT / "inventory/demo/phonefleet.yml", site / "phonefleet.yml")
    (site / "servers.yml").write_text(SERVERS, encoding="utf-8")
    return site


def run(command: list[str]) -> float:
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    start = time.perf_counter()
    result = subprocess.run(command, check=False, cwd=ROOT, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:  # the fleet's warnings are expected; a failure is shown, not timed
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def figures(name: str, command: list[str]) -> None:
    run(command)  # warm-up: Python's and the collection's code caches
    seconds = [run(command) for _run in range(RUNS)]
    print(
        f"{name:42s} median {statistics.median(seconds):6.2f} s   "
        f"min {min(seconds):6.2f} s   max {max(seconds):6.2f} s   ({RUNS} runs, goal <= 5 s)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="phonefleet-bench-playbook-") as scratch:
        site = make_site(Path(scratch))
        publish = [ANSIBLE_PLAYBOOK, "-i", str(site), str(ROOT / "playbooks/publish.yml")]
        run(publish)  # the first publish fills the web root; the timed ones have nothing to publish
        print(f"{PHONES} phones, inventory configuration: inventory/demo/phonefleet.yml")
        figures("ansible-playbook publish.yml (no-op)", publish)
        figures("ansible-playbook publish.yml --list-hosts", [*publish, "--list-hosts"])


if __name__ == "__main__":
    main()
