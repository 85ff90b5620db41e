"""A simulated phone's XML browser: it walks an XML application's screens as the phone does.

:meth:`XmlBrowser.open_services` presses the key that opens the application: the URL comes from the phone's OWN
files (Cisco's ``servicesURL``, Yealink's key of type XML browser: ``vendors.xml_browser_url``), so a config
that forgets it leaves the phone without the application (:class:`NoApplication`). Each answer is read by the
vendor's rules (``vendors.xml_screen``: the objects it knows, the limits and Content-Type its documents give);
what the phone would not show raises ``ScreenRefused``. :attr:`XmlBrowser.screen` is what the phone shows (title,
prompt, text, menu items, input fields); :meth:`XmlBrowser.select` chooses a menu item, :meth:`XmlBrowser.enter`
fills the input form as a user types it on the keypad and submits it the vendor's way (a GET with the
fields appended as the query string, for both vendors).

Requests go from the phone's own address with its User-Agent and the vendor's headers. A URL is fetched as
written, ``http`` or ``https``: over HTTPS the server's certificate must chain to the CA the phone trusts
(``SimulatedDevice.trusted_ca``) and name the URL's host, else the phone refuses the screen (``ScreenRefused``;
the simulator's one TLS client, ``device.HttpFetcher``). Simulation shortcut, as for the phone's config fetches:
``applications_url`` (``http://127.0.0.1:8080``), when given, takes the place of the scheme, host and port of
every URL the phone opens (a config names the service by a name that does not resolve here).
"""

from __future__ import annotations

import urllib.parse

from . import vendors
from .device import FetchError, HttpFetcher, SimulatedDevice, phone_tls
from .vendors import KEYPAD, Screen, ScreenRefused, with_query


class NoApplication(LookupError):
    """The phone's files name no XML application: its key or button opens nothing."""


class XmlBrowser:
    """The XML browser of one simulated phone (Cisco enterprise or Yealink)."""

    def __init__(self, phone: SimulatedDevice, applications_url: str | None = None, timeout: float = 10.0) -> None:
        self.phone = phone
        self.applications_url = applications_url.rstrip("/") if applications_url else None
        self.timeout = timeout
        self.screen: Screen | None = None
        #: every request the browser sent: (method, URL as the phone built it)
        self.requests: list[tuple[str, str]] = []

    async def open_services(self) -> Screen:
        """Press the services button (Cisco) or the XML-browser key (Yealink): open the URL the phone's files name."""
        url = vendors.xml_browser_url(self.phone.vendor, self.phone.config_files)
        if not url:
            raise NoApplication(f"phone {self.phone.mac}: its files name no XML application (services URL or key)")
        return await self._open("GET", url)

    async def open_url(self, url: str) -> Screen:
        """Open ``url`` with a GET, as the phone opens a URL it is given rather than one of its files' (Cisco's
        ``CiscoIPPhoneExecute`` push, a URL typed into a Yealink's XML-browser key)."""
        return await self._open("GET", url)

    async def select(self, position: int) -> Screen:
        """Choose menu item ``position`` (1 = the first, as the phone numbers them)."""
        screen = self._showing("menu")
        if not 1 <= position <= len(screen.items):
            raise IndexError(f"{screen.url}: no menu item {position} of {len(screen.items)}")
        return await self._open("GET", screen.items[position - 1].url)

    async def enter(self, values: dict[str, str]) -> Screen:
        """Type ``values`` (by query parameter name) into the input form and submit it; a field not given keeps its
        default. A value the field's keypad cannot type, or a name the form has no field for, is a ValueError."""
        screen = self._showing("input")
        known = {field.parameter for field in screen.fields}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{screen.url}: no field {', '.join(unknown)} (fields: {', '.join(sorted(known))})")
        pairs = []
        for field in screen.fields:
            value = str(values.get(field.parameter, field.default))
            allowed = KEYPAD.get(field.keypad)
            if allowed is not None and any(character not in allowed for character in value):
                raise ValueError(f"{screen.url}: field {field.parameter} takes only {field.keypad}")
            pairs.append((field.parameter, value))
        return await self._open(screen.method, with_query(screen.action, pairs))

    def _showing(self, kind: str) -> Screen:
        if self.screen is None or self.screen.kind != kind:
            shown = self.screen.kind if self.screen else "nothing"
            raise ValueError(f"phone {self.phone.mac} shows {shown}, not a {kind}")
        return self.screen

    def _reached(self, url: str) -> tuple[str, str]:
        """(base URL to connect to, request target) of ``url``, through ``applications_url`` when given."""
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if self.applications_url:
            return self.applications_url, target
        if parts.scheme not in ("http", "https"):
            raise ScreenRefused(f"{url}: the XML browser opens http and https URLs only")
        return f"{parts.scheme}://{parts.netloc}", target

    async def _open(self, method: str, url: str) -> Screen:
        base, target = self._reached(url)
        headers = vendors.xml_browser_headers(self.phone.vendor)
        if self.phone.user_agent:
            headers["User-Agent"] = self.phone.user_agent
        tls = phone_tls(self.phone.trusted_ca) if base.startswith("https:") else None
        client = HttpFetcher(base, self.phone.address, timeout=self.timeout, tls=tls)
        self.requests.append((method, url))
        try:
            reply = await client.request(method, target, headers)
        except FetchError as exc:
            raise ScreenRefused(f"{url}: {exc}") from None
        finally:
            await client.close()
        if reply.status != 200:
            raise ScreenRefused(f"{url}: HTTP {reply.status}")
        self.screen = vendors.xml_screen(self.phone.vendor, reply.body, reply.headers.get("content-type", ""), url)
        return self.screen
