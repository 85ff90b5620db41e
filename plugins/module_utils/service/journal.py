# Private to this collection: the request journal, written in batches off the request path.
"""Every request the service answers becomes one journal entry; entries reach the database in batches.

A request handler only appends a tuple to a list (well under a microsecond); a flusher (a thread in the
service) takes the list every fraction of a second and writes it in one transaction, together with the
per-phone contact rows the batch implies (last contact, IP, model, firmware, config version fetched).
So journaling costs the request nothing measurable, and a database stall delays the journal, not phones.
Entries not yet flushed are lost if the process is killed (at most one flush interval of them): nothing
a phone's status depends on is only there. The answer that gives a phone a new version of its config waits
for the journal to be written (:meth:`Journal.when_written` wakes the flusher at once, and every answer
waiting then is written by the same transaction), so the version a phone was served is in the database
before the phone has it; an auto-provisioned phone's number and served version are saved with the answer
(``Store.assignment_served``).

Unknown phones (they asked, have no config) are remembered as contacts up to ``unknown_phones_max``; past
that, the least recently seen are forgotten, each with a ``forgotten`` journal row, so spoofed MACs cannot
grow the state without bound.

A request *proves* it comes from the phone it names when it carried that phone's access key or passed
phone authentication for that phone's vendor. Only a proven request moves the phone's ``proven_ip`` (the
address the inventory gives Ansible); an unproven one is the phone's last-seen ``ip``, and when it comes
from another address than the one the phone was known at (its proven address, else its last one), its
journal row carries the evidence ``address-unproven``: someone may be claiming the phone's identity.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .store import Store

#: what happened to a request (the journal's ``result`` column)
SERVED = "served"  # a published file
BASE = "base"  # a published shared or base file, to an unknown phone
AUTOPROVISIONED = "autoprovisioned"  # a config the service rendered for a phone it auto-provisioned
POOL_FULL = "pool-full"  # auto-provisioning found no free number
AUTOPROVISION_REFUSED = "autoprovision-refused"  # no number now: outside allowed_networks, or over a rate
FORGOTTEN = "forgotten"  # an unknown phone dropped from the contacts (over unknown_phones_max); no request
NOT_FOUND = "not-found"
REJECTED = "rejected"  # a path that could leave the web root, or junk
REFUSED = "refused"  # another phone's file, a MAC-named URL with access keys on, a bad key
UNAUTHORIZED = "unauthorized"  # phone-to-server authentication missing or wrong
ERROR = "error"
#: evidence of an unproven request from another address than the phone's known one (a claimed identity)
ADDRESS_UNPROVEN = "address-unproven"

#: per-request record: JOURNAL_COLUMNS of the store, then the config version served (or None)
DAY = 86400.0


@dataclass
class JournalStats:
    flushed: int = 0
    batches: int = 0
    failures: int = 0
    pending: int = 0


class Journal:
    """A buffer of journal entries with a flush into a Store; thread-safe for appends and flushes."""

    def __init__(
        self,
        store: Store,
        retention_days: float = 10.0,
        *,
        unknown_phones_max: int = 10000,
        configured: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        """``configured()`` gives the MACs of the published fleet (never forgotten, whatever they fetched)."""
        self.store = store
        self.retention = retention_days * DAY
        self.unknown_phones_max = unknown_phones_max
        self.configured = configured
        self._last_forget = 0.0
        self._new_contacts = False  # contacts written since unknown phones were last counted
        self._pending: list = []
        self._waiters: list[Callable[[bool], object]] = []  # called once the entries before them are written
        #: set when someone waits for the journal to be written: the flusher then writes at once
        self.wanted = threading.Event()
        self._lock = threading.Lock()  # one flush at a time (the store is not shared between threads)
        self._last_purge = 0.0
        self.stats = JournalStats()

    def add(
        self,
        protocol: str,
        ip: str | None,
        recognition,
        result: str,
        code: int,
        user_agent: str | None,
        version: str | None = None,
        proven: bool = False,
    ) -> None:
        """Record one request; ``version`` is the phone's config version when its own config was served,
        ``proven`` whether the request proved it comes from the phone it names (access key, phone auth)."""
        self._pending.append((time.time(), protocol, ip, recognition, result, code, user_agent, version, proven))

    def when_written(self, written: Callable[[bool], object]) -> None:
        """Have ``written(True)`` called (from the flushing thread) once every entry added so far is in the
        database, ``written(False)`` if the flush that should have written them failed; wakes the flusher.

        One writer per process (the flusher) whatever waits: a second writer beside it would fight it for
        SQLite's write lock, whose busy handler sleeps, and starve."""
        self._waiters.append(written)
        self.wanted.set()

    def flush(self) -> int:
        """Write what is pending; returns how many entries. On a database error they are kept for next time."""
        with self._lock:
            # waiters first: one registered after this has its entry added before it, so in this batch or the
            # next flush's, which calls it; registered before, its entry is in this batch (or written already)
            waiters = self._waiters[:]
            del self._waiters[: len(waiters)]
            # the list stays the same object: an add() that has already looked up self._pending but not yet
            # appended (the GIL may switch threads in between) appends to a list that is still the pending one
            batch = self._pending[:]
            del self._pending[: len(batch)]
            if not batch:
                _call(waiters, True)
                self._forget_unknown_now()
                self._purge_now()
                return 0
            try:
                entries, contacts = _rows(batch, self.store.known_addresses(_claimed_macs(batch)))
                self.store.record(entries, contacts)
            except Exception:
                self._pending[:0] = batch  # keep order; the next flush retries
                self.stats.failures += 1
                _call(waiters, False)
                raise
            _call(waiters, True)
            self.stats.flushed += len(batch)
            self.stats.batches += 1
            self._new_contacts = self._new_contacts or bool(contacts)
            self._forget_unknown_now()
            self._purge_now()
            return len(batch)

    def _forget_unknown_now(self) -> None:
        """At most once a second, after new contacts (a count each time): forget unknown phones over the cap."""
        now = time.time()
        if not self._new_contacts or now - self._last_forget < 1.0:
            return
        self._last_forget = now
        self._new_contacts = False
        evidence = f"unknown-phones-max:{self.unknown_phones_max}"

        def journal_row(mac: str) -> tuple:
            return (now, "service", None, mac, None, None, None, "", FORGOTTEN, 0, None, evidence)

        self.store.forget_unknown(self.unknown_phones_max, self.configured(), journal_row)

    def _purge_now(self) -> None:
        now = time.time()
        if now - self._last_purge >= 3600.0:
            self._last_purge = now
            self.store.purge_journal(now - self.retention)

    @property
    def pending(self) -> int:
        return len(self._pending)


