"""Loopback ports for the servers the simulator and its harnesses start (service, nginx, Kamailio, baresip)."""

from __future__ import annotations

import errno
import socket

LOOPBACK = "127.0.0.1"
_ATTEMPTS = 20  # a free TCP port may be taken for UDP: another is tried


def free_port(*, udp: bool = False) -> int:
    """A port nothing listens on at 127.0.0.1 right now, for TCP (and for UDP too with ``udp``: Kamailio listens on
    both). The port is released before it is returned, so a server started on it may still find it taken: callers
    retry; OSError when no port is free for both."""
    for _attempt in range(_ATTEMPTS):
        with socket.socket() as tcp:
            tcp.bind((LOOPBACK, 0))
            port = tcp.getsockname()[1]
            if not udp:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
                try:
                    datagram.bind((LOOPBACK, port))
                except OSError:
                    continue
                return port
    raise OSError(f"no port free for both TCP and UDP on {LOOPBACK}")


def address_in_use(exc: OSError) -> bool:
    """Whether a server could not start because its address is taken (another run holds it: try another).

    asyncio and uvloop may say only "could not bind ..." with no errno; the bind's own error, when kept, is the
    exception's context."""
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
            return True
    return exc.errno is None and "bind" in str(exc)
