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
   enabled (number from the pool, config rendered here), else 404 — the phone then falls back to its
   vendor's base file (``XMLDefault.cnf.xml``, ``y0000000000xx.cfg``...) as real phones do, and shows as
   status 0 with what it reported.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from . import journal as results
from .autoprovision import Autoprovisioner, AutoprovisionError
from .journal import Journal
from .phone_auth import NonceCounts, PhoneAuth
from .published import PublishedRoot, Snapshot
from .recognition import FIRMWARE, PHONE, Recognition, recognize
from .store import Store

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
    for result in (results.REJECTED, results.REFUSED, results.UNAUTHORIZED, results.POOL_FULL, results.ERROR)
}


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


def looks_like_key(text: str) -> bool:
    return len(text) == KEY_LENGTH and _KEY_CHARACTERS.issuperset(text)


def content_type(name: str) -> str:
    dot = name.rfind(".")
    return CONTENT_TYPES.get(name[dot:].lower(), OCTETS) if dot >= 0 else OCTETS


class Provisioner:
    """Answers phones' requests for one web root. One instance per worker process; not for several threads."""

    def __init__(self, published: PublishedRoot, store: Store, journal: Journal, secret: bytes) -> None:
        self.published = published
        self.store = store
        self.journal = journal
        self.secret = secret
        self._policy_of: Snapshot | None = None
        self._autoprovisioner: Autoprovisioner | None = None
        self._phone_auth: PhoneAuth | None = None
        self._nonce_counts = NonceCounts()  # digest nonce counts of this process, across publishes

    # -- per publish ---------------------------------------------------------------------------------

    def policy(self, snapshot: Snapshot) -> tuple[Autoprovisioner, PhoneAuth, bool]:
        """Auto-provisioning, phone auth and whether access keys are on, for the fleet of ``snapshot``."""
        if self._policy_of is not snapshot:
            fleet = snapshot.fleet
            settings = fleet.settings if fleet is not None else {}
            self._autoprovisioner = Autoprovisioner(fleet)
            self._phone_auth = PhoneAuth(settings.get("phone_auth"), self.secret, self._nonce_counts)
            self._keys_on = bool((settings.get("provisioning") or {}).get("access_keys"))
            self._policy_of = snapshot
        return self._autoprovisioner, self._phone_auth, self._keys_on

    # -- one request ---------------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        snapshot = self.published.snapshot()
        autoprovisioner, phone_auth, keys_on = self.policy(snapshot)
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
        owner = snapshot.manifest.files[name].get("phone") if name else None
        mismatch = "mac-mismatch" in recognition.evidence
        vendor = snapshot.vendors.get(owner) if owner else recognition.vendor
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

        if name is not None:
            return self._published(request, recognition, snapshot, name, owner, key_mac, keys_on, mismatch)
        if recognition.kind == PHONE and recognition.mac and not mismatch:
            if keys_on and key_mac != recognition.mac:
                return self._done(request, recognition, NOT_FOUND, results.REFUSED)
            if recognition.mac not in snapshot.manifest.phones and autoprovisioner.accepts(recognition.vendor):
                return self._autoprovision(request, recognition, autoprovisioner)
        return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND)

    def _published(self, request, recognition, snapshot, name, owner, key_mac, keys_on, mismatch) -> Answer:
        if owner is not None:
            refused = mismatch or (recognition.mac is not None and recognition.mac != owner)
            if refused or (keys_on and key_mac != owner):
                return self._done(request, recognition, NOT_FOUND, results.REFUSED)
        if recognition.kind == FIRMWARE or name.startswith("firmware/"):
            path = self.published.path(name, snapshot)
            if path is None:
                return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND)
            return self._done(request, recognition, Answer(200, file=path, content_type=OCTETS), results.SERVED)
        data, verified = self.published.read(name, snapshot)
        if data is None:
            return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND)
        if owner is not None:
            result, version = results.SERVED, snapshot.phone_version(owner) if verified else None
        else:
            known = recognition.mac is not None and recognition.mac in snapshot.manifest.phones
            result, version = results.SERVED if known else results.BASE, None
        # made with its result, so _done returns it as it is: one Answer for each file served, not two
        answer = Answer(200, data, content_type=content_type(name), result=result)
        return self._done(request, recognition, answer, result, version)

    def _autoprovision(self, request, recognition: Recognition, autoprovisioner: Autoprovisioner) -> Answer:
        assignment = self.store.assignment(recognition.mac)
        vendor = (assignment.vendor if assignment else None) or recognition.vendor
        model = (assignment.model if assignment else None) or recognition.model
        why = autoprovisioner.cannot_render(vendor, model)
        if why is not None:  # no number is spent on a phone whose config cannot be made
            failed = recognition._replace(evidence=(*recognition.evidence, f"autoprovision-failed:{why}"))
            return self._done(request, failed, NOT_FOUND, results.NOT_FOUND)
        if assignment is None:
            assignment = self.store.assign(recognition.mac, autoprovisioner.numbers, autoprovisioner.credentials)
        if assignment is None:
            return self._done(request, recognition, NOT_FOUND, results.POOL_FULL)
        try:
            files, version = autoprovisioner.render(assignment, vendor, model)
        except AutoprovisionError as exc:
            failed = recognition._replace(evidence=(*recognition.evidence, f"autoprovision-failed:{exc}"))
            return self._done(request, failed, NOT_FOUND, results.ERROR)
        if assignment.vendor is None:
            self.store.set_assignment_device(assignment.mac, vendor, model)
        folded = {file_name.lower(): file_name for file_name in files}
        name = folded.get(recognition.file.lower()) or folded.get(recognition.file.rpartition("/")[2].lower())
        if name is None:
            return self._done(request, recognition, NOT_FOUND, results.NOT_FOUND)
        answer = Answer(200, files[name], content_type=content_type(name))
        return self._done(request, recognition, answer, results.AUTOPROVISIONED, version)

    def _done(self, request: Request, recognition: Recognition, answer: Answer, result: str, version=None) -> Answer:
        self.journal.add(request.protocol, request.ip, recognition, result, answer.code, request.user_agent, version)
        if answer.result == result:
            return answer
        if answer is NOT_FOUND and result in _NOT_FOUND_AS:
            return _NOT_FOUND_AS[result]
        return Answer(answer.code, answer.body, answer.file, answer.content_type, answer.headers, result)
