# Private to this collection: HTTP(S) to a phone's web interface.
"""One HTTP request to a phone, with the phone's login, and the answer or a typed error.

urllib only (no third-party HTTP library on the controller). No proxies (a phone is on the LAN, whatever
the environment says) and no redirects (a phone that redirects is reported, not followed). Credentials go
as Basic on the first request when the vendor uses Basic; a ``401`` with a ``Digest`` challenge is answered
once (RFC 7616: MD5, MD5-sess, SHA-256, ``qop=auth``), and a ``401`` to a login that was sent is an
:class:`AuthenticationFailed`. The answer is read up to a size limit (screenshots of a few MB pass).

Basic shows the password to whoever answers. So it is sent only where the receiver is trusted to be the
phone: an address the engineer gave or a proven request showed (``Target.address_proven``), or HTTPS with
the phone's certificate checked. To any other address the login waits for the phone's challenge: Digest is
answered (it never shows the password), Basic is refused with :class:`UnprovenAddress`. Digest is always
preferred when a phone offers both.

Messages name the phone, the method and the path as ``shown`` (a query holding a password is passed with
the password masked), never the password itself.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .errors import AuthenticationFailed, NotSupported, ProtocolError, UnprovenAddress, Unreachable
from .target import Target

#: largest answer read from a phone (a 1280x800 32-bit BMP is 4 MB)
MAX_BODY = 16 << 20
#: how the login is sent: Basic on the first request, only when challenged, or never
BASIC, CHALLENGE, NONE = "basic", "challenge", "none"
USER_AGENT = "phonefleet-control/1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    headers: dict  # lower-case names
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:  # phones carry self-signed certificates unless a fleet deploys its own
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


_OPENERS: dict = {}


def _opener(verify: bool) -> urllib.request.OpenerDirector:
    if verify not in _OPENERS:
        _OPENERS[verify] = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            _NoRedirect(),
            urllib.request.HTTPSHandler(context=_tls_context(verify)),
        )
    return _OPENERS[verify]


def basic_authorization(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _challenges(header_values: list) -> dict:
    """``WWW-Authenticate`` values -> {scheme (lower case): {parameter: value}}."""
    found: dict = {}
    for value in header_values:
        scheme, _space, rest = value.strip().partition(" ")
        params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest)) if "=" in rest else {}
        found.setdefault(scheme.lower(), {key.lower(): item for key, item in params.items()})
    return found


_HASHES = {"md5": hashlib.md5, "md5-sess": hashlib.md5, "sha-256": hashlib.sha256, "sha-256-sess": hashlib.sha256}


def digest_authorization(challenge: dict, method: str, uri: str, username: str, password: str) -> str | None:
    """The ``Authorization: Digest`` answer to a challenge, or None for an algorithm we cannot answer."""
    algorithm = challenge.get("algorithm", "MD5")
    digest = _HASHES.get(algorithm.lower())
    if digest is None:
        return None

    def h(text: str) -> str:
        return digest(text.encode()).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = os.urandom(8).hex()
    ha1 = h(f"{username}:{realm}:{password}")
    if algorithm.lower().endswith("-sess"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    qops = [item.strip() for item in challenge.get("qop", "").split(",") if item.strip()]
    fields = {"username": username, "realm": realm, "nonce": nonce, "uri": uri, "algorithm": algorithm}
    if "auth" in qops:
        fields.update(qop="auth", nc="00000001", cnonce=cnonce)
        fields["response"] = h(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
    elif qops:  # only auth-int offered: not for us
        return None
    else:
        fields["response"] = h(f"{ha1}:{nonce}:{ha2}")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    unquoted = {"algorithm", "qop", "nc"}
    return "Digest " + ", ".join(
        f"{key}={value}" if key in unquoted else f'{key}="{value}"' for key, value in fields.items()
    )


def request(
    target: Target,
    method: str,
    path: str,
    *,
    auth: str = BASIC,
    form: dict | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
    port: int | None = None,
    shown: str | None = None,
    max_bytes: int = MAX_BODY,
) -> HttpResponse:
    """``method path`` on the phone's web interface; a 2xx answer, or a typed error.

    ``form`` is sent ``application/x-www-form-urlencoded``. ``shown`` is how messages write the path
    (default: ``path``). ``port`` overrides the target's web port.
    """
    shown = f"{method} {shown or path}"
    url = f"{target.scheme}://{target.host}:{port or target.web_port}{path}"
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        content_type = "application/x-www-form-urlencoded"
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if content_type:
        headers["Content-Type"] = content_type
    login = target.credentials if auth != NONE and target.password is not None else None
    basic_allowed = target.web_receiver_trusted
    if login is not None and auth == BASIC and basic_allowed:
        headers["Authorization"] = basic_authorization(login.username or "", login.password or "")
    answered = False
    while True:
        try:
            return _send(target, url, method, body, headers, shown, max_bytes)
        except urllib.error.HTTPError as exc:
            try:
                status, reason, values = exc.code, str(exc.reason), exc.headers.get_all("WWW-Authenticate") or []
            finally:
                exc.close()
            if status == 401 and login is not None and not answered:
                answered = True
                challenges = _challenges(values)
                parts = urllib.parse.urlsplit(url)
                uri = parts.path + (f"?{parts.query}" if parts.query else "")
                if "digest" in challenges:
                    answer = digest_authorization(
                        challenges["digest"], method, uri, login.username or "", login.password or ""
                    )
                    if answer is not None:
                        headers["Authorization"] = answer
                        continue
                # Basic: asked for, or the way's login that was held back from an address nobody vouched for
                if "Authorization" not in headers and ("basic" in challenges or auth == BASIC):
                    if not basic_allowed:
                        raise UnprovenAddress(target.label, shown, target.address) from None
                    headers["Authorization"] = basic_authorization(login.username or "", login.password or "")
                    continue
            raise _status_error(target, shown, status, reason, login is not None) from None


def send_prepared(target: Target, prepared: urllib.request.Request, shown: str) -> HttpResponse:
    """Send a request built elsewhere (the service's WPI contact-me), with the same error handling; no login."""
    headers = {"User-Agent": USER_AGENT, **dict(prepared.header_items())}
    shown = f"{prepared.get_method()} {shown}"
    try:
        return _send(target, prepared.full_url, prepared.get_method(), prepared.data, headers, shown, MAX_BODY)
    except urllib.error.HTTPError as exc:
        status, reason = exc.code, str(exc.reason)
        exc.close()
        raise _status_error(target, shown, status, reason, False) from None


def _send(target: Target, url: str, method: str, body, headers: dict, shown: str, max_bytes: int) -> HttpResponse:
    where = f"{target.address}:{urllib.parse.urlsplit(url).port}"
    # the URL is built here from the target: http or https only
    outgoing = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with _opener(target.validate_certs).open(outgoing, timeout=target.timeout) as answer:
            data = answer.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ProtocolError(target.label, f"{shown}: the answer is larger than {max_bytes} bytes")
            return HttpResponse(
                answer.status, answer.reason, {key.lower(): value for key, value in answer.headers.items()}, data
            )
    except urllib.error.HTTPError:
        raise
    except urllib.error.URLError as exc:
        raise _network_error(target, shown, where, exc.reason) from None
    except TimeoutError as exc:
        raise _network_error(target, shown, where, exc) from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise ProtocolError(target.label, f"{shown}: not an HTTP answer ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        raise _network_error(target, shown, where, exc) from None


def _network_error(target: Target, shown: str, where: str, reason) -> Exception:
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return ProtocolError(target.label, f"{shown}: TLS with {where} failed: {reason}")
    if isinstance(reason, ConnectionRefusedError):
        return Unreachable(target.label, f"{shown}: connection refused at {where}")
    if isinstance(reason, TimeoutError | socket.timeout):
        return Unreachable(target.label, f"{shown}: no answer from {where} within {target.timeout:g} s")
    return Unreachable(target.label, f"{shown}: cannot reach {where}: {reason}")


def _status_error(target: Target, shown: str, status: int, reason: str, logged_in: bool) -> Exception:
    said = f"{shown}: HTTP {status} {reason}".rstrip()
    if status in (401, 403):
        who = f"as '{target.username}'" if logged_in else "without credentials (none given)"
        return AuthenticationFailed(
            target.label,
            f"{said} {who}: wrong username or password, or the phone does not accept control from this address",
        )
    if status in (404, 405, 501):
        return NotSupported(target.label, f"{said}: this phone's firmware has no such page")
    return ProtocolError(target.label, said)
