# Private to this collection: the job service's schedules: a catalogue playbook, its answers, a calendar.
"""Schedules: when a catalogue playbook runs by itself, and what decides the times.

A schedule is a launch (playbook, limit, check, diff, verbosity, survey answers: validated as a launch is,
with no password answer, since a schedule would have to store it) plus a cron expression (croniter), an
optional named day group (``workdays``...) and whether the fleet's holidays are skipped. The day groups,
the holidays and the time zone are the fleet's, in ``settings.calendar`` (docs/fleet-format.md).

Cron times are wall-clock times in the fleet's time zone. Across a DST change: a time that does not exist
(spring forward, 02:30) runs at the same offset as before the gap (03:30, as cron does); a time that happens
twice (fall back) runs once, at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from ..fleet.inventory_config import fleet_dir_of
from ..fleet.loader import display_name, fleet_files
from ..fleet.yamlio import YamlSyntaxError, load_yaml
from .catalogue import Catalogue, LaunchError
from .model import LaunchOptions

try:
    from croniter import CroniterBadDateError, croniter
except ImportError:  # pragma: no cover - the job service's requirements install it
    croniter = None  # type: ignore[assignment,misc]  # said where a schedule is checked
    CroniterBadDateError = ValueError  # type: ignore[assignment,misc]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DAY_GROUPS = {"workdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:]}
#: a schedule's name: it is part of a job's ``launched_by`` (schedule:<name>) and of URLs
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: how far ahead run times are looked for: a schedule that fires less often than that never fires
SEARCH_DAYS = 5 * 366
#: a run's states: launched (a job was made), missed (the service was not running at its time), error (the
#: launch was refused, e.g. the playbook left the catalogue)
LAUNCHED = "launched"
MISSED = "missed"
ERROR = "error"


class ScheduleError(ValueError):
    """A schedule or calendar that cannot be accepted; ``field`` names the field (``cron``, ``days``...)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Calendar:
    """The fleet's calendar: time zone, day groups (weekday numbers, Monday 0) and holidays."""

    timezone: str = "UTC"
    day_groups: dict[str, frozenset[int]] = field(
        default_factory=lambda: {
            name: frozenset(WEEKDAYS.index(day) for day in days) for name, days in DEFAULT_DAY_GROUPS.items()
        }
    )
    holidays: frozenset[dt.date] = frozenset()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def open_on(self, day: dt.date, group: str, skip_holidays: bool) -> bool:
        if skip_holidays and day in self.holidays:
            return False
        return not group or day.weekday() in self.day_groups[group]


def calendar_of(settings: dict, origin: str = "settings") -> Calendar:
    """The calendar of a fleet's ``settings`` (``settings.calendar``; defaults: UTC, workdays/weekends, no
    holiday); ``origin`` (the file) starts every error message."""
    raw = settings.get("calendar") or {}
    where = f"{origin}: settings.calendar"
    timezone = raw.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleError(f"{where}.timezone", f"{timezone!r} is not a time zone of the tz database") from None
    groups = {name: frozenset(WEEKDAYS.index(day) for day in days) for name, days in DEFAULT_DAY_GROUPS.items()}
    for name, days in (raw.get("day_groups") or {}).items():
        wrong = [day for day in days if day not in WEEKDAYS]
        if wrong:
            raise ScheduleError(f"{where}.day_groups.{name}", f"{wrong[0]!r} is not one of {', '.join(WEEKDAYS)}")
        groups[name] = frozenset(WEEKDAYS.index(day) for day in days)
    holidays = set()
    for index, holiday in enumerate(raw.get("holidays") or []):
        try:
            holidays.add(holiday if isinstance(holiday, dt.date) else dt.date.fromisoformat(str(holiday)))
        except ValueError:
            raise ScheduleError(f"{where}.holidays[{index}]", f"{holiday!r} is not a date (YYYY-MM-DD)") from None
    return Calendar(timezone, groups, frozenset(holidays))


