"""Loader benchmark: load + validate a synthetic 20,000-phone fleet, and produce its inventory.

Prints figures; asserts nothing about time. Goal (issue 2): <= 3 s each on the 2-core CI machine.
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
os.environ.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))

from ansible.inventory.manager import InventoryManager  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.plugins.loader import init_plugin_loader  # noqa: E402

# What the ansible CLIs do first: make ansible_collections.* (this checkout, via collections/) importable.
init_plugin_loader([str(ROOT / "collections")])

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet  # noqa: E402

from tests.bench.synthetic import write_fleet  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "20000"))


def timed(function, repeat: int = 3) -> tuple[float, float, object]:
    """(first run, best of ``repeat``, result) in seconds."""
    times, result = [], None
    for _attempt in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def main() -> None:
    # Under build/, not /tmp: file creation in this machine's /tmp is several times slower than elsewhere
    # on the same disk, and a web root is never in /tmp.
    (ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "build") as tmp:
        site = Path(tmp)
        fleet_dir = write_fleet(site / "fleet", PHONES)
        config = site / "phonefleet.yml"
        config.write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
        size = sum(path.stat().st_size for path in fleet_dir.iterdir()) / 1e6
        print(f"synthetic fleet: {PHONES} phones, {size:.1f} MB of YAML, 12 vendor/model kinds")

        first, best, fleet = timed(lambda: load_fleet(str(fleet_dir)))
        print(
            f"load + validate:                first {first:6.2f} s   best of 3 {best:6.2f} s   "
            f"({len(fleet.phones)} phones)"
        )

        def inventory():
            manager = InventoryManager(loader=DataLoader(), sources=[str(config)])
            return len(manager.get_hosts())

        first, best, hosts = timed(inventory)
        print(f"inventory (plugin, in-process): first {first:6.2f} s   best of 3 {best:6.2f} s   ({hosts} hosts)")

        env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
        ansible_inventory = str(Path(sys.executable).parent / "ansible-inventory")
        graph = [ansible_inventory, "-i", str(config), "--graph", "--output", str(site / "graph.txt")]
        first, best, _result = timed(lambda: subprocess.run(graph, check=True, env=env, cwd=ROOT))
        print(f"ansible-inventory --graph:      first {first:6.2f} s   best of 3 {best:6.2f} s   (whole command)")
        listing = [ansible_inventory, "-i", str(config), "--list", "--output", str(site / "inventory.json")]
        first, best, _result = timed(lambda: subprocess.run(listing, check=True, env=env, cwd=ROOT), repeat=1)
        size = (site / "inventory.json").stat().st_size / 1e6
        print(
            f"ansible-inventory --list:       {first:6.2f} s   "
            f"({size:.1f} MB JSON: ansible-core serialising every variable)"
        )


if __name__ == "__main__":
    main()
