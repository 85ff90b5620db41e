# Private to this collection: the request journal, written in batches off the request path.
"""Every request the service answers becomes one journal entry; entries reach the database in batches.

A request handler only appends a tuple to a list (well under a microsecond); a flusher (a thread in the
service) takes the list every fraction of a second and writes it in one transaction, together with the
per-phone contact rows the batch implies (last contact, IP, model, firmware, config version fetched).
So journaling costs the request nothing measurable, and a database stall delays the journal, not phones.
Entries not yet flushed are lost if the process is killed (at most one flush interval of them): nothing
a phone's status depends on is only there. A phone served a version of its config the database may not have
gets a line in the process's served log (``served_log.py``) before the answer leaves, in the same call that
adds its entry; the flush rotates that log and deletes its old files once their entries are written, and a
process starting replays the logs of processes that are gone. An auto-provisioned phone's number and served
version are saved with the answer (``Store.assignment_served``).

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

from .served_log import ServedLog
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
WINDOW_OPENED = "window-opened"  # an admin opened a phone's firmware window through the API (window_override.py)
WINDOW_CLOSED = "window-closed"  # ... and closed it
# mobility (mobility/engine.py): logins, logouts, refusals, lockouts, expiries, a logged-in user's config changed
MOBILITY_LOGIN = "mobility-login"
MOBILITY_LOGOUT = "mobility-logout"
MOBILITY_EXPIRED = "mobility-expired"
MOBILITY_REFUSED = "mobility-refused"
MOBILITY_LOCKED = "mobility-locked"
MOBILITY_UPDATED = "mobility-updated"
MOBILITY_RESYNC = "mobility-resync"  # the phone was told to re-sync (evidence: sent or why not)
#: rows of what the API or the service did to a phone: not a request of the phone (neither its contact nor a
#: claim of its address: a mobility screen's request only claims the phone, like a Cisco devicename)
_BY_THE_API = frozenset(
    (
        WINDOW_OPENED,
        WINDOW_CLOSED,
        MOBILITY_LOGIN,
        MOBILITY_LOGOUT,
        MOBILITY_EXPIRED,
        MOBILITY_REFUSED,
        MOBILITY_LOCKED,
        MOBILITY_UPDATED,
        MOBILITY_RESYNC,
    )
)
#: a Cisco login the authentication URL accepted (cisco_authentication.py): its devicename is only claimed, so
#: the row is no contact of that phone (it moves neither its last contact nor its address)
AUTHORIZED = "authorized"
#: requests naming a phone that were not its own (a refused foreign file, a failed or only claimed login)
_NO_CONTACT = frozenset((REJECTED, REFUSED, UNAUTHORIZED, AUTHORIZED))
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
        self._flushing: list = []  # the batch being written: still unflushed for known_addresses
        self._flushed_batches = 0  # batches written or given back: a reader of the store and the lists retries
        self._served: ServedLog | None = None  # see log_served
        self._durable: dict[str, str] = {}  # mac -> the version served to it that the database or a log has
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
        ``proven`` whether the request proved it comes from the phone it names (access key, phone auth).

        With a served log, a version the database may not have for the phone is first written to the log (the
        caller sends its answer after this returns)."""
        entry = (time.time(), protocol, ip, recognition, result, code, user_agent, version, proven)
        served = self._served
        mac = recognition.mac  # the contact the entry's version goes to (none without a MAC)
        if version is None or served is None or mac is None or self._durable.get(mac) == version:
            self._pending.append(entry)
            return
        # the line and its entry under the log's lock, which the flush's switch to a new file takes: see flush
        with served.lock:
            logged = served.append(mac, version, entry[0])
            self._pending.append(entry)
        if logged:  # else the next fetch tries again
            self._durable[mac] = version

    def new_publish(self) -> None:
        """A publish was loaded: versions may go back to ones the database no longer holds for a phone (a
        revert, another worker's fetch in between), so every phone's next served version is logged again."""
        self._durable = {}

    def log_served(self, served: ServedLog, durable: dict[str, str]) -> None:
        """Write served versions ahead to ``served`` from now on; ``durable``: the versions the database has
        (``Store.fetched_versions``), which need no line."""
        self._durable = durable
        self._served = served

    def close(self) -> None:
        """After the last flush: the served log's empty file goes (one with lines stays, to be replayed)."""
        if self._served is not None:
            self._served.close()
            self._served = None

    def flush(self) -> int:
        """Write what is pending; returns how many entries. On a database error they are kept for next time."""
        with self._lock:
            served = self._served
            # Why no served line is lost from both the log and the database: add() writes a line and appends its
            # entry under served.lock; rotate() switches files under the same lock, before the batch is taken.
            # So every line of a file switched from had its entry appended before the switch, hence before the
            # batch below is taken: the entry is in this batch (or was written by an earlier flush; a failed
            # batch goes back to the pending list, and its files stay retired for the next commit). The files
            # are deleted only once the batch is committed; a line written after the switch is in the new file.
            if served is not None:
                served.rotate()
            # the list stays the same object: an add() that has already looked up self._pending but not yet
            # appended (the GIL may switch threads in between) appends to a list that is still the pending one
            batch = self._pending[:]
            self._flushing = batch  # before it leaves the pending list: known_addresses always finds it in one
            del self._pending[: len(batch)]
            if not batch:
                if served is not None:
                    served.committed()
                self._forget_unknown_now()
                self._purge_now()
                return 0
            try:
                entries, contacts = _rows(batch, self.store.known_addresses(_claimed_macs(batch)))
                self.store.record(entries, contacts)
            except Exception:
                self._pending[:0] = batch  # keep order; the next flush retries
                self.stats.failures += 1
                raise
            finally:  # counted before the batch leaves self._flushing: a reader that missed it sees the count move
                self._flushed_batches += 1
                self._flushing = []
            if served is not None:
                served.committed()
            self.stats.flushed += len(batch)
            self.stats.batches += 1
            self._new_contacts = self._new_contacts or bool(contacts)
            self._forget_unknown_now()
            self._purge_now()
            return len(batch)

    def known_addresses(self, store: Store, macs: Collection[str]) -> dict[str, tuple[str, bool]]:
        """MAC -> (address, proven) of ``macs`` as they will be once every journaled request is flushed: what
        ``store`` (the caller's connection to the database: the journal's own is its flusher's) knows
        (``Store.known_addresses``), moved on by the entries still waiting, by the rules of the flush. So a phone
        is known from its first journaled request, not a flush interval later. A batch written while the store and
        the lists are read makes the read start again (the batch may be in neither copy)."""
        wanted = set(macs)
        while True:
            flushed = self._flushed_batches
            known = store.known_addresses(wanted)
            # the pending list first: an entry leaves it only after the flush put it into self._flushing
            waiting = self._pending[:]
            flushing = self._flushing
            if flushed == self._flushed_batches:
                break
        for entry in (*flushing, *waiting):
            mac, ip, result, proven = entry[3].mac, entry[2], entry[4], entry[8]
            if mac in wanted and ip and _is_contact(entry[3], result):
                _learn(known, mac, ip, proven)
        return known

    def recent_addresses(self, store: Store, mac: str, since: float) -> tuple[set[str], bool]:
        """The addresses phone ``mac``'s contacts came from since ``since`` (flushed or still waiting), and whether
        one of them came from another address than the phone was known at before (``address-unproven``): for a
        phone no request proved, several addresses, or a move, mean someone may be claiming its identity."""
        addresses: set[str] = set()
        moved = False
        for row in store.journal(mac=mac, since=since):
            evidence = (row.get("evidence") or "").split(",")
            if row.get("ip") and _is_contact_row(mac, row["result"], evidence):
                addresses.add(row["ip"])
                moved = moved or ADDRESS_UNPROVEN in evidence
        before = store.known_addresses([mac]).get(mac)
        for entry in (*self._flushing, *self._pending):
            if entry[3].mac == mac and entry[2] and entry[0] >= since and _is_contact(entry[3], entry[4]):
                addresses.add(entry[2])
                moved = moved or (not entry[8] and before is not None and before[0] != entry[2])
        return addresses, moved

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


