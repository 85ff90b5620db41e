"""The programs the tests drive, and what a test does when one is missing: it fails, naming the package.

``make test`` must not turn green on a machine that lacks Kamailio or curl by skipping what needs them:
a skipped registration test proves nothing. :func:`require_tools` fails the test with the Debian package
to install (``make setup`` installs them all: tests/tools/setup-system.sh). Skipping instead is an explicit
choice: ``PHONEFLEET_ALLOW_MISSING_TOOLS`` set to ``1`` (every tool) or to a comma-separated list of tool
names (``kamailio,baresip``) turns the failure into a skip with the same message (docs/testing.md).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ALLOW_MISSING = "PHONEFLEET_ALLOW_MISSING_TOOLS"


def _program(name: str, *directories: str) -> Callable[[], bool]:
    def found() -> bool:
        return shutil.which(name) is not None or any(Path(folder, name).exists() for folder in directories)

    return found


def _kamailio_tls() -> bool:
    return bool(
        list(Path("/usr/lib").glob("*/kamailio/modules/tls.so"))
        + list(Path("/usr/lib").glob("kamailio/modules/tls.so"))
    )


def _baresip() -> bool:
    # the simulator drives baresip through its ctrl_tcp module (phonefleet_simulator.registration)
    return shutil.which("baresip") is not None and Path("/usr/lib/baresip/modules/ctrl_tcp.so").exists()


def _initdb() -> bool:
    return shutil.which("initdb") is not None or bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))


#: tool name -> (Debian package, is it here?)
TOOLS: dict[str, tuple[str, Callable[[], bool]]] = {
    "kamailio": ("kamailio", _program("kamailio", "/usr/sbin")),
    "kamailio-tls": ("kamailio-tls-modules", _kamailio_tls),
    "baresip": ("baresip", _baresip),
    "initdb": ("postgresql", _initdb),
    "curl": ("curl", _program("curl")),
    "tftp": ("tftp-hpa", _program("tftp")),
    "nginx": ("nginx", _program("nginx", "/usr/sbin")),
    "wrk": ("wrk", _program("wrk")),
}


def missing_tools(*names: str) -> list[str]:
    """The tools of ``names`` that are not here, each as "<tool> (apt-get install <package>)"."""
    missing = []
    for name in names:
        package, present = TOOLS[name]
        if not present():
            missing.append(f"{name} (apt-get install {package})")
    return missing


def allowed_missing(name: str) -> bool:
    """Whether ``PHONEFLEET_ALLOW_MISSING_TOOLS`` lets a test needing ``name`` skip."""
    allowed = {part.strip() for part in os.environ.get(ALLOW_MISSING, "").split(",") if part.strip()}
    return "1" in allowed or name in allowed


def missing_tool_outcome(reason: str, *names: str) -> None:
    """Fail with ``reason``, or skip when ``PHONEFLEET_ALLOW_MISSING_TOOLS`` allows every tool of ``names``."""
    message = f"{reason}; make setup installs it, or set {ALLOW_MISSING}=1 to skip"
    if names and all(allowed_missing(name) for name in names):
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def require_tools(*names: str) -> None:
    """Fail the running test when a tool of ``names`` is missing (skip where the environment allows it)."""
    missing = missing_tools(*names)
    if missing:
        absent = [name for name in names if any(entry.startswith(name + " ") for entry in missing)]
        missing_tool_outcome("missing: " + ", ".join(missing), *absent)
