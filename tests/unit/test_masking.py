"""Masking hides a secret where it is printed as a value and changes nothing else (issue 12).

A password ``x`` that turned ``hex`` into ``he********`` would change the message and tell the password.
Each case publishes the demo fleet with every phone's and profile's passwords set to a short or common
word, then asks for the diff of an unrelated change: it must read exactly as with a long password nobody
could find by chance (which shows where the values are printed), so the short password is masked where it
is the value and nowhere else.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK, scrub, secrets_in

from tests.support.published import checked_publish
from tests.unit.csv_support import csv_bytes, plan
from tests.unit.render_support import DEMO_FLEET, REPO, reveal

FIRMWARE = REPO / "inventory" / "demo" / "firmware"
# A password that stands nowhere else in any file: where it is masked is where passwords are printed.
DISTINCT = "Qv7-distinct-pw-4812"
# one letter; common words that stand in comments, element names and parameter names; a part of a
# parameter name (account.1.password, auth_name); XML's special characters (printed escaped)
PASSWORDS = ["x", "e", "the", "admin", "phone", "account", "password", "auth", "7", "p&w<'>"]
# a line's password (not admin_password: phones served without proof must keep admin passwords of their own)
_LINE_PASSWORD = re.compile(
    r'(?<![\w])(password): !vault (?:"[^"]*"|\|(?:\n[ ]+(?:\$ANSIBLE_VAULT\S*|[0-9a-f]+)(?=\n))+)'
)


def _site(root: Path, password: str) -> Path:
    """A copy of the demo fleet with every phone line's password set to ``password``."""
    fleet = root / "fleet"
    shutil.copytree(DEMO_FLEET, fleet)
    path = fleet / "phones.yml"
    text, count = _LINE_PASSWORD.subn(lambda match: f"{match[1]}: {json.dumps(password)}", path.read_text())
    assert count > 10
    path.write_text(text)
    return root


def _diff_of_a_registrar_change(site: Path) -> list[dict]:
    """Publish, change the registrar, and return the check-mode diff (what ``--check --diff`` shows)."""
    checked_publish(site / "fleet", site / "www", reveal, firmware_dir=str(FIRMWARE))
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("registrar: pbx.demo.invalid", "registrar: pbx-new.demo.invalid"))
    result = checked_publish(
        site / "fleet", site / "www", reveal, firmware_dir=str(FIRMWARE), check_mode=True, diff=True
    )
    assert result.changed and result.diff
    return result.diff


def _another_value_masked(line: str, password: str) -> list[str]:
    """``line`` with a whole value that is the password's word masked, in each way our formats print a value.

    Another parameter whose value is that very word (Yealink's ``static.security.user_name.admin = admin``,
    Cisco's ``<sshUserId>admin</sshUserId>``, ``priority="1"``) is masked too: the text alone cannot tell
    it from the password."""
    spellings = [(f" {password}", f" {MASK}", line.endswith), (f">{password}<", f">{MASK}<", line.__contains__)]
    spellings.append((f'"{password}"', f'"{MASK}"', line.__contains__))
    return [line.replace(value, masked) for value, masked, found in spellings if found(value)]


@pytest.fixture(scope="module")
def distinct_diff(tmp_path_factory) -> list[dict]:
    diff = _diff_of_a_registrar_change(_site(tmp_path_factory.mktemp("distinct"), DISTINCT))
    text = json.dumps(diff)
    assert DISTINCT not in text and MASK in text  # the passwords are printed in the diff, masked
    return diff


@pytest.mark.parametrize("password", PASSWORDS)
def test_publish_diff_masks_the_password_only_where_it_is_the_value(tmp_path, distinct_diff, password) -> None:
    diff = _diff_of_a_registrar_change(_site(tmp_path, password))
    assert len(diff) == len(distinct_diff)
    for shown, expected in zip(diff, distinct_diff, strict=True):
        assert shown["after_header"] == expected["after_header"]
        for side in ("before", "after"):
            lines, expected_lines = shown[side].splitlines(), expected[side].splitlines()
            assert len(lines) == len(expected_lines)
            for line, expected_line in zip(lines, expected_lines, strict=True):
                assert line in (expected_line, *_another_value_masked(expected_line, password)), (side, line)


