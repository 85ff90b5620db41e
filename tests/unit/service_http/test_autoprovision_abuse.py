"""Auto-provisioning under abuse (issue 10, point 4), over real sockets on loopback.

A stranger on the phones' network sends made-up MAC / User-Agent pairs to drain the pool and fill the
service's state. With the demo fleet as shipped (allowed_networks 127.0.0.0/8, 5 new numbers a minute per
address, 60 for the pool): one address gets 5 numbers, all addresses together 60, an address outside the
allowed networks none; refused phones are journaled ``autoprovision-refused`` and still get their base
files; unknown phones are remembered up to ``unknown_phones_max``, the least recently seen forgotten first.
Loopback has a whole /8, so each "address" is a 127.x.y.z the client binds to.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import (
    AssignmentLimits,
    AssignmentRefused,
    Store,
)

from tests.support.service import phone_auth, published_site, running_service
from tests.unit.service_http.test_serving import BOTH_DATABASES, database_url

POLY_AGENT = "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application"


def ask(port: int, path: str, user_agent: str, source: str = "127.0.0.1") -> tuple[int, bytes]:
    """One GET from the loopback address ``source``, with Poly's phone-auth credential: the strongest
    stranger, one who has the credential every new phone is given (without it the drain gets 401s only,
    tests/unit/security)."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=10, auth=phone_auth("poly")) as client:
        reply = client.get(f"http://127.0.0.1:{port}{path}", headers={"User-Agent": user_agent})
        return reply.status_code, reply.content


def spoofed_poly(index: int) -> str:
    return f"64167f{index:06x}"


