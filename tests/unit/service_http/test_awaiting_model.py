"""Phones without a model (the reference product's CSV has no model column): publish leaves them unrendered
and names them, the rest of the fleet is published; the service renders each with the model it reports when
it first asks, after the same proof a published phone's own file needs; status 1 until then.

A phone that cannot be rendered for any other reason still stops the publish (tests/unit/test_publish.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import PublishError

from tests.support.modelless import (
    AGENTS,
    MODELLESS,
    MODELS,
    OWN_FILES,
    YEALINK,
    add_modelless_phones,
    colon,
    modelless_phone,
)
from tests.support.service import phone_auth, published_site, republish, running_service


def published_with(site, mac: str, name: str, number: str):
    """The site's service after a publish of the fleet with one more Yealink (by its MAC) without a model."""
    directory, service = site
    phones = directory / "fleet/phones.yml"
    phones.write_text(phones.read_text() + modelless_phone(mac, name, number))
    republish(directory)
    service.reload()
    return service


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("awaiting-model")
    published_site(directory, add_modelless_phones)
    with running_service(directory) as service:
        yield directory, service


def test_publish_renders_the_rest_and_names_the_phones_without_a_model(tmp_path):
    directory = tmp_path
    published_site(directory, add_modelless_phones)
    result = republish(directory)  # nothing changed: the phones are still named
    assert result.noop and result.awaiting_model == sorted(MODELLESS)
    with (directory / "fleet/profiles.yml").open("a") as profiles:
        profiles.write("# a fleet file changed: the publish loads the fleet again\n")
    result = republish(directory)
    assert not result.noop
    assert sorted(result.awaiting_model) == sorted(MODELLESS)
    for mac, (vendor, _number) in MODELLESS.items():
        assert f"phone {colon(mac)} (No model {vendor}): waits for its first request to learn its model" in "\n".join(
            result.warnings
        )
    manifest = json.loads((directory / "www/.phonefleet/manifest.json").read_text())
    for mac in MODELLESS:
        assert manifest["phones"][mac] == {
            "input": manifest["phones"][mac]["input"],
            "awaiting_model": True,
            "files": [],
        }
    assert not [name for name in manifest["files"] if any(mac in name.lower() for mac in MODELLESS)]
    assert manifest["phones"]["805ec0112233"]["files"] == ["805ec0112233.cfg"]  # the others are published
    assert (directory / "www/805ec0112233.cfg").is_file()


def test_a_phone_that_cannot_be_rendered_otherwise_still_stops_the_publish(tmp_path):
    def broken(fleet: Path) -> None:
        add_modelless_phones(fleet)
        settings = fleet / "settings.yml"  # no default profile: the phones that name none cannot be rendered
        settings.write_text(
            settings.read_text().replace("    profile: office\n    site: moscow-hq", "    site: moscow-hq")
        )

    with pytest.raises(PublishError) as caught:
        published_site(tmp_path, broken)
    message = str(caught.value)
    assert "80:5e:c0:11:22:33 (Reception)" in message and "has no profile" in message
    assert "No model" not in message  # the model-less phones are not what stops it


def test_a_phone_is_rendered_with_the_model_it_reports_then_follows_its_status(site):
    _directory, service = site
    rows = service.phones()
    for mac in MODELLESS:
        assert (rows[mac]["status"], rows[mac]["status_text"], rows[mac]["source"]) == (1, "awaiting model", "fleet")
    for mac, (vendor, number) in MODELLESS.items():
        reply = service.get_with_auth(OWN_FILES[mac], AGENTS[mac], phone_auth(vendor))
        assert reply.status == 200, (mac, reply.status)
        assert number.encode() in reply.body and f"pw-{number}-x".encode() in reply.body
    yealink = service.get_with_auth(OWN_FILES[YEALINK], AGENTS[YEALINK], phone_auth("yealink")).body
    assert b"T46U" in yealink or b"t46u" in yealink.lower()  # the T46U's own parameters, not a default model
    rows = service.phones()
    for mac, model in MODELS.items():
        assert (rows[mac]["status"], rows[mac]["status_text"]) == (3, "up to date"), rows[mac]
        assert rows[mac]["learned_model"] == model and rows[mac]["model"] == model
    learned = [row for row in service.journal(mac=YEALINK) if row["result"] == "served"]
    assert learned and "model-learned:T46U" in learned[0]["evidence"]


def test_a_claimed_model_without_proof_renders_nothing(site):
    mac = "805ec0998804"
    service = published_with(site, mac, "Never proven", "2204")  # never asked by its own phone
    agent = f"Yealink SIP-T46U 66.86.0.100 {colon(mac)}"
    assert service.get(f"/{mac}.cfg", agent).status == 401  # no credential: a claim only
    # the vendor's credential (shared by every Yealink) without the MAC Yealink phones always state: not that phone
    reply = service.get_with_auth(f"/{mac}.cfg", "Yealink SIP-T46U 66.86.0.100", phone_auth("yealink"))
    assert reply.status == 404 and b"pw-2204" not in reply.body
    # another vendor's login (the demo gives every vendor the same credential) proves a phone of that vendor,
    # never this Yealink: the fleet's vendor decides, not the one a request shows
    claimed = service.get_with_auth(f"/{mac}.cfg", f"Fanvil X6U 2.10.2.6887 {mac}", phone_auth("fanvil"))
    assert claimed.status == 404 and b"pw-2204" not in claimed.body
    # and the phone's MAC in another vendor's file name answers as a MAC nobody has: nothing tells it exists
    assert service.get(f"/SEP{mac.upper()}.cnf.xml").status == service.get("/SEP805EC0FFFFFF.cnf.xml").status == 404
    row = service.phones()[mac]
    assert (row["status"], row["learned_model"]) == (1, None)
    assert row["status_text"] == "awaiting model"  # a refused request is no contact of the phone
    refused = [row["evidence"] for row in service.journal(mac=mac) if row["result"] == "refused"]
    assert any("mac-unstated" in evidence for evidence in refused) and any("no-proof" in e for e in refused)


def test_a_model_the_vendor_does_not_have_leaves_the_phone_at_1_saying_why(site):
    mac = "805ec0998805"
    service = published_with(site, mac, "Odd model", "2205")
    reply = service.get_with_auth(f"/{mac}.cfg", f"Yealink SIP-T99X 66.86.0.100 {colon(mac)}", phone_auth("yealink"))
    assert reply.status == 404
    row = service.phones()[mac]
    assert (row["status"], row["learned_model"]) == (1, None)
    assert row["status_text"] == "awaiting model: asked, not rendered (the journal says why)"
    journaled = service.journal(mac=mac)[0]
    assert "awaiting-model:reported model 'T99X' is not in the yealink catalog" in journaled["evidence"]
