"""Bulk edit benchmark: the profile of every phone of one site changed on a 20,000-phone site (a third of it).

Times what the phones_bulk module does in-process (load and select, the text edit, the whole-fleet
validation, the all-or-none write), and ``ansible-playbook phonefleet.provisioning.phones_bulk`` as a user
runs it: a whole process (start-up, the documented inventory configuration, the play). The runs change the
phones back and forth between two profiles, so each changes 6,667 phones. Prints median, min and max;
asserts nothing. Goal (issue 12): <= 3 s for the edit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.bulk_edit import (  # noqa: E402
    change_selected,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import (  # noqa: E402
    FleetEdit,
    write_all,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import Selection  # noqa: E402

from tests.bench.bench_playbook import make_site  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
PROFILES = ["branch", "office"]  # the site "branch" has profile branch; each run sets the other one


def next_profile() -> str:
    PROFILES.reverse()
    return PROFILES[0]


def core(fleet: Path, profile: str) -> float:
    start = time.perf_counter()
    edit = FleetEdit(str(fleet))
    result = change_selected(edit, Selection.from_options({"site": "branch"}), {"profile": profile})
    write_all(edit.plan().writes)
    seconds = time.perf_counter() - start
    if len(result.changed) != (PHONES + 2) // 3 or result.round_trip_files:
        sys.exit(f"unexpected: {len(result.changed)} changed, round trip: {result.round_trip_files}")
    return seconds


def playbook(site: Path, profile: str) -> float:
    command = [ANSIBLE_PLAYBOOK, "-i", str(site), "phonefleet.provisioning.phones_bulk"]
    command += ["-e", "phonefleet_select_site=branch", "-e", f"phonefleet_profile={profile}"]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    start = time.perf_counter()
    result = subprocess.run(command, check=False, cwd=ROOT, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0 or f"{(PHONES + 2) // 3} changed" not in result.stdout:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def figures(name: str, timed, note: str) -> None:
    seconds = [timed(next_profile()) for _run in range(RUNS)]
    print(
        f"{name:52s} median {statistics.median(seconds):6.2f} s   "
        f"min {min(seconds):6.2f} s   max {max(seconds):6.2f} s   ({RUNS} runs, {note})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="phonefleet-bench-bulk-") as scratch:
        site = make_site(Path(scratch))  # as README says to lay out a site (bench_playbook.py)
        fleet = site / "fleet"
        core(fleet, next_profile())  # warm-up: Python's and the collection's code caches
        print(f"{PHONES} phones; every phone of site branch ({(PHONES + 2) // 3}) changes profile")
        figures("phones_bulk core (select, text edit, validate, write)", lambda p: core(fleet, p), "goal <= 3 s")
        # the whole command: also Ansible's start-up and the inventory of 20,000 hosts (bench_playbook.py)
        figures(
            "ansible-playbook phonefleet.provisioning.phones_bulk",
            lambda p: playbook(site, p),
            "with start-up and inventory",
        )


if __name__ == "__main__":
    main()
