"""Command line of the job service.

    python -m phonefleet_jobs serve --config /etc/phonefleet/jobs.yml   # HTTP (uvicorn)
    python -m phonefleet_jobs check --config /etc/phonefleet/jobs.yml   # settings, database, catalogue
    python -m phonefleet_jobs create-admin NAME --config jobs.yml      # the first administrator; prints its password
    python -m phonefleet_jobs hash-token < token.txt                   # the bcrypt hash for admin_token_hash

The collection must be importable (``PYTHONPATH=<dir holding ansible_collections>``), and this folder's parent.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.users import (
    ADMINISTRATOR,
    UserError,
    Users,
    new_secret,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import Catalogue, CatalogueError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.settings import load_job_settings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.store import JobStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.webhooks import load_webhooks
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import SettingsError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import StoreError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="phonefleet_jobs", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("serve", "check", "hash-token", "create-admin"))
    parser.add_argument("name", nargs="?", help="create-admin: the administrator's user name")
    parser.add_argument("--config", help="settings file (YAML); PHONEFLEET_JOBS_* variables override it")
    parser.add_argument("--full-name", default="", help="create-admin: the full name (a fleet edit's Git author)")
    parser.add_argument("--email", default="", help="create-admin: the e-mail address (default: NAME@phonefleet)")
    arguments = parser.parse_args(argv)
    if arguments.command == "hash-token":
        from .auth import hash_token  # pylint: disable=import-outside-toplevel

        token = sys.stdin.readline().strip()  # from stdin, never an argument: a command line is visible to all
        if len(token) < 16:
            print("phonefleet_jobs: the token must have 16 characters at least", file=sys.stderr)
            return 2
        print(hash_token(token))
        return 0
    try:
        settings = load_job_settings(arguments.config)
        catalogue = Catalogue(Path(settings.project_dir) / "playbooks")
        # their secrets (files, variables) checked now, for a clear message rather than a failed start
        webhooks = load_webhooks(
            settings.webhooks, arguments.config or "environment", os.environ, frozenset(catalogue.playbooks)
        )
        JobStore.open(settings.database_url).close()
    except (SettingsError, CatalogueError, StoreError) as exc:
        print(f"phonefleet_jobs: {exc}", file=sys.stderr)
        return 2
    if arguments.command == "create-admin":
        return _create_admin(settings, arguments.name, arguments.full_name, arguments.email)
    if arguments.command == "check":
        print(
            f"settings ok; database ok; {len(catalogue.playbooks)} playbooks; {len(webhooks)} webhooks;"
            f" inventory {settings.inventory}"
        )
        return 0
    import uvicorn  # pylint: disable=import-outside-toplevel

    from .app import create_app  # pylint: disable=import-outside-toplevel

    uvicorn.run(
        create_app(settings, catalogue), host=settings.http_host, port=settings.http_port, log_level=settings.log_level
    )
    return 0


def _create_admin(settings, name: str | None, full_name: str, email: str) -> int:
    """An administrator with a generated password, printed this once (there is no default password)."""
    if not name:
        print("phonefleet_jobs: create-admin needs the administrator's name", file=sys.stderr)
        return 2
    store = JobStore.open(settings.database_url)
    try:
        password = new_secret()
        try:
            Users(store, settings.bcrypt_rounds).create(name, ADMINISTRATOR, password, full_name, email)
        except UserError as exc:
            print(f"phonefleet_jobs: create-admin: {exc}", file=sys.stderr)
            return 2
        Journal(store).record(name, "user_create", "command line", f"user:{name}", {"role": ADMINISTRATOR})
    finally:
        store.close()
    print(f"administrator {name} created; password (shown this once, keep it safe):\n{password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
