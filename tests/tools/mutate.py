"""``make mutate``: plant known bugs, one at a time, in a copy of the code, and see whether the tests notice.

A test that cannot fail proves nothing. Each mutant of :data:`MUTANTS` is a bug a driver, the publish
engine, recognition, status or phone control could have: the file, the exact original text (it must occur
once: a mutant whose text moved is reported ``stale``, never silently skipped), the mutated text, why it
matters, and the tests that must catch it. For each mutant the script copies the repository's files
(``git ls-files``, tracked and untracked-not-ignored: the working tree as it is, never touched) into a
temporary directory, plants the bug there, runs the tests with a time bound, and reports:

- ``killed``: the tests failed (a strict xfail turning into a pass counts: the test saw the change);
- ``survived``: every test passed: the bug would ship;
- ``stale``: the original text is not in the file once; ``timeout``: the bound was reached; ``error``: the
  run broke (a fixture or collection error) before any test could judge the mutant.

Usage: ``python -m tests.tools.mutate [--only NAME ...] [--list] [--timeout SECONDS] [--keep]``. Exit status
0 when every mutant is killed, 1 when one survived or is stale. Not part of ``make test``: it runs the
tests once per mutant (docs/testing.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIP = "tests/unit/sip/test_generated_fleet.py"
READ = "tests/unit/vendors/test_as_the_phone_reads_it.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    original: str
    mutated: str
    why: str
    tests: tuple[str, ...]  # pytest arguments (paths, -k expressions)


MUTANTS: tuple[Mutant, ...] = (
    # -- the four survivors of issue 11's first mutation run ------------------------------------------------
    Mutant(
        "cisco-tcp-tls-swapped",
        "plugins/module_utils/vendors/cisco/driver.py",
        '_TRANSPORT = {"tcp": 4, "udp": 2, "tls": 3}',
        '_TRANSPORT = {"tcp": 3, "udp": 2, "tls": 4}',
        "a TCP profile makes the Cisco phone speak TLS to a TCP registrar (transportLayerProtocol)",
        (SIP, "-k", "cisco-"),
    ),
    Mutant(
        "cisco-mpp-tcp-tls-swapped",
        "plugins/module_utils/vendors/cisco_mpp/driver.py",
        '_TRANSPORT = {"udp": "UDP", "tcp": "TCP", "tls": "TLS"}',
        '_TRANSPORT = {"udp": "UDP", "tcp": "TLS", "tls": "TCP"}',
        "SIP_Transport_N_ TLS for a TCP registrar, TCP for a TLS one",
        (SIP, "-k", "cisco_mpp"),
    ),
    Mutant(
        "yealink-every-account-line-1-password",
        "plugins/module_utils/vendors/yealink/templates/phone.cfg.j2",
        "{{ a }}.password = {{ line.password }}",
        "{{ a }}.password = {{ lines[0].password }}",
        "lines 2+ of a Yealink phone register with line 1's password: 403 on the registrar",
        (SIP, "-k", "yealink"),
    ),
    Mutant(
        "publish-skips-a-phones-second-changed-file",
        "plugins/module_utils/publish/engine.py",
        "                if self._differs_from(stored, into[name], recorded.get(name)):\n"
        "                    changed.append(stored)",
        "                if self._differs_from(stored, into[name], recorded.get(name)) and not changed:\n"
        "                    changed.append(stored)",
        "the manifest records the new file, the disk keeps the old one, and the next publish has nothing to do",
        ("tests/unit/test_publish.py",),
    ),
    # -- drivers -------------------------------------------------------------------------------------------
    Mutant(
        "yealink-tcp-tls-swapped",
        "plugins/module_utils/vendors/yealink/templates/phone.cfg.j2",
        '{% set transport = {"udp": 0, "tcp": 1, "tls": 2}[sip.transport] %}',
        '{% set transport = {"udp": 0, "tcp": 2, "tls": 1}[sip.transport] %}',
        "Yealink transport_type codes: 1 TCP, 2 TLS",
        (SIP, "-k", "yealink"),
    ),
    Mutant(
        "grandstream-tcp-tls-swapped",
        "plugins/module_utils/vendors/grandstream/driver.py",
        '_TRANSPORTS = {"udp": 0, "tcp": 1, "tls": 2}',
        '_TRANSPORTS = {"udp": 0, "tcp": 2, "tls": 1}',
        "Grandstream P130: 1 TCP, 2 TLS",
        (SIP, "-k", "grandstream-udp or grandstream-tcp or grandstream-tls"),
    ),
    Mutant(
        "poly-tcp-written-as-tls",
        "plugins/module_utils/vendors/poly/driver.py",
        '_TRANSPORTS = {"udp": "UDPOnly", "tcp": "TCPOnly", "tls": "TLS"}',
        '_TRANSPORTS = {"udp": "UDPOnly", "tcp": "TLS", "tls": "TLS"}',
        "Poly voIpProt.server.N.transport TCPOnly for TCP",
        (SIP, "-k", "poly"),
    ),
    Mutant(
        "fanvil-tls-code-2",
        "plugins/module_utils/vendors/fanvil/templates/phone.xml.j2",
        '{% set transport = {"udp": 0, "tcp": 1, "tls": 3}[sip.transport] %}',
        '{% set transport = {"udp": 0, "tcp": 1, "tls": 2}[sip.transport] %}',
        "Fanvil Transport: 3 is TLS (2 is not)",
        (SIP, "-k", "fanvil or qtech"),
    ),
    Mutant(
        "snom-every-password-on-account-1",
        "plugins/module_utils/vendors/snom/templates/phone.xml.j2",
        '<user_pass idx="{{ line.index }}" perm="R">{{ line.password }}</user_pass>',
        '<user_pass idx="1" perm="R">{{ line.password }}</user_pass>',
        "every line's password written for account 1: the last one wins, lines 2+ have none",
        (SIP, "-k", "snom"),
    ),
    # -- the publish engine --------------------------------------------------------------------------------
    Mutant(
        "publish-no-op-despite-a-deleted-file",
        "plugins/module_utils/publish/engine.py",
        "            and old.firmware == firmware_print\n"
        "            and all(name in self.present for name in old.files)\n",
        "            and old.firmware == firmware_print\n",
        "a file deleted from the web root is never published again while the fleet is unchanged",
        ("tests/unit/test_publish.py",),
    ),
    # -- recognition and status ----------------------------------------------------------------------------
    Mutant(
        "recognition-mac-upper-case",
        "plugins/module_utils/service/recognition.py",
        "            mac = match.group(rule.mac_group).lower()",
        "            mac = match.group(rule.mac_group).upper()",
        "the MAC of a request is the fleet's key in lower case: upper case matches no phone",
        ("tests/unit/test_recognition.py",),
    ),
    Mutant(
        "status-up-to-date-when-not-fetched",
        "plugins/module_utils/service/status.py",
        "    if current and fetched is not None and fetched in "
        '(current.get("version"), current.get("window_version")):',
        '    if current and fetched not in (current.get("version"), current.get("window_version")):',
        "status 3 (up to date) for a phone that did not fetch its current files",
        ("tests/unit/service_http/test_serving.py", "tests/unit/control/test_fleet_view.py"),
    ),
    Mutant(
        "status-never-contacted-reported-as-pending",
        "plugins/module_utils/service/status.py",
        "    if contact is None:\n        return NEVER_CONTACTED",
        "    if contact is None:\n        return CHANGE_NOT_FETCHED",
        "a phone that never asked looks like one that missed a change",
        ("tests/unit/service_http/test_serving.py", "tests/unit/control/test_fleet_view.py"),
    ),
    # -- phone control -------------------------------------------------------------------------------------
    Mutant(
        "yealink-reboot-sends-plain-check-sync",
        "plugins/module_utils/vendors/yealink/control.py",
        'SipNotifyWay(event="check-sync;reboot=true", reboots=True, verified=True)',
        'SipNotifyWay(event="check-sync", reboots=True, verified=True)',
        "a reboot that only resyncs: the phone never restarts",
        (
            "tests/unit/control/test_sip.py",
            "tests/unit/control/test_vendors.py",
            "tests/unit/control/test_simulated.py",
        ),
    ),
    Mutant(
        "firmware-window-end-inclusive",
        "plugins/module_utils/fleet/window.py",
        "        return today in days and start <= now < end",
        "        return today in days and start <= now <= end",
        "a window 02:00-05:00 lets a flash start at 05:00",
        ("tests/unit/test_window.py",),
    ),
    # -- as the phone reads it: codecs, time zone, keys (issue 11, first acceptance point) ---------------------
    Mutant(
        "grandstream-opus-pcma-codes-swapped",
        "plugins/module_utils/vendors/grandstream/driver.py",
        '        "pcma": 8,\n        "g722": 9,\n        "g729": 18,\n        "g726": 2,\n        "g723": 4,\n'
        '        "ilbc": 98,\n        "opus": 125,',
        '        "pcma": 125,\n        "g722": 9,\n        "g729": 18,\n        "g726": 2,\n        "g723": 4,\n'
        '        "ilbc": 98,\n        "opus": 8,',
        "the phone offers A-law where the profile put Opus, and Opus in A-law's place",
        (READ, "-k", "grandstream"),
    ),
    Mutant(
        "yealink-blf-speed-dial-swapped",
        "plugins/module_utils/vendors/yealink/driver.py",
        '        "speed_dial": 13,\n        "blf": 16,',
        '        "speed_dial": 16,\n        "blf": 13,',
        "a BLF key dials its number, a speed-dial key watches it (linekey.N.type)",
        (READ, "-k", "yealink or atcom"),
    ),
    Mutant(
        "yealink-codec-priority-reversed",
        "plugins/module_utils/vendors/yealink/templates/phone.cfg.j2",
        "{{ a }}.codec.{{ name }}.priority = {{ codecs.index(neutral) + 1 }}",
        "{{ a }}.codec.{{ name }}.priority = {{ codecs | length - codecs.index(neutral) }}",
        "the least preferred codec is offered first",
        (READ, "-k", "yealink"),
    ),
    Mutant(
        "yealink-key-index-shifted",
        "plugins/module_utils/vendors/yealink/templates/phone.cfg.j2",
        '{{ m.key_lines("linekey." ~ key.index, key, features) }}',
        '{{ m.key_lines("linekey." ~ (key.index + 1), key, features) }}',
        "every key one place further than the fleet puts it",
        (READ, "-k", "yealink"),
    ),
    Mutant(
        "unify-g722-g729-codes-swapped",
        "plugins/module_utils/vendors/unify/driver.py",
        '{"pcma": 0, "pcmu": 0, "g722": 1, "g729": 2}',
        '{"pcma": 0, "pcmu": 0, "g722": 2, "g729": 1}',
        "codec-type: the phone prefers G.729 where the profile asked for G.722",
        (READ, "-k", "unify"),
    ),
    Mutant(
        "poly-dst-last-week-lost",
        "plugins/module_utils/vendors/poly/templates/phone.cfg.xml.j2",
        'lastInMonth="{{ (rule.week == 5) | yes_no }}"',
        'lastInMonth="{{ (rule.week == 4) | yes_no }}"',
        "summer time starts on the first Sunday of March instead of the last",
        (READ, "-k", "poly"),
    ),
    Mutant(
        "fanvil-blf-as-speed-dial",
        "plugins/module_utils/vendors/fanvil/templates/phone.xml.j2",
        "<Value>{{ key.value }}@{{ key.line }}/ba{% if",
        "<Value>{{ key.value }}@{{ key.line }}/f{% if",
        "a BLF key only dials: no presence shown",
        (READ, "-k", "fanvil"),
    ),
    Mutant(
        "snom-line-key-on-the-active-identity",
        "plugins/module_utils/vendors/snom/templates/phone.xml.j2",
        """context="{{ key.line if key.function == 'line' else 'active' }}\"""",
        'context="active"',
        "a line key for line 2 shows whichever identity is in use, not line 2",
        (READ, "-k", "snom"),
    ),
    Mutant(
        "avaya-blf-as-autodial",
        "plugins/module_utils/vendors/avaya/driver.py",
        '"blf": "Type=feature;Name=blf",',
        '"blf": "Type=autodial;Name=autodial",',
        "a busy-lamp key becomes a plain autodial",
        (READ, "-k", "avaya"),
    ),
    Mutant(
        "cisco-wrong-windows-zone",
        "plugins/module_utils/render/windows_zones.py",
        '"Europe/Berlin": "W. Europe" + _SD,',
        '"Europe/Berlin": "Central Europe" + _SD,',
        "a Cisco phone in Berlin keeps Budapest's zone name (same offset today, another zone)",
        (READ, "-k", "cisco"),
    ),
    Mutant(
        "snom-wrong-zone-code",
        "plugins/module_utils/vendors/snom/driver.py",
        '"Europe/Berlin": "GER+1",',
        '"Europe/Berlin": "GER+2",',
        "a Snom in Berlin an hour ahead",
        (READ, "-k", "snom"),
    ),
    # -- three survivors of the previous round, now with tests (simulator mutants) ------------------------
    Mutant(
        "simulator-yealink-trust-ctrl-ignored",
        "simulator/phonefleet_simulator/vendors/yealink.py",
        'trust_servers_only=_value(values, "sip.trust_ctrl", "0") == "1",',
        "trust_servers_only=False,",
        "the simulated Yealink accepts a NOTIFY from anyone with sip.trust_ctrl 1: a driver writing 1 passes",
        ("tests/unit/control/test_yealink_atcom_control.py",),
    ),
    Mutant(
        "simulator-grandstream-request-uri-user-ignored",
        "simulator/phonefleet_simulator/vendors/grandstream.py",
        "        if user and values.get(f\"P{account_numbers(index)['user']}\") == user:",
        "        if not user and values.get(f\"P{account_numbers(index)['user']}\") == user:",
        "every check-sync judged by account 1's Allow SIP Reset, whichever account it names",
        ("tests/unit/simulator/test_grandstream_fanvil_qtech.py",),
    ),
    Mutant(
        "simulator-grandstream-firmware-prefix-dropped",
        "simulator/phonefleet_simulator/vendors/grandstream.py",
        'first(r"<P232>([^<]*)</P232>", files) or ""',
        '""',
        "the simulated phone fetches <model>fw.bin whatever P232 says: a driver dropping the prefix passes",
        ("tests/unit/simulator/test_grandstream_fanvil_qtech.py",),
    ),
)


