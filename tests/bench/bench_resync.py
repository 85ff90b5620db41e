"""Resync benchmark: 5,000 simulated phones resynced by one batch task, against one task per phone.

The phones are phonefleet_simulator's: each on its own 127.x.y.z address at its vendor's real ports (SIP
5060, HTTP 80, the Unify contact-me 8085), a mix of every vendor family (tests/bench/synthetic.py MIX), in
this process. The site is a synthetic 5,000-phone fleet of those phones, read by the fleet inventory plugin;
the control login is its settings.phone_control, vault-encrypted, read by the modules from fleet_dir, and its
``networks`` (loopback) are written into the phones' remote-control allow lists. As in ``make demo``, the fleet
is published and served by the provisioning service (in this process), and the phones boot from it: every phone
has its own files, so each obeys control as its vendor's configured phone does (an unconfigured Avaya or
Grandstream phone refuses it) and a resync fetches its files again. A phone left without its files stops the bench.

Both runs are ``ansible-playbook playbooks/resync.yml`` as an engineer runs it, timed from start to end
(Ansible's start, the inventory, the play):

- batch: ``phonefleet_batch=true``, one phone_command task for every phone, 50 phones at a time (the
  playbook's default);
- per host: ``phonefleet_batch=false``, one task per phone, forks 50, over every phone by default (a
  few minutes); BENCH_SAMPLE < BENCH_PHONES runs it on a sample instead and extrapolates: the fixed part
  (Ansible's start and the inventory, measured by the same run matching no host) counted once, the rest
  (one task per phone) multiplied by phones / sample.

Each run's resyncs are counted in the phones' own event logs. Prints seconds and the ratio, and the goals
(issue 5: batch <= 60 s, ratio >= 10); asserts no time, but a run that does not end ok (a phone failed) stops it.
Environment: BENCH_PHONES (5000), BENCH_SAMPLE (all of them), BENCH_FORKS (50), BENCH_OCTET (210: the phones are on
127.210.x.y, or the next octet whose addresses are free).
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "collections", ROOT / "simulator", ROOT / "service"):
    sys.path.insert(0, str(folder))

import yaml  # noqa: E402
from ansible.parsing.vault import VaultLib, VaultSecret  # noqa: E402
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet  # noqa: E402
from phonefleet_simulator.boot import SimulatedPhone  # noqa: E402
from phonefleet_simulator.fleet import SimulatedFleet  # noqa: E402
from phonefleet_simulator.ports import address_in_use  # noqa: E402

from tests.bench.synthetic import BASE, MIX, synthetic_phones  # noqa: E402
from tests.support.service import running_service  # noqa: E402
from tests.unit.render_support import reveal  # noqa: E402

PHONES = int(os.environ.get("BENCH_PHONES", "5000"))
SAMPLE = min(PHONES, int(os.environ.get("BENCH_SAMPLE", str(PHONES))))
FORKS = int(os.environ.get("BENCH_FORKS", "50"))
OCTET = int(os.environ.get("BENCH_OCTET", "210"))
BENCH = ROOT / "build" / "bench" / "resync"
PASSWORD = "bench-control-pass"
GOAL_SECONDS, GOAL_RATIO = 60.0, 10.0


def phones() -> list[SimulatedPhone]:
    made = []
    for index in range(PHONES):
        vendor, model, oui = MIX[index % len(MIX)]
        made.append(SimulatedPhone(f"{oui}{index:06x}", vendor, model))
    return made


def write_inventory(fleet: SimulatedFleet | None, site: Path = BENCH / "inventory") -> Path:
    """The site: a synthetic fleet of the simulated phones (tests/bench/synthetic.py, with the control login
    vault-encrypted as a real site keeps it, the first BENCH_SAMPLE phones at a site ``sample``) read by the
    fleet inventory plugin; each phone's address is its description, made ``ansible_host`` by ``compose``
    (in production the plugin sets it from the provisioning service's live facts). Without ``fleet`` (the copy
    that is published before the phones listen) the phones have no address."""
    shutil.rmtree(site, ignore_errors=True)
    directory = site / "fleet"
    directory.mkdir(parents=True)
    base = copy.deepcopy(BASE)
    base["sites"]["sample"] = {"tenant": "bench"}
    for kind, value in base.items():
        if kind != "settings":
            (directory / f"{kind}.yml").write_text(yaml.safe_dump({kind: value}, sort_keys=False))
    settings = yaml.safe_dump({"settings": base["settings"]}, sort_keys=False)
    ciphertext = vault().encrypt(PASSWORD.encode()).decode()
    settings += "  phone_control:\n    username: admin\n    password: !vault |\n"
    settings += "".join(f"      {line}\n" for line in ciphertext.splitlines())
    # the controller drives the phones from loopback: their remote-control allow lists must say so
    settings += '    networks: ["127.0.0.0/8"]\n'
    (directory / "settings.yml").write_text(settings)
    listed = synthetic_phones(PHONES)
    for index, phone in enumerate(listed):
        if fleet is not None:
            handle = fleet.handles[index]
            assert phone["mac"].replace(":", "") == handle.mac
            phone["description"] = handle.host
        if index < SAMPLE:
            phone["site"] = "sample"
    (directory / "phones.yml").write_text(yaml.dump({"phones": listed}, Dumper=yaml.CSafeDumper, sort_keys=False))
    (site / "phonefleet.yml").write_text(
        "plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\ncompose:\n  ansible_host: phone_description\n"
    )
    return site / "phonefleet.yml"


def vault() -> VaultLib:
    """The demo vault (its password file is in ansible.cfg): what a site's vault id is to its playbooks."""
    secret = (ROOT / "inventory" / "demo" / "demo-vault-password.txt").read_bytes().strip()
    return VaultLib([("demo", VaultSecret(secret))])


