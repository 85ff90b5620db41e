"""A provisioning server of rendered files, for simulated phones whose vendor rules read their files.

Phones whose simulator module enforces what their files must allow (Yealink's Action URI allow list and
check-sync settings, Atcom's allow list) must boot from the files our drivers render, not from nothing:
``rendered_files(tmp, phones)`` renders the demo fleet's settings and profiles for those phones (the phone
files and the shared files), ``FileServer`` serves them over HTTP on loopback (404 for anything else).
"""

from __future__ import annotations

import http.server
import threading

from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer

from tests.unit.render_support import fleet_from, reveal


def rendered_files(tmp_path, phones: dict[str, tuple[str, str]], settings: str | None = None) -> dict[str, bytes]:
    """{"/name": body} of the shared files and each phone's own files; ``phones``: mac -> (vendor, model)."""
    entries = "".join(
        f"  - {{mac: {mac}, vendor: {vendor}, model: {model}, profile: office,"
        f' lines: [{{number: "{2400 + index}", password: secret-{index}}}]}}\n'
        for index, (mac, (vendor, model)) in enumerate(sorted(phones.items()), 1)
    )
    files = {"phones.yml": "phones:\n" + entries}
    if settings is not None:
        files["settings.yml"] = settings
    fleet = fleet_from(tmp_path, **files)
    renderer = FleetRenderer(fleet, reveal)
    shared, owners = renderer.shared()
    # only the shared files of these phones' vendors: the settings enable every vendor, and a phone of another
    # vendor must keep its factory settings (it finds nothing here)
    vendors = {vendor for vendor, _model in phones.values()}
    served = {f"/{name}": shared[name] for name, vendor in owners if vendor in vendors}
    for mac in phones:
        served.update({f"/{name}": body for name, body in renderer.phone(fleet.phone(mac)).files.items()})
    return served


class FileServer:
    """``files`` over HTTP on 127.0.0.1 (a thread); ``url`` is its base URL. Use as a context manager."""

    def __init__(self, files: dict[str, bytes]) -> None:
        served = dict(files)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = served.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *_args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FileServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
