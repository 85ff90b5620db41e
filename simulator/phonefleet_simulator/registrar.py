"""A real SIP registrar on loopback: Debian's Kamailio, given its subscribers as a real one is.

``make demo`` registers the simulated phones with it, and the SIP tests (tests/unit/sip) check what each
phone read from its files against it.

A registrar knows the accounts someone made on it, not the fleet: it is given a Kamailio ``db_text``
database (the tables ``subscriber``, ``uri`` and ``version`` of Kamailio's own schema), as the collection's
``registrar_export`` writes it (``playbooks/registrar_export.yml``), and Kamailio itself reads it
(``auth_db`` and ``uri_db`` over ``db_text``). Nothing here takes subscribers or passwords from the
collection's loader or publish bundle: the simulator would then agree with the collection by construction
(issue 11, item 10), and a pool number whose password the export does not carry would still register.

:func:`start_registrar` renders a ``kamailio.cfg`` for a database directory into a directory of its own,
starts ``kamailio -DD -E`` in the foreground (UDP and TCP on the same free port of 127.0.0.1, output to
``kamailio.log`` there), waits until it answers and returns a :class:`Registrar`, stopped by
:meth:`Registrar.stop`; :func:`running_registrar` is the same as a context manager.

What the configuration does, with the modules of Debian's ``kamailio`` package:

- a REGISTER without credentials is challenged (``www_challenge``, realm = the To domain);
- ``www_authorize`` (auth_db) checks the credentials against ``subscriber`` (auth user -> password; the
  domain is not used, ``use_domain`` 0): an unknown auth user or a wrong password is answered
  ``403 Forbidden`` with the reason in the phrase (a phone stops there rather than retry) — auth_db's
  return codes, kamailio.org/docs/modules/5.6.x/modules/auth_db.html#auth_db.f.www_authorize: -3 user
  unknown, -2 invalid password, -4/-6 stale or reused nonce (challenged again);
- an auth user registers its own AOR user, or one ``uri`` lists for it (``check_to``, uri_db with
  ``use_uri_table``), else 403; a good one is saved by ``registrar`` in ``usrloc``, in memory, with the
  domain (``use_domain``), so the location table shows ``user@domain`` as the phone registered it; any
  other request gets 405;
- ``jsonrpcs`` answers on a Unix datagram socket in the directory: :meth:`Registrar.location` reads
  ``ul.dump`` through it.

The domain is recorded, not enforced: a generic registrar (Asterisk, a single-domain Kamailio) takes
any. When Kamailio is missing, :func:`kamailio_missing` says so; ``make setup`` installs it.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import itertools
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .ports import free_port

KAMAILIO = "kamailio"
#: the longest path a Unix socket may have (sun_path is 108 bytes with the final NUL)
_MAX_SOCKET_PATH = 107
_clients = itertools.count()

_CONFIG = """\
#!KAMAILIO
# Rendered by phonefleet_simulator.registrar: a registrar on 127.0.0.1:{port}, subscribers in {database}.
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
dns=no
rev_dns=no
dns_try_ipv6=no
use_dns_cache=off
listen=udp:127.0.0.1:{port}
listen=tcp:127.0.0.1:{port}
{tls_listen}
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "db_text.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "uri_db.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "jsonrpcs.so"
{tls_module}
modparam("auth_db", "db_url", "text://{database}")
modparam("auth_db", "calculate_ha1", yes)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "use_domain", 0)
modparam("uri_db", "db_url", "text://{database}")
modparam("uri_db", "use_uri_table", 1)
modparam("uri_db", "db_table", "uri")
modparam("uri_db", "use_domain", 0)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 1)
modparam("registrar", "max_expires", 7200)
modparam("auth", "secret", "{nonce_secret}")
modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "{rpc_socket}")

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (!is_method("REGISTER")) {{
        if (!is_method("ACK")) {{
            sl_send_reply("405", "Method Not Allowed");
        }}
        exit;
    }}
    if (!is_present_hf("Authorization")) {{
        www_challenge("$td", "0");
        exit;
    }}
    if (!www_authorize("$td", "subscriber")) {{
        $var(auth) = $rc;
        if ($var(auth) == -3) {{
            xlog("L_NOTICE", "REGISTER $tu refused: unknown auth user $au\\n");
            sl_send_reply("403", "Forbidden (unknown auth user)");
            exit;
        }}
        if ($var(auth) == -2) {{
            xlog("L_NOTICE", "REGISTER $tu refused: wrong password for $au\\n");
            sl_send_reply("403", "Forbidden (wrong password)");
            exit;
        }}
        www_challenge("$td", "0");
        exit;
    }}
    if ($au != $tU && !check_to()) {{
        xlog("L_NOTICE", "REGISTER $tu refused: $au may not register $tU\\n");
        sl_send_reply("403", "Forbidden (user not allowed)");
        exit;
    }}
    consume_credentials();
    if (!save("location")) {{
        sl_reply_error();
    }}
    exit;
}}
"""


class RegistrarUnavailable(Exception):
    """Kamailio is not installed here or would not start; the message says which and why."""


#: the tables a db_text database must have for this configuration (auth_db, uri_db and their versions)
TABLES = ("version", "subscriber", "uri")


def subscriber_count(database: Path) -> int:
    """How many rows ``database``'s ``subscriber`` table has (for messages; Kamailio reads the table itself)."""
    return sum(1 for row in (Path(database) / "subscriber").read_text().splitlines()[1:] if row.strip())


