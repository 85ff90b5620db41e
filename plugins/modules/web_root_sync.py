#!/usr/bin/python
# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: web_root_sync
short_description: Apply a publish to a provisioning server's web root (used by the publish action)
version_added: 0.1.0
description:
  - Runs on a provisioning server. Unpacks an archive of changed files made by M(phonefleet.provisioning.publish)
    into the web root as publish does on a local one, and removes the files of phones that left the fleet.
    A new file is written to a temporary name beside it and renamed into place; a changed file is written
    into its spare (C(.<name>.phonefleet-spare)) and exchanged with it in one atomic step where the system
    can (Linux), else renamed over it. The publish state (C(.phonefleet/)) is written after the files are
    flushed to disk. Every member is checked before anything is written.
  - M(phonefleet.provisioning.publish) calls it for servers it does not reach with the local connection; there is
    no need to call it directly.
options:
  archive:
    description: Path on the server of the tar archive to apply; members are paths relative to O(web_root).
    type: path
    required: true
  web_root:
    description: The web root to update. Created if missing.
    type: path
    required: true
  remove:
    description: Files (relative to O(web_root)) to remove.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
  platform:
    platforms: posix
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Apply an archive made by the publish action (normally the publish action does this itself)
  phonefleet.provisioning.web_root_sync:
    archive: /tmp/phonefleet-publish.tar
    web_root: /srv/phonefleet/www
"""

RETURN = r"""
written:
  description: Number of files written.
  returned: always
  type: int
removed:
  description: Number of files removed.
  returned: always
  type: int
"""

import os
import tarfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.files import (
    PUBLISHED_MODE,
    STAGED_MODE,
    OutsideRoot,
    blocks_of,
    path_inside,
    put_in_place,
    spare_name,
    stage,
)

STATE_DIR = ".phonefleet/"


class UnsafeMember(ValueError):
    pass


def _target(web_root, name):
    try:
        return path_inside(web_root, name)
    except OutsideRoot as exc:
        raise UnsafeMember(str(exc)) from None


def _put(bundle, member, web_root, in_state):
    path = _target(web_root, member.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # the state (the manifest, the bundle with secrets) always gets a fresh file of its own mode
    replacing = os.path.isfile(path) and not in_state
    staged, is_spare = stage(path, blocks_of(bundle.extractfile(member)), replacing=replacing)
    put_in_place(staged, path, is_spare, STAGED_MODE if in_state else PUBLISHED_MODE)


def apply_archive(archive, web_root, remove):
    """Put every member in place as publish does on a local web root (files.stage: a changed file is
    exchanged with its spare, a new one renamed into place), the publish state (.phonefleet/: the manifest,
    the service bundle) after the files it lists are flushed to disk. Every member is checked first: an
    archive with one unsafe member writes nothing."""
    os.makedirs(web_root, exist_ok=True)
    with tarfile.open(archive, "r") as bundle:
        members = bundle.getmembers()
        for member in members:
            if not member.isfile():
                raise UnsafeMember(f"refusing {member.name!r}: only regular files are published")
            _target(web_root, member.name)
        files = [member for member in members if not member.name.startswith(STATE_DIR)]
        state = [member for member in members if member.name.startswith(STATE_DIR)]
        for member in files:
            _put(bundle, member, web_root, in_state=False)
        if state:
            os.sync()  # every file on disk before the manifest says it is there
        for member in state:
            _put(bundle, member, web_root, in_state=True)
        written = len(members)
    removed = 0
    for name in remove:
        path = _target(web_root, name)
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            pass
        try:
            os.unlink(spare_name(path))
        except FileNotFoundError:
            pass
    return written, removed


def main():
    module = AnsibleModule(
        argument_spec={
            "archive": {"type": "path", "required": True},
            "web_root": {"type": "path", "required": True},
            "remove": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=False,
    )
    try:
        written, removed = apply_archive(module.params["archive"], module.params["web_root"], module.params["remove"])
    except (UnsafeMember, tarfile.TarError, OSError) as exc:
        module.fail_json(msg=f"cannot apply the publish to {module.params['web_root']}: {exc}")
    module.exit_json(changed=bool(written or removed), written=written, removed=removed)


if __name__ == "__main__":
    main()
