"""uvicorn's HTTP protocol (httptools) with the bounds it lacks, and the uvicorn options the service runs with.

The service must hold without nginx in front (the demo, a small site), so it bounds what a client can make
it hold itself. uvicorn 0.54 with httptools (llhttp) bounds none of this:

- the size of a request's head: llhttp has no limit (Node.js enforces its own, outside the parser), and
  uvicorn's ``h11_max_incomplete_event_size`` applies to h11 only: a 64 MiB User-Agent was read and kept;
- the number of headers: every one is appended to the scope's list (20,000 were accepted);
- the time a request may take to arrive: ``timeout_keep_alive`` runs only between requests, after a
  response; a new connection that sends nothing, or half a request and then stalls (slowloris), or a body
  byte by byte, is held for ever.

:class:`BoundedHttpToolsProtocol` adds the three: a head over ``max_head_bytes`` (request line and
headers) or with more than ``max_headers`` headers is answered 431 and the connection closed, before the
parser has buffered more than the bound; a request that has not arrived in full ``request_seconds`` after
the connection opened or its first byte came is dropped with its connection (no answer: nobody is waiting
for one). The number of connections is uvicorn's ``limit_concurrency`` (503 beyond).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import ServiceSettings
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

LOG = logging.getLogger("phonefleet.service")
_TOO_LARGE = b"Request Header Fields Too Large\n"
_TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_LARGE), _TOO_LARGE)
)


@dataclass(frozen=True)
class HttpLimits:
    max_head_bytes: int
    max_headers: int
    request_seconds: float

    @classmethod
    def of(cls, settings: ServiceSettings) -> HttpLimits:
        return cls(settings.http_max_header_bytes, settings.http_max_headers, settings.http_request_timeout)


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop the parser; the protocol has answered 431 already."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """One HTTP connection, as uvicorn's httptools protocol, with bounded heads and bounded time to send a request."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: HttpLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        self._in_head = True  # the bytes to come belong to a request's head
        self._head_bytes = 0  # bytes of the current head fed to the parser so far
        self._header_count = 0
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # The parser is fed at most what is left of the head's bound, so it never buffers more than that of
        # a head. Bytes after a head ends in the same piece (a body, a pipelined request) are fed with it: a
        # pipelined head may thus reach twice the bound before it is refused, never more.
        while data and not self._refused:
            if self._in_head:
                room = self.limits.max_head_bytes - self._head_bytes
                if room <= 0:
                    self._refuse_head()
                    return
                piece, data = data[:room], data[room:]
                self._head_bytes += len(piece)
            else:
                piece, data = data, b""
            super().data_received(piece)
            if self.transport.is_closing():
                return

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_count = 0
        self._arm()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refuse_head()
            raise _HeadTooLarge  # stops the parser; uvicorn's data_received sees a parser error
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head, self._head_bytes = True, 0
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # else the parser error is the one on_header raised: 431 is sent already
            super().send_400_response(msg)

    def _refuse_head(self) -> None:
        self._refused = True
        self._disarm()
        if self.cycle is None or self.cycle.response_complete:  # never in the middle of another response
            self.transport.write(_TOO_LARGE_RESPONSE)
        self.transport.close()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.limits.request_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        LOG.debug(
            "http: a request from %s did not arrive in %s s; connection closed",
            self.client,
            self.limits.request_seconds,
        )
        self.transport.close()


def uvicorn_options(settings: ServiceSettings) -> dict:
    """The options of uvicorn's Config (or ``uvicorn.run``): what bounds clients, whose forwarded headers count,
    and the protocol."""
    return {
        # a class with its limits bound (a partial pickles, for uvicorn's worker processes)
        "http": functools.partial(BoundedHttpToolsProtocol, limits=HttpLimits.of(settings)),
        "ws": "none",  # no WebSocket: an Upgrade request is an ordinary request
        "timeout_keep_alive": settings.http_keep_alive_timeout,
        "limit_concurrency": settings.http_max_connections,
        "server_header": False,
        # X-Forwarded-For / -Proto only from the proxies named (nginx on the same host); "" believes nobody
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
