"""Small phone stand-ins on 127.0.0.1 for the transport tests: a SIP endpoint, a web server, a Telnet
console and an SSH server, each recording what it got. Each listens on a free port and runs in a thread.

They answer as the protocols say and no more; the simulated phones of phonefleet_simulator (the
integration tests) answer as each vendor's phone does.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field

# -- SIP ----------------------------------------------------------------------------------------------------


@dataclass
class SipScript:
    """What the endpoint does with each NOTIFY: drop the first ``drop`` datagrams, send a provisional
    ``trying`` first, then the final ``status``; ``silent`` answers nothing at all."""

    status: int = 200
    reason: str = "OK"
    drop: int = 0
    trying: bool = False
    silent: bool = False
    extra_response: bytes | None = None  # sent before the real answer (a stray datagram to be ignored)


class SipEndpoint:
    def __init__(self, script: SipScript | None = None, host: str = "127.0.0.1") -> None:
        self.script = script or SipScript()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.address, self.port = self.sock.getsockname()
        self.received: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.received.append((time.monotonic(), data))
            script = self.script
            if script.silent or len(self.received) <= script.drop:
                continue
            if script.extra_response is not None:
                self.sock.sendto(script.extra_response, peer)
            if script.trying:
                self.sock.sendto(response(data, 100, "Trying"), peer)
            self.sock.sendto(response(data, script.status, script.reason), peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def headers(self, index: int = 0) -> dict:
        text = self.received[index][1].decode()
        head, _sep, body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        found = {"request-line": lines[0], "body": body}
        for line in lines[1:]:
            name, _colon, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        return found


def response(request: bytes, status: int, reason: str) -> bytes:
    """The answer a UAS sends: Via, From, To, Call-ID and CSeq copied."""
    head = request.decode().split("\r\n\r\n", 1)[0].split("\r\n")
    copied = [line for line in head[1:] if line.split(":", 1)[0].lower() in ("via", "from", "to", "call-id", "cseq")]
    lines = [f"SIP/2.0 {status} {reason}", *copied, "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# -- HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    body: bytes = b"OK"
    content_type: str = "text/plain"


@dataclass
class WebPhone:
    """A web server checking ``auth`` (``basic``, ``digest`` or ``none``) against ``user``/``password``."""

    routes: dict = field(default_factory=dict)  # (method, path with query) -> Route
    auth: str = "basic"
    user: str = "admin"
    password: str = "s3cret"
    delay: float = 0.0
    host: str = "127.0.0.1"  # any loopback address: another one plays a machine that is not the phone
    requests: list = field(default_factory=list)  # (method, path, headers, body)
    server: socketserver.TCPServer | None = None

    def start(self) -> WebPhone:
        phone = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                phone.requests.append((self.command, self.path, dict(self.headers), body))
                if phone.delay:
                    time.sleep(phone.delay)
                route = phone.routes.get((self.command, self.path))
                if route is None:
                    self._answer(404, b"Not Found")
                    return
                if not phone.authorized(self.command, self.path, self.headers.get("Authorization", "")):
                    self._answer(401, b"Unauthorized", challenge=phone.challenge())
                    return
                self._answer(route.status, route.body, route.content_type)

            def _answer(self, status, body, content_type="text/plain", challenge=None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if challenge:
                    self.send_header("WWW-Authenticate", challenge)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server((self.host, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    nonce = "b5a1f0e2c7d84a6e"

    def challenge(self) -> str:
        if self.auth == "digest":
            return f'Digest realm="phone", nonce="{self.nonce}", qop="auth", algorithm=MD5'
        return 'Basic realm="phone"'

    def authorized(self, method: str, path: str, header: str) -> bool:
        if self.auth == "none":
            return True
        scheme, _space, rest = header.partition(" ")
        if self.auth == "basic":
            expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return scheme == "Basic" and rest == expected
        if scheme != "Digest":
            return False
        fields = {}
        for part in rest.split(", "):
            name, _eq, value = part.partition("=")
            fields[name] = value.strip('"')

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{self.user}:phone:{self.password}")
        ha2 = md5(f"{method}:{fields.get('uri')}")
        expected = md5(f"{ha1}:{self.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return fields.get("username") == self.user and fields.get("uri") == path and fields.get("response") == expected


# -- Telnet -------------------------------------------------------------------------------------------------


class TelnetConsole:
    """A Telnet console: offers two options (to be refused), asks ``login:``/``Password:``, prompt ``> ``;
    ``reset`` closes the connection; ``show version`` prints two lines."""

    def __init__(self, user: str = "admin", password: str = "s3cret") -> None:
        self.user, self.password = user, password
        self.lines: list[str] = []
        self.refusals: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _peer = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _readline(self, connection, buffer: bytearray) -> str | None:
        while b"\n" not in buffer:
            data = connection.recv(1024)
            if not data:
                return None
            while data.startswith(b"\xff"):  # the client's option answers (IAC WONT/DONT x)
                self.refusals.append(data[:3])
                data = data[3:]
            buffer += data
        line, _sep, rest = bytes(buffer).partition(b"\n")
        buffer[:] = rest
        return line.decode().strip()

    def _session(self, connection) -> None:
        buffer = bytearray()
        with connection:
            connection.sendall(b"\xff\xfd\x18\xff\xfb\x01Welcome\r\nlogin: ")  # DO TERMINAL-TYPE, WILL ECHO
            user = self._readline(connection, buffer)
            connection.sendall(b"Password: ")
            password = self._readline(connection, buffer)
            if (user, password) != (self.user, self.password):
                connection.sendall(b"\r\nLogin incorrect\r\nlogin: ")
                self._readline(connection, buffer)
                return
            connection.sendall(b"\r\nphone> ")
            while True:
                line = self._readline(connection, buffer)
                if line is None:
                    return
                self.lines.append(line)
                if line == "reset":
                    connection.sendall(b"Resetting\r\n")
                    return
                if line == "show version":
                    connection.sendall(b"Model Number: CP-3905\r\nActive Load: CP3905.9-4-1SR3\r\nphone> ")
                else:
                    connection.sendall(b"phone> ")

    def close(self) -> None:
        self.sock.close()


# -- SSH ----------------------------------------------------------------------------------------------------


class SshConsole:
    """An SSH server (paramiko) with a shell asking an inner ``login:``/``Password:`` (``debug``/``debug``),
    then ``debug> ``; ``reset`` ends the session, ``show version`` prints lines."""

    def __init__(self, user: str = "admin", password: str = "s3cret", inner=("debug", "debug")) -> None:
        import paramiko

        self.paramiko = paramiko
        self.user, self.password, self.inner = user, password, inner
        self.key = paramiko.RSAKey.generate(1024)
        self.lines: list[str] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        paramiko = self.paramiko
        console = self

        class Interface(paramiko.ServerInterface):
            def check_channel_request(self, kind, chanid):
                return (
                    paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
                )

            def get_allowed_auths(self, username):
                return "password"

            def check_auth_password(self, username, password):
                ok = (username, password) == (console.user, console.password)
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

            def check_channel_shell_request(self, channel):
                return True

            def check_channel_pty_request(self, *args):
                return True

        while True:
            try:
                connection, _peer = self.sock.accept()
            except OSError:
                return
            transport = paramiko.Transport(connection)
            transport.add_server_key(self.key)
            try:
                transport.start_server(server=Interface())
            except paramiko.SSHException:
                continue
            threading.Thread(target=self._session, args=(transport,), daemon=True).start()

    def _session(self, transport) -> None:
        channel = transport.accept(10)
        if channel is None:
            return
        buffer = bytearray()

        def readline():
            while b"\r" not in buffer and b"\n" not in buffer:
                data = channel.recv(1024)
                if not data:
                    return None
                buffer.extend(data)
            text = bytes(buffer).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            line, _sep, rest = text.partition(b"\n")
            buffer[:] = rest
            return line.decode().strip()

        try:
            if self.inner:
                channel.sendall(b"login: ")
                user = readline()
                channel.sendall(b"Password: ")
                password = readline()
                if (user, password) != tuple(self.inner):
                    channel.sendall(b"\r\nLogin incorrect\r\nlogin: ")
                    readline()
                    return
            channel.sendall(b"\r\ndebug> ")
            while True:
                line = readline()
                if line is None:
                    return
                self.lines.append(line)
                if line == "reset":
                    channel.sendall(b"Resetting the phone\r\n")
                    return
                if line == "show version":
                    channel.sendall(b"Model Number: CP-8845\r\nActive Load: sip8845_65.14-2-1\r\ndebug> ")
                else:
                    channel.sendall(b"debug> ")
        finally:
            channel.close()
            transport.close()

    def close(self) -> None:
        self.sock.close()


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 nothing listens on (taken, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def silent_tcp_server():
    """A TCP socket that accepts connections (by the kernel's backlog) but never answers."""
    sock = socket.create_server(("127.0.0.1", 0), backlog=16)
    return sock, sock.getsockname()[1]
