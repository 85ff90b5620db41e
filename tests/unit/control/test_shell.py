"""SSH (paramiko) and Telnet (plain sockets) consoles on loopback: logins, inner logins, commands, a reset
that takes the phone down, refused logins as AuthenticationFailed without the password in the message."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import ssh, telnet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.base import ShellWay
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.dialog import Closed, Dialog
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.errors import (
    AuthenticationFailed,
    UnprovenAddress,
    Unreachable,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials, Target

from .loopback import SshConsole, TelnetConsole, free_tcp_port


def phone(transport: str, port: int, password: str = "s3cret", model: str = "CP-8845") -> Target:
    return Target(
        mac="0cd0f8a1b2c3",
        vendor="cisco",
        model=model,
        address="127.0.0.1",
        ports={transport: port},
        credentials=Credentials("admin", password),
        timeout=3.0,
    )


@pytest.fixture(scope="module")
def ssh_console():
    console = SshConsole()
    yield console
    console.close()


@pytest.fixture
def telnet_console():
    console = TelnetConsole()
    yield console
    console.close()


def test_ssh_logs_in_twice_and_reads_a_command(ssh_console):
    outputs, fingerprint = ssh.run(phone("ssh", ssh_console.port), ["show version"], inner_login=("debug", "debug"))
    assert outputs == ["Model Number: CP-8845\nActive Load: sip8845_65.14-2-1"]
    assert fingerprint.startswith("ssh-rsa ")


def test_ssh_reset_ends_the_session_and_that_is_success(ssh_console):
    outputs, _key = ssh.run(phone("ssh", ssh_console.port), ["reset"], ("debug", "debug"), disconnects=True)
    assert outputs == [""]
    assert ssh_console.lines[-1] == "reset"


def test_ssh_wrong_password_is_refused_without_showing_it(ssh_console):
    with pytest.raises(AuthenticationFailed) as caught:
        ssh.run(phone("ssh", ssh_console.port, password="Wr0ng-pass"), ["reset"], ("debug", "debug"))
    assert "the login 'admin' was refused" in str(caught.value)
    assert "Wr0ng-pass" not in str(caught.value)


def test_ssh_wrong_inner_login_is_refused(ssh_console):
    with pytest.raises(AuthenticationFailed, match="the login 'debug' was refused"):
        ssh.run(phone("ssh", ssh_console.port), ["reset"], ("debug", "nope"))


def test_ssh_to_a_closed_port_is_unreachable():
    with pytest.raises(Unreachable, match=r"SSH 127\.0\.0\.1"):
        ssh.run(phone("ssh", free_tcp_port()), ["reset"])


def test_telnet_refuses_options_logs_in_and_runs_commands(telnet_console):
    outputs = telnet.run(phone("telnet", telnet_console.port, model="CP-3905"), ["show version", "reset"], True)
    assert outputs[0] == "Model Number: CP-3905\nActive Load: CP3905.9-4-1SR3"
    assert telnet_console.lines == ["show version", "reset"]
    # DO TERMINAL-TYPE answered WONT, WILL ECHO answered DONT
    refused = b"".join(telnet_console.refusals)
    assert b"\xff\xfc\x18" in refused and b"\xff\xfe\x01" in refused


def test_telnet_wrong_password_is_refused(telnet_console):
    with pytest.raises(AuthenticationFailed, match=r"Telnet 127\.0\.0\.1:.*the login 'admin' was refused"):
        telnet.run(phone("telnet", telnet_console.port, password="bad"), ["reset"], True)


def test_telnet_to_a_closed_port_is_unreachable():
    with pytest.raises(Unreachable, match="connection refused"):
        telnet.run(phone("telnet", free_tcp_port()), ["reset"])


def test_the_telnet_negotiator_keeps_text_split_across_reads():
    sent = []

    class Sock:
        def sendall(self, data):
            sent.append(data)

    negotiator = telnet._Negotiator(Sock())
    assert negotiator.feed(b"log\xff") == b"log"
    assert negotiator.feed(b"\xfd") == b""
    assert negotiator.feed(b"\x03in: \xff\xff") == b"in: \xff"
    assert sent == [b"\xff\xfc\x03"]
    assert negotiator.feed(b"\xff\xfa\x18\x01\xff\xf0ok") == b"ok"


def test_a_dialog_that_never_prompts_times_out_with_what_it_saw():
    dialog = Dialog("phone", "Telnet x", lambda timeout: b"banner only\r\n", lambda data: None)
    with pytest.raises(Unreachable, match=r"no expected prompt within 0\.2 s .*banner only"):
        dialog.login("admin", "x", 0.2)


def test_a_command_that_closes_the_stream_is_fine_only_when_expected():
    def closed(_timeout):
        raise Closed

    dialog = Dialog("phone", "SSH x", closed, lambda data: None)
    assert dialog.command("reset", 1, disconnects=True) == ""
    with pytest.raises(Unreachable, match="closed the connection after 'show'"):
        dialog.command("show", 1)


def test_no_login_goes_to_an_address_the_inventory_marked_unproven(telnet_console):
    target = replace(phone("telnet", telnet_console.port), address_proven=False)
    way = ShellWay(transport="telnet", commands=("reset",), reboots=True, verified=False)
    with pytest.raises(UnprovenAddress) as caught:
        way.send(target)
    assert "telnet login: not sent" in str(caught.value) and "s3cret" not in str(caught.value)
    assert telnet_console.lines == []  # nothing reached the console, the login least of all
