# Private to this collection: the authentication URL Cisco enterprise phones ask before an authenticated request.
"""The answer to a Cisco enterprise phone's authentication request.

Before it runs a pushed ``CiscoIPPhoneExecute``, gives a screenshot or answers any other authenticated CGI
request, the phone sends the user and password it was given, with its own device name, to the
``authenticationURL`` of its config (``UserID``, ``Password``, ``devicename``), and goes on only when the
body of the answer is exactly ``AUTHORIZED``; anything else (``UN-AUTHORIZED``, ``ERROR``) refuses the request
(Cisco IP Phone Services Application Development Notes, "authentication"; research/phone-vendors.md §2).
The driver names this service's ``/cisco/authenticate`` there (vendors/cisco/driver.py).

The answer is ``AUTHORIZED`` only for the fleet's control login (``settings.phone_control``: what the
collection drives phones with) asked for by a Cisco enterprise phone of the published fleet
(``devicename`` ``SEP<MAC>``); ``UN-AUTHORIZED`` otherwise, ``ERROR`` for a request without the three fields.
Each answer is journaled (result ``authorized``, ``unauthorized`` or ``rejected``; evidence
``cisco-auth:<why>`` and the user asked for, never the password). An address that gets
:data:`FAILURES_PER_MINUTE` refusals in a minute is refused without a check for the rest of that minute
(journaled ``cisco-auth:rate-limited``): the URL cannot be used to guess the control password. The phone
sends the fields as a query or a form; both are read [M: which one the firmware uses].
"""

from __future__ import annotations

import hmac
import re
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .journal import AUTHORIZED as GRANTED
from .journal import REJECTED, UNAUTHORIZED, Journal
from .published import PublishedRoot
from .recognition import PHONE, UNKNOWN, Recognition

PATH = "/cisco/authenticate"
VENDOR = "cisco"
AUTHORIZED = "AUTHORIZED"
REFUSED = "UN-AUTHORIZED"
ERROR = "ERROR"
FAILURES_PER_MINUTE = 10
SOURCES_KEPT = 10_000  # addresses whose failures are counted at once; the oldest are dropped beyond
MAX_FIELDS = 2048  # bytes of query or form read
_DEVICE = re.compile(r"^SEP([0-9A-Fa-f]{12})$")
_PRINTABLE = re.compile(r"[^\x21-\x7e]")


@dataclass(frozen=True)
class AuthenticationAnswer:
    code: int
    body: bytes
    content_type: str = "text/plain"


class CiscoAuthenticator:
    """Answers ``/cisco/authenticate`` for one web root. One per worker process, on the event loop's thread."""

    def __init__(
        self,
        published: PublishedRoot,
        journal: Journal,
        failures_per_minute: int = FAILURES_PER_MINUTE,
        clock=time.monotonic,
    ) -> None:
        self.published = published
        self.journal = journal
        self.failures_per_minute = failures_per_minute
        self.clock = clock
        self._failures: OrderedDict[str, deque] = OrderedDict()

    def answer(self, fields: bytes, ip: str | None) -> AuthenticationAnswer:
        """The answer to one request; ``fields`` the query string or form body (``UserID=..&Password=..``)."""
        values = dict(parse_qsl(fields[:MAX_FIELDS].decode("latin-1"), keep_blank_values=True))
        user, password, device = values.get("UserID"), values.get("Password"), values.get("devicename")
        match = _DEVICE.match(device or "")
        mac = match.group(1).lower() if match else None
        if self._limited(ip):
            return self._refuse(ip, mac, user, "rate-limited")
        if user is None or password is None or mac is None:
            self._failed(ip)
            self._journal(ip, None, user, REJECTED, 400, "malformed")
            return AuthenticationAnswer(200, ERROR.encode())
        why = self._refusal(mac, user, password)
        if why:
            self._failed(ip)
            return self._refuse(ip, mac, user, why)
        self._journal(ip, mac, user, GRANTED, 200, "control-login")
        return AuthenticationAnswer(200, AUTHORIZED.encode())

    def _refusal(self, mac: str, user: str, password: str) -> str | None:
        """Why the login is refused for this phone, or None when it is the fleet's control login."""
        fleet = self.published.snapshot().fleet
        if fleet is None:
            return "no-fleet"
        phone = fleet.phone(mac)
        if phone is None or phone.vendor != VENDOR:
            return "not-a-fleet-phone"
        control = fleet.settings.get("phone_control") or {}
        expected_user, expected_password = control.get("username"), control.get("password")
        if not expected_user or not expected_password:  # an empty password would let an empty guess in
            return "no-control-login"
        same = hmac.compare_digest(user.encode(), str(expected_user).encode())
        same &= hmac.compare_digest(password.encode(), str(expected_password).encode())
        return None if same else "wrong-login"

    def _refuse(self, ip: str | None, mac: str | None, user: str | None, why: str) -> AuthenticationAnswer:
        self._journal(ip, mac, user, UNAUTHORIZED, 200, why)
        return AuthenticationAnswer(200, REFUSED.encode())

    def _journal(self, ip, mac: str | None, user: str | None, result: str, code: int, why: str) -> None:
        evidence = [f"cisco-auth:{why}"]
        if user:
            evidence.append("user:" + _PRINTABLE.sub("?", user[:32]))
        recognition = Recognition(VENDOR, None, None, mac, PATH[1:], PHONE if mac else UNKNOWN, tuple(evidence))
        self.journal.add("http", ip, recognition, result, code, None)

    # -- failures per source address ---------------------------------------------------------------------

    def _recent(self, ip: str | None) -> deque | None:
        failures = self._failures.get(ip or "")
        if failures is None:
            return None
        horizon = self.clock() - 60.0
        while failures and failures[0] < horizon:
            failures.popleft()
        return failures

    def _limited(self, ip: str | None) -> bool:
        failures = self._recent(ip)
        return failures is not None and len(failures) >= self.failures_per_minute

    def _failed(self, ip: str | None) -> None:
        key = ip or ""
        failures = self._recent(ip)
        if failures is None:
            failures = self._failures[key] = deque()
            while len(self._failures) > SOURCES_KEPT:
                self._failures.popitem(last=False)
        self._failures.move_to_end(key)
        failures.append(self.clock())
