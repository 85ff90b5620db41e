# Private to this collection: what the provisioning service answers to one phone's request.
"""The answer to one request, whatever the transport (HTTP, HTTPS or TFTP): the domain core of serving.

:meth:`Provisioner.answer` recognises the phone, applies the rules below, journals the request and
returns an :class:`Answer` (status code, bytes or a file to stream, content type, headers). Transports
only translate. Rules, in order:

1. access keys on (``settings.provisioning.access_keys``): a per-phone file is served only under
   ``/<key>/<file>`` with that phone's key; a MAC-named URL without a key, or with another phone's key,
   is 404 (never 403: a refusal would confirm the MAC exists). Shared and base files stay public (they
   hold nothing but how to reach us).
2. a path that could leave the web root, or junk: 404, journaled as ``rejected``.
3. phone-to-server authentication (``settings.phone_auth``) for the vendor of the phone that owns the
   file, or the vendor the request shows: 401 with a challenge until the credentials are right; over
   TFTP, which cannot authenticate, such a vendor's own files are 404.
4. a published file: a per-phone file only to that phone (a request whose User-Agent or ``client_mac``
   names another MAC is refused: never another phone's config); shared and base files to anyone.
5. a per-phone file of a phone the fleet does not have: auto-provisioning when on and the vendor is
   enabled and the request comes from ``allowed_networks`` within the rates (number from the pool, config
   rendered here, the version served saved at once), else 404 — the phone then falls back to its
   vendor's base file (``XMLDefault.cnf.xml``, ``y0000000000xx.cfg``...) as real phones do, and shows as
   status 0 with what it reported.

Whether the request *proved* it comes from the phone it names goes into the journal with it: it did when
it carried that phone's access key, or passed phone authentication for that phone's vendor (the fleet's
vendor of a fleet phone, else the vendor it shows). A User-Agent or file name alone proves nothing (anyone
can send one), so only a proven request moves the address the inventory gives Ansible for the phone
(``journal.py``). A TLS client certificate forwarded by nginx is not taken as proof yet.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..catalog import registry
from ..fleet.loader import refused_mac
from ..fleet.proof import ProofPolicy
from . import journal as results
from .autoprovision import Autoprovisioner, AutoprovisionError, ServiceConfig, own_file
from .journal import Journal
from .learned_model import ModelLearner, ModelNotLearned, awaits_model, reported_model
from .phone_auth import NonceCounts, PhoneAuth
from .published import PublishedRoot, Snapshot
from .recognition import FIRMWARE, PHONE, Recognition, recognize
from .store import AssignmentRefused, Store
from .window_override import WindowOverrides

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".cfg": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".boot": "text/plain; charset=utf-8",
}
OCTETS = "application/octet-stream"
#: access keys are ``secrets.token_urlsafe(24)``: 32 characters of [A-Za-z0-9_-]
KEY_LENGTH = 32
_KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


# slots, not frozen (a frozen dataclass costs ten times as much to make, once per request); neither a
# Request nor an Answer is changed once made: the shared NOT_FOUND answers rely on it
@dataclass(slots=True)
class Request:
    protocol: str  # "http", "https" or "tftp"
    path: str  # as the phone sent it: percent-encoded, without the query
    user_agent: str | None = None
    ip: str | None = None
    client_mac: str | None = None  # a MAC the transport learned (Snom's ?mac=, Unify's header)
    method: str = "GET"
    authorization: str | None = None
    uri: str | None = None  # the request target as sent (digest authentication signs it)


@dataclass(slots=True)
class Answer:
    code: int
    body: bytes = b""
    file: str | None = None  # a published file to stream instead of body (firmware)
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple = ()
    result: str = results.NOT_FOUND


NOT_FOUND = Answer(404, b"Not Found\n")
#: NOT_FOUND as the answer of each outcome that gives it, made once (answers are never changed: shared)
_NOT_FOUND_AS = {
    result: replace(NOT_FOUND, result=result)
    for result in (
        results.REJECTED,
        results.REFUSED,
        results.UNAUTHORIZED,
        results.POOL_FULL,
        results.AUTOPROVISION_REFUSED,
        results.ERROR,
    )
}


#: evidence of a request refused because it did not prove it comes from the phone (docs/security.md)
NO_PROOF = "no-proof"
#: evidence of a request for a phone's file, with its vendor's phone auth, that did not state the phone's MAC
MAC_UNSTATED = "mac-unstated"


def _states_mac(vendor: str | None) -> bool:
    driver = registry.driver_for(vendor) if vendor else None
    return bool(driver and driver.requests_state_mac)


def _noted(recognition: Recognition, note: str) -> Recognition:
    return recognition._replace(evidence=(*recognition.evidence, note))


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


def looks_like_key(text: str) -> bool:
    return len(text) == KEY_LENGTH and _KEY_CHARACTERS.issuperset(text)


def content_type(name: str) -> str:
    dot = name.rfind(".")
    return CONTENT_TYPES.get(name[dot:].lower(), OCTETS) if dot >= 0 else OCTETS


def _proves(
    recognition: Recognition, snapshot: Snapshot, key_mac: str | None, authenticated: str | None, keys_on: bool
) -> bool:
    """Whether a request proved it comes from the phone it names (see the module's docstring).

    ``key_mac``: the phone whose access key the URL carried; ``authenticated``: the vendor whose phone
    authentication the request passed. Phone-auth credentials are shared by a vendor's phones, so they prove
    a phone of that vendor: enough to trust the address of a phone the fleet says is of that vendor.
    """
    mac = recognition.mac
    if mac is None or "mac-mismatch" in recognition.evidence:
        return False
    if keys_on:  # with per-phone keys, only the phone's own key proves that phone
        return key_mac == mac
    vendor = snapshot.vendors.get(mac) or recognition.vendor
    if authenticated is None or authenticated != vendor:
        return False
    # a vendor's credential with no MAC stated, where its phones always state theirs, is not that phone
    return recognition.mac_stated or not _states_mac(vendor)


class Provisioner:
    """Answers phones' requests for one web root. One instance per worker process; not for several threads."""

    def __init__(self, published: PublishedRoot, store: Store, journal: Journal, secret: bytes) -> None:
        self.published = published
        self.store = store
        self.journal = journal
        self.secret = secret
        self._policy_of: Snapshot | None = None
        self._policy: tuple[Autoprovisioner, PhoneAuth, ProofPolicy] | None = None
        self._learner_of: Snapshot | None = None
        self._learner = ModelLearner(None)
        #: mac -> (vendor, model) saved in the store as learned by this process (vendor None: the fleet's)
        self._learned: dict[str, tuple[str | None, str]] = {}
        self._nonce_counts = NonceCounts()  # digest nonce counts of this process, across publishes
        #: firmware windows an admin opened by hand (the API opens and closes them through this one)
        self.overrides = WindowOverrides(store, journal, published.check_interval)
        #: the time (epoch seconds) a firmware window is judged at: a test moves it on to see a window close
        self.clock = time.time
        #: mac, snapshot -> the config of a phone a mobility user is logged in on, or None (mobility/engine.py)
        self.hosted: Callable[[str, Snapshot], ServiceConfig | None] | None = None

    # -- per publish ---------------------------------------------------------------------------------

    def policy(self, snapshot: Snapshot) -> tuple[Autoprovisioner, PhoneAuth, ProofPolicy]:
        """Auto-provisioning, phone auth and the proof asked of phones, for the fleet of ``snapshot``."""
        if self._policy_of is not snapshot:
            fleet = snapshot.fleet
            settings = fleet.settings if fleet is not None else {}
            phone_auth = PhoneAuth(settings.get("phone_auth"), self.secret, self._nonce_counts)
            self._policy = (Autoprovisioner(fleet), phone_auth, ProofPolicy(settings))
            self._policy_of = snapshot
        if self._policy is None:  # made with _policy_of, which starts as None
            raise AssertionError("self._policy is None")
        return self._policy

    def learner(self, snapshot: Snapshot) -> ModelLearner:
        """Renders, for the fleet of ``snapshot``, the phones that await their model (learned_model.py)."""
        if self._learner_of is not snapshot:
            self._learner = ModelLearner(snapshot.fleet)
            self._learner_of = snapshot
        return self._learner

    # -- one request ---------------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        snapshot = self.published.snapshot()
        autoprovisioner, phone_auth, proof = self.policy(snapshot)
        keys_on = proof.access_keys
        path = request.path
        key_mac = None
        if keys_on:
            first, slash, rest = path.lstrip("/").partition("/")
            if slash and looks_like_key(first):
                key_mac = self.store.mac_for_key(first)
                if key_mac is None:
                    return self._done(request, recognize(rest, request.user_agent), NOT_FOUND, results.REFUSED)
                path = rest
        hint = snapshot.vendor_of(path.lstrip("/"))  # a published name as sent: read with its vendor's rules
        recognition = recognize(path, request.user_agent, request.client_mac, hint)
        if not recognition.file:
            return self._done(request, recognition, NOT_FOUND, results.REJECTED)

        name = snapshot.lookup(recognition.file)
        entry = snapshot.entry(name) if name else None
        owner = entry.get("phone") if entry else None
        mismatch = "mac-mismatch" in recognition.evidence
        # what protects a published file is decided by the file (its phone's vendor, or the vendor it is
        # shared by), never by the vendor a request claims to be
        if owner:
            vendor = snapshot.vendors.get(owner)
        elif entry:
            vendor = entry.get("vendor")
        else:  # not published: only a phone's own file (auto-provisioning, a learned model) can be made for it
            # the vendor it shows; for a fleet phone, whether that vendor's login proves the phone is decided by
            # the fleet's vendor (_proves): asking the fleet's vendor here would tell who is in the fleet
            vendor = recognition.vendor if recognition.kind == PHONE else None
        authenticated = None  # the vendor whose phone authentication this request passed
        if phone_auth.required(vendor):
            if request.protocol == "tftp":
                if owner or recognition.kind == PHONE:
                    return self._done(request, recognition, NOT_FOUND, results.UNAUTHORIZED)
            elif not (
                verdict := phone_auth.check(
                    vendor, request.authorization, request.method, request.uri or request.path, request.ip
                )
            ):
                challenge = Answer(
                    401,
                    b"Unauthorized\n",
                    headers=(("www-authenticate", phone_auth.challenge(vendor, request.ip, verdict.stale)),),
                    result=results.UNAUTHORIZED,
                )
                return self._done(request, recognition, challenge, results.UNAUTHORIZED)
            else:
                authenticated = vendor

        proven = _proves(recognition, snapshot, key_mac, authenticated, keys_on)
        if name is not None:
            return self._published(
                request, recognition, snapshot, name, owner, key_mac, proof, authenticated, mismatch, proven
            )
        if recognition.kind == PHONE and recognition.mac and not mismatch:
            if keys_on and key_mac != recognition.mac and not authenticated:
                return self._done(request, recognition, NOT_FOUND, results.REFUSED)
            if awaits_model(snapshot.manifest.phones, recognition.mac):
                return self._learned_model(request, recognition, snapshot, proof, authenticated, proven)
            if recognition.mac not in snapshot.manifest.phones and autoprovisioner.accepts(recognition.vendor):
                # a stranger has no key: it proves itself with its vendor's phone auth, or the fleet chose
                # to hand numbers and passwords to whoever asks
                reserved = refused_mac(recognition.mac)
                if reserved is not None:  # broadcast, multicast, a shared file's name: no phone has it
                    return self._done(request, _noted(recognition, "mac-reserved"), NOT_FOUND, results.REFUSED)
                if authenticated or proof.unproven_allowed(recognition.vendor):
                    return self._autoprovision(request, recognition, recognition.mac, autoprovisioner, proven)
                return self._done(request, _noted(recognition, NO_PROOF), NOT_FOUND, results.REFUSED, proven=proven)
        return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND, proven=proven)

    def _published(
        self, request, recognition, snapshot, name, owner, key_mac, proof, authenticated, mismatch, proven
    ) -> Answer:
        if owner is not None:
            refused = mismatch or (recognition.mac is not None and recognition.mac != owner)
            if refused or (key_mac is not None and key_mac != owner):
                return self._done(request, recognition, NOT_FOUND, results.REFUSED)
            # the phone's own file needs the proof that moves its address (_proves), unless the fleet serves
            # the vendor without proof (explicitly), keys included: Cisco enterprise phones cannot carry one
            unproven_allowed = proof.unproven_allowed(snapshot.vendors.get(owner))
            refusal = self._unproven_refusal(request, recognition, proof, authenticated, proven or unproven_allowed)
            if refusal is not None:
                return refusal
        if recognition.kind == FIRMWARE or name.startswith("firmware/"):
            path = self.published.path(name, snapshot)
            if path is None:
                return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND, proven=proven)
            firmware = Answer(200, file=path, content_type=OCTETS)
            return self._done(request, recognition, firmware, results.SERVED, proven=proven)
        # inside the phone's firmware window (its profile's, or one an admin opened by hand) its files name the
        # kit's firmware, outside it they name none (every file of the phone counts as of the version inside the
        # window, also one that is the same in both)
        if owner is not None:
            now = self.clock()
            hosted = self.hosted(owner, snapshot) if self.hosted is not None else None
            if hosted is not None:  # a mobility user is logged in on it: his lines, rendered for this phone
                files, hosted_version = hosted.served_at(now, self.overrides.opened(owner, now))
                own = own_file(files, recognition.file)
                if own is not None:
                    answer = Answer(200, files[own], content_type=content_type(own), result=results.SERVED)
                    noted = _noted(recognition, "mobility")
                    return self._done(request, noted, answer, results.SERVED, hosted_version, proven)
            in_window = self.overrides.opened(owner, now) or snapshot.window_open(owner, now)
        else:
            in_window = False
        data, verified = self.published.read(name, snapshot, in_window and name in snapshot.manifest.window_files)
        if data is None:  # also a file that exists only inside the window (Snom's firmware file), outside it
            return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND, proven=proven)
        if owner is not None:
            result, version = results.SERVED, snapshot.phone_version(owner, in_window) if verified else None
        else:
            known = recognition.mac is not None and recognition.mac in snapshot.manifest.phones
            result, version = results.SERVED if known else results.BASE, None
        # made with its result, so _done returns it as it is: one Answer for each file served, not two
        answer = Answer(200, data, content_type=content_type(name), result=result)
        return self._done(request, recognition, answer, result, version, proven)

    def _learned_model(
        self, request, recognition: Recognition, snapshot: Snapshot, proof, authenticated, proven
    ) -> Answer:
        """The own file of a fleet phone that awaits its model, rendered with the model it reports, or why not."""
        mac = recognition.mac
        if mac is None:  # the caller answers only a request that names a phone
            raise AssertionError("mac is None")
        learner = self.learner(snapshot)
        # a claimed vendor or model is rendered only for a request that proved the phone; for a phone of a shared
        # MAC prefix, under the rules of the vendor it shows (_proves), and unproven only if every one allows it
        allowed = learner.unproven_allowed(mac, proof)
        refused = self._unproven_refusal(request, recognition, proof, authenticated, proven or allowed)
        if refused is not None:
            return refused
        try:
            vendor = learner.vendor(mac, recognition.vendor)
            model, config = learner.config(mac, reported_model(recognition), vendor)
        except ModelNotLearned as why:
            awaiting = _noted(recognition, f"awaiting-model:{why}")
            return self._done(request, awaiting, NOT_FOUND, results.NOT_FOUND, proven=proven)
        now = self.clock()
        files, version = config.served_at(now, self.overrides.opened(mac, now))
        name = own_file(files, recognition.file)
        if name is None:
            return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND, proven=proven)
        learned_vendor = vendor if snapshot.vendors.get(mac) is None else None  # the fleet's vendor is not learned
        if self._learned.get(mac) != (learned_vendor, model):
            # saved before the answer leaves, not with the journal: the status and the export read it
            self.store.learn_model(mac, model, learned_vendor)
            self._learned[mac] = (learned_vendor, model)
        answer = Answer(200, files[name], content_type=content_type(name), result=results.SERVED)
        learned = f"model-learned:{model}" + (f" vendor-learned:{learned_vendor}" if learned_vendor else "")
        return self._done(request, _noted(recognition, learned), answer, results.SERVED, version, proven)

    def _unproven_refusal(
        self, request, recognition: Recognition, proof: ProofPolicy, authenticated, served: bool
    ) -> Answer | None:
        """The refusal of a request for a phone's own file that did not prove it comes from the phone (None when
        ``served``: it did, or the fleet serves the phone without proof): docs/security.md."""
        if served:
            return None
        if proof.access_keys:  # no key, or another's: a 404 that tells nothing
            return self._done(request, recognition, NOT_FOUND, results.REFUSED)
        # the vendor's credential without the MAC its phones always state is not that phone
        why = MAC_UNSTATED if authenticated and recognition.mac is not None else NO_PROOF
        return self._done(request, _noted(recognition, why), NOT_FOUND, results.REFUSED)

    def _autoprovision(
        self, request, recognition: Recognition, mac: str, autoprovisioner: Autoprovisioner, proven
    ) -> Answer:
        """The config of the phone ``mac`` (the recognised MAC) made by auto-provisioning, or why not."""
        if not autoprovisioner.allows(request.ip):  # neither a number nor an assigned phone's config
            return self._autoprovision_refused(request, recognition, "network", proven)
        assignment = self.store.assignment(mac)
        vendor = (assignment.vendor if assignment else None) or recognition.vendor
        model = (assignment.model if assignment else None) or recognition.model
        why = autoprovisioner.cannot_render(vendor, model)
        if why is not None:  # no number is spent on a phone whose config cannot be made
            failed = recognition._replace(evidence=(*recognition.evidence, f"autoprovision-failed:{why}"))
            return self._done(request, failed, NOT_FOUND, results.NOT_FOUND, proven=proven)
        if vendor is None:  # cannot_render refuses a phone of no vendor
            raise AssertionError("vendor is None")
        if assignment is None:
            try:
                assignment = autoprovisioner.assign(self.store, mac, request.ip)
            except AssignmentRefused as refused:
                return self._autoprovision_refused(request, recognition, refused.reason, proven)
        if assignment is None:
            return self._done(request, recognition, NOT_FOUND, results.POOL_FULL, proven=proven)
        try:
            now = self.clock()
            files, version = autoprovisioner.render(assignment, vendor, model, now, self.overrides.opened(mac, now))
        except AutoprovisionError as exc:
            failed = recognition._replace(evidence=(*recognition.evidence, f"autoprovision-failed:{exc}"))
            return self._done(request, failed, NOT_FOUND, results.ERROR, proven=proven)
        name = own_file(files, recognition.file)
        if name is None:
            if assignment.vendor is None:
                self.store.set_assignment_device(assignment.mac, vendor, model)
            return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND, proven=proven)
        if assignment.served_version != version or assignment.vendor is None:
            # saved before the answer leaves, not with the journal: the phone's status must survive a kill
            self.store.assignment_served(assignment.mac, vendor, model, version)
        answer = Answer(200, files[name], content_type=content_type(name))
        return self._done(request, recognition, answer, results.AUTOPROVISIONED, version, proven)

    def _autoprovision_refused(self, request, recognition: Recognition, reason: str, proven=False) -> Answer:
        refused = recognition._replace(evidence=(*recognition.evidence, f"autoprovision-refused:{reason}"))
        return self._done(request, refused, NOT_FOUND, results.AUTOPROVISION_REFUSED, proven=proven)

    def _done(
        self, request: Request, recognition: Recognition, answer: Answer, result: str, version=None, proven=False
    ) -> Answer:
        self.journal.add(
            request.protocol, request.ip, recognition, result, answer.code, request.user_agent, version, proven
        )
        if answer.result == result:
            return answer
        if answer is NOT_FOUND and result in _NOT_FOUND_AS:
            return _NOT_FOUND_AS[result]
        return Answer(answer.code, answer.body, answer.file, answer.content_type, answer.headers, result)