def resyncs(fleet: SimulatedFleet) -> int:
    fleet.settle(120)
    return sum(1 for handle in fleet for event in handle.device.events if event.kind == "resync")


def run(inventory: Path, *args: str) -> tuple[float, str]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    started = time.monotonic()
    done = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "ansible-playbook"),
            "-i",
            str(inventory),
            str(ROOT / "playbooks/resync.yml"),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:  # every phone has its files: any failure is the bench's to look at
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"ansible-playbook failed ({done.returncode})")
    return elapsed, done.stdout


def start_fleet(provisioning_url: str = "http://127.0.0.1:9") -> SimulatedFleet:
    """The phones, on the first octet from OCTET whose addresses are free (another bench may hold some), booted
    from ``provisioning_url`` (by default a port nothing answers: they stay unconfigured)."""
    for octet in range(OCTET, min(OCTET + 10, 256)):
        fleet = SimulatedFleet(phones(), provisioning_url, ("admin", PASSWORD), per_phone_addresses=True, octet=octet)
        try:
            return fleet.start(600)
        except OSError as exc:
            if not address_in_use(exc):
                raise
    raise SystemExit(f"no free loopback octet from 127.{OCTET}.0.0")


def publish() -> None:
    """The site's fleet published into BENCH/www, as the demo's is before its phones boot."""
    site = write_inventory(None, BENCH / "published").parent
    result = publish_fleet(str(site / "fleet"), str(BENCH / "www"), reveal)
    if result.errors:
        raise SystemExit(f"publish failed: {result.errors[:3]}")


def unconfigured(fleet: SimulatedFleet) -> list[str]:
    """The phones that booted without their own files (MAC and vendor)."""
    return [f"{handle.mac} ({handle.device.vendor})" for handle in fleet if not handle.device.config_files]


@contextlib.contextmanager
def booted_fleet() -> Iterator[SimulatedFleet]:
    """The site's fleet published into BENCH/www, the provisioning service serving it on loopback, and the phones
    booted from it, as the demo's are: a phone left without its own files stops the bench (an unconfigured
    simulated Avaya or Grandstream refuses control, which would count as a failure of the job measured)."""
    started = time.monotonic()
    shutil.rmtree(BENCH, ignore_errors=True)
    publish()
    print(f"  the fleet published in {time.monotonic() - started:.1f} s")
    with running_service(BENCH) as service:
        started = time.monotonic()
        fleet = start_fleet(f"http://127.0.0.1:{service.port}")
        try:
            missing = unconfigured(fleet)
            if missing:
                raise SystemExit(f"{len(missing)} phones booted without their files: {', '.join(missing[:5])}")
            print(f"  {PHONES} phones listening and booted from the service in {time.monotonic() - started:.1f} s")
            yield fleet
        finally:
            fleet.stop()


def main() -> None:
    print(f"resync benchmark: {PHONES} simulated phones ({len(MIX)} vendor/model kinds), per-host sample {SAMPLE}")
    with booted_fleet() as fleet:
        measure(fleet)


def measure(fleet: SimulatedFleet) -> None:
    """The batch run, the per-host run, and their figures."""
    inventory = write_inventory(fleet)
    base = resyncs(fleet)
    batch_seconds, output = run(inventory)
    summary = next((line for line in output.splitlines() if "phone_command resync:" in line and "phones:" in line), "")
    summary = summary.strip().strip('",')
    batch_resyncs = resyncs(fleet) - base
    print(
        f"  batch (one task, 50 at a time): {batch_seconds:.1f} s; {summary}; "
        f"resyncs logged by the phones: {batch_resyncs}"
    )
    fixed_seconds, _output = run(inventory, "-e", "phonefleet_batch=false", "-e", "phonefleet_targets=no_such_group")
    base = resyncs(fleet)
    host_seconds, _output = run(
        inventory, "-e", "phonefleet_batch=false", "-e", "phonefleet_targets=site_sample", "--forks", str(FORKS)
    )
    host_resyncs = resyncs(fleet) - base
    extrapolated = fixed_seconds + (host_seconds - fixed_seconds) * PHONES / SAMPLE
    print(
        f"  per host (one task per phone, forks {FORKS}): {SAMPLE} phones in {host_seconds:.1f} s "
        f"({SAMPLE / host_seconds:.0f} phones/s); resyncs logged by the phones: {host_resyncs}"
    )
    if SAMPLE < PHONES:
        print(
            f"  per host, extrapolated to {PHONES} phones: {extrapolated:.0f} s "
            f"(start and inventory {fixed_seconds:.1f} s once, + {PHONES / SAMPLE:g} x the sample's tasks)"
        )
    ratio = extrapolated / batch_seconds
    print(f"  ratio per host / batch: {ratio:.1f}x")
    print(
        f"  goals: batch <= {GOAL_SECONDS:.0f} s: {'met' if batch_seconds <= GOAL_SECONDS else 'NOT met'}; "
        f"ratio >= {GOAL_RATIO:.0f}x: {'met' if ratio >= GOAL_RATIO else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
