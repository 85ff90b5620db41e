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
``retry_delays``. What waits is one entry per phone (its next attempt and when it is due): a newer change of the
phone replaces what was still to be sent for the older one, and changes queued together are sent once. Retries
that are due go before new phones, so a busy shift change does not starve them; at most ``max_pending`` phones
wait (more are dropped, logged). Each send reads the newest snapshot submitted: a retry sends with the fleet as
it is then, and nothing waiting keeps an old publish alive.
"""

from __future__ import annotations

import logging
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
#: phones waiting for a re-sync at most (a fleet's worth; one small entry each)
MAX_PENDING = 100_000


class Resyncer:
    """Phones to re-sync and the thread that drives them (``submit`` returns at once)."""

    def __init__(
        self,
        store: MobilityStore,
        journal: Journal,
        sip_user: Callable[[str], str | None],
        timeout: float = 3.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.store = store
        self.journal = journal
        self.sip_user = sip_user  # mac -> the SIP user it registers now (the logged-in user's first line, or its own)
        self.timeout = timeout
        self.retry_delays = retry_delays
        self.max_pending = max_pending
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._pending: dict[str, tuple[float, int]] = {}  # mac -> (due, attempt): one entry per phone
        self._snapshot: Snapshot | None = None  # the newest submitted: what every send reads

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="mobility-resync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            with self._changed:
                self._stopping = True
                self._changed.notify_all()
            self._thread.join(timeout=10)
            self._thread = None

    def submit(self, mac: str, snapshot: Snapshot) -> None:
        with self._changed:
            self._snapshot = snapshot
            if mac not in self._pending and len(self._pending) >= self.max_pending:
                LOG.error("mobility: re-sync of %s dropped: %d phones wait already", mac, len(self._pending))
                return
            self._pending[mac] = (time.monotonic(), 0)  # replaces its retries: the newest change is what counts
            self._changed.notify_all()

    def _next_locked(self, now: float) -> tuple[str | None, float | None]:
        """The phone to send to now (retries due first, then the longest waiting), else how long until one is due."""
        due = [(attempt == 0, at, mac) for mac, (at, attempt) in self._pending.items() if at <= now]
        if due:
            return min(due)[2], None
        return None, min((at for at, _attempt in self._pending.values()), default=now + 3600.0) - now

    def _run(self) -> None:
        while True:
            with self._changed:
                mac, wait = None, None
                while not self._stopping:
                    mac, wait = self._next_locked(time.monotonic())
                    if mac is not None:
                        break
                    self._changed.wait(wait)
                if self._stopping or mac is None:
                    return
                attempt = self._pending.pop(mac)[1]
                snapshot = self._snapshot
            if snapshot is not None:
                self._attempt(mac, snapshot, attempt)

    def _attempt(self, mac: str, snapshot: Snapshot, attempt: int) -> None:
        try:
            status = self.send(mac, snapshot)["status"]
        except Exception as exc:  # noqa: BLE001 - one phone's trouble must not stop the others' re-syncs
            LOG.error("mobility: re-sync of %s failed: %s", mac, type(exc).__name__)
            status = request.FAILED
        if status in request.FAILURES and attempt < len(self.retry_delays):
            with self._changed:  # a change submitted while this was sent is newer: it stays as it is
                self._pending.setdefault(mac, (time.monotonic() + self.retry_delays[attempt], attempt + 1))

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
