"""Loopback addresses for the simulated phones of these tests: 127.<octet>.x.y with an octet range of its
own per pytest-xdist worker (230-234 for gw0, 235-239 for gw1...), away from the simulator tests' 20-199."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
for folder in ("simulator", "service"):
    if str(REPO / folder) not in sys.path:
        sys.path.insert(0, str(REPO / folder))

OCTETS_PER_WORKER = 5
_taken = itertools.count()


@pytest.fixture(scope="session")
def start_fleet(worker_id):
    """``start_fleet(phones, base_url, credentials, **options)``: a started SimulatedFleet on addresses of
    this worker's octets (the next octet is tried when an address is in use); stop it when done."""
    from phonefleet_simulator.fleet import SimulatedFleet
    from phonefleet_simulator.ports import address_in_use

    worker = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    first = 230 + worker * OCTETS_PER_WORKER
    if first + OCTETS_PER_WORKER > 256:
        pytest.skip("too many pytest-xdist workers for the loopback octets of these tests")

    def start(phones, base_url: str, credentials, **options) -> SimulatedFleet:
        for _attempt in range(OCTETS_PER_WORKER):
            octet = first + next(_taken) % OCTETS_PER_WORKER
            fleet = SimulatedFleet(phones, base_url, credentials, per_phone_addresses=True, octet=octet, **options)
            try:
                return fleet.start(60)
            except OSError as exc:
                if not address_in_use(exc):
                    raise
        pytest.skip("no free loopback octet for simulated phones")

    return start
