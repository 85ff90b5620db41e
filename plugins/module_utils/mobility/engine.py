# Private to this collection: mobility (hot-desking): who may log in where, and what a logged-in phone gets.
"""The mobility engine: a user logs in on a phone with his number and PIN, and the phone is served his lines
and keys until he logs out, logs in elsewhere, an administrator ends the session, or it expires.

A login is refused, with a reason the phone's screen shows and the journal keeps (never the PIN), when the
phone is not in the published fleet, its own profile does not allow mobility (``profile.mobility``), its model
does not support it (the catalogue's ``mobility`` flag), the number or the PIN is wrong, or the number or the
phone is locked: ``max_failures`` wrong PINs against a number or from a phone lock it for ``lockout_seconds``
(journaled ``mobility-locked``). PINs are checked against the fleet's ``mobility_users[].pin_hash`` in constant
time (``fleet/pin.py``).

What a logged-in phone is served: the phone's own config rendered by publish's renderer with the user's lines,
keys and key template in place of the phone's own, and the user's profile when he names one (his lines
register where his profile says), else the phone's. Rendered on the fly, as the service renders a phone whose
model it learned, and kept per session and publish. Whether mobility is allowed stays the phone's own
profile's decision. After every change of what a phone is served (login, logout, login elsewhere, expiry, a
publish that changes the user) the phone is told to re-sync through the control core (``resync``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..catalog import registry
from ..fleet.model import Fleet, MobilityUser, Phone
from ..fleet.pin import PinCheckBusy, decoy_hash, verify_pin
from ..fleet.proof import ProofPolicy
from ..render.driver import RenderError
from ..render.renderer import FleetRenderer
from ..service import journal as results
from ..service.autoprovision import ServiceConfig, service_config
from ..service.journal import Journal
from ..service.published import PublishedRoot, Snapshot
from ..service.recognition import UNKNOWN, Recognition
from .store import MobilityStore, Session

#: the journal's ``protocol`` of what mobility did
PROTOCOL = "mobility"
#: who started or ended a session that the phone's own user did not
BY_PHONE = "phone"
EXPIRY = "expiry"

# reasons of a refused login (journal evidence ``reason:<code>``), and what the phone's screen says
NOT_IN_FLEET = "not-in-fleet"
NOT_ALLOWED = "not-allowed"
UNSUPPORTED = "unsupported-model"
UNKNOWN_NUMBER = "unknown-number"
WRONG_PIN = "wrong-pin"
LOCKED = "locked"
CANNOT_RENDER = "cannot-render"
UNVERIFIED = "unverified-phone"
BUSY = "busy"
ADDRESS_CONFLICT = "address-conflict"
REASONS = {
    UNVERIFIED: "This phone cannot be identified.",
    ADDRESS_CONFLICT: "This phone's address is in question. Ask your administrator.",
    NOT_IN_FLEET: "This phone is not provisioned for mobility.",
    NOT_ALLOWED: "Mobility is not allowed on this phone.",
    UNSUPPORTED: "This phone model does not support mobility.",
    UNKNOWN_NUMBER: "Wrong number or PIN.",
    WRONG_PIN: "Wrong number or PIN.",  # the same words: the screen does not tell which numbers exist
    LOCKED: "Too many wrong PINs. Try again later.",
    CANNOT_RENDER: "Your lines cannot be set up on this phone.",
    BUSY: "Too many logins at once. Try again.",
}


class LoginRefused(Exception):
    """A login that does not happen; ``reason`` is one of REASONS, ``detail`` what the journal adds."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(REASONS[reason])
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class MobilityPolicy:
    """The service's mobility settings (docs/mobility.md)."""

    max_failures: int = 5
    lockout_seconds: float = 15 * 60.0
    max_session_seconds: float = 12 * 3600.0  # 0: no maximum
    check_interval: float = 1.0  # how stale a worker's copy of the sessions may be on the hot path
    #: a phone that cannot prove itself: how long an address change, or contacts from two addresses, hold its screens
    address_conflict_seconds: float = 24 * 3600.0


@dataclass(frozen=True)
class Requester:
    """Who asked, for the journal: the phone's or the API client's address and User-Agent, and by whom."""

    ip: str | None = None
    user_agent: str | None = None
    by: str = BY_PHONE


def mobility_user(fleet: Fleet | None, number: str) -> MobilityUser | None:
    for user in fleet.mobility_users if fleet is not None else ():
        if user.number == number:
            return user
    return None


def hosted_phone(user: MobilityUser, phone: Phone) -> Phone:
    """``phone`` as it is while ``user`` is logged in on it: his lines, keys, key template and profile."""
    return replace(
        phone,
        lines=list(user.lines),
        keys=list(user.keys),
        key_template=user.key_template,
        profile=user.profile or phone.profile,
    )


