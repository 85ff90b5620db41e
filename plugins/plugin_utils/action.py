# Private to this collection: what the collection's controller-side action plugins share.
"""Actions that run on the controller, whatever the host: they read the fleet and hold the vault secrets."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase


class ControllerAction(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def _path(self, path: str) -> str:
        """A path as given, relative to the playbook (or role) directory unless absolute."""
        return path if os.path.isabs(path) else os.path.join(self._loader.get_basedir(), path)
