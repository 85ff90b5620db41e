"""The running part of ``make demo``: the provisioning service, a SIP registrar and the demo phones on
loopback; the phones boot, fetch their files, register every line, and one status table says how it went.

    python -m phonefleet_simulator.demo --web-root build/demo/www --state build/demo/state \\
        --registrar-export build/demo/registrar

In order, all on 127.0.0.1 and stopped at the end (nothing is left running):

1. the provisioning service as on a server (``python -m phonefleet_service serve``, SQLite in ``--state``)
   serves the web root ``playbooks/publish.yml`` wrote (``make demo`` publishes the demo inventory just
   before);
2. Kamailio (:mod:`registrar`) given the registrar export ``playbooks/registrar_export.yml`` wrote
   (``--registrar-export``: every line of the fleet and every number of the auto-provisioning pool, with
   the password derived for it): the registrar knows what it was given, not what phones say;
3. the demo phones of the published bundle, plus two the fleet does not have (a Fanvil the service
   auto-provisions, a Cisco it answers with nothing: status 0), boot as simulated devices
   (:class:`fleet.SimulatedFleet`: each on its own 127.x address when run as root, at their vendors'
   ports), fetching their files as each vendor's phones do and installing the firmware the files name;
4. each phone reads its SIP accounts from the files it fetched (:mod:`configs`, the phone's view) and
   registers them with baresip (:mod:`registration`); what the registrar answered becomes the device's
   registration state, and Kamailio's location table is read back to confirm it;
5. before the phones register, a mobility user logs in on one of them (:mod:`mobility_demo`: Ivan Petrov, 5001,
   demo PIN 4711, on the Cisco CP-8845 through its services screens); the service re-syncs it with his lines,
   which register from that phone in step 4;
6. one table: per phone its MAC, name, vendor, model, status 0-3, who is logged in and address (from the
   service's API), every line's registration, firmware and last contact.
7. while the phones are still up, one job through the job service (:mod:`jobs_demo`): ``resync`` launched
   and followed with the command-line client, its result and the journal line of its launch.

Where the REGISTERs go. The demo inventory names the registrars a real site would (``pbx.demo.invalid``,
``sbc.demo.invalid`` over TLS on 5061), and the files published from it are left as they are: the
phones read those names. The demo plays DNS instead, the way a lab points a hosts entry at a test server:
every registrar or outbound proxy the files name is sent to the local Kamailio
(``registration.register(accounts, registrar=...)``), while the AOR keeps the domain of the files, so the
location table shows ``1001@pbx.demo.invalid`` as the phone registered it. The alternative, publishing
for the demo a copy of the fleet whose profiles name ``127.0.0.1:<port>``, would show files no real site
has and publish twice. One liberty is taken and shown in the table: Debian's Kamailio has no TLS module
and the demo has no certificates, so a line whose files say TLS registers over TCP (``tcp for tls``).

The auto-provisioned stranger's line (a number of the pool) registers: the service renders its file with
the password derived for that number, and the export gave the registrar the same before the phone asked
(docs/service.md). Unify phones boot in DMS mode (``<mac>_config.xml``), the file the account parser
reads.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials

from . import configs, jobs_demo, mobility_demo, registration
from .__main__ import credentials_for, load_bundle
from .boot import SimulatedPhone
from .fleet import PhoneHandle, SimulatedFleet
from .ports import address_in_use, free_port
from .registrar import Registrar, RegistrarUnavailable, start_registrar, subscriber_count
from .served import ServerDidNotStart, served

REPO = Path(__file__).resolve().parents[2]
#: phones the fleet does not have: a Fanvil (auto-provisioned from the pool) and a Cisco (status 0)
STRANGERS = (SimulatedPhone("0c383e5a0001", "fanvil", "X4U"), SimulatedPhone("0cd0f8a10099", "cisco", "CP-8845"))


def _strangers(bundle) -> list[SimulatedPhone]:
    """The phones the fleet does not have, each with its vendor's phone-auth credentials: a new phone comes
    with them in its provisioning URL (DHCP option 66 or by hand), else it would get no number."""
    return [
        dataclasses.replace(phone, credentials=credentials_for(bundle.phone_auth, phone.vendor)) for phone in STRANGERS
    ]


#: second address bytes the demo's phones try (127.<octet>.0.x), away from the tests' 20-199
OCTETS = range(230, 240)
#: a kamailio directory path longer than this leaves no room for its control socket's name
_LONGEST_REGISTRAR_DIR = 70


class DemoError(RuntimeError):
    """A part of the demo would not start; the message says which and where its log is."""


@contextlib.contextmanager
def _service(web_root: Path, state: Path):
    """The provisioning service on a free port: yields (base URL, admin token, its applications listener's URL)."""
    (state / "state.db").unlink(missing_ok=True)  # every demo starts from no contact
    port, token, applications = free_port(), secrets.token_urlsafe(24), free_port()
    settings = state / "service.yml"
    settings.write_text(
        json.dumps(
            {
                "web_root": str(web_root),
                "database_url": f"sqlite:///{state / 'state.db'}",
                "http_host": "127.0.0.1",
                "http_port": port,
                "applications_port": applications,  # the phones' mobility screens (docs/mobility.md)
                "secret": secrets.token_urlsafe(24),
                # no proxy in front of the demo's service: no X-Forwarded-For is believed, from anyone
                "forwarded_allow_ips": "",
                # the settings keep a token's SHA-256 only (docs/service.md, Users and tokens)
                "api_tokens": [
                    {
                        "name": "demo",
                        "role": "administrator",
                        "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
                    }
                ],
            }
        )
    )
    settings.chmod(0o600)
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(str(REPO / part) for part in ("collections", "service")))
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "phonefleet_service", "serve", "--config", str(settings)]
    try:
        with served(command, environment, state / "service.log", base + "/api/v1/health", "the service", 20):
            yield base, token, f"http://127.0.0.1:{applications}"
    except ServerDidNotStart as exc:
        raise DemoError(str(exc)) from None


