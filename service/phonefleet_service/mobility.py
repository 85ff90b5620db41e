"""Mobility in the service: the phones' login screens on the applications listener, the sessions API, and the
thread that expires sessions and follows publishes. Handlers parse, call the engine
(``plugins/module_utils/mobility``), and format; nothing here decides.

Applications listener (``applications_port``; nginx's 8080 and 8081 proxy to it):

GET /cisco/mobility?name=SEP<MAC>                          login form, or who is logged in and a logout entry
GET /cisco/mobility/login?name=SEP<MAC>&number=..&pin=..   the form's submit (Cisco submits with GET)
GET /cisco/mobility/logout?name=SEP<MAC>
GET /yealink/mobility, .../login?number=..&pin=.., .../logout   the phone named by its User-Agent's MAC

API (bearer tokens of api.py):

GET    /api/v1/mobility/sessions                 every role: who is logged in where
DELETE /api/v1/mobility/sessions/phone/{mac}     api, administrator: log the phone's user out
DELETE /api/v1/mobility/sessions/user/{number}   api, administrator: log the user out wherever he is
DELETE /api/v1/mobility/sessions/site/{site}     api, administrator: end every session of a site (end of shift)

The PIN arrives in a query string: it is read here and given to the engine, never logged (uvicorn's access log
is off, the journal keeps the path without its query), and no error message repeats the query.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, quote

import anyio
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import PHONE_OPERATORS, PHONE_READERS
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import InvalidMac, normalize_mac
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility import screens
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.engine import (
    LoginRefused,
    MobilityEngine,
    MobilityPolicy,
    Requester,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.resync import Resyncer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.store import MobilityStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.status import session_row
from starlette.requests import Request
from starlette.routing import Route

LOG = logging.getLogger("phonefleet.service")
#: a MAC at the end of a Yealink User-Agent ("Yealink SIP-T54W 96.86.0.100 80:5e:c0:11:22:33")
_AGENT_MAC = re.compile(r"([0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5})\s*$")
MAX_QUERY = 1024


class Mobility:
    """One worker's mobility: its store connection, engine, re-sync thread and the session checker."""

    def __init__(self, service) -> None:
        settings = service.settings
        self.store = MobilityStore.open(settings.database_url)
        policy = MobilityPolicy(
            max_failures=settings.mobility_max_failures,
            lockout_seconds=settings.mobility_lockout_minutes * 60,
            max_session_seconds=settings.mobility_session_hours * 3600,
            check_interval=service.published.check_interval,
        )
        self.engine = MobilityEngine(self.store, service.journal, service.published, policy, self._resync)
        self.resyncer = Resyncer(self.store, service.journal, self.engine.sip_user)
        self.check_seconds = settings.mobility_check_seconds
        self._stop = threading.Event()
        self._checker: threading.Thread | None = None

    def _resync(self, mac: str, snapshot) -> None:
        self.resyncer.submit(mac, snapshot)

    def start(self) -> None:
        self.resyncer.start()
        self._checker = threading.Thread(target=self._check_loop, name="mobility-check", daemon=True)
        self._checker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._checker is not None:
            self._checker.join(timeout=10)
        self.resyncer.stop()
        self.store.close()

    def _check_loop(self) -> None:
        while not self._stop.wait(self.check_seconds):
            try:
                self.engine.check()
            except Exception as exc:  # noqa: BLE001 - the next round tries again; phones are served meanwhile
                LOG.error("mobility: checking the sessions failed (%s); will retry", type(exc).__name__)

    # -- the applications listener -----------------------------------------------------------------------

    async def applications(self, scope, receive, send, reply) -> None:
        """One request of a phone's XML browser; ``reply(send, code, body, content_type)`` sends the answer."""
        path = scope["path"]
        vendor = next((name for name, base in screens.PATHS.items() if path.startswith(base)), None)
        action = path[len(screens.PATHS[vendor]) :] if vendor else None
        if vendor is None or action not in ("", screens.LOGIN, screens.LOGOUT) or scope["method"] != "GET":
            await reply(send, 404, b"Not Found\n", "text/plain")
            return
        query = dict(parse_qsl(scope.get("query_string", b"")[:MAX_QUERY].decode("latin-1")))
        headers = dict(scope["headers"])
        agent = headers.get(b"user-agent", b"")[:512].decode("latin-1") or None
        client = scope.get("client")
        requester = Requester(client[0] if client else None, agent)
        mac = _phone_mac(vendor, query, agent)
        if mac is None:
            await reply(send, 400, screens.text(vendor, "This phone did not say who it is."), screens.CONTENT_TYPE)
            return
        base = _base_url(scope, headers) + screens.PATHS[vendor]
        own = f"?name=SEP{mac.upper()}" if vendor == screens.CISCO else ""
        engine = self.engine
        try:
            engine.verify(mac, requester)
            if action == screens.LOGIN:
                number, pin = query.get(screens.NUMBER, ""), query.get(screens.PIN, "")
                # the PIN's hash check costs an argon2id (fleet/pin.py, tens of milliseconds by design): in a worker
                # thread (argon2-cffi lets go of the GIL), so a shift change's logins use every core and the event
                # loop keeps serving the phones' config fetches and screens meanwhile
                session, _ended = await anyio.to_thread.run_sync(engine.login, mac, number, pin, requester)
                body = screens.text(vendor, f"Logged in: {session.user_name} ({session.number})")
            elif action == screens.LOGOUT:
                ended = engine.logout_phone(mac, requester)
                body = screens.text(vendor, "Logged out." if ended else "Nobody was logged in.")
            elif (current := engine.session(mac)) is not None:
                body = screens.logged_in_menu(vendor, current.user_name, current.number, base + screens.LOGOUT + own)
            else:
                engine.host(engine.published.snapshot(), mac)  # say at once when this phone cannot host anyone
                body = screens.login_form(vendor, base + screens.LOGIN + own)
        except LoginRefused as refused:
            body = screens.text(vendor, str(refused))
        await reply(send, 200, body, screens.CONTENT_TYPE)

    # -- the API -------------------------------------------------------------------------------------------

    def api_routes(self, guarded, record) -> list[Route]:
        """The sessions API; ``guarded(roles)`` and ``record(request, action, target, **detail)`` are api.py's: every
        logout asked through the API is in the journal of user actions (``mobility_logout``), also one that
        ended nothing."""
        engine = self.engine

        def who(request: Request) -> Requester:
            ip = request.client.host if request.client else None
            return Requester(ip, request.headers.get("user-agent"), f"api:{request.state.caller.user.name}")

        def listed(sessions) -> dict:
            fleet = engine.published.snapshot().fleet
            phones = [fleet.phone(item.mac) if fleet is not None else None for item in sessions]
            rows = [
                session_row(item, phone.site if phone else None) for item, phone in zip(sessions, phones, strict=True)
            ]
            return {"sessions": rows}

        def ended(request: Request, target: str, sessions) -> dict:
            record(request, "mobility_logout", target, ended=len(sessions), users=[item.number for item in sessions])
            return listed(sessions)

        @guarded(PHONE_READERS)
        def sessions(_request: Request):
            return listed(engine.store.sessions())

        @guarded(PHONE_OPERATORS)
        def end_phone(request: Request):
            try:
                mac = normalize_mac(request.path_params["mac"])
            except InvalidMac:
                mac = ""
            target = f"phone:{mac or request.path_params['mac'][:40]}"
            return ended(request, target, engine.logout_phone(mac, who(request)) if mac else [])

        @guarded(PHONE_OPERATORS)
        def end_user(request: Request):
            number = request.path_params["number"]
            return ended(request, f"user:{number[:40]}", engine.logout_user(number, who(request)))

        @guarded(PHONE_OPERATORS)
        def end_site(request: Request):
            site = request.path_params["site"]
            return ended(request, f"site:{site[:80]}", engine.logout_site(site, who(request)))

        return [
            Route("/api/v1/mobility/sessions", sessions),
            Route("/api/v1/mobility/sessions/phone/{mac}", end_phone, methods=["DELETE"]),
            Route("/api/v1/mobility/sessions/user/{number}", end_user, methods=["DELETE"]),
            Route("/api/v1/mobility/sessions/site/{site}", end_site, methods=["DELETE"]),
        ]


def _phone_mac(vendor: str, query: dict, agent: str | None) -> str | None:
    """The MAC the request claims: Cisco's ``name=SEP<MAC>`` (the ``#DEVICENAME#`` of its services URL),
    Yealink's User-Agent."""
    if vendor == screens.CISCO:
        name = query.get("name", "")
        text = name[3:] if name.upper().startswith("SEP") else None
    else:
        found = _AGENT_MAC.search(agent or "")
        text = found.group(1) if found else None
    try:
        return normalize_mac(text) if text else None
    except InvalidMac:
        return None


def _base_url(scope, headers: dict) -> str:
    """The scheme and host the phone reached us by (behind nginx: the forwarded ones uvicorn believed)."""
    host = headers.get(b"host", b"").decode("latin-1")
    if not host or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,255}", host):
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{quote(host, safe='[]:')}"
