"""PIN hashes (fleet/pin.py): argon2id for new ones, the older pbkdf2_sha256 still verified, what the fleet schema
takes, and the warning validation gives for a hash below what new ones get, as the user sees them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import pin
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import (
    FleetValidationError,
    MissingLibraryError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pin import (
    hash_pin,
    needs_rehash,
    verify_pin,
    weakness,
)

from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO
from tests.unit.mobility.pin_support import pbkdf2_pin_hash
from tests.unit.test_fleet_validation import BASE_FILES, write_fleet

PIN = "90651372"
OTHER_PIN = "31415926"
MOBILITY_YML = """
    mobility_users:
      - name: Ivan
        number: "5001"
        pin_hash: {pin_hash}
        lines: [{{number: "5001", password: secret-5001}}]
    """
RESET = "set the PIN again (module phonefleet.provisioning.mobility_user, option pin"


def fleet_with(tmp_path, pin_hash: str):
    return write_fleet(tmp_path, mobility_yml=MOBILITY_YML.format(pin_hash=pin_hash))


def argon2id_hash(memory_kib: int, time_cost: int) -> str:
    return hash_pin(PIN, memory_kib=memory_kib, time_cost=time_cost)


def test_a_new_hash_is_argon2id_at_the_owasp_minimum_and_verifies_only_its_pin():
    made = hash_pin(PIN)
    assert re.fullmatch(r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", made), made
    assert verify_pin(PIN, made) and not verify_pin(OTHER_PIN, made)
    assert hash_pin(PIN) != made  # a new salt every time
    assert not needs_rehash(made) and weakness(made) is None


@pytest.mark.parametrize("bad", ["123", "12a4", "1234567890123", "", "４７１１"])
def test_a_pin_is_4_to_12_ascii_digits(bad):
    with pytest.raises(ValueError, match="a PIN is 4 to 12 digits"):
        hash_pin(bad)


def test_a_hash_written_before_argon2id_still_verifies_its_pin_and_only_it():
    legacy = pbkdf2_pin_hash(PIN)
    assert verify_pin(PIN, legacy) and not verify_pin(OTHER_PIN, legacy)
    algorithm, iterations, salt, digest = legacy.split("$")
    other_digest = pbkdf2_pin_hash(OTHER_PIN, int(iterations)).split("$")[3]
    assert not verify_pin(PIN, "$".join((algorithm, iterations, salt, other_digest)))
    assert not verify_pin(PIN, "$".join((algorithm, "1000", salt, digest)))  # the iterations are part of it
    assert needs_rehash(legacy)


@pytest.mark.parametrize(
    "not_a_hash",
    [
        PIN,  # the PIN itself where its hash belongs
        "",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
        "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "pbkdf2_sha256$x$c2FsdA==$aGFzaA==",
        "pbkdf2_sha256$0$c2FsdA==$aGFzaA==",
        "md5$c2FsdA==$aGFzaA==",
    ],
)
def test_what_is_no_hash_of_ours_verifies_nothing(not_a_hash):
    assert verify_pin(PIN, not_a_hash) is False


@pytest.mark.parametrize(
    ("memory_kib", "time_cost", "weak"),
    [
        (19456, 2, False),  # the sheet's first configuration, what hash_pin writes
        (47104, 1, False),  # equal strength: more memory, one pass
        (7168, 5, False),
        (65536, 3, False),
        (19455, 2, True),
        (47103, 1, True),
        (12288, 2, True),
        (19456, 1, True),
    ],
)
def test_an_argon2id_hash_below_the_owasp_configurations_is_weak(memory_kib, time_cost, weak):
    made = argon2id_hash(memory_kib, time_cost)
    assert verify_pin(PIN, made)  # verified with its own parameters, whatever they are
    found = weakness(made)
    assert (found is not None) is weak and needs_rehash(made) is weak
    if weak:
        assert found.startswith(f"argon2id with m={memory_kib},t={time_cost},p=1 is below the OWASP minimum")
        assert RESET in found


def test_without_argon2_cffi_the_core_imports_and_says_which_library_is_missing():
    """ansible-test's import sanity loads module_utils without optional libraries; hashing needs it, and says so."""
    legacy = pbkdf2_pin_hash(PIN, 1000)
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["argon2"] = None  # import argon2 fails as if it were not installed
        from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import pin, schema_check
        from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import MissingLibraryError
        assert pin.verify_pin({PIN!r}, {legacy!r})  # the older format needs no library
        for call in (lambda: pin.hash_pin("4711"), lambda: pin.verify_pin("4711", {hash_pin(PIN)!r})):
            try:
                call()
            except MissingLibraryError as exc:
                print(exc)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "collections"))
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert completed.returncode == 0, completed.stderr
    missing = "the Python library 'argon2-cffi' is required where this runs (pip install argon2-cffi)"
    assert completed.stdout.splitlines() == [missing, missing]


