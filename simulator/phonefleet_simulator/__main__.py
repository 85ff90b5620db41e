"""Run simulated phones until interrupted:

    python -m phonefleet_simulator run --service http://127.0.0.1:PORT \\
        --fleet-bundle <web_root>/.phonefleet/service.json
    python -m phonefleet_simulator run --service http://127.0.0.1:PORT --count 5000 [--vendors yealink,cisco]

With a fleet bundle (what publish writes for the provisioning service) the phones are the fleet's, with
their phone-to-server credentials (``settings.phone_auth``), numbers and names; the control credentials
are ``settings.phone_control``. With ``--count N`` they are N synthetic phones (vendors in turn, each
vendor's first MAC prefix, a model per vendor), unknown to the fleet: the service auto-provisions them if
the fleet allows it. Each phone is printed as a JSON line (mac, vendor, model, host, ports, firmware,
state, boot_count, config_version) once all have booted, then one line with ``"ready": true``, the
figures (listen and boot seconds, resident memory) and the phone count; ``--format table`` prints a
table instead. SIGINT or SIGTERM stops the phones.

Phones listen on their own 127.x.y.z addresses at the real ports when run as root (``--octet`` picks the
second byte the addresses start from), else on 127.0.0.1 at free ports (``--shared`` forces that).

What comes from the collection, and why it is not a phone's fact: a bundle's phone that names only its model
gets its vendor as the fleet loader gives it (``registry.vendors_with_model``: the fleet format's rule that a
model one vendor makes names that vendor). That is the operator's fleet saying which phone to simulate, an
input like its MAC, not something the simulated phone then knows or checks. Everything the phone knows by
itself (its MAC prefix, files, parameter names, control rules) is its vendor module's
(``phonefleet_simulator.vendors``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import vendors as phone_vendors
from .boot import SimulatedPhone
from .fleet import SimulatedFleet, new_loop, normal_mac

#: (vendor, model) of synthetic phones, in turn
SYNTHETIC = (
    ("yealink", "T54W"),
    ("cisco", "CP-8845"),
    ("cisco_mpp", "CP-6841-3PCC"),
    ("avaya", "J179"),
    ("unify", "CP400"),
    ("poly", "VVX 450"),
    ("grandstream", "GXP2170"),
    ("snom", "D785"),
    ("fanvil", "X6U"),
    ("atcom", "A20W"),
    ("qtech", "QVP-95R"),
)


@dataclass
class Bundle:
    phones: list[SimulatedPhone] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    control: tuple[str, str] | None = None
    phone_auth: dict = field(default_factory=dict)


def credentials_for(phone_auth: dict, vendor: str):
    auth = phone_auth.get(vendor) or {}
    if auth.get("method") in ("basic", "digest"):
        return auth["method"], auth["username"], auth["password"]
    return None


def load_bundle(path: str | Path) -> Bundle:
    """The phones of a service bundle (``<web_root>/.phonefleet/service.json``), their numbers and names,
    and the fleet's control credentials. A phone whose vendor cannot be told (no ``vendor``, a model two
    vendors share) is left out. The operator's side: the vendor of a model-only entry is the fleet format's
    (the collection's registry), not a fact the simulated phone holds."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry

    data = json.loads(Path(path).read_text())
    settings: dict = {}
    entries: list = []
    for _name, document in data["documents"]:
        settings.update(document.get("settings") or {})
        entries.extend(document.get("phones") or [])
    bundle = Bundle(phone_auth=settings.get("phone_auth") or {})
    control = settings.get("phone_control") or {}
    if control.get("username") and control.get("password"):
        bundle.control = (str(control["username"]), str(control["password"]))
    for entry in entries:
        mac = normal_mac(str(entry["mac"]))
        vendor = entry.get("vendor")
        if vendor is None:
            candidates = registry.vendors_with_model(entry.get("model") or "")
            vendor = candidates[0].name if len(candidates) == 1 else None
        if vendor is None:
            continue
        bundle.phones.append(
            SimulatedPhone(mac, vendor, entry.get("model"), credentials=credentials_for(bundle.phone_auth, vendor))
        )
        lines = entry.get("lines") or []
        if lines and lines[0].get("number"):
            bundle.numbers[mac] = str(lines[0]["number"])
        if entry.get("name"):
            bundle.labels[mac] = str(entry["name"])
    return bundle


def synthetic_phones(count: int, vendors: list[str] | None = None, phone_auth: dict | None = None) -> list:
    """``count`` phones of the ``vendors`` (all by default) in turn, MACs under each vendor's first prefix
    (``vendors.<vendor>.OUIS``: the IEEE registry's, as the simulator's vendor modules write it)."""
    kinds = [(vendor, model) for vendor, model in SYNTHETIC if not vendors or vendor in vendors]
    if not kinds:
        raise ValueError(f"no synthetic phones for vendors {vendors}")
    if count > 1 << 24:
        raise ValueError("at most 16,777,216 synthetic phones")
    phones = []
    for index in range(count):
        vendor, model = kinds[index % len(kinds)]
        oui = normal_mac(phone_vendors.ouis(vendor)[0])[:6]
        mac = f"{oui}{index:06x}"
        phones.append(SimulatedPhone(mac, vendor, model, credentials=credentials_for(phone_auth or {}, vendor)))
    return phones


def resident_megabytes() -> float:
    """The process's resident memory now (Linux), else its peak."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(rows: list[dict]) -> str:
    header = ("mac", "vendor", "model", "host", "ports", "firmware", "state", "boots")
    lines = [header]
    for row in rows:
        ports = " ".join(f"{name}:{port}" for name, port in row["ports"].items())
        lines.append(
            (
                row["mac"],
                row["vendor"],
                row["model"],
                row["host"],
                ports,
                row["firmware"],
                row["state"],
                str(row["boot_count"]),
            )
        )
    widths = [max(len(line[index]) for line in lines) for index in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


async def _run(fleet: SimulatedFleet, output: str, once: bool) -> None:
    started = time.monotonic()
    await fleet.astart()
    rows = fleet.listing()
    if output == "table":
        print(_table(rows), flush=True)
    else:
        for row in rows:
            print(json.dumps(row), flush=True)
    ready = {
        "ready": True,
        "phones": len(fleet),
        "listen_seconds": round(fleet.listen_seconds, 3),
        "boot_seconds": round(fleet.boot_seconds, 3),
        "start_seconds": round(time.monotonic() - started, 3),
        "resident_mb": round(resident_megabytes(), 1),
        "up": sum(1 for handle in fleet if handle.device.up),
    }
    print(json.dumps(ready), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        if not once:
            await stop.wait()
    finally:
        await fleet.astop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phonefleet_simulator", description="Simulated IP desk phones.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run simulated phones until interrupted")
    run.add_argument("--service", required=True, help="the provisioning service's base URL (plain HTTP)")
    run.add_argument("--fleet-bundle", help="<web_root>/.phonefleet/service.json: the fleet's phones and settings")
    run.add_argument("--count", type=int, help="run this many synthetic phones instead of the fleet's")
    run.add_argument("--vendors", help="synthetic phones of these vendors only (comma-separated)")
    run.add_argument("--control-user", help="control user (default: the bundle's phone_control, else admin)")
    run.add_argument("--control-password", help="control password (default: the bundle's, else admin)")
    run.add_argument("--octet", type=int, default=1, help="addresses start at 127.<octet>.0.1 (default 1)")
    run.add_argument("--shared", action="store_true", help="all phones on 127.0.0.1 at free high ports")
    run.add_argument("--tftp", metavar="HOST:PORT", help="Cisco enterprise phones fetch over TFTP from here")
    run.add_argument("--unify-mode", choices=("wpi", "dms"), default="wpi")
    run.add_argument("--reboot-seconds", type=float, default=0.0, help="how long a reboot keeps a phone down")
    run.add_argument("--max-fetches", type=int, default=256, help="phones fetching at once (default 256)")
    run.add_argument("--no-boot", action="store_true", help="listen only; do not boot the phones")
    run.add_argument("--format", choices=("json", "table"), default="json")
    run.add_argument("--once", action="store_true", help="stop once every phone has booted (for tests)")
    arguments = parser.parse_args(argv)

    bundle = load_bundle(arguments.fleet_bundle) if arguments.fleet_bundle else Bundle()
    if arguments.count is not None:
        vendors = [name.strip() for name in arguments.vendors.split(",")] if arguments.vendors else None
        bundle.phones = synthetic_phones(arguments.count, vendors, bundle.phone_auth)
    elif not arguments.fleet_bundle:
        parser.error("give --fleet-bundle or --count")
    control = bundle.control or ("admin", "admin")
    control = (arguments.control_user or control[0], arguments.control_password or control[1])
    tftp = None
    if arguments.tftp:
        host, _colon, port = arguments.tftp.rpartition(":")
        tftp = (host, int(port))
    fleet = SimulatedFleet(
        bundle.phones,
        arguments.service,
        control,
        per_phone_addresses=False if arguments.shared else None,
        octet=arguments.octet,
        boot=not arguments.no_boot,
        tftp=tftp,
        unify_mode=arguments.unify_mode,
        reboot_seconds=arguments.reboot_seconds,
        max_fetches=arguments.max_fetches,
        keep_files=len(bundle.phones) <= 1000,
        numbers=bundle.numbers,
        labels=bundle.labels,
    )
    loop = new_loop()
    try:
        loop.run_until_complete(_run(fleet, arguments.format, arguments.once))
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
