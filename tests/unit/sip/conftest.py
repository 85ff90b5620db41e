"""The simulator (the phones' own readers, ``phonefleet_simulator``) is importable in these tests."""

from __future__ import annotations

import sys
from pathlib import Path

SIMULATOR = Path(__file__).resolve().parents[3] / "simulator"
if str(SIMULATOR) not in sys.path:
    sys.path.insert(0, str(SIMULATOR))

import pytest  # noqa: E402

pytest.register_assert_rewrite("tests.unit.sip.transport_fleet")
