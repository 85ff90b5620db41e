"""Firmware windows: days and hours in the profile's time zone, past midnight, whole days."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import window

UTC = datetime.UTC


def at(text: str, zone: str | None = None) -> datetime.datetime:
    """A local time ``2026-07-04 03:00`` (a Saturday) in ``zone``."""
    return window.local_time(zone, datetime.datetime.fromisoformat(text).replace(tzinfo=UTC))


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-07-04 02:00", True),  # Saturday, start included
        ("2026-07-04 04:59", True),
        ("2026-07-04 05:00", False),  # end excluded
        ("2026-07-05 03:00", True),  # Sunday
        ("2026-07-06 03:00", False),  # Monday
        ("2026-07-04 01:59", False),
    ],
)
def test_days_and_hours(moment, inside):
    assert window.in_window({"days": ["sat", "sun"], "hours": "02:00-05:00"}, at(moment)) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-07-03 23:30", True),  # Friday night
        ("2026-07-04 01:30", True),  # Saturday, still Friday's window
        ("2026-07-04 02:00", False),
        ("2026-07-04 23:30", False),  # Saturday night: not a window day
        ("2026-07-02 01:00", False),  # Thursday early: Wednesday is not a window day
    ],
)
def test_a_window_past_midnight_belongs_to_the_day_it_starts(moment, inside):
    assert window.in_window({"days": ["fri"], "hours": "23:00-02:00"}, at(moment)) is inside


def test_midnight_end_and_whole_days():
    assert window.in_window({"days": ["sat"], "hours": "22:00-24:00"}, at("2026-07-04 23:59"))
    assert window.in_window({"days": ["sat"], "hours": "00:00-00:00"}, at("2026-07-04 12:00"))
    assert not window.in_window({"days": ["sat"], "hours": "00:00-00:00"}, at("2026-07-05 12:00"))


def test_the_time_zone_decides_the_day():
    rule = {"days": ["sat"], "hours": "02:00-05:00"}
    # 2026-07-03 23:30 UTC is Saturday 02:30 in Moscow (UTC+3), Friday in UTC
    assert window.in_window(rule, at("2026-07-03 23:30", "Europe/Moscow"))
    assert not window.in_window(rule, at("2026-07-03 23:30"))
    assert window.describe(rule, "Europe/Moscow") == "sat 02:00-05:00 Europe/Moscow"
