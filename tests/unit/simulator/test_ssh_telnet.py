"""Cisco enterprise phones' debug access: SSH with paramiko's client (78xx/88xx), Telnet over a raw socket
(CP-3905). Login with the control credentials, ``show version``, ``reset`` reboots, a wrong password
changes nothing. What is verified: simulator/phonefleet_simulator/surfaces/cli.py.
"""

from __future__ import annotations

import socket
import time

import paramiko
import pytest

CP8845, CP7841, CP3905 = "0cd0f8a1b2c3", "001b54c2d3e4", "2c3f38aa0001"
IAC, WILL, WONT, DO, ECHO = 255, 251, 252, 253, 1


def read_until(receive, marker: bytes, timeout: float = 5) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        if time.monotonic() > deadline:
            raise AssertionError(f"{marker!r} not in {data!r}")
        chunk = receive()
        if not chunk:
            raise AssertionError(f"closed before {marker!r}: {data!r}")
        data += chunk
    return data


def ssh_client(handle, user: str, password: str) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # a throwaway simulated phone
    client.connect(
        handle.host,
        handle.ports["ssh"],
        username=user,
        password=password,
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return client


@pytest.fixture
def cisco(make_fleet):
    return make_fleet("cisco")


def test_ssh_show_version_and_reset(cisco, control):
    handle = cisco.phone(CP8845)
    device = handle.device
    assert handle.ports["ssh"] == 22
    boots = device.boot_count
    client = ssh_client(handle, *control)
    try:
        shell = client.invoke_shell()
        shell.settimeout(5)
        read_until(lambda: shell.recv(4096), b"debug> ")
        shell.send(b"show version\n")
        version = read_until(lambda: shell.recv(4096), b"debug> ").decode()
        assert "Model Number: CP-8845" in version
        assert "Active Load: sip8845_65.14-3-1-0001-60" in version
        assert "Host Name: SEP0CD0F8A1B2C3" in version
        shell.send(b"nonsense\n")
        assert b"Unknown command: nonsense" in read_until(lambda: shell.recv(4096), b"debug> ")
        assert device.reboot_count == 0
        shell.send(b"reset\n")
        assert b"Resetting" in read_until(lambda: shell.recv(4096), b"Resetting")
    finally:
        client.close()
    cisco.wait_for(lambda: device.reboot_count == 1)
    cisco.settle()
    assert device.boot_count == boots + 1
    assert device.kinds()[-3:] == ["control", "reboot", "boot"]
    assert device.events[-1].cause == "ssh reset"


def test_ssh_wrong_password_fails_and_changes_nothing(cisco, control):
    handle = cisco.phone(CP7841)
    with pytest.raises(paramiko.AuthenticationException):
        ssh_client(handle, control[0], control[1] + "x")
    with pytest.raises(paramiko.AuthenticationException):
        ssh_client(handle, "root", control[1])
    cisco.settle()
    assert handle.device.kinds().count("auth-failed") == 2
    assert handle.device.reboot_count == 0


def test_ssh_exit_and_no_exec(cisco, control):
    handle = cisco.phone(CP7841)
    client = ssh_client(handle, *control)
    try:
        with pytest.raises(paramiko.SSHException):
            client.exec_command("reset")
        shell = client.invoke_shell()
        shell.settimeout(5)
        read_until(lambda: shell.recv(4096), b"debug> ")
        shell.send(b"exit\r\n")
        deadline = time.monotonic() + 5
        while not shell.closed and shell.recv(4096) and time.monotonic() < deadline:
            pass
    finally:
        client.close()
    cisco.settle()
    assert handle.device.reboot_count == 0


def test_ssh_second_debug_login(make_fleet, control):
    fleet = make_fleet("cisco", second_login=("debug", "debug"))
    handle = fleet.phone(CP8845)
    client = ssh_client(handle, *control)
    try:
        shell = client.invoke_shell()
        shell.settimeout(5)
        read_until(lambda: shell.recv(4096), b"login: ")
        shell.send(b"debug\r")
        read_until(lambda: shell.recv(4096), b"Password: ")
        shell.send(b"debug\r")
        read_until(lambda: shell.recv(4096), b"debug> ")
        shell.send(b"show version\r")
        assert b"CP-8845" in read_until(lambda: shell.recv(4096), b"debug> ")
    finally:
        client.close()


def test_the_3905_has_telnet_not_ssh(cisco, control):
    handle = cisco.phone(CP3905)
    device = handle.device
    assert "ssh" not in handle.ports
    assert handle.ports["telnet"] == 23
    with socket.create_connection((handle.host, 23), timeout=5) as sock:
        sock.sendall(bytes([IAC, DO, 3, IAC, WILL, 24]))  # what a telnet client opens with: ignored
        read_until(lambda: sock.recv(1024), b"login: ")
        sock.sendall(control[0].encode() + b"\r\n")
        prompt = read_until(lambda: sock.recv(1024), b"Password: ")
        assert bytes([IAC, WILL, ECHO]) in prompt  # the password is not echoed
        sock.sendall(control[1].encode() + b"\r\n")
        welcome = read_until(lambda: sock.recv(1024), b"debug> ")
        assert bytes([IAC, WONT, ECHO]) in welcome
        sock.sendall(b"show version\r\n")
        version = read_until(lambda: sock.recv(1024), b"debug> ").decode("latin-1")
        assert "Model Number: CP-3905" in version
        assert "Phone DN: 2004" in version
        sock.sendall(b"reset\r\n")
        read_until(lambda: sock.recv(1024), b"Resetting")
    cisco.settle()
    assert device.reboot_count == 1
    assert device.events[-1].cause == "telnet reset"


def test_telnet_wrong_logins_close_the_connection(cisco, control):
    handle = cisco.phone(CP3905)
    with socket.create_connection((handle.host, 23), timeout=5) as sock:
        read_until(lambda: sock.recv(1024), b"login: ")
        for attempt in range(3):
            sock.sendall(control[0].encode() + b"\r\n")
            read_until(lambda: sock.recv(1024), b"Password: ")
            sock.sendall(b"wrong\r\n")
            answer = read_until(lambda: sock.recv(1024), b"Login incorrect")
            if attempt < 2:
                assert answer.endswith(b"login: ") or b"login: " in read_until(lambda: sock.recv(1024), b"login: ")
        sock.settimeout(5)
        assert sock.recv(1024) in (b"", b"\r\n")
    cisco.settle()
    assert handle.device.kinds().count("auth-failed") == 3
    assert handle.device.reboot_count == 0
