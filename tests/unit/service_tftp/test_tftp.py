"""The provisioning service over real TFTP: Debian's tftp-hpa client, and raw UDP for what it never sends.

Cisco enterprise phones fetch their files over TFTP in this order (research/unify-cisco.md): the security
files ``CTLSEP<MAC>.tlv`` and ``ITLSEP<MAC>.tlv`` (absent without a CUCM: the phone goes on), then
``SEP<MAC>.cnf.xml``, or ``XMLDefault.cnf.xml`` when the server has none for it. Every request goes
through the same provisioner as HTTP, so it is recognised and journaled the same way.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import ServiceSettings
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.status import NO_CONFIG, phone_rows
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store
from phonefleet_service.app import Service
from phonefleet_service.tftp import MAX_SESSIONS

from tests.support.service import killed, published_site, served_lines, service_command

from .conftest import DATA, ERROR, OACK, RRQ, TIMEOUT, WRQ, Packet, RawClient, ack, request

MAC = "0cd0f8a1b2c3"
SEP = "SEP0CD0F8A1B2C3"
UNKNOWN_MAC = "0cd0f8fedcba"
FIRMWARE = "firmware/sip8845_65.14-3-1-0001-60.loads"
NOT_FOUND, ACCESS_VIOLATION, ILLEGAL, UNKNOWN_TID = 1, 2, 4, 5


def published(tftp, name: str) -> bytes:
    return (tftp.web_root / name).read_bytes()


def files_of(root) -> dict:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# -- what phones do ----------------------------------------------------------------------------------------


def test_a_cisco_phone_boots_over_tftp(tftp, tftp_hpa):
    since = time.time()
    steps = [
        (f"CTLSEP{SEP[3:]}.tlv", None, "not-found"),
        (f"ITLSEP{SEP[3:]}.tlv", None, "not-found"),
        (f"{SEP}.cnf.xml", published(tftp, f"{SEP}.cnf.xml"), "served"),
        (f"{SEP}-dialplan.xml", published(tftp, f"{SEP}-dialplan.xml"), "served"),
    ]
    for name, expected, _result in steps:
        data, messages = tftp_hpa.get(tftp.port, name)
        if expected is None:
            assert "Error code 1: File not found" in messages
            assert data == b""
        else:
            assert messages == ""
            assert data == expected
    rows = tftp.journal(since)
    assert [(row["file"], row["protocol"], row["mac"], row["result"]) for row in rows] == [
        (name, "tftp", MAC, result) for name, _expected, result in steps
    ]
    assert {row["ip"] for row in rows} == {"127.0.0.1"}
    assert [row["code"] for row in rows] == [404, 404, 200, 200]


def test_an_unknown_phone_falls_back_to_the_base_file_and_shows_as_status_0(tftp, tftp_hpa):
    since = time.time()
    unknown = f"SEP{UNKNOWN_MAC.upper()}.cnf.xml"
    data, messages = tftp_hpa.get(tftp.port, unknown)
    assert "Error code 1: File not found" in messages and data == b""
    data, messages = tftp_hpa.get(tftp.port, "XMLDefault.cnf.xml")
    assert messages == "" and data == published(tftp, "XMLDefault.cnf.xml")
    rows = tftp.journal(since)
    assert [(row["file"], row["mac"], row["vendor"], row["result"], row["code"]) for row in rows] == [
        (unknown, UNKNOWN_MAC, "cisco", "not-found", 404),
        ("XMLDefault.cnf.xml", None, "cisco", "base", 200),
    ]
    contact = tftp.contacts()[UNKNOWN_MAC]
    assert contact["ip"] == "127.0.0.1"
    snapshot = tftp.service.published.snapshot()
    rows = phone_rows(snapshot, tftp.contacts(), [], lambda assignment: None)
    assert {row["mac"]: row["status"] for row in rows}[UNKNOWN_MAC] == NO_CONFIG


def test_firmware_is_streamed_from_its_published_file(tftp, tftp_hpa):
    data, messages = tftp_hpa.get(tftp.port, FIRMWARE)
    assert messages == "" and data == published(tftp, FIRMWARE)


def test_netascii_sends_cr_lf_line_ends_which_the_client_turns_back(tftp, tftp_hpa):
    original = published(tftp, "XMLDefault.cnf.xml")
    assert b"\r" not in original and b"\n" in original
    data, messages = tftp_hpa.get(tftp.port, "XMLDefault.cnf.xml", mode="ascii")
    assert messages == "" and data == original
    client = tftp.raw()
    _first, data, _sizes = client.fetch("XMLDefault.cnf.xml", mode="netascii")
    client.close()
    assert data == original.replace(b"\n", b"\r\n")


def test_phones_booting_together_each_get_their_own_file(tftp, tftp_hpa):
    names = [f"{SEP}.cnf.xml", "SEP001B54C2D3E4.cnf.xml", "SEP2C3F38AA0001.cnf.xml", "XMLDefault.cnf.xml"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda name: tftp_hpa.get(tftp.port, name), names))
    assert [data for data, _messages in results] == [published(tftp, name) for name in names]
    assert tftp.idle()


# -- options (RFC 2347, 2348, 2349) --------------------------------------------------------------------------


def test_blksize_tsize_and_timeout_are_negotiated_with_an_oack(tftp):
    name = f"{SEP}.cnf.xml"
    expected = published(tftp, name)
    client = tftp.raw()
    first, data, sizes = client.fetch(name, blksize=1428, tsize=0, timeout=2)
    client.close()
    assert first.opcode == OACK
    assert first.options == {"blksize": "1428", "tsize": str(len(expected)), "timeout": "2"}
    assert data == expected
    assert sizes[:-1] == [1428] * (len(expected) // 1428) and sizes[-1] == len(expected) % 1428


@pytest.mark.parametrize(
    ("options", "oack"),
    [
        ({"blksize": 0}, None),  # below RFC 2348's 8: ignored
        ({"blksize": 7}, None),
        ({"blksize": 100000}, {"blksize": "65464"}),  # the largest block a UDP datagram carries
        ({"blksize": "junk"}, None),
        ({"blksize": "-512"}, None),
        ({"blksize": "1" * 40}, None),
        ({"BlkSize": 8}, {"blksize": "8"}),  # option names are case-insensitive
        ({"tsize": "junk"}, None),
        ({"timeout": 0}, None),  # RFC 2349: 1 to 255 seconds
        ({"timeout": 256}, None),
        ({"timeout": 11}, None),  # allowed by RFC 2349, but a silent client would hold its transfer too long
        ({"windowsize": 4, "multicast": ""}, None),  # options we do not offer are left out of the answer
        ({"tsize": 0, "windowsize": 4}, {"tsize": "1176"}),
    ],
    ids=str,
)
def test_absurd_options_are_ignored_and_the_file_is_still_sent(tftp, options, oack):
    expected = published(tftp, "XMLDefault.cnf.xml")
    assert len(expected) == 1176  # the default registrar names a callManagerGroup
    client = tftp.raw()
    first, data, _sizes = client.fetch("XMLDefault.cnf.xml", **options)
    client.close()
    if oack is None:
        assert first.opcode == DATA and first.block == 1  # no OACK: plain RFC 1350
    else:
        assert first.opcode == OACK and first.options == oack
    assert data == expected


# -- what only attackers and broken clients do ---------------------------------------------------------------

TRAVERSALS = [
    "../../etc/passwd",
    "../../../../../../../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e/%252e%252e/etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "..\\..\\etc\\passwd",
    "\\etc\\passwd",
    "firmware/../../../etc/passwd",
    "firmware/../.phonefleet/manifest.json",
    ".phonefleet/manifest.json",  # inside the web root, but never published
    "./XMLDefault.cnf.xml/../../state.db",
    "",
    ".",
    "..",
]


def test_a_path_out_of_the_web_root_is_not_found_and_journaled(tftp):
    since = time.time()
    clients = {name: tftp.raw() for name in TRAVERSALS}
    for name, client in clients.items():
        client.send(request(RRQ, name, blksize=1428, tsize=0))
    for name, client in clients.items():
        assert client.receive() == Packet(ERROR, NOT_FOUND, b"File not found"), name
    time.sleep(2 * TIMEOUT)
    for name, client in clients.items():
        assert client.receive(timeout=0.01) is None, name  # and nothing else, not even later
        client.close()
    rows = tftp.journal(since)
    assert {row["file"] for row in rows if row["result"] == "not-found"} == {".phonefleet/manifest.json", "etc/passwd"}
    assert [(row["protocol"], row["code"]) for row in rows] == [("tftp", 404)] * len(TRAVERSALS)
    assert {row["result"] for row in rows} == {"rejected", "not-found"}


@pytest.mark.parametrize(
    "raw_name", [b"\xff\xfe\xc3\xa9.cnf.xml", b"SEP0CD0F8A1B2C3.cnf.xml\x7f", b"\xc0\xae\xc0\xae/etc/passwd"]
)
def test_a_name_that_is_not_printable_ascii_is_rejected_and_journaled(tftp, raw_name):
    since = time.time()
    client = tftp.raw()
    client.send(request(RRQ, raw_name))
    assert client.receive() == Packet(ERROR, NOT_FOUND, b"File not found")
    client.close()
    [row] = tftp.journal(since)
    assert (row["protocol"], row["result"], row["code"]) == ("tftp", "rejected", 404)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\etc\\passwd", "%252e%252e/etc/passwd"])
def test_tftp_hpa_gets_nothing_out_of_the_web_root(tftp, tftp_hpa, name):
    data, messages = tftp_hpa.get(tftp.port, name)
    assert "Error code 1: File not found" in messages
    assert data == b""


def test_a_write_request_is_refused_and_writes_nothing(tftp, tftp_hpa, tmp_path):
    before = files_of(tftp.directory)
    evil = b"\0\3\0\1" + b"evil" * 10  # a DATA block, as if the write had been accepted
    for name in (f"{SEP}.cnf.xml", "evil.cfg", "../evil.cfg", "/tmp/evil.cfg"):
        client = tftp.raw()
        client.send(request(WRQ, name, blksize=512))
        answer = client.receive()
        assert (answer.opcode, answer.block, answer.data) == (ERROR, ACCESS_VIOLATION, b"Access violation")
        client.send(evil)  # to the refusal's port: closed
        assert client.receive(timeout=TIMEOUT) is None
        client.send(evil, to=client.server)
        assert client.receive().opcode == ERROR  # not a request
        client.close()
    upload = tmp_path / "evil.cfg"
    upload.write_bytes(b"evil")
    assert "Error code 2: Access violation" in tftp_hpa.put(tftp.port, upload, "evil.cfg")
    assert tftp.idle()
    assert files_of(tftp.directory) == before
    assert not os.path.exists("/tmp/evil.cfg")


MALFORMED = [
    b"",
    b"\0",
    b"\0\1",
    b"\0\1SEP0CD0F8A1B2C3.cnf.xml",  # no terminator
    b"\0\1SEP0CD0F8A1B2C3.cnf.xml\0octet",  # mode without terminator
    b"\0\1SEP0CD0F8A1B2C3.cnf.xml\0octet\0blksize\0",  # an option without its value
    b"\0\1SEP0CD0F8A1B2C3.cnf.xml\0octet\0blksize\x001428",  # value without terminator
    request(RRQ, f"{SEP}.cnf.xml", mode="mail"),
    request(RRQ, f"{SEP}.cnf.xml", mode="binary"),
    request(RRQ, f"{SEP}.cnf.xml", mode=""),
    b"\0\x09whatever\0octet\0",  # unknown opcodes
    b"\xff\xff",
    b"\0\0\0\0",
    b"\0\3\0\1data",  # a transfer's packets where a request belongs
    b"\0\4\0\1",
    b"\0\4\0",
    b"\0\5\0\1oops\0",
    b"\0\6blksize\0" + b"512\0",
    b"\0\1" + b"A" * 60000 + b"\0octet\0",  # oversized
    b"\0\1" + b"a\0" * 30000,
]


def test_malformed_packets_are_refused_and_the_server_goes_on(tftp):
    for raw in MALFORMED:
        client = tftp.raw()
        client.send(raw)
        answer = client.receive()
        assert answer is not None and (answer.opcode, answer.block) == (ERROR, ILLEGAL), raw[:40]
        client.close()
    assert tftp.thread.is_alive() and tftp.idle()
    client = tftp.raw()
    _first, data, _sizes = client.fetch(f"{SEP}.cnf.xml")
    client.close()
    assert data == published(tftp, f"{SEP}.cnf.xml")


def test_junk_in_the_middle_of_a_transfer_ends_that_transfer_only(tftp):
    name = f"{SEP}.cnf.xml"
    broken, sound = tftp.raw(), tftp.raw()
    broken.send(request(RRQ, name))
    sound.send(request(RRQ, name))
    broken_first, sound_first = broken.receive(), sound.receive()
    assert broken_first.block == sound_first.block == 1
    broken.send(b"\0\4\0")  # a truncated ACK
    assert sound.rest(sound_first, 512)[0] == published(tftp, name)
    assert broken.receive(timeout=2 * TIMEOUT) is None  # that transfer is over
    broken.close()
    sound.close()
    assert tftp.idle()


def test_a_client_that_vanishes_mid_transfer_is_given_up_and_the_server_goes_on(tftp):
    client = tftp.raw()
    client.send(request(RRQ, f"{SEP}.cnf.xml"))
    first = client.receive()
    assert (first.opcode, first.block) == (DATA, 1)
    again = client.receive(timeout=5 * TIMEOUT)  # no ACK: the block comes again, one timeout later
    assert (again.opcode, again.block, again.data) == (DATA, 1, first.data)
    client.close()  # and the client is gone
    assert tftp.idle(within=10 * TIMEOUT + 2)
    client = tftp.raw()
    _first, data, _sizes = client.fetch("XMLDefault.cnf.xml")
    client.close()
    assert data == published(tftp, "XMLDefault.cnf.xml")


def test_a_client_that_aborts_with_an_error_ends_its_transfer(tftp):
    client = tftp.raw()
    client.send(request(RRQ, FIRMWARE, tsize=0))  # the tsize probe some boot loaders make, then abort
    assert client.receive() == Packet(OACK, options={"tsize": str(len(published(tftp, FIRMWARE)))})
    client.send(b"\0\5\0\x08size only\0")
    assert tftp.idle(within=1)
    assert client.receive(timeout=2 * TIMEOUT) is None
    client.close()


def test_a_packet_from_another_transfer_id_gets_error_5_and_the_transfer_goes_on(tftp):
    name = f"{SEP}.cnf.xml"
    client, stranger = tftp.raw(), tftp.raw()
    client.send(request(RRQ, name))
    first = client.receive()
    stranger.send(ack(1), to=client.peer)
    answer = stranger.receive()
    assert (answer.opcode, answer.block) == (ERROR, UNKNOWN_TID)
    data, _sizes = client.rest(first, 512)
    assert data == published(tftp, name)
    client.close()
    stranger.close()


def test_answers_come_from_the_listening_address_only(tftp):
    client = tftp.raw()
    client.send(request(RRQ, f"{SEP}.cnf.xml"))
    assert client.receive().opcode == DATA
    transfer = tftp.server.sessions[client.sock.getsockname()]
    assert transfer.sock.getsockname()[0] == "127.0.0.1"
    client.send(b"\0\5\0\0done\0")
    client.close()
    assert tftp.idle()


def test_a_retransmitted_request_does_not_start_a_second_transfer(tftp):
    client = tftp.raw()
    for _attempt in range(3):
        client.send(request(RRQ, "XMLDefault.cnf.xml", blksize=1428))  # one block: the whole file
    assert client.receive().opcode == OACK
    client.send(ack(0))
    packet = client.receive()
    assert (packet.opcode, packet.data) == (DATA, published(tftp, "XMLDefault.cnf.xml"))
    client.send(ack(1))
    assert client.receive(timeout=2 * TIMEOUT) is None
    client.close()
    assert tftp.idle()


FLOODER = "127.0.0.66"  # another address of 127/8: the tests run as root, any of them can be a source
FLOOD = 520  # unacknowledged read requests, each from its own port: more than the server's 512 transfers


def test_a_flood_from_one_address_leaves_the_other_phones_served_and_is_journaled_once_per_burst(tftp, tftp_hpa):
    since = time.time()
    flood = []
    try:
        for index in range(FLOOD):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            flood.append(sock)
            sock.bind((FLOODER, 0))
            sock.sendto(request(RRQ, f"{SEP}.cnf.xml"), ("127.0.0.1", tftp.port))
            if index % 40 == 39:
                time.sleep(0.02)  # paced, so that no request is lost in a full socket buffer: the server sees them all
        time.sleep(0.2)
        held = sum(1 for client in tftp.server.sessions if client[0] == FLOODER)
        started = time.monotonic()
        data, messages = tftp_hpa.get(tftp.port, f"{SEP}.cnf.xml")  # a phone at 127.0.0.1, meanwhile
        waited = time.monotonic() - started
    finally:
        for sock in flood:
            sock.close()
    assert messages == "" and data == published(tftp, f"{SEP}.cnf.xml")
    assert waited < 2, f"the phone waited {waited:.1f} s"  # tftp-hpa retransmits only after 5 s
    assert held == 8  # the cap per address (the setting's default); the rest of the flood was dropped
    # the flood's transfers are never acknowledged: given up after 5 timeouts, they free their slots
    assert tftp.idle(within=6 * TIMEOUT + 2)
    client = tftp.raw(source=FLOODER)
    _first, data, _sizes = client.fetch("XMLDefault.cnf.xml")
    client.close()
    assert data == published(tftp, "XMLDefault.cnf.xml")  # the address is served again afterwards
    rows = [row for row in tftp.journal(since) if row["ip"] == FLOODER and row["result"] == "refused"]
    # one row when the burst began, one when it ended: every dropped request counted, none journaled alone
    assert [(row["protocol"], row["code"], row["evidence"]) for row in rows] == [
        ("tftp", 429, "too-many-transfers,dropped:1"),
        ("tftp", 429, f"too-many-transfers,dropped:{FLOOD - 8 - 1}"),
    ]


def test_requests_dropped_when_every_transfer_is_taken_are_logged_once_not_each(tftp, caplog):
    clients = [tftp.raw(source=f"127.0.0.{70 + index}") for index in range(20)]  # 20 addresses, 1 request each
    tftp.server.max_sessions = 3
    try:
        with caplog.at_level(logging.WARNING, logger="phonefleet.tftp"):
            for client in clients:
                client.send(request(RRQ, f"{SEP}.cnf.xml"))
            time.sleep(0.3)
            answered = sum(client.receive(timeout=0.01) is not None for client in clients)
    finally:
        tftp.server.max_sessions = MAX_SESSIONS
        for client in clients:
            client.close()
    assert answered == 3
    assert [record.getMessage() for record in caplog.records] == ["tftp: 3 transfers under way; 1 requests dropped"]
    assert tftp.idle(within=6 * TIMEOUT + 2)


# -- the command: python -m phonefleet_service tftp -----------------------------------------------------------


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_command_serves_until_a_signal_then_flushes_the_journal_and_exits_0(tftp_site, tftp_hpa, tmp_path, stop):
    port = free_udp_port()
    config = tmp_path / "service.yml"
    database = tmp_path / "state.db"
    config.write_text(
        f"web_root: {tftp_site / 'www'}\n"
        f"database_url: sqlite:///{database}\n"
        "tftp_host: 127.0.0.1\n"
        f"tftp_port: {port}\n"
        "journal_flush_seconds: 3600\n"  # only the flush on the way out writes the journal
        "log_level: debug\n"
    )
    process = service_command("tftp", config, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        client = RawClient(port)
        deadline = time.monotonic() + 20
        while True:  # until it answers
            client.send(request(RRQ, "ready-probe.txt"))
            answer = client.receive(timeout=0.2)
            if answer is not None or process.poll() is not None or time.monotonic() > deadline:
                break
        client.close()
        assert answer == Packet(ERROR, NOT_FOUND, b"File not found")
        name = f"{SEP}.cnf.xml"
        data, messages = tftp_hpa.get(port, name)
        assert messages == "" and data == (tftp_site / "www" / name).read_bytes()
        process.send_signal(stop)
        _stdout, log = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, log
    assert "tftp: serving" in log and "tftp: stopped" in log
    assert name not in log and "ready-probe" not in log  # file names (access keys) stay out of the log
    store = Store.open(f"sqlite:///{database}")
    try:
        rows = [(row["file"], row["protocol"], row["result"]) for row in reversed(store.journal())]
    finally:
        store.close()
    assert rows[-2:] == [("ready-probe.txt", "tftp", "not-found"), (name, "tftp", "served")]


def test_the_version_served_over_tftp_is_saved_before_the_answer(tmp_path):
    """A phone's status must not hang on a journal flush to come: the real TFTP command, killed with SIGKILL
    after a phone got its file, loses its journal (never flushed here), not the version it served, which is in
    its served log before the first block leaves; the next process to start writes it into the contacts."""
    published_site(tmp_path)
    port = free_udp_port()
    config = tmp_path / "service.yml"
    database = tmp_path / "state.db"
    config.write_text(
        f"web_root: {tmp_path / 'www'}\n"
        f"database_url: sqlite:///{database}\n"
        "tftp_host: 127.0.0.1\n"
        f"tftp_port: {port}\n"
        "journal_flush_seconds: 3600\n"  # nothing of the journal reaches the database before the kill
        "secret: test-secret-for-nonces\n"
    )
    name = f"{SEP}.cnf.xml"
    with killed(service_command("tftp", config, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)) as process:
        client = RawClient(port)
        try:
            deadline = time.monotonic() + 20
            first = None
            while first is None and process.poll() is None and time.monotonic() < deadline:
                client.send(request(RRQ, name))
                first = client.receive(timeout=0.2)
            assert first is not None and first.opcode == DATA and first.block == 1, first
            # the first block is here: the version it is of is on disk already (the rest need not come)
            assert [line[1] for line in served_lines(tmp_path / "state.db-served")] == [SEP[3:].lower()]
        finally:
            client.close()

    store = Store.open(f"sqlite:///{database}")
    try:
        assert store.fetched_versions() == {}  # the journal is lost with the process
        version = json.loads((tmp_path / "www" / ".phonefleet" / "manifest.json").read_text())["phones"]
        settings = ServiceSettings(web_root=str(tmp_path / "www"), database_url=f"sqlite:///{database}")
        restarted = Service(settings)  # a process starting: it replays the logs of those that are gone
        restarted.stop()
        assert store.fetched_versions() == {SEP[3:].lower(): version[SEP[3:].lower()]["version"]}
        assert list((tmp_path / "state.db-served").iterdir()) == []  # replayed, then deleted
    finally:
        store.close()
