"""What :mod:`registration` does before any SIP is sent: baresip's account line, and the lines it refuses.

These need neither Kamailio nor baresip; test_registration.py registers for real.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import configs, registration  # noqa: E402


def test_lines_that_cannot_register_say_why_without_a_client(tmp_path):
    account = configs.SipAccount(1, "2001", "2001", "secret", "127.0.0.1", "127.0.0.1", 5060, "udp")
    statuses = registration.register(
        [
            dataclasses.replace(account, enabled=False),
            dataclasses.replace(account, line=2, registrar=""),
            dataclasses.replace(account, line=3, password='se"cret'),
            dataclasses.replace(account, line=4, user="20 01"),
            dataclasses.replace(account, line=5, registrar="192.0.2.10"),
        ],
        workdir=tmp_path,
    )
    assert statuses == {
        1: "disabled",
        2: "failed: the files name no registrar",
        3: "failed: the password has a double quote or a line break, which baresip's account line cannot carry",
        4: "failed: user '20 01' cannot be written in a SIP URI",
        5: "failed: 192.0.2.10 is not a loopback address (the simulator registers on loopback only)",
    }
    assert list(tmp_path.iterdir()) == []  # no baresip was started


def test_account_line_is_baresips_syntax():
    account = configs.SipAccount(
        2, "2001", "auth-2001", "a;b c", "pbx.example", "127.0.0.1", 5070, "tcp", 'Re"ception', expires=600
    )
    assert registration.account_line(account, ("127.0.0.1", 5070)) == (
        '"Re\'ception" <sip:2001@pbx.example;transport=tcp>;auth_user=auth-2001;auth_pass="a;b c";'
        'outbound="sip:127.0.0.1:5070;transport=tcp";regint=600'
    )
