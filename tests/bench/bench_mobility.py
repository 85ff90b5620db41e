"""Mobility benchmark (issue 14): a shift change on 500 phones, and how long one login takes to reach the registrar.

The set-up, all on loopback in this process: the demo fleet plus BENCH_PHONES shared Yealink T54W phones (office
profile: mobility allowed, no line of their own) and two shifts of as many mobility users (7000... and 8000...,
one line each, a PIN hash of ``fleet/pin.py``'s defaults: its cost is part of a login); published and served by
the provisioning service with its applications listener (uvicorn in a thread); Kamailio given the registrar
export of that fleet; the phones are phonefleet_simulator's, each on its own 127.x.y.z address, their lines
registering from their own SIP port (``sip_lines``).

1. Shift change: the first shift is logged in (user 7000+i on phone i). At once, on every phone, the user of the
   first shift logs out on the phone's screen and the next one logs in (the XML browser of each phone, from its
   own files, as in the acceptance tests). Timed from the first press until every phone has registered the new
   user's line (the phone's own SIP stack got 200 OK from Kamailio), then checked in Kamailio's location table:
   every new line there from its phone's address, no line of the first shift left. Goal: <= 30 s.
2. One login: BENCH_SINGLE times, on an idle system, a user logs in on a free phone: from the form's submit to
   his line registered, which includes the service's re-sync NOTIFY and the phone's fetch of its files. Median
   and spread. Goal: <= 3 s.

Prints figures; asserts nothing. Runs under ``nice -n 15``. Environment: BENCH_PHONES (500), BENCH_SINGLE (7),
BENCH_OCTET (200: the phones are on 127.200.x.y, or the next octets whose addresses are free),
BENCH_PIN_HASH (``argon2id``: fleet/pin.py's new hashes; ``pbkdf2_sha256``: the format before, 200,000 iterations,
for the figure before argon2id; ``argon2id-cheapest``: 8 KiB and one pass, what the rest of a shift change costs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "collections", ROOT / "simulator", ROOT / "service"):
    sys.path.insert(0, str(folder))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import ARGON2ID, hash_pin  # noqa: E402
from phonefleet_simulator.__main__ import load_bundle  # noqa: E402
from phonefleet_simulator.fleet import SimulatedFleet  # noqa: E402
from phonefleet_simulator.ports import address_in_use  # noqa: E402
from phonefleet_simulator.sip_lines import register_lines  # noqa: E402
from phonefleet_simulator.xml_browser import XmlBrowser  # noqa: E402

from tests.support.registrar import exported_database, start_registrar  # noqa: E402
from tests.support.service import published_site, running_service  # noqa: E402
from tests.unit.mobility.pin_support import pbkdf2_pin_hash  # noqa: E402
from tests.unit.render_support import reveal  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "500"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "7"))
OCTET = int(os.environ.get("BENCH_OCTET", "200"))
PIN_HASH = os.environ.get("BENCH_PIN_HASH", ARGON2ID)
#: argon2id at its cheapest (8 KiB, one pass): what a shift change costs besides the PIN checks
CHEAPEST = "argon2id-cheapest"
BENCH = ROOT / "build" / "bench" / "mobility"
PIN = "24680135"
FIRST_SHIFT, NEXT_SHIFT = 7000, 8000
GOAL_SHIFT, GOAL_ONE = 30.0, 3.0


def mac(index: int) -> str:
    return f"805ec1{index:06x}"


def bench_fleet(fleet: Path) -> None:
    """The demo fleet with PHONES shared T54W phones and two shifts of mobility users (appended as YAML text: the
    demo's vault-encrypted values stay as they are)."""
    phones = [
        f'  - mac: "{mac(index)}"\n    name: Desk {index}\n    model: T54W\n    site: moscow-hq\n    lines: []\n'
        for index in range(PHONES)
    ]
    with (fleet / "phones.yml").open("a") as out:
        out.write("".join(phones))
    pin_hash = bench_pin_hash()  # one hash for all: each login still pays its full cost
    users = []
    for base in (FIRST_SHIFT, NEXT_SHIFT):
        for index in range(PHONES):
            number = str(base + index)
            users.append(
                f'\n  - name: Agent {number}\n    number: "{number}"\n    pin_hash: {pin_hash}\n    lines:\n'
                f'      - {{number: "{number}", display_name: Agent {number}, password: bench-{number}}}\n'
            )
    with (fleet / "mobility.yml").open("a") as out:
        out.write("".join(users))


def bench_pin_hash() -> str:
    """The PIN's hash in the format BENCH_PIN_HASH names."""
    if PIN_HASH == CHEAPEST:
        return hash_pin(PIN, memory_kib=8, time_cost=1)
    return hash_pin(PIN) if PIN_HASH == ARGON2ID else pbkdf2_pin_hash(PIN)


def start_phones(site: Path, service) -> SimulatedFleet:
    bundle = load_bundle(site / "www" / ".phonefleet" / "service.json")
    wanted = {mac(index) for index in range(PHONES)}
    chosen = sorted((phone for phone in bundle.phones if phone.mac in wanted), key=lambda phone: phone.mac)
    for octet in range(OCTET, OCTET + 5):
        fleet = SimulatedFleet(
            chosen, f"http://127.0.0.1:{service.port}", bundle.control, per_phone_addresses=True, octet=octet
        )
        try:
            return fleet.start(120)
        except OSError as exc:
            fleet.stop()
            if not address_in_use(exc):
                raise
    raise SystemExit("no free loopback octet for the phones")


def contacts(registrar, number: int) -> list[str]:
    """The contacts Kamailio holds for ``number`` (one AOR at a time: ``ul.dump`` of a big table outgrows the RPC's
    datagram)."""
    try:
        found = registrar.rpc("ul.lookup", "location", f"{number}@pbx.demo.invalid")
    except RuntimeError:  # "AOR not found"
        return []
    return [entry["Contact"]["Address"] for entry in (found or {}).get("Contacts") or []]


def registered(fleet: SimulatedFleet, index: int, number: str) -> bool:
    rows = fleet.phone(mac(index)).device.line_status()
    return [(row["user"], row["status"]) for row in rows] == [(number, "registered")]


async def walk(browser: XmlBrowser, *steps) -> str:
    screen = await browser.open_services()
    for step in steps:
        screen = await (browser.enter(step) if isinstance(step, dict) else browser.select(step))
    return screen.text


def wait(fleet: SimulatedFleet, done, timeout: float) -> float:
    """Seconds until ``done()``; raises TimeoutError after ``timeout``."""
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > timeout:
            raise TimeoutError
        time.sleep(0.005)
    return time.monotonic() - started


def main() -> None:
    with contextlib.suppress(OSError):
        os.nice(15)
    shutil.rmtree(BENCH, ignore_errors=True)
    BENCH.mkdir(parents=True)
    started = time.monotonic()
    site = BENCH / "site"
    published_site(site, bench_fleet)
    database = exported_database(load_fleet(str(site / "fleet")), reveal, BENCH / "export")
    registrar = start_registrar(BENCH / "kamailio", database)
    try:
        with running_service(site, applications=True) as service:
            applications = f"http://127.0.0.1:{service.service.settings.applications_port}"
            fleet = start_phones(site, service)
            try:
                service.service.flush()  # the service knows each phone's address from here on
                register_lines(fleet, ("127.0.0.1", registrar.port))
                print(
                    f"set-up: {PHONES} phones, {2 * PHONES} mobility users (PIN hashes:"
                    f" {bench_pin_hash().rsplit('$', 2)[0]}), {time.monotonic() - started:.1f} s"
                )
                # a patient browser: a real one gives up after some seconds; here each login is waited for to the end
                browsers = [
                    XmlBrowser(fleet.phone(mac(index)).device, applications, timeout=300) for index in range(PHONES)
                ]
                run = fleet.call

                # the first shift logs in (not timed)
                async def first_shift() -> list[str]:
                    logins = (
                        walk(browser, {"number": str(FIRST_SHIFT + index), "pin": PIN})
                        for index, browser in enumerate(browsers)
                    )
                    return await asyncio.gather(*logins)

                shown = run(first_shift(), 600)
                print(f"first shift: {sum('Logged in' in text for text in shown)} logged in")
                wait(fleet, lambda: all(registered(fleet, i, str(FIRST_SHIFT + i)) for i in range(PHONES)), 300)

                # the shift change, at once on every phone: log out on the screen, the next user logs in
                async def shift_change() -> list[float]:
                    async def desk(index: int, browser: XmlBrowser) -> float:
                        await walk(browser, 1)  # the logged-in menu's logout entry
                        await walk(browser, {"number": str(NEXT_SHIFT + index), "pin": PIN})
                        return time.monotonic()

                    return await asyncio.gather(*(desk(index, browser) for index, browser in enumerate(browsers)))

                change_start = time.monotonic()
                submitted = run(shift_change(), 600)
                wait(fleet, lambda: all(registered(fleet, i, str(NEXT_SHIFT + i)) for i in range(PHONES)), 600)
                change = time.monotonic() - change_start
                print(
                    f"shift change: {PHONES} phones, every new line registered after {change:.1f} s"
                    f" (goal <= {GOAL_SHIFT:g} s; every screen walked after {max(submitted) - change_start:.1f} s)"
                )
                in_place = sum(
                    contacts(registrar, NEXT_SHIFT + i) == [f"sip:{NEXT_SHIFT + i}@{fleet.phone(mac(i)).host}:5060"]
                    for i in range(PHONES)
                )
                left = sum(bool(contacts(registrar, FIRST_SHIFT + i)) for i in range(PHONES))
                print(f"Kamailio: {in_place} new lines from their phone's address, {left} of the first shift left")

                # one login at a time, on an idle system
                times = []
                for attempt in range(min(SINGLE, PHONES)):
                    browser = browsers[attempt]
                    run(walk(browser, 1), 60)  # the phone is made free (not timed)
                    wait(fleet, lambda attempt=attempt: fleet.phone(mac(attempt)).device.line_status() == [], 30)
                    fleet.settle()
                    number = str(FIRST_SHIFT + attempt)
                    run(browser.open_services(), 60)
                    submit = time.monotonic()
                    run(browser.enter({"number": number, "pin": PIN}), 60)
                    wait(fleet, lambda a=attempt, n=number: registered(fleet, a, n), 30)
                    times.append(time.monotonic() - submit)
                spread = f"{min(times):.2f}-{max(times):.2f}"
                print(
                    f"one login, submit to line registered: median {statistics.median(times):.2f} s, {spread} s"
                    f" over {len(times)} (goal <= {GOAL_ONE:g} s)"
                )
            finally:
                fleet.stop()
    finally:
        registrar.stop()


if __name__ == "__main__":
    main()