def test_the_missing_library_error_is_raised_where_a_hash_is_made(monkeypatch):
    monkeypatch.setattr(pin, "argon2", None)
    with pytest.raises(MissingLibraryError, match="argon2-cffi"):
        hash_pin(PIN)


def test_no_more_argon2id_checks_run_at_once_than_there_are_cores(monkeypatch):
    """Each check holds its memory (19 MiB) and uses a core: the service's 40 worker threads wait instead."""
    running, most = [0], [0]
    count = threading.Lock()

    class SlowHasher:
        def verify(self, _hash, _pin):
            with count:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with count:
                running[0] -= 1
            return True

    made = hash_pin(PIN, memory_kib=8, time_cost=1)
    monkeypatch.setattr(pin.argon2, "PasswordHasher", SlowHasher)
    threads = [threading.Thread(target=verify_pin, args=(PIN, made)) for _thread in range(pin.CONCURRENT_CHECKS + 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == pin.CONCURRENT_CHECKS


# -- the fleet: schema and validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (f'"{PIN}"', "the value is not valid: an argon2id hash ($argon2id$v=19$m=...) of the PIN from the"),
        (PIN, "must be of type string, not int"),  # YAML reads the digits as a number
        ("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "the value is not valid"),
    ],
)
def test_the_schema_refuses_what_is_no_pin_hash_naming_the_field_and_not_the_value(tmp_path, written, said):
    with pytest.raises(FleetValidationError) as caught:
        load_fleet(str(fleet_with(tmp_path, written)))
    message = str(caught.value)
    assert f"mobility.yml:4: mobility_users[0].pin_hash: {said}" in message, message
    assert PIN not in message and "c2FsdHNhbHRzYWx0" not in message


def test_an_argon2id_hash_at_the_minimum_loads_without_warning(tmp_path):
    fleet = load_fleet(str(fleet_with(tmp_path, hash_pin(PIN))))
    assert [str(warning) for warning in fleet.warnings if "pin_hash" in str(warning)] == []


@pytest.mark.parametrize(
    ("made", "said"),
    [
        (lambda: pbkdf2_pin_hash(PIN), "a PBKDF2-SHA256 hash (200000 iterations; OWASP asks 600,000) still verifies,"),
        (lambda: argon2id_hash(8192, 2), "argon2id with m=8192,t=2,p=1 is below the OWASP minimum (m=19456,t=2,p=1)"),
    ],
)
def test_a_hash_below_new_ones_loads_with_a_warning_naming_file_and_field(tmp_path, made, said):
    directory = fleet_with(tmp_path, made())
    fleet = load_fleet(str(directory))
    found = [str(warning) for warning in fleet.warnings if "pin_hash" in str(warning)]
    assert len(found) == 1, found
    assert found[0].startswith(f"{directory}/mobility.yml:4: mobility_users[0].pin_hash: {said}"), found[0]
    assert RESET in found[0]


def test_many_older_hashes_make_one_warning_at_the_first_naming_the_others(tmp_path):
    """A fleet written before argon2id has an older hash for every user: one warning, not one per user."""
    legacy = pbkdf2_pin_hash(PIN, 1000)
    users = "".join(
        f'      - {{name: User {number}, number: "{number}", pin_hash: "{legacy}",'
        f' lines: [{{number: "{number}", password: secret-{number}}}]}}\n'
        for number in range(5001, 5013)
    )
    directory = write_fleet(tmp_path, mobility_yml="    mobility_users:\n" + users)
    found = [str(warning) for warning in load_fleet(str(directory)).warnings if "pin_hash" in str(warning)]
    assert len(found) == 1, found
    assert found[0].startswith(f"{directory}/mobility.yml:2: mobility_users[0].pin_hash: a PBKDF2-SHA256 hash")
    listed = ", ".join(str(number) for number in range(5002, 5012))
    assert found[0].endswith(f"; 11 more mobility users have such a hash: {listed}, ..."), found[0]


def test_validate_playbook_shows_the_warning_and_the_filter_makes_a_hash_that_loads(tmp_path):
    """What the engineer sees: validate.yml warns about the old hash; the pin_hash filter's output, pasted in its
    place, loads without a warning."""
    site = tmp_path / "site"
    site.mkdir()
    write_fleet(site, mobility_yml=MOBILITY_YML.format(pin_hash=pbkdf2_pin_hash(PIN)))
    (site / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
    hashing = tmp_path / "hash.yml"
    hashing.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        f"    - ansible.builtin.debug:\n        msg: \"HASH {{{{ '{PIN}' | phonefleet.provisioning.pin_hash }}}}\"\n"
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    outputs = []
    for inventory, playbook in ((str(site), REPO / "playbooks" / "validate.yml"), ("localhost,", hashing)):
        completed = subprocess.run(
            [str(ANSIBLE_PLAYBOOK), "-i", inventory, "-c", "local", str(playbook)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        outputs.append(completed.stdout + completed.stderr)
        assert completed.returncode == 0, outputs[-1]
    validated, hashed = outputs
    flat = " ".join(validated.split())  # ansible wraps long warnings
    assert "mobility_users[0].pin_hash: a PBKDF2-SHA256 hash" in flat, validated
    assert RESET in flat, validated
    made = re.search(r"HASH (\S+?)\"", hashed)
    assert made is not None, hashed
    assert verify_pin(PIN, made.group(1)) and weakness(made.group(1)) is None
    assert PIN not in validated


def test_the_base_fleet_of_the_validation_tests_still_loads(tmp_path):
    """BASE_FILES (test_fleet_validation) holds a hash of the older format: it loads, with the warning only."""
    assert "pbkdf2_sha256$1000$" in BASE_FILES["mobility.yml"]
    fleet = load_fleet(str(write_fleet(tmp_path)))
    assert sum("pin_hash" in str(warning) for warning in fleet.warnings) == 1


# -- ceilings: what one hash may make the service compute ----------------------------------------------------------

SALT_AND_DIGEST = "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"


def argon2id_string(memory_kib: int, time_cost: int, parallelism: int) -> str:
    return f"$argon2id$v=19$m={memory_kib},t={time_cost},p={parallelism}{SALT_AND_DIGEST}"


BEYOND_CEILINGS = [
    argon2id_string(pin.MAX_MEMORY_KIB + 1, 2, 1),
    argon2id_string(19456, pin.MAX_TIME_COST + 1, 1),
    argon2id_string(19456, 2, pin.MAX_PARALLELISM + 1),
    argon2id_string(99999999, 9999, 999),  # what the pattern took before: ~95 GiB, 9999 passes, 999 threads
    argon2id_string(1048576, 2, 1),  # 1 GiB
    argon2id_string(19456, 40, 1),  # 0.4 s a check
    f"pbkdf2_sha256${pin.MAX_PBKDF2_SHA256_ITERATIONS + 1}$c2FsdA==$aGFzaA==",
    f"pbkdf2_sha256${2**31 - 1}$c2FsdA==$aGFzaA==",  # half an hour a check
    f"pbkdf2_sha256${10**20}$c2FsdA==$aGFzaA==",  # beyond a C long: OverflowError before
]


@pytest.mark.parametrize("limit", [1, 4, 9, 10, 11, 99, 100, 1000, 4096, 262144, 10_000_000])
def test_the_number_patterns_take_exactly_1_to_the_limit(limit):
    taken = re.compile(pin._at_most(limit))
    tried = list(range(0, min(limit, 5000) + 50)) + list(range(max(0, limit - 5000), limit + 5000))
    assert [number for number in sorted(set(tried)) if taken.fullmatch(str(number))] == [
        number for number in sorted(set(tried)) if 1 <= number <= limit
    ]
    assert not taken.fullmatch(f"0{limit}") and not taken.fullmatch(str(limit * 10))


@pytest.mark.parametrize("beyond", BEYOND_CEILINGS)
def test_a_hash_beyond_the_ceilings_matches_no_pin_without_computing_it_and_is_logged_once(beyond, monkeypatch, caplog):
    computed = []
    monkeypatch.setattr(pin.argon2, "PasswordHasher", lambda *args, **kwargs: computed.append(args) or None)
    monkeypatch.setattr(pin.hashlib, "pbkdf2_hmac", lambda *args: computed.append(args) or b"")
    monkeypatch.setattr(pin, "_refusals_logged", set())
    with caplog.at_level("WARNING", logger="phonefleet.pin"):
        assert verify_pin(PIN, beyond) is False
        assert verify_pin(OTHER_PIN, beyond) is False
    assert computed == []
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 1, said
    assert "beyond the ceilings" in said[0] and "matches no PIN: set the PIN again" in said[0]
    assert "c2FsdA" not in said[0] and "aGFzaA" not in said[0]  # neither salt nor digest
    assert not re.match(pin.PIN_HASH_PATTERN, beyond)  # and the schema refuses it (below)


def test_a_hash_at_the_ceilings_is_checked():
    """The ceilings themselves are taken: RFC 9106's 4 lanes, and what a check costs there (~2.5 s) is bounded."""
    at_ceilings = hash_pin(PIN, memory_kib=pin.MAX_MEMORY_KIB, time_cost=pin.MAX_TIME_COST, parallelism=4)
    assert verify_pin(PIN, at_ceilings) and weakness(at_ceilings) is None
    pbkdf2 = f"pbkdf2_sha256${pin.MAX_PBKDF2_SHA256_ITERATIONS}$c2FsdA==$aGFzaA=="
    assert re.match(pin.PIN_HASH_PATTERN, pbkdf2)


@pytest.mark.parametrize("made", [lambda: hash_pin(PIN, memory_kib=8, time_cost=1), lambda: pbkdf2_pin_hash(PIN, 1000)])
def test_a_check_waits_for_a_slot_a_bounded_time_then_says_busy(monkeypatch, made):
    """Both formats take a slot; with every slot held by slow checks, a check gives up instead of waiting forever."""
    made_hash = made()
    monkeypatch.setattr(pin, "CHECK_WAIT_SECONDS", 0.2)
    for _slot in range(pin.CONCURRENT_CHECKS):
        assert pin._checks.acquire(timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(pin.PinCheckBusy):
            verify_pin(PIN, made_hash)
        assert time.monotonic() - started < 2
    finally:
        for _slot in range(pin.CONCURRENT_CHECKS):
            pin._checks.release()
    assert verify_pin(PIN, made_hash)


@pytest.mark.parametrize(
    ("beyond", "said"),
    [
        (argon2id_string(19456, 11, 1), "t at most 10"),
        (argon2id_string(262145, 2, 1), "m at most 262144 (KiB)"),
        ("pbkdf2_sha256$10000001$c2FsdA==$aGFzaA==", "pbkdf2_sha256 at most 10000000 iterations"),
    ],
)
def test_the_schema_refuses_a_hash_beyond_the_ceilings_naming_file_and_field(tmp_path, beyond, said):
    directory = fleet_with(tmp_path, f'"{beyond}"')
    with pytest.raises(FleetValidationError) as caught:
        load_fleet(str(directory))
    message = str(caught.value)
    assert f"{directory}/mobility.yml:4: mobility_users[0].pin_hash: the value is not valid: an argon2id" in message
    assert said in message and "c2FsdA" not in message, message
