# Private to this collection: a phone's firmware window opened by hand, for a bounded time.
"""Firmware windows opened by hand: the override of ``firmware_upgrade.yml -e phonefleet_ignore_window=true``.

A phone's files name its kit's firmware only inside its profile's firmware window (``published.py``), so a
reboot outside it flashes nothing. An admin opens the window of given phones for a bounded time
(``POST /api/v1/phones/<mac>/firmware-window`` with ``{"minutes": N}``, 1 to :data:`MAX_MINUTES`); the opening is
kept in the store, so every worker and every server sees it, ends by itself at its time (or at
``DELETE``), and is journaled with the name of the API token that asked (``window-opened`` /
``window-closed``, evidence ``by:<token name>``).

On the hot path a worker consults its copy of the openings: read from the store at most once every
``check_interval`` seconds (one query of the few rows still open), then a dict lookup and a comparison per
request. The expiry is exact (``until`` is compared with the request's time); an opening another worker made
is seen within ``check_interval``; the worker that made it sees it at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from . import journal as results
from .journal import Journal
from .recognition import UNKNOWN, Recognition
from .store import Store

LOG = logging.getLogger("phonefleet.service")
#: the longest opening: four hours; an engineer who needs more asks again (each asking is journaled)
MAX_MINUTES = 240
#: the journal's ``protocol`` of what the API did
API = "api"


class OpeningRefused(ValueError):
    """The request to open a window is not one: the message names the field."""


def minutes_asked(document: object) -> int:
    """The ``minutes`` of an opening's JSON body: a whole number from 1 to MAX_MINUTES; OpeningRefused naming
    the field otherwise (no default: how long the phones may flash is the asker's decision)."""
    if not isinstance(document, dict):
        raise OpeningRefused('the body must be a JSON object such as {"minutes": 60}')
    unknown = sorted(set(document) - {"minutes"})
    if unknown:
        raise OpeningRefused(f"unknown field {str(unknown[0])[:40]!r}: the body has only minutes")
    minutes = document.get("minutes")
    # bool is an int in Python, and true would open the window for one minute
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise OpeningRefused(f"minutes must be a whole number from 1 to {MAX_MINUTES}, not {str(minutes)[:40]!r}")
    return minutes


class WindowOverrides:
    """The firmware windows opened by hand, as one worker sees them. Not for several threads (like the
    provisioner that consults it, whose store it uses)."""

    def __init__(
        self, store: Store, journal: Journal, check_interval: float = 1.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.journal = journal
        self.check_interval = check_interval
        self.clock = clock  # when an opening starts and ends (epoch seconds)
        self._until: dict[str, float] = {}  # mac -> until when its window is open (epoch seconds)
        self._checked_at = float("-inf")

    def opened(self, mac: str, now: float) -> bool:
        """Whether ``mac``'s window was opened by hand and is still open at ``now`` (epoch seconds)."""
        if not now - self.check_interval < self._checked_at <= now:  # also a clock set back
            self._read(now)
        until = self._until.get(mac)
        return until is not None and until > now

    def _read(self, now: float) -> None:
        self._checked_at = now
        try:
            self._until = self.store.open_windows(now)
        except Exception as exc:  # noqa: BLE001 - phones are served meanwhile with what was read before
            LOG.error("firmware windows opened by hand: cannot read them (%s); will retry", type(exc).__name__)

    def open(
        self, mac: str, minutes: int, opened_by: str, vendor: str | None, ip: str | None, user_agent: str | None
    ) -> float:
        """Open ``mac``'s window for ``minutes`` from now (the last opening counts, also a shorter one);
        journaled. Returns until when (epoch seconds)."""
        now = self.clock()
        until = now + minutes * 60
        self.store.open_window(mac, until, opened_by, now)
        self._journal(mac, vendor, results.WINDOW_OPENED, (f"by:{opened_by}", f"minutes:{minutes}"), ip, user_agent)
        self._read(now)  # this worker serves it from the next request on
        return until

    def close(self, mac: str, closed_by: str, vendor: str | None, ip: str | None, user_agent: str | None) -> bool:
        """Close ``mac``'s window opened by hand (its profile's window is the rule again); True when one was
        open. Journaled either way."""
        now = self.clock()
        closed = self.store.close_window(mac, now)
        self._journal(mac, vendor, results.WINDOW_CLOSED, (f"by:{closed_by}",), ip, user_agent)
        self._read(now)
        return closed

    def _journal(self, mac: str, vendor: str | None, result: str, evidence: tuple, ip, user_agent) -> None:
        recognition = Recognition(vendor, None, None, mac, f"api/v1/phones/{mac}/firmware-window", UNKNOWN, evidence)
        self.journal.add(API, ip, recognition, result, 200, user_agent)
