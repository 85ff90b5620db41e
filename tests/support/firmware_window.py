"""Firmware windows for tests: open now, or closed now, whatever the hour the tests run at.

A fleet's files name a new firmware only inside its profile's ``updates.firmware_window``; the demo's windows
(weekend nights) are closed most of the time a test runs. ``open_windows(fleet)`` makes every window of the
fleet's profiles cover the whole week; ``closed_windows(fleet)`` makes each one hour of a day that is, in
every time zone, neither today nor yesterday (three days after today in UTC), so it is closed now and for
the next day and more, however long the test takes.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.window import WEEKDAYS

_WINDOW = re.compile(r"firmware_window: \{[^}]*\}")
ALWAYS = 'firmware_window: {days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00"}'


def closed_window_text() -> str:
    day = WEEKDAYS[(datetime.datetime.now(datetime.UTC).weekday() + 3) % 7]
    return f'firmware_window: {{days: [{day}], hours: "00:00-01:00"}}'


def _rewrite(fleet: Path, window: str) -> None:
    profiles = fleet / "profiles.yml"
    text, count = _WINDOW.subn(window, profiles.read_text())
    assert count, "no firmware_window in the fleet's profiles.yml"
    profiles.write_text(text)


def open_windows(fleet: Path) -> None:
    """Every firmware window of the fleet's profiles open all week."""
    _rewrite(fleet, ALWAYS)


def closed_windows(fleet: Path) -> None:
    """Every firmware window of the fleet's profiles closed now (see the module's docstring)."""
    _rewrite(fleet, closed_window_text())