@contextlib.contextmanager
def _registrar(state: Path, database: Path):
    """Kamailio in ``state/kamailio`` (in a temporary folder when that path is too long for its socket)."""
    directory = state / "kamailio"
    temporary = None
    if len(str(directory)) > _LONGEST_REGISTRAR_DIR:
        directory = Path(temporary := tempfile.mkdtemp(prefix="phonefleet-demo-kamailio-"))
    try:
        try:
            registrar = start_registrar(directory, database)
        except RegistrarUnavailable as exc:
            raise DemoError(f"the SIP registrar did not start: {exc}") from None
        try:
            yield registrar
        finally:
            registrar.stop()
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def _fleet(phones, base: str, bundle) -> SimulatedFleet:
    """The phones booted: on addresses of their own when root (another octet when one is taken), else shared."""
    options = {
        "control_credentials": bundle.control or ("admin", "admin"),
        "numbers": bundle.numbers,
        "labels": bundle.labels,
        "unify_mode": "dms",
    }
    if os.geteuid() == 0:
        for octet in OCTETS:
            fleet = SimulatedFleet(phones, base, per_phone_addresses=True, octet=octet, **options)
            try:
                return fleet.start(60)
            except OSError as exc:
                fleet.stop()
                if not address_in_use(exc):
                    raise
    return SimulatedFleet(phones, base, per_phone_addresses=False, **options).start(60)


def _register(handle: PhoneHandle, registrar: Registrar, workdir: Path) -> tuple[dict[int, str], dict[int, str]]:
    """Register the accounts the phone read from its files at the local registrar: ({line: outcome}, {line: AOR})."""
    device = handle.device
    if not device.files:
        return {}, {}
    try:
        accounts = configs.accounts(device.vendor, device.files)
    except configs.ConfigError as exc:
        return {0: f"failed: files not read: {exc}"}, {}
    over_tcp = {account.line for account in accounts if account.transport == "tls"}
    sent = [
        dataclasses.replace(account, transport="tcp") if account.transport == "tls" else account for account in accounts
    ]
    outcome = registration.register(sent, ("127.0.0.1", registrar.port), timeout=5, workdir=workdir)
    device.registrations = {line: status for line, status in outcome.items() if line}
    shown = {
        line: f"{status} (tcp for tls)" if line in over_tcp and status == registration.REGISTERED else status
        for line, status in outcome.items()
    }
    return shown, {account.line: account.aor for account in accounts}


def _lines(outcome: dict[int, str]) -> str:
    if not outcome:
        return "-"
    return "; ".join(f"{line} {status}" if line else status for line, status in sorted(outcome.items()))


def _address(row: dict) -> str:
    """The address Ansible would use (proven by the phone), else the last one seen, marked: a phone that
    cannot prove itself (Cisco enterprise over TFTP) gets its address from host_vars, not from the service."""
    if row.get("ip"):
        return row["ip"]
    return f"{row['last_ip']} (unproven)" if row.get("last_ip") else "-"


