"""A real nginx on loopback with the provisioning_server role's site, for tests.

``render_site(tmp_path, **overrides)`` writes the role's nginx site with Ansible's template module from the
role's own defaults and internal vars (as the role does), ``overrides`` as a user sets them.
``running_applications_nginx(folder, applications_port)`` runs nginx unprivileged in ``folder`` with that site:
the phone applications' ports (HTTP and HTTPS, a throw-away self-signed certificate) proxied to the service's
applications listener on ``applications_port``, its logs in ``folder/logs``; it yields an
:class:`ApplicationsNginx`, and stops nginx at the end of the block (its output then in ``output``).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.service import free_port
from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO, run_playbook

ROLE = REPO / "roles" / "provisioning_server"


def render_site(tmp_path: Path, **overrides) -> str:
    """The nginx site as the role writes it: its defaults and internal vars, ``overrides`` as a user sets them."""
    site = tmp_path / "site.conf"
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "vars_files": [str(ROLE / "defaults" / "main.yml"), str(ROLE / "vars" / "main.yml")],
            "tasks": [
                {
                    "name": "Write the nginx site",
                    "ansible.builtin.template": {
                        "src": str(ROLE / "templates" / "nginx-site.conf.j2"),
                        "dest": str(site),
                    },
                }
            ],
        }
    ]
    playbook = tmp_path / "render.yml"
    playbook.write_text(json.dumps(play))
    variables = tmp_path / "overrides.json"
    variables.write_text(json.dumps({"inventory_hostname": "localhost", **overrides}))
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook), "-e", f"@{variables}"]
    completed = run_playbook(tmp_path, command, vault=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return site.read_text()


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on {port}")


@dataclass
class ApplicationsNginx:
    http_port: int
    https_port: int
    logs: Path  # every log nginx writes: the applications' access log, the site's and the main error logs
    access_log: Path
    output: str = ""  # what nginx printed, once stopped


@contextlib.contextmanager
def running_applications_nginx(
    folder: Path,
    applications_port: int,
    ports: tuple[int, int] | None = None,
    certificate: tuple[Path, Path] | None = None,
):
    """``ports``: (HTTP, HTTPS) of the applications server (free ones by default); ``certificate``: (certificate,
    key) files of its HTTPS port (a self-signed one for ``localhost`` by default)."""
    prefix = folder / "nginx"
    (prefix / "logs").mkdir(parents=True)
    if certificate is None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-keyout", str(prefix / "server.key"), "-out", str(prefix / "server.crt")],
            check=True, capture_output=True,
        )  # fmt: skip
        certificate = (prefix / "server.crt", prefix / "server.key")
    http_port, https_port = ports or (free_port(), free_port())
    running = ApplicationsNginx(http_port, https_port, prefix / "logs", prefix / "logs" / "applications.access.log")
    site = render_site(
        folder,
        provisioning_server_listen_addresses=["127.0.0.1"],
        provisioning_server_http_ports=[free_port()],
        provisioning_server_https_ports=[],
        provisioning_server_applications_http_ports=[running.http_port],
        provisioning_server_applications_https_ports=[running.https_port],
        provisioning_server_applications_port=applications_port,
        provisioning_server_applications_access_log=str(running.access_log),
        provisioning_server_tls_certificate_path=str(certificate[0]),
        provisioning_server_tls_private_key_path=str(certificate[1]),
    )
    # nginx runs unprivileged-style in its own prefix: the site's fixed log folder moves there
    (prefix / "site.conf").write_text(site.replace("/var/log/nginx/", f"{prefix}/logs/"))
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/main.error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {prefix}/site.conf;\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [nginx, "-e", "stderr", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(running.http_port)
        wait_for(running.https_port)
        yield running
    finally:
        process.terminate()
        running.output = process.communicate(timeout=10)[0].decode(errors="replace")
