"""The provisioning_server role's nginx site opens the phone applications' ports without logging a PIN.

Cisco phones submit the hot-desk PIN with GET, in the query string (issue 14). The site the role writes (rendered
here by Ansible's template module from the role's own defaults, as the role does) proxies the applications ports
to the service's applications listener, and its access log has the path only. A real nginx runs it on loopback:
the query reaches the service, and neither nginx log holds it.
"""

from __future__ import annotations

import re
import ssl
import threading
import typing
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.nginx import ROLE, render_site, running_applications_nginx
from tests.support.tools import require_tools

PIN = "4711"
LOGIN = f"/cisco/mobility/login?name=SEP0CD0F8A1B2C3&number=5001&pin={PIN}"
TEXT = b"<CiscoIPPhoneText><Title>Hot desk</Title><Text>Logged in</Text></CiscoIPPhoneText>"


def applications_block(site: str) -> str:
    start = site.index("upstream phonefleet_applications")
    return site[start:]


def test_the_applications_log_format_has_no_query() -> None:
    site = (ROLE / "templates" / "nginx-site.conf.j2").read_text()
    formats = re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", site)
    assert [name for name, _text in formats] == ["phonefleet_applications"]
    fields = formats[0][1]
    assert "$uri" in fields
    for leaking in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_"):
        assert leaking not in fields


def test_no_applications_server_without_its_ports(tmp_path) -> None:
    site = render_site(
        tmp_path, provisioning_server_applications_http_ports=[], provisioning_server_applications_https_ports=[]
    )
    assert "phonefleet_applications" not in site
    assert "listen 0.0.0.0:80 default_server;" in site  # the provisioning server is unchanged


class Service(BaseHTTPRequestHandler):
    """The service's applications listener, standing in: records what reached it, answers a Cisco screen."""

    seen: typing.ClassVar[list[tuple[str, dict]]] = []

    def do_GET(self) -> None:
        Service.seen.append((self.path, dict(self.headers)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(TEXT)))
        self.end_headers()
        self.wfile.write(TEXT)

    def log_message(self, *args) -> None:
        pass


def test_nginx_proxies_the_applications_ports_and_logs_no_pin(tmp_path) -> None:
    require_tools("nginx")
    service = ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    try:
        with running_applications_nginx(tmp_path, service.server_address[1]) as nginx:
            Service.seen.clear()
            insecure = ssl.create_default_context()
            insecure.check_hostname = False
            insecure.verify_mode = ssl.CERT_NONE
            for url, context in (
                (f"http://127.0.0.1:{nginx.http_port}", None),
                (f"https://127.0.0.1:{nginx.https_port}", insecure),
            ):
                request = urllib.request.Request(url + LOGIN, headers={"Accept": "x-CiscoIPPhone/*"})
                with urllib.request.urlopen(request, timeout=10, context=context) as reply:
                    assert reply.status == 200
                    assert reply.read() == TEXT
            # the service gone: nginx answers 502 and writes an error naming the request line, query included
            service.shutdown()
            service.server_close()
            with pytest.raises(urllib.error.HTTPError, match="502"):
                urllib.request.urlopen(f"http://127.0.0.1:{nginx.http_port}{LOGIN}", timeout=10)
    finally:
        service.shutdown()
    # the service got the phone's request whole, with who sent it
    assert [path for path, _headers in Service.seen] == [LOGIN, LOGIN]
    assert {headers["X-Forwarded-Proto"] for _path, headers in Service.seen} == {"http", "https"}
    assert {headers["X-Real-IP"] for _path, headers in Service.seen} == {"127.0.0.1"}
    # nginx logged both requests, by path, and no log of its holds the PIN or the query
    logged = nginx.access_log.read_text()
    assert logged.count('"GET /cisco/mobility/login HTTP/1.1" 200') == 2, logged
    assert logged.count('"GET /cisco/mobility/login HTTP/1.1" 502') == 1, logged
    for log in nginx.logs.iterdir():
        text = log.read_text()
        assert PIN not in text and "pin=" not in text and "number=5001" not in text, (log.name, text)
    assert PIN not in nginx.output
