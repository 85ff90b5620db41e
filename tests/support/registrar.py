"""The SIP registrar of the tests: the simulator's, which `make demo` uses too (phonefleet_simulator.registrar)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.registrar import (  # noqa: E402
    Registrar,
    RegistrarUnavailable,
    Subscriber,
    fleet_subscribers,
    kamailio_missing,
    render_config,
    running_registrar,
    start_registrar,
)


def assert_registers(registrar: Registrar, accounts: list, workdir: Path, timeout: float, port: int) -> None:
    """Register ``accounts`` (a phone's, as it read them) with baresip: every one registered, and in the location
    table of ``registrar`` by the transport its files name, on ``port``."""
    from phonefleet_simulator import registration

    assert registration.register(accounts, timeout=timeout, workdir=workdir) == dict.fromkeys(
        (account.line for account in accounts), registration.REGISTERED
    )
    location = registrar.location()
    for account in accounts:
        contacts = location.get(account.aor)
        assert contacts, f"{account.aor} is not in the location table: {sorted(location)}"
        assert {contact["Socket"] for contact in contacts} == {f"{account.transport}:127.0.0.1:{port}"}
        assert all(contact["User-Agent"].startswith("baresip") for contact in contacts)


__all__ = [
    "Registrar",
    "RegistrarUnavailable",
    "Subscriber",
    "assert_registers",
    "fleet_subscribers",
    "kamailio_missing",
    "render_config",
    "running_registrar",
    "start_registrar",
]
