"""The SIP registrar of the tests: the simulator's, which `make demo` uses too (phonefleet_simulator.registrar)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.registrar import (  # noqa: E402
    Registrar,
    RegistrarUnavailable,
    Subscriber,
    fleet_subscribers,
    kamailio_missing,
    render_config,
    running_registrar,
    start_registrar,
)

__all__ = [
    "Registrar",
    "RegistrarUnavailable",
    "Subscriber",
    "fleet_subscribers",
    "kamailio_missing",
    "render_config",
    "running_registrar",
    "start_registrar",
]