@pytest.mark.parametrize("password", ["x", "e", "the", "phone", "mac", "row", "a"])
def test_import_error_messages_are_unchanged_by_the_row_password(tmp_path, password) -> None:
    fleet = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, fleet)
    rows = [["hex-not-a-mac", "P", "2108", "", password, "", ""], ["80:5e:c0:aa:00:09", "P", "", "", password, "", ""]]
    with_password = plan(csv_bytes(rows), fleet).messages()
    rows_distinct = [[DISTINCT if cell == password else cell for cell in row] for row in rows]
    assert with_password == plan(csv_bytes(rows_distinct), fleet).messages()
    assert with_password == [
        "row 2: mac: 'hex-not-a-mac' is not a MAC address (need 12 hex digits)",
        "row 3: number: is required but missing",
    ]


def test_a_secret_printed_as_a_value_is_masked_in_every_format() -> None:
    printed = {
        "account.1.password = x": f"account.1.password = {MASK}",  # Yealink, Avaya key = value
        "security.user_password = admin:x": f"security.user_password = admin:{MASK}",
        "<P34>x</P34>": f"<P34>{MASK}</P34>",  # XML element text
        'reg.1.auth.password="x"': f'reg.1.auth.password="{MASK}"',  # XML attribute
        "[--uid 2001 --pwd x]http://p/": f"[--uid 2001 --pwd {MASK}]http://p/",  # Cisco MPP profile rule
        'profiles.office.admin_password: "x"': f'profiles.office.admin_password: "{MASK}"',  # bundle line
        "password: 'x' is too short": f"password: '{MASK}' is too short",  # a message quoting the value
        "x": MASK,
        "dbname=fleet password=x host=db": f"dbname=fleet password={MASK} host=db",  # key=value pairs
        "?user=u&password=x&next=1": f"?user=u&password={MASK}&next=1",
    }
    for text, shown in printed.items():
        assert scrub(text, ["x"]) == shown, text
    assert scrub("<Password>a&amp;b&lt;</Password>", ["a&b<"]) == f"<Password>{MASK}</Password>"
    assert scrub('"a\\"b"', ['a"b']) == f'"{MASK}"'  # inside a JSON string


def test_words_holding_a_secret_are_left_as_they_are() -> None:
    for text, secret in [
        ("mac: 'hex' is not a MAC address", "x"),
        ("# the phone's lines", "the"),
        ("user_name.administrator = admin2", "admin"),
        ("<P2>p</P2> account.1.password = p", "P2"),
        ("y000000000044.cfg", "cfg"),
        ("a&amp;b", "a"),
        ("row 5: x marks the phone", "x"),
        ("key=hex value", "x"),
    ]:
        assert scrub(text, [secret]) == text, (text, secret)


def test_a_file_served_without_proof_is_checked_for_secrets_as_they_are_printed() -> None:
    labelled = [("profiles.office.admin_password", "a&b"), ("settings.phone_control.password", "admin")]
    assert secrets_in("<phonePassword>a&amp;b</phonePassword>", labelled) == ["profiles.office.admin_password"]
    assert secrets_in("static.security.user_name.administrator = admin2\n# admin rights", labelled) == []
    assert secrets_in("security.user_password = admin:admin\n", labelled) == ["settings.phone_control.password"]


def test_a_changed_password_is_masked_on_both_sides_of_the_diff(tmp_path) -> None:
    """The file on disk holds the old password, which the fleet no longer gives: masked where the new one is."""
    site = _site(tmp_path, DISTINCT)
    checked_publish(site / "fleet", site / "www", reveal, firmware_dir=str(FIRMWARE))
    phones = site / "fleet/phones.yml"
    phones.write_text(phones.read_text().replace(DISTINCT, "Wm3-changed-pw-0675"))
    result = checked_publish(
        site / "fleet", site / "www", reveal, firmware_dir=str(FIRMWARE), check_mode=True, diff=True
    )
    text = json.dumps(result.diff)
    assert DISTINCT not in text and "Wm3-changed-pw-0675" not in text
    yealink = next(entry for entry in result.diff if entry["after_header"].startswith("805ec0112233.cfg"))
    for side in ("before", "after"):
        assert f"account.1.password = {MASK}" in yealink[side].splitlines(), side
    assert "account.1.display_name = Reception" in yealink["before"].splitlines()


def test_a_pin_hash_is_shown_masked_though_stored_in_clear():
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK, mask_secrets

    user = {"name": "Ivan", "number": "5001", "pin_hash": "pbkdf2_sha256$200000$c2FsdA==$aGFzaA=="}
    assert mask_secrets(user) == {"name": "Ivan", "number": "5001", "pin_hash": MASK}
