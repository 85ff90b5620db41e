"""Command line of the provisioning service.

    python -m phonefleet_service serve --config /etc/phonefleet/service.yml   # HTTP (uvicorn)
    python -m phonefleet_service tftp  --config /etc/phonefleet/service.yml   # TFTP
    python -m phonefleet_service check --config /etc/phonefleet/service.yml   # settings and database

The collection must be importable (``PYTHONPATH=<dir holding ansible_collections>``), and this folder's
parent too; the role provisioning_server sets both.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

from ansible_collections.phonefleet.provisioning.plugins.module_utils.access.store import AccessStore
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (
    SettingsError,
    load_settings,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store, StoreError

from .app import SETTINGS_FILE_VARIABLE
from .http_bounds import uvicorn_options


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host``:``port``, inheritable by uvicorn's worker processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="phonefleet_service", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("serve", "tftp", "check"))
    parser.add_argument("--config", help="settings file (YAML); PHONEFLEET_* variables override it")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings(arguments.config)
    except SettingsError as exc:
        print(f"phonefleet_service: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if arguments.config:
        os.environ[SETTINGS_FILE_VARIABLE] = os.path.abspath(arguments.config)
    try:
        store = Store.open(settings.database_url)
        store.close()
        users_store = AccessStore.open(settings.users_url())  # the API's users: their tables made if absent
        users_store.close()
    except StoreError as exc:
        print(f"phonefleet_service: {exc}", file=sys.stderr)
        return 2
    if arguments.command == "check":
        print(
            f"settings ok; database {store.url} ok; users' database {users_store.url} ok; web root {settings.web_root}"
        )
        return 0
    if arguments.command == "tftp":
        from .tftp import serve_tftp  # pylint: disable=import-outside-toplevel

        return serve_tftp(settings)
    import uvicorn  # pylint: disable=import-outside-toplevel
    from uvicorn.supervisors import Multiprocess  # pylint: disable=import-outside-toplevel

    config = uvicorn.Config(
        "phonefleet_service.app:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        workers=settings.workers,
        access_log=False,  # the journal is the access log; and a Cisco login's PIN is in its query string
        log_level=settings.log_level,
        # the fast pair (C parser, libuv loop), both in requirements.txt; named so that a missing one fails
        # at start instead of uvicorn's "auto" quietly serving at a fraction of the speed (h11, asyncio):
        # uvicorn_options gives httptools' protocol, with bounds on heads, headers and slow requests
        loop="uvloop",
        **uvicorn_options(settings),
    )
    # the phones' files and the API on http_port; the mobility screens on applications_port (app.py tells them
    # apart by the port a request reached)
    sockets = [config.bind_socket()]
    if settings.applications_port:
        sockets.append(listening_socket(settings.applications_host, settings.applications_port))
    if config.workers > 1:
        Multiprocess(config, sockets=sockets).run()  # each worker serves both sockets
    else:
        uvicorn.Server(config).run(sockets=sockets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
