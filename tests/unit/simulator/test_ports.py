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
