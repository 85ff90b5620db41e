"""A Poly VVX reads its rendered files with the names Poly's documents and public configs give.

The simulator's Poly module (simulator/phonefleet_simulator/vendors/poly.py) knows the codec names, the REST
API switch and what check-sync does from those sources, not from the driver.
"""

from __future__ import annotations

import pytest
from phonefleet_simulator import configs
from phonefleet_simulator.vendors import Answer, HttpControl, Notify, Refusal, poly

from tests.unit.render_support import render_demo_phone
from tests.unit.sip import transport_fleet
from tests.unit.sip.transport_fleet import TRANSPORTS

CONFERENCE = "64167f010203"
OK = Answer(200, "OK", "resync")


@pytest.fixture(scope="module")
def conference() -> dict[str, bytes]:
    return {"/" + name: body for name, body in render_demo_phone(CONFERENCE).files.items()}


@pytest.fixture(scope="module")
def phones(tmp_path_factory) -> dict:
    return transport_fleet.rendered(tmp_path_factory.mktemp("poly"), "poly", "VVX 450", "64167f")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_line_registers_over_the_profiles_transport(phones, transport):
    transport_fleet.assert_read_as_rendered(configs.accounts("poly", phones[transport]), transport)


def test_opus_is_offered_under_its_poly_name(phones):
    assert poly.codecs_offered(phones["udp"]) == ["Opus", "G722", "G711_A"]


def test_the_rest_api_is_on(conference):
    assert poly.http(poly.control_settings(conference), HttpControl("POST", "/api/v1/mgmt/safeRestart")) is None


def test_check_sync_re_reads_the_files_without_a_reboot(conference):
    assert poly.notify(poly.control_settings(conference), Notify("check-sync"), OK) == OK


def test_a_factory_phone_has_no_rest_api_and_reboots_on_check_sync():
    refusal = poly.http({}, HttpControl("POST", "/api/v1/mgmt/safeRestart"))
    assert isinstance(refusal, Refusal) and (refusal.code, refusal.reason, refusal.before_login) == (
        404,
        "Not Found",
        True,
    )
    assert poly.notify({}, Notify("check-sync"), OK).operation == "reboot"
