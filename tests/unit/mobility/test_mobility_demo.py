"""``make demo``'s mobility step on the demo fleet as published (its PIN hashes untouched): Ivan Petrov logs in
with the documented demo PIN on the Cisco CP-8845 through its services screens, the phone re-syncs his line, and
the demo's table shows him on that phone."""

from __future__ import annotations

import time

import pytest
from phonefleet_simulator import demo, mobility_demo
from phonefleet_simulator.__main__ import load_bundle

from tests.support.service import published_site, running_service


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("mobility-demo")
    published_site(site)
    # the journal written only every minute: the demo walks on what the service learns from entries not yet written
    with running_service(site, applications=True, journal_flush_seconds=60) as service:
        yield site, service


def test_the_demo_user_logs_in_on_the_demo_phone_and_the_table_shows_him(demo_site, start_fleet):
    site, service = demo_site
    bundle = load_bundle(site / "www" / ".phonefleet" / "service.json")
    chosen = [phone for phone in bundle.phones if phone.mac == mobility_demo.PHONE]
    fleet = start_fleet(
        chosen, f"http://127.0.0.1:{service.port}", bundle.control, numbers=bundle.numbers, labels=bundle.labels
    )
    try:
        fleet.settle()
        assert service.service.journal.pending  # the phone's config fetches are journaled, not yet written
        started = time.monotonic()
        said = mobility_demo.log_in(fleet, f"http://127.0.0.1:{service.service.settings.applications_port}")
        assert time.monotonic() - started < 60
        assert said == (
            f"mobility: on the CP-8845 {mobility_demo.PHONE} the services screens say"
            " 'Logged in: Ivan Petrov (5001)'; it re-synced his lines"
        )
        files = fleet.phone(mobility_demo.PHONE).device.files
        config = next(data for name, data in files.items() if name.lower().endswith(".cnf.xml"))
        assert b"5001" in config and b"2002" not in config  # his line, not the phone's own
        service.service.flush()
        rows = list(service.phones().values())
        line = next(text for text in demo._table(rows, {}, {}).splitlines() if text.startswith(mobility_demo.PHONE))
        assert "5001 Ivan Petrov" in line
    finally:
        fleet.stop()
