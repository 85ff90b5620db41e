# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py that ansible-test uses to put pip into the virtualenvs it creates.

ansible-test downloads get-pip.py from a host that is not PyPI, which this project's machines cannot
reach; it uses a copy in ~/.ansible/test/cache/get_pip_<version>.py when there is one, and
tests/sanity/run.sh puts this file there. Like get-pip.py it is run by the new virtualenv's Python with
pip's install arguments (plus get-pip's own --no-setuptools / --no-wheel): it installs the pip that
Python bundles (ensurepip, no network), then the requested packages from the package index.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main() -> None:
    """Install pip, then the packages given on the command line."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    # ensurepip points PIP_CONFIG_FILE at /dev/null in os.environ; pip's configuration (index, proxy,
    # certificates) must still apply to the installs that follow.
    environ = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    python = [sys.executable, "-m", "pip"]
    subprocess.check_call([*python, "install", *args], env=environ)
    # ensurepip also installs setuptools on Python < 3.12, which get-pip leaves out when asked to.
    if "--no-setuptools" in sys.argv:
        subprocess.call(
            [*python, "uninstall", "--yes", "--quiet", "setuptools"], env=environ, stderr=subprocess.DEVNULL
        )


if __name__ == "__main__":
    main()
