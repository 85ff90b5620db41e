"""The applications listener as production starts it: ``python -m phonefleet_service serve`` listens on
http_port (phones' files, the API) and applications_port (the mobility screens), with one worker and with two;
each port answers only what is its own."""

from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.support.service import free_port, killed, published_site, service_command

from .conftest import CISCO_8845, mobility_fleet


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_listens_on_both_ports(tmp_path, workers):
    published_site(tmp_path, mobility_fleet)
    port, applications = free_port(), free_port()
    config = tmp_path / "service.yml"
    config.write_text(
        f"web_root: {tmp_path / 'www'}\ndatabase_url: 'sqlite:///{tmp_path / 'state.db'}'\n"
        f"http_port: {port}\napplications_port: {applications}\nworkers: {workers}\n"
        "tftp_enabled: false\nsecret: test-secret-for-nonces\nlog_level: warning\n"
    )
    screen = f"http://127.0.0.1:{applications}/cisco/mobility?name=SEP{CISCO_8845.upper()}"
    process = service_command("serve", config, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with killed(process):
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = httpx.get(screen, timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise AssertionError(f"the service did not start: {process.stderr.read()}") from None
                if time.monotonic() > deadline:
                    raise AssertionError("the applications port never answered") from None
                time.sleep(0.1)
        # a screen's request from an address the phone never fetched its config from is refused, on its screen
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
        assert ET.fromstring(reply.content).findtext("Text") == "This phone cannot be identified."
        # each port answers its own: no phone's file on the applications port, no screen on http_port
        assert httpx.get(f"http://127.0.0.1:{applications}/SEP{CISCO_8845.upper()}.cnf.xml").status_code == 404
        assert httpx.get(f"http://127.0.0.1:{applications}/api/v1/health").status_code == 404
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/cisco/mobility?name=SEP{CISCO_8845.upper()}").status_code == 404