def with_networks(networks: str):
    def edit(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        text = settings.read_text()
        assert "allowed_networks: [127.0.0.0/8]" in text
        settings.write_text(text.replace("allowed_networks: [127.0.0.0/8]", f"allowed_networks: {networks}"))

    return edit


def results_of(service, mac: str) -> list[tuple[str, str | None]]:
    return [(row["result"], row["evidence"]) for row in service.journal(mac=mac)]


@BOTH_DATABASES
def test_a_drain_of_spoofed_phones_is_bounded_per_address_and_per_pool(tmp_path, request, database):
    published_site(tmp_path)
    with running_service(tmp_path, database_url=database_url(request, database, tmp_path)) as service:
        # 120 spoofed phones from one address, as fast as it can: 5 numbers
        started = time.monotonic()
        answers = {}
        for index in range(120):
            mac = spoofed_poly(index)
            assert ask(service.port, "/000000000000.cfg", POLY_AGENT)[0] == 200  # the base file, always
            answers[mac] = ask(service.port, f"/{mac}.cfg", POLY_AGENT)[0]
        elapsed = time.monotonic() - started
        served = [mac for mac, code in answers.items() if code == 200]
        assert served == [spoofed_poly(index) for index in range(5)], elapsed
        assert set(answers.values()) == {200, 404}
        refused = spoofed_poly(5)
        assert ("autoprovision-refused", "autoprovision-refused:source-rate") in [
            (result, evidence.rsplit(",", 1)[-1]) for result, evidence in results_of(service, refused)
        ]
        # 20 more addresses, 5 phones each: the pool's rate stops them at 60 in all
        for source in range(2, 22):
            for index in range(5):
                mac = spoofed_poly(source * 100 + index)
                answers[mac] = ask(service.port, f"/{mac}.cfg", POLY_AGENT, f"127.0.0.{source}")[0]
        _status, assigned = service.api("/api/v1/autoprovisioned")
        numbers = {item["mac"]: item["number"] for item in assigned["phones"]}
        assert len(numbers) == 60
        assert set(numbers) == {mac for mac, code in answers.items() if code == 200}
        last = spoofed_poly(21 * 100 + 4)
        assert answers[last] == 404
        assert any(evidence.endswith("autoprovision-refused:pool-rate") for _r, evidence in results_of(service, last))
        phones = service.phones()
    # the refused phones are unknown phones (status 0), the served ones are at status 3
    assert phones[refused]["status"] == 0 and phones[refused]["source"] is None
    assert all(phones[mac]["status"] == 3 for mac in numbers)


@BOTH_DATABASES
def test_a_phone_outside_the_allowed_networks_gets_no_number_nor_an_assigned_config(tmp_path, request, database):
    published_site(tmp_path, with_networks("[127.0.0.1/32]"))
    inside, outside = spoofed_poly(1), spoofed_poly(2)
    with running_service(tmp_path, database_url=database_url(request, database, tmp_path)) as service:
        assert ask(service.port, f"/{outside}.cfg", POLY_AGENT, "127.0.0.9")[0] == 404
        assert ask(service.port, "/000000000000.cfg", POLY_AGENT, "127.0.0.9")[0] == 200  # base files still
        assert ask(service.port, f"/{inside}.cfg", POLY_AGENT, "127.0.0.1")[0] == 200
        # the phone that has a number, claimed from outside: its config (SIP password) is not given there
        assert ask(service.port, f"/{inside}.cfg", POLY_AGENT, "127.0.0.9")[0] == 404
        _status, assigned = service.api("/api/v1/autoprovisioned")
        journal = results_of(service, outside)
        phones = service.phones()
    assert [item["mac"] for item in assigned["phones"]] == [inside]
    assert any(
        result == "autoprovision-refused" and evidence.endswith("autoprovision-refused:network")
        for result, evidence in journal
    )
    assert phones[outside]["status"] == 0


@BOTH_DATABASES
def test_remembered_unknown_phones_stay_under_the_cap_the_oldest_forgotten_first(tmp_path, request, database):
    published_site(tmp_path, with_networks("[10.255.0.0/16]"))  # no number for anyone: all stay unknown
    fleet_mac, fleet_agent = "0c383e010203", "Fanvil X6U 2.10.2.6887 0c383e010203"
    url = database_url(request, database, tmp_path)
    with running_service(tmp_path, database_url=url, unknown_phones_max=20) as service:
        # a fleet phone that asked only for a file it does not have: contacted, never fetched its config
        assert ask(service.port, "/fanvil-nothing.cfg", fleet_agent)[0] == 404
        spoofed = [spoofed_poly(index) for index in range(60)]
        for mac in spoofed:
            assert ask(service.port, f"/{mac}.cfg", POLY_AGENT)[0] == 404
        deadline = time.monotonic() + 10
        while True:
            phones = service.phones()
            unknown = sorted(mac for mac, row in phones.items() if row["status"] == 0)
            if len(unknown) <= 20 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        forgotten = [row["mac"] for row in service.journal(limit=1000) if row["result"] == "forgotten"]
    assert unknown == sorted(spoofed[-20:])  # the 20 seen last; the fleet phone is not an unknown phone
    assert phones[fleet_mac]["status"] == 2  # contacted, not fetched: kept whatever the cap
    assert sorted(forgotten) == sorted(spoofed[:40])


def test_rates_are_counted_in_the_database_so_they_hold_across_servers(store_url):
    """Two stores on one database (two workers or servers): the rates hold for both together."""
    first, second = Store.open(store_url), Store.open(store_url)
    limits = AssignmentLimits(per_source=3, per_pool=5)
    numbers = [str(number) for number in range(3000, 3100)]

    def make(number: str) -> tuple:
        return f"Phone {number}", number

    outcomes = []
    try:
        for index in range(8):
            store = (first, second)[index % 2]
            try:
                store.assign(f"0004f2{index:06x}", numbers, make, source="10.0.0.1", limits=limits)
                outcomes.append("assigned")
            except AssignmentRefused as refused:
                outcomes.append(refused.reason)
        for index in range(8, 12):
            try:
                first.assign(f"0004f2{index:06x}", numbers, make, source=f"10.0.0.{index}", limits=limits)
                outcomes.append("assigned")
            except AssignmentRefused as refused:
                outcomes.append(refused.reason)
        # a phone that has its number keeps it, whatever the rates
        again = second.assign("0004f2000000", numbers, make, source="10.0.0.1", limits=limits)
    finally:
        first.close()
        second.close()
    assert outcomes == ["assigned"] * 3 + ["source-rate"] * 5 + ["assigned"] * 2 + ["pool-rate"] * 2
    assert again is not None and again.number == "3000"
