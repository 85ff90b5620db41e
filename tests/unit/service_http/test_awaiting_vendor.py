"""A phone with neither vendor nor model whose MAC prefix two vendors share (Cisco enterprise and Cisco MPP
run on the same hardware, so their data sheets list the same OUIs), as a reference-product export gives it:
publish names it and leaves it to the service; it waits at status 1 with its candidate vendors. A request that
proves the phone under one candidate's rules (that vendor's phone auth) and reports a model of that vendor gets
the config of that vendor and model, and both are recorded and written back.

The attack: the demo fleet serves Cisco enterprise without proof (its phones cannot carry any). A stranger
asking for the Cisco enterprise file of such a MAC claims Cisco enterprise; the phone may be an MPP, whose
secrets need its phone auth: the claim gets nothing (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.autoprovisioned_export import (
    WRITTEN,
    plan_learned_models,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet

from tests.support.modelless import colon, modelless_phone
from tests.support.service import phone_auth, published_site, republish, running_service

# MACs in Cisco's blocks, which Cisco enterprise and Cisco MPP share: the prefix names no vendor
MPP, STRANGER = "00562b998811", "00562b998812"
MPP_AGENT = f"Cisco-CP-6841-3PCC/11.3.7 ({MPP})"


def add_shared_prefix_phones(fleet: Path) -> None:
    phones = fleet / "phones.yml"
    text = phones.read_text()
    text += modelless_phone(MPP, "Shared prefix", "2211") + modelless_phone(STRANGER, "Never proven", "2212")
    phones.write_text(text)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("awaiting-vendor")
    published_site(directory, add_shared_prefix_phones)
    with running_service(directory) as service:
        yield directory, service


def test_publish_names_the_phone_with_its_candidate_vendors(site):
    directory, service = site
    with (directory / "fleet/profiles.yml").open("a") as profiles:
        profiles.write("# a fleet file changed: the publish loads the fleet again\n")
    result = republish(directory)
    assert sorted(result.awaiting_model) == [MPP, STRANGER] and not result.errors
    warnings = "\n".join(result.warnings)
    assert f"phone {colon(MPP)} (Shared prefix): waits for its first request to learn its vendor and model" in warnings
    assert "(cisco or cisco_mpp)" in warnings
    row = service.phones()[STRANGER]
    assert (row["status"], row["status_text"], row["vendor"]) == (1, "awaiting model", None)
    assert row["learned_vendor"] is None


def test_a_stranger_claiming_cisco_enterprise_gets_nothing(site):
    _directory, service = site
    # Cisco enterprise is served without proof in the demo fleet, but this MAC may be an MPP's, which needs proof
    for agent in (None, f"Cisco/SEP{STRANGER.upper()}"):
        reply = service.get(f"/SEP{STRANGER.upper()}.cnf.xml", agent)
        assert reply.status == 404 and b"pw-2212" not in reply.body, reply
    # an MPP claim without the MPP login: challenged, then nothing
    assert service.get(f"/{STRANGER}.xml", f"Cisco-CP-6841-3PCC/11.3.7 ({STRANGER})").status == 401
    # another vendor's login proves a phone of that vendor, which this MAC's prefix is not
    claimed = service.get_with_auth(f"/{STRANGER}.cfg", f"Yealink SIP-T46U 66.86.0.100 {colon(STRANGER)}", phone_auth())
    assert claimed.status == 404 and b"pw-2212" not in claimed.body
    row = service.phones()[STRANGER]
    assert (row["status"], row["learned_model"], row["learned_vendor"]) == (1, None, None)
    refused = [row["evidence"] for row in service.journal(mac=STRANGER) if row["result"] == "refused"]
    assert any("no-proof" in evidence for evidence in refused), refused


def test_a_proven_request_teaches_vendor_and_model_which_are_written_back(site):
    directory, service = site
    reply = service.get_with_auth(f"/{MPP}.xml", MPP_AGENT, phone_auth("cisco_mpp"))
    assert reply.status == 200 and b"2211" in reply.body and b"pw-2211-x" in reply.body
    assert b"<flat-profile" in reply.body  # the MPP's file, not a Cisco enterprise one
    row = service.phones()[MPP]
    assert (row["status"], row["vendor"], row["learned_vendor"], row["learned_model"]) == (
        3,
        "cisco_mpp",
        "cisco_mpp",
        "CP-6841-3PCC",
    ), row
    served = [row for row in service.journal(mac=MPP) if row["result"] == "served"]
    assert served and "vendor-learned:cisco_mpp" in served[0]["evidence"]
    plan = plan_learned_models(service.phones(), str(directory / "fleet"))
    learned = {item.mac: item for item in plan.phones}
    assert (learned[colon(MPP)].result, learned[colon(MPP)].vendor) == (WRITTEN, "cisco_mpp")
    assert learned[colon(STRANGER)].result == "pending"
    assert {"vendor: cisco_mpp\nmodel: CP-6841-3PCC\n"} == {diff["after"] for diff in plan.diffs()}
    write_all(plan.texts)
    phone = load_fleet(str(directory / "fleet")).phone(MPP)
    assert phone is not None and (phone.vendor, phone.model) == ("cisco_mpp", "CP-6841-3PCC")
    assert republish(directory).awaiting_model == [STRANGER]  # publish renders it itself now
