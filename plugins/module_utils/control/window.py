# Private to this collection: a profile's firmware window (days and hours, in the phones' time zone).
"""``profile.updates.firmware_window: {days: [sat, sun], hours: "02:00-05:00"}`` read as: on those days
(local time of the profile's ``time.timezone``, UTC when none), from the first time to the second.
``24:00`` is midnight at the end of the day; an end before the start runs past midnight, and then
belongs to the day it started (``fri`` ``23:00-02:00`` includes Saturday 01:00).
"""

from __future__ import annotations

import datetime
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
