"""Every vendor's files read as its phone reads them: codecs, time zone and keys.

One phone per vendor asks for a codec order, Europe/Berlin with daylight saving and keys of three kinds (a
line key for each line, a BLF, a speed dial). The simulator's vendor modules read the rendered files with
the names and codes their vendors' documents give (simulator/phonefleet_simulator/vendors/<vendor>.py,
``codecs``, ``timezone``, ``keys``), never the driver's constants; what they read must be what the fleet asked
for, written below from the fleet and from what each vendor can express, never from the driver.

What a vendor cannot express is said here, vendor by vendor, with its reason (:data:`CODECS_EXPRESSED`,
:data:`CLOCKS`, :func:`expected_keys`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.generated_fleet import VENDOR_PHONES
from tests.unit.render_support import DEMO_FLEET, fleet_from, render_fleet_phone

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import vendors  # noqa: E402
from phonefleet_simulator.vendors import Clock, Key  # noqa: E402

VENDORS = tuple(VENDOR_PHONES)
#: the profile's codecs, most preferred first
CODECS_ASKED = ["g722", "pcmu", "opus", "pcma", "g729"]

#: what each phone can say of :data:`CODECS_ASKED` (a vendor absent here says all of it)
CODECS_EXPRESSED = {
    # the SEP file names one preferred codec; the order of the others is CUCM's region's, not the file's
    "cisco": ["g722"],
    # three preference slots per extension (Preferred, Second, Third) [MPP admin guide]
    "cisco_mpp": ["g722", "pcmu", "opus"],
    # no Opus; one G.711 entry for both laws (the law follows the phone's country)
    "unify": ["g722", "g711", "g729"],
    # no Opus in the A-series codec list (unverified: nothing public lists the A-series codecs)
    "atcom": ["g722", "pcmu", "pcma", "g729"],
}

#: Europe/Berlin: UTC+1, summer time from the last Sunday of March 02:00 to the last Sunday of October 03:00
BERLIN = Clock(60, "M3.5.0/2,M10.5.0/3", 60)
#: phones that take the zone by a name of their vendor's list and apply its rule themselves
CLOCKS = {
    "cisco": Clock(None, "auto", 0, "W. Europe Standard/Daylight Time"),  # CUCM's (Windows') zone name
    "snom": Clock(60, "auto", 0, "GER+1"),  # Snom's zone list
    # the offset, and "daylight saving: automatic" by an hour (the phone's own rule)
    "unify": Clock(60, "auto", 60),
}

#: keys a phone of the generated fleet's model has room for (a vendor absent here has room for all)
KEY_ROOM = {
    "atcom": 2,  # an A20W: two programmable keys
    "qtech": 0,  # a QVP-95R: no programmable key
}


def _lines(vendor: str) -> int:
    return min(2, VENDOR_PHONES[vendor][1])


def fleet_keys(vendor: str) -> list[Key]:
    """The keys the phone of ``vendor`` is given, as the fleet states them."""
    asked = [
        Key(1, "line", "1", "Mine"),
        Key(2, "blf", "2002", "Boss"),
        Key(3, "speed_dial", "84951234567", "Guard"),
    ]
    if _lines(vendor) > 1:
        asked.append(Key(4, "line", "2", "Second"))
    return asked


def expected_keys(vendor: str) -> list[Key]:
    """:func:`fleet_keys` as the phone can show them."""
    keys = [key for key in fleet_keys(vendor) if key.position <= KEY_ROOM.get(vendor, 99)]
    if vendor == "grandstream":
        # a GXP's accounts sit on its own line keys; the programmable (multi-purpose) keys hold the rest,
        # each at the fleet's position
        keys = [key for key in keys if key.function != "line"]
    return keys


def _mac(vendor: str) -> str:
    return f"{VENDOR_PHONES[vendor][2]}99{VENDORS.index(vendor):02d}01"


def _fleet_files() -> dict[str, str]:
    profiles = (DEMO_FLEET / "profiles.yml").read_text() + (  # the demo's profiles stay: its settings name them
        "  as-read:\n"
        "    sip: {registrar: pbx.demo.invalid, port: 5060, transport: udp}\n"
        f"    codecs: [{', '.join(CODECS_ASKED)}]\n"
        "    time: {timezone: Europe/Berlin, dst: auto}\n"
    )
    phones = ["phones:"]
    for vendor in VENDORS:
        model = VENDOR_PHONES[vendor][0]
        labels = {1: "Mine", 2: "Second"}
        phones += [f'  - {{mac: "{_mac(vendor)}", vendor: {vendor}, model: "{model}", profile: as-read,']
        phones.append("     lines: [")
        phones += [
            f'       {{number: "60{VENDORS.index(vendor):02d}{n}", label: {labels[n]}, password: "pw{n}"}},'
            for n in range(1, _lines(vendor) + 1)
        ]
        phones += ["     ], keys: ["]
        for key in fleet_keys(vendor):
            target = f"line: {key.value}" if key.function == "line" else f'value: "{key.value}"'
            phones.append(f"       {{index: {key.position}, function: {key.function}, {target}, label: {key.label}}},")
        phones.append("     ]}")
    return {"profiles.yml": profiles, "phones.yml": "\n".join(phones) + "\n"}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Each vendor's phone's files as the service serves them, by vendor."""
    fleet = fleet_from(tmp_path_factory.mktemp("as-read"), **_fleet_files())
    return {
        vendor: {"/" + name: body for name, body in render_fleet_phone(fleet, _mac(vendor)).files.items()}
        for vendor in VENDORS
    }


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_phone_offers_the_profile_codecs_in_its_order(served, vendor):
    assert vendors.codecs(vendor, served[vendor]) == CODECS_EXPRESSED.get(vendor, CODECS_ASKED)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_phone_keeps_berlin_time_with_its_summer_time(served, vendor):
    assert vendors.timezone(vendor, served[vendor]) == CLOCKS.get(vendor, BERLIN)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_phone_shows_the_keys_at_their_places(served, vendor):
    assert vendors.keys(vendor, served[vendor]) == expected_keys(vendor)
