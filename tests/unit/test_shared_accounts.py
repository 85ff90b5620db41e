"""One SIP account, one set of credentials: a shared line is allowed and summarised, a conflicting one refused.

What an engineer sees: the validation problem (naming both phones, never a password), the summary of
fleet_validate, and the registrar export's refusal, which says the same.
"""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.registrar_export import (
    RegistrarExportError,
    registrar_accounts,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.summary import fleet_summary

from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO
from tests.unit.render_support import demo_vault, reveal
from tests.unit.test_fleet_validation import write_fleet

PROFILES = """
    profiles:
      office:
        sip: {registrar: pbx.test.invalid, transport: udp}
        codecs: [g722, pcma]
        extended: [yealink-office]
      branch:
        sip: {registrar: pbx2.test.invalid, transport: udp}
        codecs: [g722, pcma]
    """


def phones_yml(second_line: str, second_profile: str = "office", first_password: str = "secret-2001") -> str:
    """Two phones, the first with line 2001; the second's line as given (YAML flow mapping or block)."""
    return f"""
        phones:
          - mac: 80:5e:c0:11:22:33
            model: T54W
            profile: office
            lines:
              - number: "2001"
                password: {first_password}
          - mac: 80:5e:c0:11:22:44
            model: T54W
            profile: {second_profile}
            lines:
              - {{number: "2002", password: secret-2002}}
              - {second_line}
        """


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """Messages name files relative to the working directory, as a user running from the site sees them."""
    monkeypatch.chdir(tmp_path)


def vault(secret: str) -> str:
    """A `!vault |` block value of ``secret`` (each call encrypts anew: another salt, another ciphertext)."""
    text = demo_vault().encrypt(secret).decode()
    return "!vault |\n" + textwrap.indent(text, " " * 20)


def load(tmp_path, phones: str, **kwargs):
    return load_fleet(str(write_fleet(tmp_path, phones_yml=phones, profiles_yml=PROFILES)), **kwargs)


def problems_of(tmp_path, phones: str, **kwargs) -> list[str]:
    with pytest.raises(FleetValidationError) as caught:
        load(tmp_path, phones, **kwargs)
    return [str(problem) for problem in caught.value.problems]


def test_a_shared_line_with_the_same_credentials_loads_and_is_summarised(tmp_path):
    fleet = load(tmp_path, phones_yml('{number: "2001", password: secret-2001, label: Reception}'))
    summary = fleet_summary(fleet)
    assert summary["shared_accounts"] == [
        {
            "account": "2001",
            "registrar": "pbx.test.invalid",
            "lines": ["fleet/phones.yml: 805ec0112233 line 1", "fleet/phones.yml: 805ec0112244 line 2"],
            "passwords_compared": True,
        }
    ]
    assert "secret-2001" not in str(summary)


def test_lines_that_share_nothing_are_not_in_the_summary(tmp_path):
    fleet = load(tmp_path, phones_yml('{number: "2003", password: secret-2001}'))
    assert fleet_summary(fleet)["shared_accounts"] == []


def test_a_different_password_is_refused_naming_both_phones_and_no_password(tmp_path):
    found = problems_of(tmp_path, phones_yml('{number: "2001", password: other-pass}'))
    assert len(found) == 1, found
    assert found[0].startswith("fleet/phones.yml:13: phones[1].lines[1].password: SIP account '2001' ")
    assert "fleet/phones.yml: 805ec0112233 line 1" in found[0]
    assert "fleet/phones.yml: 805ec0112244 line 2" in found[0]
    assert "different password" in found[0]
    assert "other-pass" not in found[0] and "secret-2001" not in found[0]


def test_a_different_registrar_is_refused_naming_both_phones(tmp_path):
    found = problems_of(tmp_path, phones_yml('{number: "2001", password: secret-2001}', second_profile="branch"))
    assert found == [
        "fleet/phones.yml:10: phones[1].profile: SIP account '2001' registers with 'pbx.test.invalid' on"
        " fleet/phones.yml: 805ec0112233 line 1 but with 'pbx2.test.invalid' on fleet/phones.yml: 805ec0112244"
        " line 2: one account has one registrar"
    ]


def test_the_account_is_the_auth_user_a_registrar_checks(tmp_path):
    # another number, but the same auth user as line 2001: the registrar holds one password for it
    second = '{number: "2009", auth_username: "2001", password: other-pass}'
    found = problems_of(tmp_path, phones_yml(second))
    assert len(found) == 1 and "SIP account '2001' has a different password" in found[0], found


def test_a_line_that_does_not_register_shares_nothing(tmp_path):
    fleet = load(tmp_path, phones_yml('{number: "2001", register: false}'))
    assert fleet_summary(fleet)["shared_accounts"] == []


def test_vault_values_are_compared_without_the_secret_only_when_the_ciphertext_is_the_same(tmp_path):
    # the same ciphertext holds the same password: no secret needed to say so
    encrypted = vault("secret-2001")
    same_text = phones_yml(f"number: '2001'\n                password: {encrypted}", first_password=encrypted)
    assert "!vault" in same_text
    fleet = load(tmp_path, same_text)
    assert fleet_summary(fleet)["shared_accounts"][0]["passwords_compared"] is True


def test_differently_encrypted_passwords_are_shared_but_not_compared_without_the_secret(tmp_path):
    phones = phones_yml(
        f"number: '2001'\n                password: {vault('secret-2001')}", first_password=vault("secret-2001")
    )
    shared = fleet_summary(load(tmp_path, phones))["shared_accounts"]
    assert [(item["account"], item["passwords_compared"]) for item in shared] == [("2001", False)]


def test_with_the_secret_differently_encrypted_passwords_are_compared(tmp_path):
    phones = phones_yml(
        f"number: '2001'\n                password: {vault('secret-2001')}", first_password=vault("secret-2001")
    )
    shared = fleet_summary(load(tmp_path, phones, reveal=reveal))["shared_accounts"]
    assert [(item["account"], item["passwords_compared"]) for item in shared] == [("2001", True)]


def test_with_the_secret_a_different_vault_password_is_refused_and_not_shown(tmp_path):
    phones = phones_yml(f"number: '2001'\n                password: {vault('other-pass')}")
    found = problems_of(tmp_path, phones, reveal=reveal)
    assert len(found) == 1 and "SIP account '2001' has a different password" in found[0], found
    assert "other-pass" not in found[0] and "secret-2001" not in found[0] and "ANSIBLE_VAULT" not in found[0]


def test_a_clear_password_beside_a_vault_value_is_compared_in_clear(tmp_path):
    # the same password, once clear and once encrypted: the same account, shared
    phones = phones_yml(f"number: '2001'\n                password: {vault('secret-2001')}")
    shared = fleet_summary(load(tmp_path, phones, reveal=reveal))["shared_accounts"]
    assert shared[0]["lines"][1] == "fleet/phones.yml: 805ec0112244 line 2" and shared[0]["passwords_compared"]


def test_the_registrar_export_refuses_with_the_same_message(tmp_path):
    # without the secret the loader cannot compare the two ciphertexts; the export, which reveals, refuses
    phones = phones_yml(
        f"number: '2001'\n                password: {vault('other-pass')}", first_password=vault("secret-2001")
    )
    fleet = load(tmp_path, phones)
    with pytest.raises(RegistrarExportError) as caught:
        registrar_accounts(fleet, reveal, pool=False)
    again = tmp_path / "again"
    again.mkdir()
    refused = problems_of(again, phones, reveal=reveal)
    assert refused[0].replace("again/", "").endswith(str(caught.value))
    assert "other-pass" not in str(caught.value) and "secret-2001" not in str(caught.value)


def test_validate_playbook_says_which_accounts_are_shared(tmp_path):
    """What the engineer running validate.yml sees: the shared account in the message and its own line."""
    shared = phones_yml('{number: "2001", password: secret-2001}')
    write_fleet(tmp_path, phones_yml=shared, profiles_yml=PROFILES)
    (tmp_path / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(tmp_path), str(REPO / "playbooks" / "validate.yml")],
        cwd=REPO,
        env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "1 SIP account shared by several lines with the same credentials" in output, output
    assert "shared SIP accounts: 2001" in output, output
    assert "secret-2001" not in output


def test_a_profile_named_none_is_not_counted_with_phones_without_a_profile(tmp_path) -> None:
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.model import Fleet, Origin, Phone

    fleet = Fleet()
    origin = Origin("phones.yml", ("phones", 0))
    fleet.phones = [Phone(mac="805ec0000001", origin=origin, profile="none"), Phone(mac="805ec0000002", origin=origin)]
    summary = fleet_summary(fleet)
    assert summary["phones_by_profile"] == {"none": 1}
    assert summary["phones_without_profile"] == 1
