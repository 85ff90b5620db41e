# Private to this collection: telling a phone to re-sync after its mobility session changed.
"""After a login, a logout or a change of a logged-in user, the phone must fetch its config now. The service
tells it the way the ``phone_command`` module's ``resync`` does: through the control core
(``control/request.py``, the vendor's ``control.py``: SIP NOTIFY check-sync for Yealink, service-control
restart for Cisco enterprise), to the address the service knows for the phone (its last proven request, else its
last request, from the moment it is journaled: ``Journal.known_addresses``), with the fleet's
``settings.phone_control`` login.

Sending takes up to the control timeout, so it runs on a thread of its own: a login's answer never waits for
the phone. The outcome is journaled (``mobility-resync``, evidence ``sent:<method>`` or ``failed:<kind>``).
A phone that did not take it (rebooting, out of reach for a moment, a lost datagram) is told again after
``retry_delays``; a newer change of the same phone replaces what was still to be sent for the older one.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from ..control import request
from ..control.target import Credentials
from ..service import journal as results
from ..service.journal import Journal
from ..service.published import Snapshot
from ..service.recognition import UNKNOWN, Recognition
from .store import MobilityStore

LOG = logging.getLogger("phonefleet.service")
RESYNC = "resync"
#: seconds before telling again a phone that did not take a re-sync (a logged-out user's lines stay on it until then)
RETRY_DELAYS = (5.0, 30.0, 120.0)


class Resyncer:
    """A queue of phones to re-sync and the thread that drives them (``submit`` returns at once)."""

    def __init__(
        self,
        store: MobilityStore,
        journal: Journal,
        sip_user: Callable[[str], str | None],
        timeout: float = 3.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.store = store
        self.journal = journal
        self.sip_user = sip_user  # mac -> the SIP user it registers now (the logged-in user's first line, or its own)
        self.timeout = timeout
        self.retry_delays = retry_delays
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._latest: dict[str, int] = {}  # mac -> its newest submit: an older one's retries are dropped
        self._submits = itertools.count(1)
        self._retries: list[tuple[float, int, str, Snapshot, int]] = []  # heap: (due, submit, mac, snapshot, attempt)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mobility-resync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def submit(self, mac: str, snapshot: Snapshot) -> None:
        self._queue.put((mac, snapshot))

    def _run(self) -> None:
        while True:
            wait = max(0.0, self._retries[0][0] - time.monotonic()) if self._retries else None
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:  # a retry is due
                _due, number, mac, snapshot, attempt = heapq.heappop(self._retries)
                if self._latest.get(mac) == number:
                    self._attempt(number, mac, snapshot, attempt)
                continue
            if item is None:
                return
            number = next(self._submits)
            self._latest[item[0]] = number
            self._attempt(number, item[0], item[1], 0)

    def _attempt(self, number: int, mac: str, snapshot: Snapshot, attempt: int) -> None:
        try:
            status = self.send(mac, snapshot)["status"]
        except Exception as exc:  # noqa: BLE001 - one phone's trouble must not stop the others' re-syncs
            LOG.error("mobility: re-sync of %s failed: %s", mac, type(exc).__name__)
            status = request.FAILED
        if status in request.FAILURES and attempt < len(self.retry_delays):
            heapq.heappush(
                self._retries, (time.monotonic() + self.retry_delays[attempt], number, mac, snapshot, attempt + 1)
            )
        elif self._latest.get(mac) == number:
            del self._latest[mac]

    def send(self, mac: str, snapshot: Snapshot) -> dict:
        """Re-sync phone ``mac`` now; the control core's result (status sent, failed, unsupported, no_address)."""
        fleet = snapshot.fleet
        phone = fleet.phone(mac) if fleet is not None else None
        if phone is None or fleet is None:
            return {"status": request.FAILED, "msg": "not in the published fleet"}
        control = fleet.settings.get("phone_control") or {}
        known = self.journal.known_addresses(self.store, [mac]).get(mac)  # its requests not yet flushed too
        entry = {
            "mac": mac,
            "vendor": phone.vendor,
            "model": phone.model,
            "address": known[0] if known else None,
            "sip_user": self.sip_user(mac),
        }
        credentials = Credentials(control.get("username"), control.get("password"))
        target = request.target_from_entry(entry, 0, request.Defaults(credentials=credentials, timeout=self.timeout))
        # an address no request proved is whoever last claimed the MAC: the control core sends it no password
        # (Basic refused, only a Digest challenge answered), as it does for the inventory's unproven addresses
        target.target = replace(target.target, address_proven=bool(known and known[1]))
        result = request.execute_command(target, RESYNC)
        status = result["status"]
        evidence = f"sent:{result.get('method')}" if status == request.SENT else f"{status}:{result.get('error', '')}"
        recognition = Recognition(phone.vendor, phone.model, None, mac, "mobility", UNKNOWN, (evidence,))
        code = 200 if status == request.SENT else 502
        self.journal.add("mobility", None, recognition, results.MOBILITY_RESYNC, code, None)
        return result