def _table(rows: list[dict], registrations: dict[str, dict[int, str]], firmware: dict[str, str]) -> str:
    """The service's phones with each one's registrations; firmware the service does not know (Cisco enterprise
    and Unify phones send no User-Agent that names it) is the phone's own, in brackets."""
    header = ("phone", "name", "vendor", "model", "status", "logged in", "ip", "lines", "firmware", "last contact")
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
                f"{row['session']['number']} {row['session']['user_name']}" if row.get("session") else "-",
                _address(row),
                _lines(registrations.get(row["mac"], {})),
                row["firmware"] or (f"({firmware[row['mac']]})" if row["mac"] in firmware else "-"),
                when,
            )
        )
    widths = [max(len(str(line[index])) for line in lines) for index in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cisco_reads(fleet: SimulatedFleet, bundle, state: Path) -> list[str]:
    """Status and screenshot of the fleet's Cisco enterprise phones, read as status.yml and screenshot.yml read
    them: a Cisco phone asks the authentication URL its file names (the service's /cisco/authenticate) before it
    gives a screenshot, so these lines show that path works end to end. The operator's side, not a phone's fact:
    the collection's control code and the fleet's control login drive the phones, as Ansible would."""
    user, password = bundle.control or ("admin", "admin")
    defaults = request.Defaults(credentials=Credentials(user, password), timeout=5.0)
    fleet_macs = {phone.mac for phone in bundle.phones}
    lines = []
    for handle in fleet:
        if handle.device.vendor != "cisco" or handle.mac not in fleet_macs:
            continue
        path = state / f"screenshot-{handle.mac}.png"
        target = request.target_from_entry(handle.inventory_entry(), 0, defaults)
        result = request.gather(target, screenshot_path=str(path))
        screenshot = result.get("screenshot_status")
        if screenshot == "ok":
            size = "x".join(str(side) for side in result.get("screenshot_size") or ())
            screenshot = f"{size} PNG in {path}"
        lines.append(
            f"  {handle.mac} {handle.device.model}: {result['status']}, firmware {result.get('firmware') or '-'},"
            f" screenshot {screenshot or '-'}"
        )
    return lines


def run(web_root: Path, state: Path, registrar_export: Path) -> int:
    state.mkdir(parents=True, exist_ok=True)
    bundle = load_bundle(web_root / ".phonefleet" / "service.json")
    try:
        subscribers = subscriber_count(registrar_export)
    except OSError as exc:
        missing = f"no registrar export in {registrar_export} ({exc.strerror}): run playbooks/registrar_export.yml"
        raise DemoError(missing) from None
    started = time.monotonic()
    with _service(web_root, state) as (base, token, applications), _registrar(state, registrar_export) as registrar:
        print(f"provisioning service on {base} (SQLite {state / 'state.db'})")
        print(
            f"SIP registrar: Kamailio on 127.0.0.1:{registrar.port}, udp and tcp, {subscribers} subscribers"
            f" from {registrar_export}"
        )
        booting = time.monotonic()
        fleet = _fleet(bundle.phones + _strangers(bundle), base, bundle)
        try:
            fleet.settle(60)  # firmware installs restart phones in the background
            shared = "" if fleet.per_phone else " (all on 127.0.0.1: not root)"
            print(
                f"{len(fleet)} phones booted in {time.monotonic() - booting:.1f} s{shared}, "
                f"{sum(handle.device.boot_count - 1 for handle in fleet)} restarted with the firmware their files name;"
                " registering their lines"
            )
            print(mobility_demo.log_in(fleet, applications))
            firmware = {handle.mac: handle.device.firmware for handle in fleet}
            workdir = state / "baresip"
            with ThreadPoolExecutor(max_workers=4) as pool:
                done = list(pool.map(lambda handle: _register(handle, registrar, workdir), fleet))
            cisco = _cisco_reads(fleet, bundle, state)
            location = registrar.location()
            outcomes = {}
            for handle, (outcome, aors) in zip(fleet, done, strict=True):
                outcomes[handle.mac] = {  # a line the registrar said yes to is in its location table, or we say so
                    line: status + ", yet not in the location table"
                    if status.startswith(registration.REGISTERED) and aors.get(line) not in location
                    else status
                    for line, status in outcome.items()
                }
            reply = httpx.get(
                base + "/api/v1/phones?limit=1000", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            reply.raise_for_status()
            registered = sum(
                status.startswith(registration.REGISTERED)
                for outcome in outcomes.values()
                for status in outcome.values()
            )
            print("\nStatus (0 contacted without config, 1 never contacted, 2 change not fetched, 3 up to date);")
            print("lines: the registrar's answer for each line;", end=" ")
            print("firmware in brackets: the phone's own (not in its requests)")
            print(_table(reply.json()["phones"], outcomes, firmware))
            print("\nCisco enterprise phones read through their web interface (the phone asks the service's")
            print("authentication URL before a screenshot):")
            print("\n".join(cisco))
            print(f"\n{registered} lines registered, {len(location)} addresses in Kamailio's location table")
            # the last step while the phones are up: a job through the job service (jobs_demo)
            fleet_macs = {phone.mac for phone in bundle.phones}
            addresses = [(handle.mac, handle.host) for handle in fleet if handle.mac in fleet_macs]
            job_exit = jobs_demo.run_job(state, base, token, addresses, reachable=fleet.per_phone)
        finally:
            fleet.stop()
    print(f"all stopped after {time.monotonic() - started:.1f} s")
    if job_exit != 0:
        raise DemoError(f"the job through the job service did not succeed (see above; {state / 'jobs'})")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-root", required=True, help="the web root publish.yml wrote")
    parser.add_argument("--state", required=True, help="folder for the service's state and the logs")
    parser.add_argument(
        "--registrar-export",
        default=str(REPO / "build" / "demo" / "registrar"),
        help="the Kamailio db_text tables playbooks/registrar_export.yml wrote",
    )
    arguments = parser.parse_args(argv)
    try:
        return run(
            Path(arguments.web_root).resolve(),
            Path(arguments.state).resolve(),
            Path(arguments.registrar_export).resolve(),
        )
    except (DemoError, jobs_demo.JobDemoError, mobility_demo.MobilityDemoError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
