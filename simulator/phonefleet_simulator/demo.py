"""The service part of ``make demo``: start the provisioning service on loopback with SQLite, boot the demo
phones against it (plus two phones the fleet does not know), and print the status table.

    python -m phonefleet_simulator.demo --web-root build/demo/www --state build/demo/state

The service runs as it does on a server (``python -m phonefleet_service serve``), on an unprivileged
port of 127.0.0.1, and is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import normalize_mac
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors import registry

from .boot import SimulatedPhone, boot, new_client

#: phones the fleet does not have: a Fanvil (auto-provisioned from the pool) and a Cisco (status 0)
STRANGERS = (SimulatedPhone("0c383e5a0001", "fanvil", "X4U"), SimulatedPhone("0cd0f8a10099", "cisco", "CP-8845"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fleet_phones(web_root: Path) -> list[SimulatedPhone]:
    """The published phones with their vendor, model and phone-to-server credentials (from the bundle)."""
    bundle = json.loads((web_root / ".phonefleet" / "service.json").read_text())
    settings, phones = {}, []
    for _name, data in bundle["documents"]:
        settings.update(data.get("settings") or {})
        phones.extend(data.get("phones") or [])
    result = []
    for phone in phones:
        mac = normalize_mac(phone["mac"])
        vendor = phone.get("vendor")
        if vendor is None:  # the model names its vendor (a model two vendors share would need vendor: set)
            candidates = registry.vendors_with_model(phone.get("model") or "")
            vendor = candidates[0].name if len(candidates) == 1 else None
        if vendor is None:
            continue
        auth = (settings.get("phone_auth") or {}).get(vendor) or {}
        credentials = (
            (auth["method"], auth["username"], auth["password"]) if auth.get("method") in ("basic", "digest") else None
        )
        result.append(SimulatedPhone(mac, vendor, phone.get("model"), credentials=credentials))
    return result


def _table(rows: list[dict]) -> str:
    header = ("phone", "name", "vendor", "model", "status", "ip", "firmware", "last contact")
    lines = [header]
    for row in rows:
        contact = row["last_contact"]
        when = datetime.fromtimestamp(contact, UTC).strftime("%H:%M:%S") if contact else "-"
        lines.append(
            (
                row["mac"],
                (row["name"] or "-")[:24],
                row["vendor"] or row["reported_vendor"] or "-",
                row["model"] or row["reported_model"] or "-",
                f"{row['status']} {row['status_text']}",
                row["ip"] or "-",
                row["firmware"] or "-",
                when,
            )
        )
    widths = [max(len(str(line[index])) for line in lines) for index in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-root", required=True)
    parser.add_argument("--state", required=True, help="folder for the service's settings, database and log")
    arguments = parser.parse_args(argv)
    web_root, state = Path(arguments.web_root).resolve(), Path(arguments.state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    (state / "state.db").unlink(missing_ok=True)  # every demo starts from no contact
    port, token = _free_port(), secrets.token_urlsafe(24)
    settings = state / "service.yml"
    settings.write_text(
        json.dumps(
            {
                "web_root": str(web_root),
                "database_url": f"sqlite:///{state / 'state.db'}",
                "http_host": "127.0.0.1",
                "http_port": port,
                "secret": secrets.token_urlsafe(24),
                "api_tokens": [{"name": "demo", "role": "admin", "token": token}],
            }
        )
    )
    settings.chmod(0o600)
    repo = Path(__file__).resolve().parents[2]
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(str(repo / part) for part in ("collections", "service")))
    with (state / "service.log").open("w") as log:
        service = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "phonefleet_service", "serve", "--config", str(settings)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if service.poll() is not None or time.monotonic() > deadline:
                print(f"the service did not start; see {state / 'service.log'}", file=sys.stderr)
                return 1
            time.sleep(0.1)
        print(f"provisioning service on {base} (SQLite {state / 'state.db'})")
        phones = _fleet_phones(web_root) + list(STRANGERS)
        with new_client() as client:
            for phone in phones:
                fetched = boot(base, phone, client)
                print(
                    f"  {phone.mac} {phone.vendor:<11} "
                    + ", ".join(f"{path.lstrip('/')} {status}" for path, status in fetched)
                )
        reply = httpx.get(base + "/api/v1/phones", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        reply.raise_for_status()
        print("\nStatus (0 contacted without config, 1 never contacted, 2 change not fetched, 3 up to date):")
        print(_table(reply.json()["phones"]))
        return 0
    finally:
        service.terminate()
        service.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
