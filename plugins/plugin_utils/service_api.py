# Private to this collection: the provisioning service's read API, as controller-side plugins call it.
"""A small client of the provisioning service's JSON API (``service/phonefleet_service/api.py``).

Used on the controller by the inventory plugin (live facts), the actions on ``service_api_action.py``
(``autoprovisioned_export``, ``mobility_session``, ``phones_export``, ``phones_bulk``) and phone control (a Unify
phone's reboot is queued here: :class:`ControlServiceLink`).
Requests go through ansible's ``open_url`` (proxies, CA bundles and ``validate_certs`` as everywhere in
Ansible); redirects are not followed, so the bearer token is only ever sent to the URL given. Every
failure is a :class:`ServiceApiError` whose message names the URL (without any user:password part) and
never holds the token.
"""

from __future__ import annotations

import json
import urllib.error
from urllib.parse import quote, urlsplit, urlunsplit

from ansible.module_utils.urls import open_url
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import ServiceLinkError

USER_AGENT = "phonefleet.provisioning"
PAGE_SIZE = 1000  # the service's largest page
MAX_ERROR_TEXT = 200
TOO_MANY_REQUESTS = 429


class ServiceApiError(Exception):
    """The service could not be asked, or refused; the message names the URL, never the token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def redact_url(url: str) -> str:
    """``url`` without a user name or password (``https://u:p@host/`` -> ``https://host/``)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_url(url: str) -> str:
    """The base URL without a trailing slash; ServiceApiError unless it is an http(s) URL with a host."""
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceApiError(f"service_url must be an http:// or https:// URL with a host, not {redact_url(text)!r}")
    if parts.query or parts.fragment:
        raise ServiceApiError(f"service_url must not have a query or fragment: {redact_url(text)}")
    return text.rstrip("/")


class ServiceApi:
    """The API of one provisioning service: ``ServiceApi(url, token).phones()``."""

    def __init__(self, url: str, token: str, timeout: float = 10, validate_certs: bool = True) -> None:
        self.url = check_url(url)
        self.token = str(token or "")
        if not self.token:
            raise ServiceApiError(f"no API token for the provisioning service at {redact_url(self.url)}")
        self.timeout = timeout
        self.validate_certs = validate_certs

    @classmethod
    def from_args(cls, args: dict) -> ServiceApi:
        """The service of a module's ``service_url``, ``service_token``, ``service_timeout`` and
        ``service_validate_certs`` options."""
        return cls(
            args["service_url"],
            args["service_token"],
            timeout=args["service_timeout"],
            validate_certs=args["service_validate_certs"],
        )

    def phones(self) -> list:
        """Every phone the service knows, with status 0-3 (GET /api/v1/phones; auditor)."""
        return self._list("GET", "/api/v1/phones", "phones")

    def autoprovisioned(self) -> list:
        """Assignments of auto-provisioned phones: number, name, SIP user (GET /api/v1/autoprovisioned; admin)."""
        return self._list("GET", "/api/v1/autoprovisioned", "phones")

    def release(self, mac: str) -> bool:
        """Release an assignment (DELETE /api/v1/autoprovisioned/{mac}; admin); False if there was none."""
        try:
            self.call("DELETE", f"/api/v1/autoprovisioned/{quote(mac, safe='')}")
        except ServiceApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def queue_restart(self, mac: str) -> None:
        """Queue WPI Restart for a Unify phone's next contact (POST /api/v1/phones/{mac}/restart; admin)."""
        self.call("POST", f"/api/v1/phones/{quote(mac, safe='')}/restart")

    def open_firmware_window(self, mac: str, minutes: int) -> float:
        """Open a phone's firmware window for ``minutes`` (POST /api/v1/phones/{mac}/firmware-window; admin): its
        files name its kit's firmware until then, whatever its profile's window. Returns until when (epoch s)."""
        path = f"/api/v1/phones/{quote(mac, safe='')}/firmware-window"
        answer = self.call("POST", path, payload={"minutes": minutes})
        return float(answer["until"]) if isinstance(answer, dict) and "until" in answer else 0.0

    def mobility_sessions(self) -> list:
        """Who is logged in where (GET /api/v1/mobility/sessions; every role)."""
        return self._list("GET", "/api/v1/mobility/sessions", "sessions")

    def end_mobility_sessions(self, kind: str, value: str) -> list:
        """Log out the sessions of a ``phone`` (MAC), a ``user`` (number) or a ``site`` (DELETE
        /api/v1/mobility/sessions/<kind>/<value>; api, administrator); the sessions it ended."""
        if kind not in ("phone", "user", "site"):
            raise ValueError(f"no mobility session kind {kind!r}")
        answer = self.call("DELETE", f"/api/v1/mobility/sessions/{kind}/{quote(value, safe='')}")
        ended = answer.get("sessions") if isinstance(answer, dict) else None
        if not isinstance(ended, list) or not all(isinstance(item, dict) for item in ended):
            where = redact_url(f"{self.url}/api/v1/mobility/sessions/{kind}")
            raise ServiceApiError(
                f"{where} did not answer a list of sessions: is it a PhoneFleet provisioning service?"
            )
        return ended

    def _list(self, method: str, path: str, key: str) -> list:
        """Every row of a list, page after page (the service answers at most PAGE_SIZE rows a request)."""
        where = redact_url(self.url + path)
        items: list = []
        after = None
        while True:
            query = f"?limit={PAGE_SIZE}" + (f"&after={quote(after, safe='')}" if after else "")
            answer = self.call(method, path, query)
            page = answer.get(key) if isinstance(answer, dict) else None
            if not isinstance(page, list) or not all(isinstance(item, dict) for item in page):
                raise ServiceApiError(
                    f"{where} did not answer a list of {key}: is it a PhoneFleet provisioning service?"
                )
            items += page
            following = answer.get("next")
            if following is None:  # the last page (or a service that answers all at once)
                return items
            if not isinstance(following, str) or (after is not None and following <= after):
                raise ServiceApiError(
                    f"{where} answered a next page that does not move forward: {str(following)[:40]!r}"
                )
            after = following

    def call(self, method: str, path: str, query: str = "", payload: dict | None = None):
        """The decoded JSON answer of one request (``payload`` sent as JSON); ServiceApiError (naming the URL without
        ``query``) for anything but a JSON 2xx answer."""
        where = redact_url(self.url + path)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = open_url(
                self.url + path + query,
                method=method,
                data=json.dumps(payload).encode() if payload is not None else None,
                headers=headers,
                timeout=self.timeout,
                validate_certs=self.validate_certs,
                http_agent=USER_AGENT,
                follow_redirects="none",
                use_netrc=False,
            )
            with response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raise self._refusal(where, exc) from None
        except urllib.error.URLError as exc:
            raise self._unreachable(where, exc.reason) from None
        except TimeoutError:
            raise ServiceApiError(f"the provisioning service at {where} did not answer in {self.timeout} s") from None
        except (OSError, ValueError) as exc:  # ssl.SSLError and socket errors are OSError
            raise self._unreachable(where, exc) from None
        try:
            return json.loads(body)
        except ValueError:
            raise ServiceApiError(f"{where} did not answer JSON: is it a PhoneFleet provisioning service?") from None

    def _unreachable(self, where: str, reason: object) -> ServiceApiError:
        if isinstance(reason, TimeoutError):
            return ServiceApiError(f"the provisioning service at {where} did not answer in {self.timeout} s")
        return ServiceApiError(self._scrub(f"cannot reach the provisioning service at {where}: {reason}"))

    def _refusal(self, where: str, exc: urllib.error.HTTPError) -> ServiceApiError:
        try:
            detail = json.loads(exc.read() or b"{}").get("error")
        except (ValueError, AttributeError, OSError):
            detail = None
        detail = self._scrub(str(detail)[:MAX_ERROR_TEXT]) if detail else exc.reason
        if exc.code == 401:
            message = (
                f"the provisioning service at {where} refused the API token (HTTP 401: {detail});"
                " give a token of one of its users (or of its settings' api_tokens)"
            )
        elif exc.code == 403:
            message = f"the provisioning service at {where} refused the API token's role (HTTP 403: {detail})"
        elif exc.code == TOO_MANY_REQUESTS:
            retry = retry_when(exc.headers.get("retry-after") if exc.headers else None)
            message = self._scrub(
                f"the provisioning service at {where} refuses requests for a while (HTTP 429: {detail}); {retry}"
            )
        elif 300 <= exc.code < 400:
            location = redact_url(str(exc.headers.get("location") or "")) if exc.headers else ""
            message = (
                f"the provisioning service at {where} redirects (HTTP {exc.code}) to {location or '?'}; give that URL"
            )
        else:
            message = f"the provisioning service at {where} answered HTTP {exc.code}: {detail}"
        return ServiceApiError(message, status=exc.code)

    def _scrub(self, message: str) -> str:
        return message.replace(self.token, "********") if self.token else message


def retry_when(retry_after: str | None) -> str:
    """When to ask again, from a 429's ``Retry-After`` (seconds, or an HTTP date): what a refusal says."""
    text = (retry_after or "").strip()[:40]
    if text.isdigit():
        return f"retry in {int(text)} s (the service's Retry-After)"
    if text:
        return f"retry after {text} (the service's Retry-After)"
    return "retry later"


class ControlServiceLink:
    """The service as phone control uses it (``control.target.ServiceLink``): its errors as ServiceLinkError."""

    def __init__(self, api: ServiceApi) -> None:
        self.api = api
        self.where = redact_url(api.url)

    def queue_restart(self, mac: str) -> None:
        try:
            self.api.queue_restart(mac)
        except ServiceApiError as exc:
            raise ServiceLinkError(str(exc)) from None

    def open_firmware_window(self, mac: str, minutes: int) -> None:
        try:
            self.api.open_firmware_window(mac, minutes)
        except ServiceApiError as exc:
            raise ServiceLinkError(str(exc)) from None
