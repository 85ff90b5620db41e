"""Which address may open a phone's mobility screens (engine.verify). A screen's request only claims its phone;
the service checks the address it knows for it. One config fetch naming the phone's MAC, which proves nothing,
must not hand another host the phone's screens (log out whoever is on it without a PIN, log a user onto it):

- a phone whose vendor can prove itself (the demo's Yealink: phone auth) is known only by its proven requests;
- a phone that cannot (the demo's Cisco enterprise, served without proof) is refused while its address is in
  conflict: its recent contacts came from two addresses, or one moved it."""

from __future__ import annotations

import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.engine import (
    ADDRESS_CONFLICT,
    UNVERIFIED,
    LoginRefused,
    MobilityEngine,
    MobilityPolicy,
    Requester,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.mobility.store import MobilityStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import SERVED, Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import Recognition
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store

from tests.support.service import published_site

#: the demo's Cisco 8845 (cisco: serve_without_proof) and Yealink T54W (yealink: digest phone auth)
CISCO_8845, YEALINK_T54W = "0cd0f8a1b2c3", "805ec0112233"
PHONE, CLAIMER = "192.0.2.10", "192.0.2.66"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = PublishedRoot(str(published_site(tmp_path_factory.mktemp("screens"))))
    root.snapshot()
    return root


@pytest.fixture
def engine(published, tmp_path):
    url = f"sqlite:///{tmp_path}/service.db"
    Store.open(url)  # the service's tables (the journal, the contacts), as the service makes them first
    store = MobilityStore.open(url)
    return MobilityEngine(store, Journal(store), published, MobilityPolicy(), lambda _mac, _snapshot: None)


def fetch(engine: MobilityEngine, mac: str, ip: str, proven: bool = False, flush: bool = True) -> None:
    """A config request naming ``mac`` from ``ip`` (journaled; flushed to the database unless ``flush`` is off)."""
    vendor = "cisco" if mac == CISCO_8845 else "yealink"
    engine.journal.add("http", ip, Recognition(vendor, None, None, mac, f"{mac}.cfg", "phone", ()), SERVED, 200, None,
                       proven=proven)  # fmt: skip
    if flush:
        engine.journal.flush()


def refusal(engine: MobilityEngine, mac: str, ip: str) -> str | None:
    try:
        engine.verify(mac, Requester(ip))
    except LoginRefused as refused:
        return refused.reason
    return None


def test_a_phone_that_can_prove_itself_is_known_only_by_its_proven_address(engine):
    fetch(engine, YEALINK_T54W, CLAIMER)  # proves nothing: the claimer's
    assert refusal(engine, YEALINK_T54W, CLAIMER) == UNVERIFIED
    fetch(engine, YEALINK_T54W, PHONE, proven=True)
    fetch(engine, YEALINK_T54W, CLAIMER, flush=False)  # not moved by it, flushed or not
    assert refusal(engine, YEALINK_T54W, CLAIMER) == UNVERIFIED
    assert refusal(engine, YEALINK_T54W, PHONE) is None


@pytest.mark.parametrize("flush", [True, False], ids=["flushed", "still-waiting"])
def test_a_phone_that_cannot_prove_itself_is_refused_while_two_addresses_claim_it(engine, flush):
    fetch(engine, CISCO_8845, PHONE)
    assert refusal(engine, CISCO_8845, PHONE) is None
    fetch(engine, CISCO_8845, CLAIMER, flush=flush)  # the last unproven contact: the claimer is the known address
    assert refusal(engine, CISCO_8845, CLAIMER) == ADDRESS_CONFLICT
    fetch(engine, CISCO_8845, PHONE, flush=flush)  # the phone again: still in conflict
    assert refusal(engine, CISCO_8845, PHONE) == ADDRESS_CONFLICT
    engine.journal.flush()
    refused = [row for row in engine.store.journal(mac=CISCO_8845) if row["result"] == "mobility-refused"]
    assert refused[0]["evidence"] == f"reason:{ADDRESS_CONFLICT},addresses:{PHONE} {CLAIMER}"
    # the window over (a day by default), the phone's address is its last request's again
    engine.clock = lambda: time.time() + MobilityPolicy().address_conflict_seconds + 1
    assert refusal(engine, CISCO_8845, PHONE) is None


def test_a_claim_that_moves_the_address_of_a_phone_silent_for_long_is_a_conflict(engine):
    fetch(engine, CISCO_8845, PHONE)
    time.sleep(0.01)
    claimed_at = time.time()
    fetch(engine, CISCO_8845, CLAIMER)
    # the window starts between the two: the claim is the only contact in it, but it moved the phone's address
    engine.clock = lambda: claimed_at + MobilityPolicy().address_conflict_seconds
    assert refusal(engine, CISCO_8845, CLAIMER) == ADDRESS_CONFLICT
