"""The SIP registrar of the tests: the simulator's, which `make demo` uses too (phonefleet_simulator.registrar),
given its subscribers as a real registrar is: the collection's registrar export (db_text tables) written
into a directory, which Kamailio reads."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.registrar_export import (
    registrar_accounts,
    registrar_files,
)

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.registrar import (  # noqa: E402
    Registrar,
    RegistrarUnavailable,
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


def exported_database(fleet, reveal: Callable[[object], str], directory: Path) -> Path:
    """``directory`` holding the Kamailio export of ``fleet`` (a loaded fleet), as registrar_export writes it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in registrar_files(registrar_accounts(fleet, reveal), "kamailio").items():
        (directory / name).write_text(text)
    return directory


__all__ = [
    "Registrar",
    "RegistrarUnavailable",
    "assert_registers",
    "exported_database",
    "kamailio_missing",
    "render_config",
    "running_registrar",
    "start_registrar",
]