def kamailio_missing() -> str | None:
    """Why Kamailio cannot be used here, or None."""
    if shutil.which(KAMAILIO) is None and not Path("/usr/sbin/kamailio").exists():
        return "kamailio is not installed (make setup installs it: apt-get install kamailio)"
    return None


def kamailio_tls_missing() -> str | None:
    """Why Kamailio cannot listen on TLS here (its ``tls`` module is a package of its own), or None."""
    if not list(Path("/usr/lib").glob("*/kamailio/modules/tls.so")) + list(
        Path("/usr/lib").glob("kamailio/modules/tls.so")
    ):
        return "Kamailio's TLS module is not installed (make setup installs it: apt-get install kamailio-tls-modules)"
    return None


def _tls_files(directory: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 and Kamailio's ``tls.cfg`` naming it, in ``directory``; the tls.cfg.

    The phones' side (baresip) does not verify it: what the tests check is the transport the files name.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (directory / "tls-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "tls-certificate.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    config = directory / "tls.cfg"
    config.write_text(
        "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
        f"private_key = {directory / 'tls-key.pem'}\ncertificate = {directory / 'tls-certificate.pem'}\n"
    )
    return config


def _binary() -> str:
    return shutil.which(KAMAILIO) or "/usr/sbin/kamailio"


def render_config(database: Path, port: int, rpc_socket: Path, tls: tuple[int, Path] | None = None) -> str:
    """kamailio.cfg for the db_text ``database`` directory (absolute), on ``port`` (UDP and TCP) and, with
    ``tls`` = (port, tls.cfg), TLS."""
    missing = [table for table in TABLES if not (Path(database) / table).is_file()]
    if missing:
        raise RegistrarUnavailable(f"{database} is not a registrar export: no table {', '.join(missing)}")
    if any(ord(char) < 32 or char in '"\\' for char in str(database)):
        raise RegistrarUnavailable(f"{database!r}: cannot be written in kamailio.cfg")
    return _CONFIG.format(
        port=port,
        nonce_secret=os.urandom(16).hex(),
        rpc_socket=rpc_socket,
        database=database,
        tls_listen=f"enable_tls=yes\nlisten=tls:127.0.0.1:{tls[0]}\n" if tls else "",
        tls_module=f'loadmodule "tls.so"\nmodparam("tls", "config", "{tls[1]}")\n' if tls else "",
    )


def _free_port() -> int:
    """A port free for TCP and UDP on 127.0.0.1 (Kamailio listens on both)."""
    try:
        return free_port(udp=True)
    except OSError as exc:
        raise RegistrarUnavailable(str(exc)) from None


class Registrar:
    """A running Kamailio: ``port`` (UDP and TCP on 127.0.0.1), ``tls_port`` (None unless started with TLS),
    :meth:`location`, :meth:`rpc`."""

    def __init__(self, directory: Path, process: subprocess.Popen, port: int, tls_port: int | None = None) -> None:
        self.directory = directory
        self.process = process
        self.port = port
        self.tls_port = tls_port
        self.rpc_socket = directory / "rpc.sock"
        self.log = directory / "kamailio.log"

    def rpc(self, method: str, *params, timeout: float = 5.0):
        """Call a Kamailio RPC command over the jsonrpcs datagram socket; its ``result``."""
        client_path = self.directory / f"rpc-client-{os.getpid()}-{next(_clients)}.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as client:
            client.bind(str(client_path))
            try:
                client.settimeout(timeout)
                request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}
                client.sendto(json.dumps(request).encode(), str(self.rpc_socket))
                reply = json.loads(client.recv(1 << 20))
            finally:
                client_path.unlink(missing_ok=True)
        if "error" in reply:
            raise RuntimeError(f"kamailio {method}: {reply['error']}")
        return reply.get("result")

    def location(self) -> dict[str, list[dict]]:
        """The location table: {``user@domain``: [contact, ...]}, Kamailio's contacts (Address, Socket...)."""
        table: dict[str, list[dict]] = {}
        for domain in self.rpc("ul.dump")["Domains"]:
            for record in domain["Domain"].get("AoRs") or []:
                info = record["Info"]
                table[info["AoR"]] = [entry["Contact"] for entry in info.get("Contacts") or []]
        return table

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _ready(registrar: Registrar, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if registrar.process.poll() is not None:
            raise RegistrarUnavailable(f"kamailio exited with {registrar.process.returncode}:\n{registrar.tail()}")
        if registrar.rpc_socket.exists():
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                registrar.rpc("core.uptime", timeout=1)
                return
        if time.monotonic() > deadline:
            raise RegistrarUnavailable(f"kamailio did not answer within {timeout} s:\n{registrar.tail()}")
        time.sleep(0.05)


def start_registrar(directory: Path, database: Path, timeout: float = 15.0, *, tls: bool = False) -> Registrar:
    """Start Kamailio in ``directory`` (created) for the subscribers of the db_text ``database`` directory
    (a registrar export); stop it with :meth:`Registrar.stop`.

    With ``tls``, it listens on TLS too, on a port of its own (``tls_port``), with a self-signed certificate."""
    missing = kamailio_missing() or (kamailio_tls_missing() if tls else None)
    if missing:
        raise RegistrarUnavailable(missing)
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    rpc_socket = directory / "rpc.sock"
    if len(str(rpc_socket)) + 30 > _MAX_SOCKET_PATH:
        raise RegistrarUnavailable(f"{directory} is too long a path for Kamailio's control socket")
    database = Path(database).resolve()
    tls_config = _tls_files(directory) if tls else None
    last: RegistrarUnavailable  # set by every attempt that does not return
    for _attempt in range(3):  # a port may be taken between choosing and binding it
        port = _free_port()
        tls_port = _free_port() if tls_config else None
        config = directory / "kamailio.cfg"
        listen_tls = (tls_port, tls_config) if tls_port and tls_config else None
        config.write_text(render_config(database, port, rpc_socket, listen_tls))
        rpc_socket.unlink(missing_ok=True)
        with open(directory / "kamailio.log", "ab") as log:
            process = subprocess.Popen(
                [_binary(), "-f", str(config), "-DD", "-E", "-w", str(directory), "-m", "32", "-M", "8"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=directory,
            )
        registrar = Registrar(directory, process, port, tls_port)
        try:
            _ready(registrar, timeout)
            return registrar
        except RegistrarUnavailable as exc:
            registrar.stop()
            last = exc
            if "in use" not in str(exc):
                break
    raise last


@contextlib.contextmanager
def running_registrar(directory: Path, database: Path):
    registrar = start_registrar(directory, database)
    try:
        yield registrar
    finally:
        registrar.stop()
