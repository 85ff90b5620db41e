"""The registrar export (fleet/registrar_export.py) and the pool's credentials (fleet/pool.py).

What a registrar is given must be what phones are given: the SIP tests (tests/unit/sip) register real
phones' files against a Kamailio reading this export; here, the export's own promises: the pool's
passwords, the formats a registrar reads (Kamailio's db_text schema as Debian ships it), conflicts, masking.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASK
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pool import Pool, pool_password
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.registrar_export import (
    RegistrarExportError,
    masked_export,
    registrar_accounts,
    registrar_files,
)

from tests.unit.render_support import demo_fleet, reveal

KAMAILIO_SCHEMA = Path("/usr/share/kamailio/dbtext/kamailio")


@pytest.fixture(scope="module")
def fleet():
    return demo_fleet()


def test_pool_passwords_are_derived_from_the_secret_and_the_number():
    first = pool_password("a secret of the fleet", "3000")
    assert first == pool_password("a secret of the fleet", "3000")  # the service and the export agree
    assert len(first) == 16 and first.isalnum()
    assert first != pool_password("a secret of the fleet", "3001")
    assert first != pool_password("another secret", "3000")
    assert len(pool_password("a secret of the fleet", "3000", 64)) == 64
    with pytest.raises(ValueError, match="password_secret is empty"):
        pool_password("", "3000")


def test_the_export_holds_every_line_and_every_free_pool_number(fleet):
    accounts = registrar_accounts(fleet, reveal)
    lines = [line for phone in fleet.phones for line in phone.lines if line.password and line.register]
    pool = [account for account in accounts if account.source.startswith("pool ")]
    mobility = [account for account in accounts if account.source.startswith("inventory/demo/fleet/mobility.yml")]
    assert len(accounts) == len(lines) + len(mobility) + len(pool)
    # the mobility users' lines: they register from whichever phone the user logs in on (issue 14)
    assert [account.user for account in mobility] == ["5001", "5101", "5002", "5003"]
    assert mobility[0].source == "inventory/demo/fleet/mobility.yml: 5001 line 1"
    assert {account.domain for account in mobility} == {"pbx.demo.invalid"}  # office: the profile allowing mobility
    users = {user.number: user for user in fleet.mobility_users}
    assert mobility[2].password == reveal(users["5002"].lines[0].password)
    assert [account.user for account in pool] == [str(number) for number in range(3000, 3100)]
    secret = reveal(fleet.settings["autoprovision"]["password_secret"])
    assert {account.password for account in pool if account.user == "3042"} == {pool_password(secret, "3042")}
    assert {account.domain for account in pool} == {"pbx.demo.invalid"}  # the registrar of profile office
    assert registrar_accounts(fleet, reveal, pool=False) == accounts[: len(lines) + len(mobility)]


def test_numbers_the_fleet_gives_a_line_are_not_in_the_pool(fleet):
    edited = copy.deepcopy(fleet)
    edited.phones[0].lines[0] = dataclasses.replace(edited.phones[0].lines[0], number="3005")
    assert "3005" not in Pool(edited, reveal).numbers
    assert "3005" in Pool(fleet, reveal).numbers


def test_kamailio_tables_are_kamailio_s_own_schema(fleet):
    edited = copy.deepcopy(fleet)
    edited.phones[0].lines[0] = dataclasses.replace(edited.phones[0].lines[0], auth_username="auth:1")
    tables = registrar_files(registrar_accounts(edited, reveal), "kamailio")
    assert sorted(tables) == ["subscriber", "uri", "version"]
    if KAMAILIO_SCHEMA.is_dir():  # the column lines Debian's kamailio package ships
        for name, text in tables.items():
            assert text.splitlines()[0] == (KAMAILIO_SCHEMA / name).read_text().splitlines()[0].strip()
    assert "2:subscriber:7" in tables["version"].splitlines() and "3:uri:1" in tables["version"].splitlines()
    line = edited.phones[0].lines[0]
    # the auth user may register its AOR user: uri_db's table; a ':' in a value is escaped as db_text reads it
    assert f"1:auth\\:1:pbx.demo.invalid:{line.sip_username}:0" in tables["uri"].splitlines()
    assert tables["subscriber"].splitlines()[1].startswith("1:auth\\:1:pbx.demo.invalid:")


def test_pjsip_has_an_endpoint_auth_and_aor_per_account(fleet):
    accounts = registrar_accounts(fleet, reveal)
    (conf,) = registrar_files(accounts, "pjsip", "office").values()
    assert conf.count("type=endpoint\n") == conf.count("type=auth\n") == conf.count("type=aor\n") == len(accounts)
    pool = next(account for account in accounts if account.user == "3000")
    assert f"[3000-auth]\ntype=auth\nauth_type=userpass\nusername=3000\npassword={pool.password}\n" in conf
    assert "[3000]\ntype=endpoint\naors=3000\nauth=3000-auth\ncontext=office\n" in conf


def test_an_auth_user_with_two_passwords_is_refused_with_both_sources_and_no_password(fleet):
    edited = copy.deepcopy(fleet)
    first, second = edited.phones[0], edited.phones[1]
    second.lines[0] = dataclasses.replace(second.lines[0], username=first.lines[0].sip_username, password="other")
    second.profile = first.profile
    with pytest.raises(RegistrarExportError) as caught:
        registrar_accounts(edited, reveal)
    message = str(caught.value)
    assert f"{first.mac} line 1" in message and f"{second.mac} line 1" in message
    assert "other" not in message and reveal(first.lines[0].password) not in message


def test_diffs_mask_passwords_and_their_hashes(fleet):
    accounts = registrar_accounts(fleet, reveal)
    for name, text in registrar_files(accounts, "kamailio").items():
        shown = masked_export(name, text)
        assert not [account for account in accounts if account.password in shown]
        if name == "subscriber":
            assert all(row.endswith(f":{MASK}:{MASK}:{MASK}") for row in shown.splitlines()[1:])
    (conf,) = registrar_files(accounts, "pjsip").values()
    shown = masked_export("pjsip.conf", conf)
    assert f"password={MASK}\n" in shown and not [account for account in accounts if account.password in shown]
