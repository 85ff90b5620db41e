# Private to this collection: time zone facts phones need, from the system's tz database.
"""Olson time zone name -> UTC offset, POSIX TZ rule and DST transition rule.

Phones want time zones in many forms: an hour offset (Yealink ``+3``), a POSIX rule (Snom, Fanvil), a
DST start/stop description (Avaya, Yealink) or a Windows-style name (Cisco, see render/windows_zones.py).
All come from the tz database's own POSIX footer, so they are right for the zone's current rules.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass


class UnknownTimeZone(ValueError):
    pass


@dataclass(frozen=True)
class Transition:
    """A DST transition 'Mm.w.d/hh': month, week of month (5 = last), weekday (0 = Sunday), local hour."""

    month: int
    week: int
    weekday: int
    hour: int


@dataclass(frozen=True)
class ZoneFacts:
    name: str
    posix: str
    utc_offset_minutes: int
    dst_offset_minutes: int
    dst_start: Transition | None
    dst_end: Transition | None

    @property
    def has_dst(self) -> bool:
        return self.dst_start is not None

    @property
    def utc_offset_hours(self) -> str:
        """'+3', '-5', '+5:30': the form most phones' menus use."""
        sign = "-" if self.utc_offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(self.utc_offset_minutes), 60)
        return f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


_POSIX = re.compile(
    r"^(?P<std><[^>]+>|[A-Za-z]+)(?P<off>[-+]?\d{1,2}(?::\d{2}){0,2})"
    r"(?:(?P<dst><[^>]+>|[A-Za-z]+)(?P<dstoff>[-+]?\d{1,2}(?::\d{2}){0,2})?"
    r",M(?P<sm>\d+)\.(?P<sw>\d)\.(?P<sd>\d)(?:/(?P<sh>-?\d+)(?::\d+)*)?"
    r",M(?P<em>\d+)\.(?P<ew>\d)\.(?P<ed>\d)(?:/(?P<eh>-?\d+)(?::\d+)*)?)?$"
)


def _minutes(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    return sign * (parts[0] * 60 + (parts[1] if len(parts) > 1 else 0))


def _posix_footer(name: str) -> str:
    try:
        with _open_zone(name) as handle:
            data = handle.read()
    except (OSError, ValueError):
        raise UnknownTimeZone(f"unknown time zone '{name}'") from None
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    if not data.startswith(b"TZif") or not footer:
        raise UnknownTimeZone(f"time zone '{name}' has no rule in the tz database")
    return footer


def _open_zone(name: str):
    if not re.fullmatch(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*", name):
        raise ValueError(name)
    from importlib import resources

    for root in zoneinfo.TZPATH:
        try:
            return open(f"{root}/{name}", "rb")
        except OSError:
            continue
    try:  # the tzdata package, where the system has no tz database
        package, _ignored, leaf = f"tzdata.zoneinfo.{name.replace('/', '.')}".rpartition(".")
        return resources.files(package).joinpath(leaf).open("rb")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        raise ValueError(name) from None


@functools.lru_cache(maxsize=512)
def zone_facts(name: str) -> ZoneFacts:
    """Facts of an Olson zone ('Europe/Moscow'); raises UnknownTimeZone."""
    posix = _posix_footer(name)
    match = _POSIX.match(posix)
    if not match:
        raise UnknownTimeZone(f"time zone '{name}' has a rule phones cannot express: {posix}")
    # POSIX offsets are west-positive: 'MSK-3' is UTC+3.
    standard = -_minutes(match["off"])
    if not match["dst"]:
        return ZoneFacts(name, posix, standard, 0, None, None)
    dst = -_minutes(match["dstoff"]) if match["dstoff"] else standard + 60
    start = Transition(int(match["sm"]), int(match["sw"]), int(match["sd"]), int(match["sh"] or 2))
    end = Transition(int(match["em"]), int(match["ew"]), int(match["ed"]), int(match["eh"] or 2))
    return ZoneFacts(name, posix, standard, dst - standard, start, end)
