"""The loopback port helper every harness starts its servers with (service, nginx, baresip, Kamailio)."""

from __future__ import annotations

import socket

from phonefleet_simulator import ports


def _bindable(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_free_port_is_free_for_tcp() -> None:
    assert _bindable(ports.free_port(), socket.SOCK_STREAM)


def test_a_port_taken_for_udp_is_not_given_to_kamailio(monkeypatch) -> None:
    """Kamailio listens on TCP and UDP: a port whose UDP side is taken is passed over for the next."""
    real_socket = socket.socket
    with real_socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        offers = iter([taken])

        class OfferingTakenFirst(real_socket):
            """The system's first TCP port offered is the one whose UDP side is held."""

            def bind(self, address) -> None:
                if self.type == socket.SOCK_STREAM and address[1] == 0:
                    address = (address[0], next(offers, 0))
                super().bind(address)

        monkeypatch.setattr(ports.socket, "socket", OfferingTakenFirst)
        port = ports.free_port(udp=True)
        monkeypatch.undo()
        assert port != taken
        assert _bindable(port, socket.SOCK_STREAM)
        assert _bindable(port, socket.SOCK_DGRAM)


def _server_error(host: str, port: int) -> OSError:
    """What asyncio raises when a simulated phone's server cannot listen at ``host:port``."""
    import asyncio

    async def listen() -> None:
        server = await asyncio.get_running_loop().create_server(asyncio.Protocol, host, port)
        server.close()

    try:
        asyncio.run(listen())
    except OSError as exc:
        return exc
    raise AssertionError(f"{host}:{port} could be listened on")


def test_a_taken_address_is_told_from_other_failures() -> None:
    """A harness tries another loopback octet only when the address is taken; any other failure is raised."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert ports.address_in_use(_server_error("127.0.0.1", held.getsockname()[1]))
    assert not ports.address_in_use(_server_error("192.0.2.1", 0))  # not this machine's address
    bare = OSError("could not bind on any address out of [('127.3.0.1', 80)]")  # uvloop's words, no errno
    assert ports.address_in_use(bare)