def _call(waiters: list[Callable[[bool], object]], written: bool) -> None:
    for waiter in waiters:
        try:
            waiter(written)
        except Exception:  # noqa: BLE001, S110 - a waiter gone (its event loop closed) must not stop the flush
            pass


def _claimed_macs(batch: list) -> set[str]:
    """The phones named by the batch's unproven requests: those whose known address the rows compare with."""
    return {entry[3].mac for entry in batch if not entry[8] and entry[2] and entry[3].mac}


def _rows(batch: list, known: dict[str, tuple[str, bool]]) -> tuple[list, list]:
    """Journal rows and contact rows of a batch; ``known`` (changed as the batch goes) holds each phone's
    known address and whether it is proven (``Store.known_addresses``)."""
    entries = []
    contacts: dict[str, list] = {}
    for at, protocol, ip, recognition, result, code, user_agent, version, proven in batch:
        mac = recognition.mac
        evidence = ",".join(recognition.evidence) if recognition.evidence else None
        if mac is not None and ip and not proven and known.get(mac, (ip, False))[0] != ip:
            evidence = f"{evidence},{ADDRESS_UNPROVEN}" if evidence else ADDRESS_UNPROVEN
        entries.append(
            (
                at,
                protocol,
                ip,
                mac,
                recognition.vendor,
                recognition.model,
                recognition.firmware,
                recognition.file,
                result,
                code,
                user_agent[:512] if user_agent else None,
                evidence,
            )
        )
        # a phone's contact: only when the request was really that phone's (not a refused foreign file)
        if mac is None or result in (REJECTED, REFUSED, UNAUTHORIZED) or "mac-mismatch" in recognition.evidence:
            continue
        row = contacts.get(mac)
        if row is None:
            row = contacts[mac] = [mac, None, None, None, None, None, at, at, None, None, None, None, None]
        row[1] = recognition.vendor or row[1]
        row[2] = recognition.model or row[2]
        row[3] = recognition.firmware or row[3]
        if ip:
            row[4], row[10] = ip, int(proven)
            if proven:
                row[11], row[12] = ip, at
            if proven or not known.get(mac, (None, False))[1]:  # as the row will update the phone's contact
                known[mac] = (ip, proven)
        row[5] = (user_agent[:512] if user_agent else None) or row[5]
        row[7] = at
        if version is not None:
            row[8], row[9] = version, at
    return entries, [tuple(row) for row in contacts.values()]