class MobilityEngine:
    """Logins, logouts, expiry and the config of logged-in phones, for one worker process.

    ``resync(mac, snapshot)`` tells a phone to fetch its config again (it returns at once; resync.py sends it
    from a thread). The store is shared by the event loop and the expiry thread (its lock), and so are this
    worker's caches: the sessions it read last, with its own changes since (``_sessions_lock``: a read of the
    store and its keeping are one step, and so are a change and its keeping, so a read that started before a
    login never replaces the one after it, nor two logins on one phone keep their outcomes in another order than
    the store made them) and the renders of the
    current publish (``_render_lock``: the renderer, its snapshot and its configs change together, so no
    config rendered for one publish is kept or served for another; a render holds it, one phone long)."""

    def __init__(
        self,
        store: MobilityStore,
        journal: Journal,
        published: PublishedRoot,
        policy: MobilityPolicy,
        resync: Callable[[str, Snapshot], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.journal = journal
        self.published = published
        self.policy = policy
        self.resync = resync
        self.clock = clock
        self._sessions_lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._read_at = float("-inf")
        self._renderer_of: Snapshot | None = None
        self._renderer: FleetRenderer | None = None
        self._configs: dict[tuple[str, str], ServiceConfig] = {}

    # -- the hot path: what a logged-in phone is served --------------------------------------------

    def session(self, mac: str) -> Session | None:
        """The session of ``mac`` as this worker sees it (read from the store at most once a check_interval)."""
        now = time.monotonic()
        with self._sessions_lock:
            if not now - self.policy.check_interval < self._read_at <= now:
                self._read_locked(now)
            return self._sessions.get(mac)

    def _change(self, change: Callable[[], list[Session]], started: Session | None = None) -> list[Session]:
        """Make ``change`` in the store (a transaction; it returns the sessions it ended) and keep its outcome in
        this worker's copy, in one step: the copy follows this worker's changes at once and in the order they were
        made, without reading every session again (a shift change makes a thousand changes to a table of
        hundreds of sessions; reading it after each was most of what a login cost besides the PIN check). Other
        workers' changes arrive with the next read, as before."""
        with self._sessions_lock:
            ended = change()
            for old in ended:  # the store holds no session on that phone any more, but the one started
                self._sessions.pop(old.mac, None)
            if started is not None:
                self._sessions[started.mac] = started
        return ended

    def _read_locked(self, now: float) -> None:
        self._sessions = {session.mac: session for session in self.store.sessions()}
        self._read_at = now

    def config(self, mac: str, snapshot: Snapshot) -> ServiceConfig | None:
        """The config phone ``mac`` is served while a user is logged in on it; None when none is (or his config
        cannot be rendered any more: the phone then gets its own, and the next check ends the session)."""
        session = self.session(mac)
        return self.session_config(snapshot, session) if session is not None else None

    def session_config(self, snapshot: Snapshot, session: Session) -> ServiceConfig | None:
        """The config of ``session``'s phone while it lasts, None when it cannot be rendered (see config)."""
        if snapshot.fleet is None:
            return None
        try:
            return self._config(snapshot, session.mac, session.number)
        except LoginRefused:
            return None

    def _config(self, snapshot: Snapshot, mac: str, number: str) -> ServiceConfig:
        with self._render_lock:
            return self._config_locked(snapshot, mac, number)

    def _config_locked(self, snapshot: Snapshot, mac: str, number: str) -> ServiceConfig:
        if self._renderer_of is not snapshot:
            self._renderer = FleetRenderer(snapshot.fleet, str) if snapshot.fleet is not None else None
            self._renderer_of = snapshot
            self._configs = {}
        key = (mac, number)
        cached = self._configs.get(key)
        if cached is not None:
            return cached
        fleet = snapshot.fleet
        phone = fleet.phone(mac) if fleet is not None else None
        user = mobility_user(fleet, number)
        if phone is None or user is None or self._renderer is None:
            raise LoginRefused(NOT_IN_FLEET if phone is None else UNKNOWN_NUMBER)
        try:
            config = service_config(self._renderer, hosted_phone(user, phone))
        except (RenderError, KeyError, ValueError) as exc:
            raise LoginRefused(CANNOT_RENDER, str(exc)) from None
        self._configs[key] = config
        return config

    # -- logging in and out ----------------------------------------------------------------------------

    def host(self, snapshot: Snapshot, mac: str) -> Phone:
        """Phone ``mac`` of the published fleet, if it may host a mobility user; LoginRefused else."""
        fleet = snapshot.fleet
        phone = fleet.phone(mac) if fleet is not None and mac in snapshot.manifest.phones else None
        if fleet is None or phone is None:
            raise LoginRefused(NOT_IN_FLEET)
        profile = fleet.profiles.get(phone.profile) if phone.profile else None
        if profile is None or not profile.mobility:
            raise LoginRefused(NOT_ALLOWED, f"profile {phone.profile!r} has no mobility")
        vendor = registry.vendor_named(phone.vendor) if phone.vendor else None
        model = vendor.model(phone.model) if vendor is not None and phone.model else None
        if model is None or not model.mobility:
            raise LoginRefused(UNSUPPORTED, f"{phone.vendor} {phone.model or '(model unknown)'}")
        return phone

    def verify(self, mac: str, requester: Requester) -> None:
        """LoginRefused (journaled) unless the request comes from the address the service knows for phone ``mac``.
        A screen's request only claims its MAC (Cisco's ``#DEVICENAME#``, Yealink's User-Agent); the address is
        what the service can check, and only as far as the phone's own requests proved it:

        - a phone whose vendor the fleet gives a proof (access keys, phone auth) fetches its own files proven, so
          only the address of its last proven request counts: one config fetch that proved nothing, naming its
          MAC, moves nothing;
        - a phone that cannot prove itself (a vendor in ``serve_without_proof``, Cisco enterprise) is known by its
          last request, from the moment it is journaled; since anyone can send one, an address conflict refuses
          its screens: within ``address_conflict_seconds``, contacts from more than one address, or one that
          moved its address (journaled ``address-unproven``). A claimer then locks the screens, not takes them.

        Not checked: a device behind the same NAT address, or one that took over the phone's address (or claimed
        it longer ago than the conflict window while the phone was silent)."""
        known = self.journal.known_addresses(self.store, [mac]).get(mac)  # its config fetch of a moment ago too
        snapshot = self.published.snapshot()
        reason, detail = None, ""
        if known is None or requester.ip is None or known[0] != requester.ip:
            reason = UNVERIFIED
        elif not known[1]:
            phone = snapshot.fleet.phone(mac) if snapshot.fleet is not None else None
            vendor = phone.vendor if phone is not None else snapshot.vendors.get(mac)
            proof = ProofPolicy(snapshot.fleet.settings if snapshot.fleet is not None else None)
            if proof.can_prove(vendor) and not proof.unproven_allowed(vendor):
                reason, detail = UNVERIFIED, results.ADDRESS_UNPROVEN
            else:
                since = self.clock() - self.policy.address_conflict_seconds
                addresses, moved = self.journal.recent_addresses(self.store, mac, since)
                if moved or len(addresses) > 1:
                    reason, detail = ADDRESS_CONFLICT, "addresses:" + " ".join(sorted(addresses))
        if reason is not None:
            evidence = (f"reason:{reason}",) + ((detail,) if detail else ())
            self._journal(mac, snapshot.vendors.get(mac), results.MOBILITY_REFUSED, evidence, requester, 403)
            raise LoginRefused(reason)

    def login(self, mac: str, number: str, pin: str, requester: Requester) -> tuple[Session, list[Session]]:
        """Log the user of ``number`` in on phone ``mac``; (his session, the sessions it ended). LoginRefused,
        journaled, when it is not allowed. The PIN goes nowhere but into the hash comparison."""
        snapshot = self.published.snapshot()
        now = self.clock()
        vendor = snapshot.vendors.get(mac)
        try:
            self.host(snapshot, mac)
            keys = [("number", number), ("phone", mac)]
            # the try counts as wrong before the slow check runs, in one step with the lock's check: concurrent
            # guesses cannot all pass the lock while their hashes are computed
            locks = self.store.reserve(keys, now, self.policy.max_failures, self.policy.lockout_seconds)
            if locks is None:
                raise LoginRefused(LOCKED)
            user = mobility_user(snapshot.fleet, number)
            try:
                # an unknown number costs a check too (decoy_hash): the answer's time does not tell which numbers exist
                matched = verify_pin(pin, user.pin_hash if user is not None else decoy_hash()) and user is not None
            except PinCheckBusy:  # not checked: neither a wrong PIN to count nor a login; its try is taken back
                self.store.take_back(keys, locks, self.policy.max_failures)
                raise LoginRefused(BUSY) from None
            if user is None or not matched:
                for kind, key in locks:
                    self._journal(mac, vendor, results.MOBILITY_LOCKED, (f"{kind}:{key}",), requester, 403)
                raise LoginRefused(WRONG_PIN if user is not None else UNKNOWN_NUMBER)
            self.store.forgive(keys)
            config = self._config(snapshot, mac, number)
        except LoginRefused as refused:
            evidence = (f"user:{number}", f"reason:{refused.reason}") + ((refused.detail,) if refused.detail else ())
            self._journal(mac, vendor, results.MOBILITY_REFUSED, evidence, requester, 403)
            raise
        longest = self.policy.max_session_seconds
        session = Session(
            mac, number, user.name, now, now + longest if longest else None, requester.by, config.entry["version"]
        )
        ended = self._change(lambda: self.store.start(session), session)
        for old in ended:
            if old.mac != mac:  # his session elsewhere: that phone gets its own config back
                ended_here = self._ended(old, f"login-on:{mac}")
                self._journal(old.mac, snapshot.vendors.get(old.mac), results.MOBILITY_LOGOUT, ended_here, requester)
                self.resync(old.mac, snapshot)
            elif old.number != number:  # another user was logged in on this phone
                self._journal(mac, vendor, results.MOBILITY_LOGOUT, self._ended(old, f"login-of:{number}"), requester)
        self._journal(mac, vendor, results.MOBILITY_LOGIN, (f"user:{number}", f"by:{requester.by}"), requester)
        self.resync(mac, snapshot)
        return session, ended

    @staticmethod
    def _ended(session: Session, why: str) -> tuple:
        return (f"user:{session.number}", f"ended:{why}")

    def logout(self, where: str, params: tuple, why: str, requester: Requester) -> list[Session]:
        """End the sessions ``where`` selects (MobilityStore.end); each phone gets its own config back."""
        ended = self._change(lambda: self.store.end(where, params))
        if not ended:
            return []
        snapshot = self.published.snapshot()
        for session in ended:
            result = results.MOBILITY_EXPIRED if why == EXPIRY else results.MOBILITY_LOGOUT
            evidence = (*self._ended(session, why), f"by:{requester.by}")
            self._journal(session.mac, snapshot.vendors.get(session.mac), result, evidence, requester)
            self.resync(session.mac, snapshot)
        return ended

    def logout_phone(self, mac: str, requester: Requester) -> list[Session]:
        return self.logout("mac = ?", (mac,), "logout", requester)

    def logout_user(self, number: str, requester: Requester) -> list[Session]:
        return self.logout("number = ?", (number,), "logout", requester)

    def logout_site(self, site: str, requester: Requester) -> list[Session]:
        """End every session on a phone of ``site`` (a phone naming no site is of the defaults' site)."""
        fleet = self.published.snapshot().fleet
        macs = sorted(phone.mac for phone in (fleet.phones if fleet is not None else ()) if phone.site == site)
        ended = []
        for start in range(0, len(macs), 500):  # bounded statements, as the store's other IN lists
            chunk = macs[start : start + 500]
            ended += self.logout(f"mac IN ({', '.join('?' * len(chunk))})", tuple(chunk), "site", requester)
        return ended

    # -- what the service does by itself ---------------------------------------------------------------

    def check(self) -> None:
        """Expire sessions past their time; end those the published fleet no longer allows; re-render the others
        and re-sync a phone whose user's config changed (a publish changed the user, his profile or keys)."""
        now = self.clock()
        service = Requester(by="service")
        self.logout("expires IS NOT NULL AND expires <= ?", (now,), EXPIRY, service)
        snapshot = self.published.snapshot()
        for session in self.store.sessions():
            try:
                self.host(snapshot, session.mac)
                config = self._config(snapshot, session.mac, session.number)
            except LoginRefused as gone:
                self.logout("mac = ? AND number = ?", (session.mac, session.number), f"fleet:{gone.reason}", service)
                continue
            version = config.entry["version"]
            if version == session.version:
                continue
            if self.store.set_version(session.mac, session.number, session.version, version):
                evidence = (f"user:{session.number}", f"version:{version}")
                vendor = snapshot.vendors.get(session.mac)
                self._journal(session.mac, vendor, results.MOBILITY_UPDATED, evidence, service)
                self.resync(session.mac, snapshot)

    def sip_user(self, mac: str) -> str | None:
        """The SIP user phone ``mac`` registers now (its first line's): a re-sync NOTIFY is addressed to it."""
        snapshot = self.published.snapshot()
        session = self.store.session(mac)
        fleet = snapshot.fleet
        owner = mobility_user(fleet, session.number) if session is not None else (fleet.phone(mac) if fleet else None)
        first = owner.lines[0] if owner is not None and owner.lines else None
        return first.sip_username if first is not None else None

    def _journal(self, mac: str, vendor, result: str, evidence: tuple, requester: Requester, code: int = 200) -> None:
        recognition = Recognition(vendor, None, None, mac, "mobility", UNKNOWN, evidence)
        self.journal.add(PROTOCOL, requester.ip, recognition, result, code, requester.user_agent)