def copy_tree(destination: Path) -> None:
    """The repository's files (tracked, and untracked not ignored) into ``destination``; .venv as a link."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        name = raw.decode()
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in git
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    (destination / ".venv").symlink_to((REPO / ".venv").resolve())


def run_mutant(mutant: Mutant, timeout: float, keep: bool) -> tuple[str, float, str]:
    """(outcome, seconds, the tail of the test output) of one mutant, in a fresh copy of the code."""
    # short: Kamailio's control socket lives under it (a Unix socket path holds at most 107 bytes)
    directory = Path(tempfile.mkdtemp(prefix="pf-mutant-"))
    started = time.monotonic()
    try:
        copy_tree(directory)
        path = directory / mutant.file
        text = path.read_text()
        if text.count(mutant.original) != 1:
            return "stale", 0.0, f"{mutant.file}: the original text occurs {text.count(mutant.original)} times"
        path.write_text(text.replace(mutant.original, mutant.mutated))
        command = [str(directory / ".venv/bin/python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
        try:
            done = subprocess.run(
                [*command, *mutant.tests],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - started, ""
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        # 0: all passed; 1: a test failed; other codes (usage, collection errors, no tests) say the run is broken
        outcome = {0: "survived", 1: "killed"}.get(done.returncode, f"error (pytest exit {done.returncode})")
        summary = tail.splitlines()[-1] if tail else ""
        if outcome == "killed" and " failed" not in summary and "XPASS" not in tail:
            outcome = "error"  # exit 1 from a fixture or collection error only: the tests did not judge the mutant
        return outcome, time.monotonic() - started, tail
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these mutants only")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep each mutant's copy of the code")
    arguments = parser.parse_args(argv)
    chosen = [mutant for mutant in MUTANTS if not arguments.only or mutant.name in arguments.only]
    unknown = set(arguments.only or ()) - {mutant.name for mutant in MUTANTS}
    if unknown:
        parser.error(f"no such mutant: {', '.join(sorted(unknown))}")
    if arguments.list:
        for mutant in chosen:
            print(f"{mutant.name:48} {mutant.file}\n{'':48} {mutant.why}")
        return 0
    outcomes: dict[str, str] = {}
    for mutant in chosen:
        outcome, seconds, tail = run_mutant(mutant, arguments.timeout, arguments.keep)
        outcomes[mutant.name] = outcome
        print(f"{outcome:9} {seconds:6.1f} s  {mutant.name}: {mutant.why}", flush=True)
        if outcome not in ("killed",) and tail:
            print("          " + tail.replace("\n", "\n          "), flush=True)
    killed = sum(outcome == "killed" for outcome in outcomes.values())
    print(f"\n{killed} of {len(outcomes)} mutants killed")
    bad = [name for name, outcome in outcomes.items() if outcome != "killed"]
    if bad:
        print("not killed: " + ", ".join(bad))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
