# Private to this collection: host and port of an address a profile gives.
"""``host[:port]`` as a profile writes a proxy (``sip.outbound_proxy``), split for vendors whose files take
the port in a parameter of its own: dropping the port would send a proxy on 5061 (TLS) to 5060."""

from __future__ import annotations


def host_and_port(value: str, default_port: int) -> tuple[str, int]:
    """(host, port) of ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``; ``default_port`` when none is given.

    A bare IPv6 address (several colons, no brackets) is a host without a port."""
    if value.startswith("["):
        host, _bracket, rest = value[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else default_port
    host, colon, port = value.rpartition(":")
    if colon and port.isdigit() and ":" not in host:
        return host, int(port)
    return value, default_port


def with_port(value: str, default_port: int) -> str:
    """``host:port`` (``[v6]:port``) of ``value`` for files that take both in one parameter: its own port if
    it gives one, else ``default_port``; a port is never written twice."""
    host, port = host_and_port(value, default_port)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
