"""The demo's last step, while the demo phones are up: one job through the job service, as its users run it.

In ``<state>/jobs``, made anew each time (a throwaway database), all on 127.0.0.1 and stopped at the end:

1. a site inventory of the demo fleet (the fleet inventory plugin with the provisioning service's live facts,
   and each phone's address as a lab's hosts file would give it) and the job service's settings;
2. ``python -m phonefleet_jobs create-admin`` makes the first administrator and prints its password once;
   the demo hands it to the client through ``PHONEFLEET_JOBS_PASSWORD``;
3. ``python -m phonefleet_jobs serve``; with the client (``python -m phonefleet_jobs.client``) the
   administrator makes an ``api`` user, ``ticket-bot``, and a token for it (``tokens create``: the token alone
   on stdout);
4. ticket-bot launches ``resync`` with ``--follow``: the job's output as it comes, then its result; the
   administrator reads the launch's line of the journal of user actions (``journal --action launch``).

Without root the phones share 127.0.0.1 on ports of their own, where Ansible's control code does not look for
them: the job is then ``validate`` (the fleet read by the service's runner), and the demo says so.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from .ports import free_port
from .served import ServerDidNotStart, served

REPO = Path(__file__).resolve().parents[2]
CLIENT = "python -m phonefleet_jobs.client"
ADMIN, BOT = "demo-admin", "ticket-bot"


class JobDemoError(RuntimeError):
    """A step of the job demo failed; the message says which and where its log is."""


def _site(folder: Path, service_url: str, service_token: str, addresses: Iterable[tuple[str, str]]) -> Path:
    """The demo fleet as a site inventory: fleet files, live facts from the provisioning service, addresses."""
    site = folder / "site"
    shutil.copytree(REPO / "inventory" / "demo" / "fleet", site / "fleet")
    (site / "host_vars").mkdir()
    for mac, host in addresses:
        (site / "host_vars" / f"{mac}.yml").write_text(f"ansible_host: {host}\n")
    inventory = site / "phonefleet.yml"
    inventory.write_text(
        "plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n"
        f"service_url: {service_url}\nservice_token: {service_token}\n"
    )
    inventory.chmod(0o600)  # it holds the provisioning service's token
    return site


def _environment(**variables: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PHONEFLEET_JOBS_")}
    path = os.pathsep.join(str(REPO / part) for part in ("collections", "service"))
    return {**environment, "PYTHONPATH": path, **variables}


def _run(command: list[str], environment: dict[str, str], what: str, stdin: str = "") -> str:
    done = subprocess.run(command, input=stdin, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise JobDemoError(f"{what}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def run_job(
    state: Path, service_url: str, service_token: str, addresses: list[tuple[str, str]], reachable: bool
) -> int:
    """The job demo (module docstring); the client's exit code for the job (0: successful)."""
    folder = state / "jobs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    site = _site(folder, service_url, service_token, addresses)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = folder / "jobs.yml"
    settings = {
        "inventory": str(site),
        "database_url": f"sqlite:///{folder / 'jobs.db'}",
        "data_dir": str(folder / "data"),
        "http_host": "127.0.0.1",
        "http_port": port,
        "log_level": "warning",
    }
    config.write_text(json.dumps(settings))
    environment = _environment()
    created = _run(
        [sys.executable, "-m", "phonefleet_jobs", "create-admin", ADMIN, "--config", str(config)],
        environment,
        "create-admin",
        stdin="",
    )
    announced, admin_password = created.splitlines()[0], created.splitlines()[-1]
    print(f"\nJob service on {url} (SQLite {folder / 'jobs.db'})")
    print(f"  $ python -m phonefleet_jobs create-admin {ADMIN}\n  {announced}")
    print("  ********  (the demo gives it to the client in PHONEFLEET_JOBS_PASSWORD, never as an argument)")
    serve = [sys.executable, "-m", "phonefleet_jobs", "serve", "--config", str(config)]
    try:
        with served(serve, environment, folder / "service.log", url + "/openapi.json", "the job service"):
            code = _through_the_client(url, admin_password, "resync" if reachable else "validate")
    except ServerDidNotStart as exc:
        raise JobDemoError(str(exc)) from None
    print("  job service stopped")
    return code


def _through_the_client(url: str, admin_password: str, playbook: str) -> int:
    """The api user and its token, the launch followed to its end, the journal line; the launch's exit code."""
    as_admin = _environment(PHONEFLEET_JOBS_URL=url, PHONEFLEET_JOBS_PASSWORD=admin_password)
    client = [sys.executable, "-m", "phonefleet_jobs.client"]
    bot_password = secrets.token_urlsafe(24)
    said = _run(
        [*client, "--user", ADMIN, "users", "create", BOT, "--role", "api"], as_admin, "users", bot_password + "\n"
    )
    print(f"  $ {CLIENT} --user {ADMIN} users create {BOT} --role api: {said.strip()}")
    token = _run(
        [*client, "--user", ADMIN, "tokens", "create", "--user", BOT, "--description", "demo"], as_admin, "tokens"
    )
    print(f"  $ TOKEN=$({CLIENT} --user {ADMIN} tokens create --user {BOT}): a token, shown once")
    if playbook != "resync":
        print("  (not root: the phones share 127.0.0.1 on ports of their own, out of Ansible's reach; validate runs)")
    print(f"  $ PHONEFLEET_JOBS_TOKEN=$TOKEN {CLIENT} launch {playbook} --follow", flush=True)
    as_bot = _environment(PHONEFLEET_JOBS_URL=url, PHONEFLEET_JOBS_TOKEN=token.strip())
    # the job's output and its result line straight to the terminal, as the user sees them
    launched = subprocess.run([*client, "launch", playbook, "--follow"], env=as_bot, check=False)
    journal = _run([*client, "--user", ADMIN, "journal", "--action", "launch", "--limit", "1"], as_admin, "journal")
    print(f"  $ {CLIENT} --user {ADMIN} journal --action launch --limit 1\n  {journal.strip()}")
    return launched.returncode