def _claimed_macs(batch: list) -> set[str]:
    """The phones named by the batch's unproven requests: those whose known address the rows compare with."""
    return {
        entry[3].mac for entry in batch if not entry[8] and entry[2] and entry[3].mac and entry[4] not in _BY_THE_API
    }


def _rows(batch: list, known: dict[str, tuple[str, bool]]) -> tuple[list, list]:
    """Journal rows and contact rows of a batch; ``known`` (changed as the batch goes) holds each phone's
    known address and whether it is proven (``Store.known_addresses``)."""
    entries = []
    contacts: dict[str, list] = {}
    for at, protocol, ip, recognition, result, code, user_agent, version, proven in batch:
        mac = recognition.mac
        evidence = ",".join(recognition.evidence) if recognition.evidence else None
        by_the_api = result in _BY_THE_API
        if mac is not None and ip and not proven and not by_the_api and known.get(mac, (ip, False))[0] != ip:
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
        if not _is_contact(recognition, result):
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
            _learn(known, mac, ip, proven)
        row[5] = (user_agent[:512] if user_agent else None) or row[5]
        row[7] = at
        if version is not None:
            row[8], row[9] = version, at
    return entries, [tuple(row) for row in contacts.values()]


def _is_contact(recognition, result: str) -> bool:
    """Whether a request is a contact of the phone it names: only when it was really that phone's (not a refused
    foreign file, not what the API or the service did to it)."""
    return _is_contact_row(recognition.mac, result, recognition.evidence)


def _is_contact_row(mac: str | None, result: str, evidence: Collection[str]) -> bool:
    return not (mac is None or result in _BY_THE_API or result in _NO_CONTACT or "mac-mismatch" in evidence)


def _learn(known: dict[str, tuple[str, bool]], mac: str, ip: str, proven: bool) -> None:
    """``known`` after a contact of ``mac`` from ``ip``, as its row updates the phone's contact: a proven request
    moves the known address; an unproven one only while the phone has no proven address."""
    if proven or not known.get(mac, (None, False))[1]:
        known[mac] = (ip, proven)
