"""An Avaya J179 reads its rendered scripts with the names Avaya's documents give.

The simulator's Avaya module (simulator/phonefleet_simulator/vendors/avaya.py) reads ``PHONEKEY``,
``PSTN_VM_NUM``, ``DISCOVER_AVAYA_ENVIRONMENT`` and the out-of-dialog NOTIFY settings from Avaya's admin guide
and public 3PCC templates, not from the driver.
"""

from __future__ import annotations

import pytest
from phonefleet_simulator import configs
from phonefleet_simulator.vendors import Answer, Notify, Refusal, avaya

from tests.unit.render_support import render_demo_phone
from tests.unit.sip import transport_fleet
from tests.unit.sip.transport_fleet import TRANSPORTS

SALES = "24d921aabb01"
OK = Answer(200, "OK", "resync")


@pytest.fixture(scope="module")
def sales() -> dict[str, bytes]:
    return {"/" + name: body for name, body in render_demo_phone(SALES).files.items()}


@pytest.fixture(scope="module")
def phones(tmp_path_factory) -> dict:
    return transport_fleet.rendered(tmp_path_factory.mktemp("avaya"), "avaya", "J179", "24d921", lines=1)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_account_registers_over_the_profiles_transport(phones, transport):
    accounts = configs.accounts("avaya", phones[transport])
    # one account (a 3PCC J100 has one); its REGISTERs go to the controller, which is the outbound proxy at the
    # profile's port, for the registrar's domain (SIPDOMAIN): the registrar's own port is the proxy's business
    transport_fleet.assert_read_as_rendered(accounts, transport, lines=1, registrar_port=False)
    assert accounts[0].expires == 900


def test_the_line_key_is_a_primary_line_key(sales):
    first = avaya.phone_keys(sales)[0]
    assert (first["Key"], first["Type"], first.get("Name")) == ("1", "line", "primary")


def test_the_message_key_dials_the_profiles_voicemail_code(sales):
    assert avaya.voicemail_number(sales) == "*97"


def test_the_phone_does_not_look_for_avaya_features_at_a_third_party_registrar(sales):
    assert not avaya.discovers_avaya_features(avaya.control_settings(sales))


def test_check_sync_is_honoured_over_udp(sales):
    assert avaya.notify(avaya.control_settings(sales), Notify("check-sync"), OK) == OK


def test_a_factory_phone_refuses_check_sync():
    refusal = avaya.notify(avaya.control_settings({}), Notify("check-sync"), OK)
    assert isinstance(refusal, Refusal) and refusal.code == 403 and "ENABLE_OOD_RESET_NOTIFY" in refusal.reason
