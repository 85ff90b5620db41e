# Private to this collection: commands over SSH to a phone (paramiko, imported only when used).
"""Log in over SSH with the phone's control credentials, open a shell, answer an inner login when the
phone asks one (Cisco 78xx/88xx ask a second, "debug" login inside the shell), run commands.

Phones regenerate their host key on a factory reset and a fleet has thousands of them, so host keys
are accepted without a known_hosts file; the key's fingerprint is returned for the record.
"""

from __future__ import annotations

from ..fleet.errors import MissingLibraryError
from .dialog import PROMPT, Closed, Dialog
from .errors import AuthenticationFailed, ProtocolError, Unreachable
from .target import Target


def _paramiko():
    try:
        import paramiko
    except ImportError:
        raise MissingLibraryError("paramiko") from None
    return paramiko


def run(
    target: Target,
    commands: list[str],
    inner_login: tuple[str, str] | None = None,
    disconnects: bool = False,
) -> tuple[list[str], str]:
    """Run ``commands`` in the phone's shell: (outputs, host key fingerprint). ``disconnects``: the last
    command takes the phone down (a reset), so a closed connection after it is success."""
    paramiko = _paramiko()
    port = target.port("ssh")
    shown = f"SSH {target.address}:{port}"
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(
            target.address,
            port=port,
            username=target.username or "",
            password=target.password or "",
            timeout=target.timeout,
            banner_timeout=target.timeout,
            auth_timeout=target.timeout,
            look_for_keys=False,
            allow_agent=False,
        )
    except paramiko.AuthenticationException:
        client.close()
        raise AuthenticationFailed(target.label, f"{shown}: the login '{target.username}' was refused") from None
    except (paramiko.ssh_exception.NoValidConnectionsError, ConnectionError) as exc:
        client.close()
        raise Unreachable(target.label, f"{shown}: {exc}") from None
    except TimeoutError:
        client.close()
        raise Unreachable(target.label, f"{shown}: no answer within {target.timeout:g} s") from None
    except paramiko.SSHException as exc:
        client.close()
        raise ProtocolError(target.label, f"{shown}: {exc}") from None
    except OSError as exc:
        client.close()
        raise Unreachable(target.label, f"{shown}: {exc}") from None
    try:
        key = client.get_transport().get_remote_server_key()
        fingerprint = f"{key.get_name()} {key.fingerprint}"
        channel = client.invoke_shell(width=200)

        def read(timeout: float) -> bytes:
            channel.settimeout(timeout)
            try:
                data = channel.recv(65536)
            except TimeoutError:
                return b""
            if not data:
                raise Closed
            return data

        dialog = Dialog(target.label, shown, read, channel.sendall)
        try:
            if inner_login is not None:
                dialog.login(inner_login[0], inner_login[1], target.timeout)
            else:
                dialog.expect({"prompt": PROMPT}, target.timeout)
            outputs = []
            for index, command in enumerate(commands):
                last = index == len(commands) - 1
                outputs.append(dialog.command(command, target.timeout, disconnects=disconnects and last))
        except Closed:
            raise Unreachable(target.label, f"{shown}: the phone closed the connection") from None
        except OSError as exc:
            if disconnects:
                return [], fingerprint
            raise Unreachable(target.label, f"{shown}: {exc}") from None
        return outputs, fingerprint
    except paramiko.SSHException as exc:
        raise ProtocolError(target.label, f"{shown}: {exc}") from None
    finally:
        client.close()
