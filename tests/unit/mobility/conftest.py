"""A published demo site with mobility users whose PINs the tests know, the provisioning service with its
applications listener on loopback, and simulated Cisco enterprise and Yealink phones booted against it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
for folder in ("simulator", "service"):
    if str(REPO / folder) not in sys.path:
        sys.path.insert(0, str(REPO / folder))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import hash_pin  # noqa: E402

from tests.unit.control.conftest import start_fleet  # noqa: E402,F401  # pylint: disable=unused-import  # the fixture

#: the PIN of every mobility user of these tests, and one that is wrong: long enough never to occur by chance
PIN = "90651372"
WRONG_PIN = "31415926"
#: the demo phones these tests boot: Cisco 8845 (office), 7841 (office, made a shared phone with no line of its
#: own), 3905 (no mobility in its model), Yealink T54W (office), T31G (moved to the warehouse profile: no mobility)
CISCO_8845, CISCO_7841, CISCO_3905 = "0cd0f8a1b2c3", "001b54c2d3e4", "2c3f38aa0001"
YEALINK_T54W, YEALINK_T31G = "805ec0112233", "0015654c4c26"
PHONES = (CISCO_8845, CISCO_7841, CISCO_3905, YEALINK_T54W, YEALINK_T31G)


def mobility_fleet(fleet: Path) -> None:
    """The demo fleet with known PINs (few hash iterations: the tests try many), a name that needs escaping,
    the 7841 without a line and the T31G in the warehouse (no mobility)."""
    users = fleet / "mobility.yml"
    text = users.read_text()
    text = re.sub(r"pin_hash: \S+", lambda _match: f"pin_hash: {hash_pin(PIN, iterations=1000)}", text)
    users.write_text(text.replace("name: Anna Smirnova", 'name: "Anna <Smirnova> & Co"'))
    phones = fleet / "phones.yml"
    text = phones.read_text()
    own_line = r'(model: CP-7841\n(?:    .*\n)*?)    lines:\n      - \{number: "2003".*\n'
    text = re.sub(own_line, r"\1    lines: []\n", text)
    text = text.replace("    model: T31G\n", "    model: T31G\n    profile: warehouse\n")
    phones.write_text(text)
