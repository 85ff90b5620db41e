# Private to this collection: a profile's firmware window (days and hours, in the phones' time zone).
"""``profile.updates.firmware_window: {days: [sat, sun], hours: "02:00-05:00"}`` read as: on those days
(local time of the profile's ``time.timezone``, UTC when none), from the first time to the second.
``24:00`` is midnight at the end of the day; an end before the start runs past midnight, and then
belongs to the day it started (``fri`` ``23:00-02:00`` includes Saturday 01:00).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def in_window(window: dict, local: datetime.datetime) -> bool:
    """Whether the local time ``local`` is inside ``window`` ({days, hours})."""
    days = {day.lower() for day in window.get("days") or ()}
    start_text, end_text = window["hours"].split("-")
    start, end = _minutes(start_text), _minutes(end_text)
    now = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    if start < end:
        return today in days and start <= now < end
    if start == end:  # a whole day
        return today in days
    return (today in days and now >= start) or (yesterday in days and now < end)


WEEK = 7 * 1440  # minutes
_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def every_minutes(duration: str) -> int:
    """``config_check.every`` (``30m``, ``1h``, ``1d``; the schema checked it) in minutes, at least 1."""
    matched = _DURATION.match(duration)
    if matched is None:  # the fleet schema admits only such durations
        raise AssertionError("matched is None")
    number, unit = matched.groups()
    return max(1, int(number) * _SECONDS[unit] // 60)


def week_spans(days, hours: str) -> list[tuple[int, int]]:
    """The spans of the week (minutes from Monday 00:00, end excluded) that ``days`` within ``hours`` cover,
    read as :func:`in_window` reads them; no ``days``: every day. A span past Sunday midnight is split."""
    start_text, end_text = hours.split("-")
    start, end = _minutes(start_text), _minutes(end_text)
    if end <= start:  # past midnight, or (equal) the whole day
        end += 1440
    spans = []
    for day in days or WEEKDAYS:
        first = WEEKDAYS.index(day.lower()) * 1440 + start
        last = first + end - start
        spans.append((first, min(last, WEEK)))
        if last > WEEK:
            spans.append((0, last - WEEK))
    return spans


def overlap(one: list[tuple[int, int]], other: list[tuple[int, int]]) -> bool:
    """Whether two lists of :func:`week_spans` share a minute."""
    return any(start < other_end and other_start < end for start, end in one for other_start, other_end in other)


def local_time(timezone: str | None, now: datetime.datetime | None = None) -> datetime.datetime:
    """``now`` (default: the current time) in ``timezone`` (UTC when None)."""
    now = now or datetime.datetime.now(datetime.UTC)
    zone = zoneinfo.ZoneInfo(timezone) if timezone else datetime.UTC
    return now.astimezone(zone)


def open_at(window: dict, epoch: float) -> bool:
    """Whether ``window`` ({days, hours, timezone}, as publish records a phone's) is open at ``epoch`` seconds."""
    utc = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return in_window(window, local_time(window.get("timezone"), utc))


def describe(window: dict, timezone: str | None) -> str:
    """``sat, sun 02:00-05:00 Europe/Moscow``."""
    return f"{', '.join(window.get('days') or ())} {window['hours']} {timezone or 'UTC'}"