@dataclass(frozen=True)
class Schedule:
    name: str
    options: LaunchOptions
    cron: str
    days: str = ""  # a day group of the calendar; "" = every day
    skip_holidays: bool = True
    enabled: bool = True
    #: due times at or before this (UTC epoch seconds) are not this schedule's: it was created, changed or
    #: enabled then
    since: float = 0.0
    #: who made or last changed it: its launches are journaled as the schedule's, with this owner
    owner: str = ""


def checked_schedule(catalogue: Catalogue, calendar: Calendar, schedule: Schedule, extra_vars: dict) -> Schedule:
    """``schedule`` with its launch options validated from ``extra_vars`` as a launch's; a ScheduleError or
    LaunchError naming the field otherwise."""
    if not NAME.match(schedule.name):
        raise ScheduleError(
            "name", "must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    if croniter is None:
        raise ScheduleError("cron", "croniter is not installed (the job service's requirements)")
    if len(schedule.cron.split()) != 5 or not croniter.is_valid(schedule.cron):
        raise ScheduleError("cron", f"{schedule.cron!r} is not a cron expression (minute hour day month weekday)")
    if schedule.days and schedule.days not in calendar.day_groups:
        raise ScheduleError(
            "days", f"{schedule.days!r} is not a day group of the fleet: {', '.join(sorted(calendar.day_groups))}"
        )
    entry = catalogue.get(schedule.options.playbook)
    for question in entry.questions:
        if question.get("type") == "password" and (question.get("required") or question["variable"] in extra_vars):
            raise LaunchError(
                f"extra_vars.{question['variable']}",
                "is a password: a schedule stores no secret, so it cannot run a playbook that needs one",
            )
    options, _secrets = catalogue.launch_options(
        entry.name,
        schedule.options.limit,
        schedule.options.check,
        schedule.options.diff,
        schedule.options.verbosity,
        extra_vars,
    )
    checked = Schedule(
        schedule.name, options, schedule.cron, schedule.days, schedule.skip_holidays, schedule.enabled, schedule.since
    )
    if not run_times(checked, calendar, dt.datetime.now(dt.UTC), 1):
        raise ScheduleError("cron", f"no run time in the next {SEARCH_DAYS} days (day group and holidays included)")
    return checked


def run_times(
    schedule: Schedule, calendar: Calendar, after: dt.datetime, count: int, until: dt.datetime | None = None
) -> list[dt.datetime]:
    """The schedule's next ``count`` run times strictly after ``after`` (aware) and not after ``until``, in UTC."""
    zone = calendar.zone
    after_utc = after.astimezone(dt.UTC)
    limit = until.astimezone(dt.UTC) if until else after_utc + dt.timedelta(days=SEARCH_DAYS)
    # cron walks wall-clock time: start an hour back in local time so a time in a fall-back repeat is not skipped
    local = after_utc.astimezone(zone).replace(tzinfo=None) - dt.timedelta(hours=1)
    walker = croniter(schedule.cron, local)
    found: list[dt.datetime] = []
    while len(found) < count:
        try:
            wall = walker.get_next(dt.datetime)
        except CroniterBadDateError:  # a date that never comes (30 February)
            break
        # fold=0: a repeated wall time is its first occurrence; a missing one takes the offset before the gap
        moment = wall.replace(tzinfo=zone).astimezone(dt.UTC)
        if moment > limit:
            break
        if moment <= after_utc or (found and moment <= found[-1]):
            continue
        if calendar.open_on(wall.date(), schedule.days, schedule.skip_holidays):
            found.append(moment)
    return found


def fleet_calendar(inventory: str) -> Calendar:
    """The calendar of the fleet the site's ``inventory`` points at: the first fleet file with
    ``settings.calendar`` (the fleet's validation makes sure there is one); defaults if none has."""
    for path in fleet_files(fleet_dir_of(inventory)):
        if not path.endswith((".yml", ".yaml")):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                data = load_yaml(handle.read())
        except (OSError, UnicodeDecodeError, YamlSyntaxError) as exc:
            raise ScheduleError(display_name(path), f"cannot be read: {exc}") from None
        settings = data.get("settings") if isinstance(data, dict) else None
        if isinstance(settings, dict) and settings.get("calendar"):
            return calendar_of(settings, display_name(path))
    return Calendar()
