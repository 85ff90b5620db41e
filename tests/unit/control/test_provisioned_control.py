"""Driving phones whose control paths only their own files open: the demo's Avaya, Poly, Snom, Cisco MPP and
Unify phones boot against a real provisioning service, each on its own 127.x.y.z address, and are then
resynced, rebooted and asked for their state through the vendor's control surface.

The simulated phones enforce what their vendor documents a real phone enforces (the simulator's
``vendors/<vendor>.py``): an Avaya J acts on check-sync only with out-of-dialog NOTIFY allowed over UDP, a
Poly's REST API is off and its check-sync reboots unless its file says otherwise, and the web login of a Poly,
Snom or MPP phone is the admin password its file sets, which must be the fleet's control login. A driver that
forgets one of those settings fails here; the factory phones of test_simulated.py show the refusals. A Unify
phone reboots only when its deployment service answers its WPI contact with Restart: the task queues it at the
service (service_url, a token of the api role) and sends the contact-me.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import (
    Credentials,
    ServiceLinkError,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ControlServiceLink, ServiceApi
from phonefleet_simulator.__main__ import load_bundle

from tests.support.service import (
    ADMIN_TOKEN,
    API_TOKEN,
    AUDITOR_TOKEN,
    published_site,
    running_service,
    serve_without_proof,
)

from .test_simulated import events_after

#: the demo's phones of the vendors driven here: mac -> (vendor, resync cause, reboot cause)
PHONES = {
    "24d921aabb01": ("avaya", "sip NOTIFY check-sync", "sip NOTIFY check-sync;reboot=true"),
    "64167f010203": ("poly", "http POST /api/v1/mgmt/safeRestart", "http POST /api/v1/mgmt/safeReboot"),
    "000413010203": ("snom", "sip NOTIFY check-sync;reboot=false", "http GET /advanced_update.htm?reboot=Reboot"),
    "c4b9cd112201": ("cisco_mpp", "http GET /admin/resync", "http GET /admin/reboot"),
    "001ae8556677": ("unify", "http POST /contact_dls.html/ContactDLS", "ContactDLS: WPI Restart"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("provisioned-control")
    # the demo's Unify phone boots over WPI, which proves nothing: a WPI site lists unify explicitly
    published_site(site, lambda fleet: serve_without_proof(fleet, "unify", drop_phone_auth=False))
    return site


@pytest.fixture(scope="module")
def service(site):
    with running_service(site) as handle:
        yield handle


@pytest.fixture(scope="module")
def bundle(site):
    return load_bundle(site / "www" / ".phonefleet" / "service.json")


@pytest.fixture(scope="module")
def fleet(site, service, bundle, start_fleet):
    """The demo phones of PHONES, booted against the service: each holds the files it was served."""
    phones = [phone for phone in bundle.phones if phone.mac in PHONES]
    assert sorted(phone.mac for phone in phones) == sorted(PHONES)
    started = start_fleet(
        phones, f"http://127.0.0.1:{service.port}", bundle.control, numbers=bundle.numbers, labels=bundle.labels
    )
    started.settle()
    yield started
    started.stop()


def target(fleet, bundle, mac: str, service=None) -> request.Phone:
    entry = fleet.phone(mac).inventory_entry()
    defaults = request.Defaults(credentials=Credentials(*bundle.control), timeout=3.0, service=service)
    return request.target_from_entry(entry, 0, defaults)


@pytest.fixture(scope="module")
def link(service) -> ControlServiceLink:
    """The provisioning service as the phone_command task reaches it (service_url, a token of the api role)."""
    return ControlServiceLink(ServiceApi(f"http://127.0.0.1:{service.port}", API_TOKEN))


@pytest.mark.parametrize("mac", sorted(PHONES))
def test_the_phone_booted_from_the_service(fleet, mac):
    assert fleet.phone(mac).device.config_version is not None


@pytest.mark.parametrize("mac", sorted(PHONES))
def test_resync_resyncs_and_does_not_reboot(fleet, bundle, mac):
    result, events = events_after(fleet, mac, lambda: request.execute_command(target(fleet, bundle, mac), "resync"))
    assert result["status"] == "sent" and result["reboots"] is False, result
    kinds = [kind for kind, _cause in events]
    assert "resync" in kinds and "reboot" not in kinds and "boot" not in kinds, events
    assert any(PHONES[mac][1] in cause for kind, cause in events if kind == "resync"), events


@pytest.mark.parametrize("mac", sorted(mac for mac in PHONES if PHONES[mac][2]))
def test_reboot_reboots(fleet, bundle, link, mac):
    phone = target(fleet, bundle, mac, link)
    result, events = events_after(fleet, mac, lambda: request.execute_command(phone, "reboot"))
    assert result["status"] == "sent" and result["reboots"] is True, result
    kinds = [kind for kind, _cause in events]
    assert "reboot" in kinds and "boot" in kinds and "resync" not in kinds, events
    assert any(PHONES[mac][2] in cause for kind, cause in events if kind == "reboot"), events


def test_poly_info_over_its_rest_api(fleet, bundle):
    mac = "64167f010203"
    result = request.gather(target(fleet, bundle, mac))
    assert result["status"] == "ok", result
    assert result["info"]["model"] == "VVX 450"
    assert result["info"]["ip"] == fleet.phone(mac).host


def test_a_unify_phone_reboots_only_when_its_deployment_service_says_restart(fleet, bundle, link, service):
    mac = "001ae8556677"
    device = fleet.phone(mac).device
    # the queued Restart waits for the phone's contact: nothing happens until the contact-me
    link.queue_restart(mac)
    fleet.settle()
    assert device.reboot_count == 0 or device.events[-1].kind != "reboot"
    before = device.reboot_count
    result, events = events_after(fleet, mac, lambda: request.execute_command(target(fleet, bundle, mac), "resync"))
    assert result["status"] == "sent", result  # the contact-me of a resync finds the queued Restart
    assert "reboot" in [kind for kind, _cause in events] and device.reboot_count == before + 1, events
    # and a contact-me with nothing queued is a resync again
    result, events = events_after(fleet, mac, lambda: request.execute_command(target(fleet, bundle, mac), "resync"))
    assert [kind for kind, _cause in events if kind in ("resync", "reboot")] == ["resync"], events


def test_an_auditor_queues_no_restart_and_only_a_unify_phone_gets_one(service):
    base = f"http://127.0.0.1:{service.port}"
    with pytest.raises(ServiceLinkError, match="HTTP 403"):
        ControlServiceLink(ServiceApi(base, AUDITOR_TOKEN)).queue_restart("001ae8556677")
    with pytest.raises(ServiceLinkError, match=r"HTTP 404.*no Unify phone 64167f010203"):
        ControlServiceLink(ServiceApi(base, ADMIN_TOKEN)).queue_restart("64167f010203")


def test_without_the_service_a_unify_reboot_is_unsupported_and_nothing_is_sent(fleet, bundle):
    mac = "001ae8556677"
    result, events = events_after(fleet, mac, lambda: request.execute_command(target(fleet, bundle, mac), "reboot"))
    assert result["status"] == "unsupported" and "service_url" in result["msg"], result
    assert events == []
