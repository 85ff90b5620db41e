"""A phone whose model the service learns and serves without proof gets no secret that protects other phones:
the service checks what it renders as publish checks what it writes (fleet/exposure.py)."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.learned_model import (
    ModelLearner,
    ModelNotLearned,
)

from tests.unit.test_fleet_validation import write_fleet

SETTINGS = """
    settings:
      provisioning: {servers: [prov.test.invalid], serve_without_proof: [unify]}
      phone_control: {username: admin, password: control-secret-77}
    """
PROFILES = """
    profiles:
      office:
        sip: {registrar: pbx.test.invalid, transport: udp}
        codecs: [g722, pcma]
        admin_password: office-admin-88
    """
PHONES = """
    phones:
      - mac: 80:5e:c0:11:22:33
        model: T54W
        profile: office
        lines: [{number: "2001", password: secret-2001}]
      - mac: 00:1a:e8:55:66:01
        vendor: unify
        profile: office
        lines: [{number: "2002", password: secret-2002}]{own}
    """


def learner(tmp_path, own: str = "") -> ModelLearner:
    phones = PHONES.replace("{own}", own)
    fleet = write_fleet(tmp_path, settings_yml=SETTINGS, profiles_yml=PROFILES, phones_yml=phones)
    return ModelLearner(load_fleet(str(fleet)))


def test_a_learned_phone_served_without_proof_never_gets_the_fleets_admin_passwords(tmp_path):
    with pytest.raises(ModelNotLearned) as refused:
        learner(tmp_path).config("001ae8556601", "CP400", "unify")
    message = str(refused.value)
    assert "is served without proof" in message and "profiles.office.admin_password" in message
    assert "office-admin-88" not in message and "control-secret-77" not in message


def test_with_an_admin_password_of_its_own_it_is_rendered(tmp_path):
    own = "\n        admin_password: its-own-99"
    model, config = learner(tmp_path, own).config("001ae8556601", "CP400", "unify")
    served = b"".join(config.files.values())
    assert model == "CP400" and b"its-own-99" in served and b"office-admin-88" not in served
