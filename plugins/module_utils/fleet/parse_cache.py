# Private to this collection: parsed fleet files kept between loads.
"""Schema-valid fleet documents by the sha256 of their bytes, so an unchanged file is neither parsed nor
checked again (half the load time of a 20,000-phone fleet). JSON, never pickle: a cache file is data.

A cached document is only as good as the code that parsed and checked it: ``generation`` (publish passes
the fingerprint of the collection's code) is part of every cache file's name, so documents cached by
other code (another schema, another vault marking) are never read, and are pruned.

Vault values stay encrypted in the cache (marked as such). Files encrypted whole with Ansible Vault are
never cached: their parsed content would be clear text.
"""

from __future__ import annotations

import json
import os

from .files import atomic_write, read_bytes
from .yamlio import from_json_object, to_json_data


class ParseCache:
    def __init__(self, directory: str, writable: bool = True, generation: str = "", deferred: bool = False) -> None:
        self.directory = directory
        self.suffix = f".{generation[:16]}.json" if generation else ".json"
        self.writable = writable
        # deferred: put() only notes documents; write_pending() writes them (publish does it while it waits
        # for its render workers, not while it loads)
        self.deferred = deferred
        self.pending: list[tuple] = []
        self.used: set[str] = set()

    def _path(self, digest: str) -> str:
        return os.path.join(self.directory, digest + self.suffix)

    def get(self, digest: str):
        data = read_bytes(self._path(digest))
        if data is None:
            return None
        try:
            document = json.loads(data, object_hook=from_json_object)
        except ValueError:
            return None
        self.used.add(digest)
        return document

    def put(self, digest: str, document, may_hold_vault: bool = True) -> None:
        """Keep a schema-valid document; ``may_hold_vault=False`` (its text names no vault value) skips
        the walk that marks vault values for JSON."""
        self.used.add(digest)
        if not self.writable:
            return
        if self.deferred:
            self.pending.append((digest, document, may_hold_vault))
            return
        self._write(digest, document, may_hold_vault)

    def write_pending(self) -> None:
        pending, self.pending = self.pending, []
        for digest, document, may_hold_vault in pending:
            self._write(digest, document, may_hold_vault)

    def _write(self, digest: str, document, may_hold_vault: bool) -> None:
        try:
            text = json.dumps(to_json_data(document) if may_hold_vault else document, separators=(",", ":"))
        except (TypeError, ValueError):  # dates and other YAML types JSON cannot hold: simply not cached
            return
        hook = from_json_object if may_hold_vault else None
        if json.loads(text, object_hook=hook) != document:  # e.g. numbers as keys: not cached
            return
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        atomic_write(self._path(digest), text.encode(), new_file_mode=0o600, sync=False)

    def prune(self) -> None:
        """Forget documents no file has any more."""
        if not self.writable or not os.path.isdir(self.directory):
            return
        for name in os.listdir(self.directory):
            if name.endswith(".json") and not (name.endswith(self.suffix) and name[: -len(self.suffix)] in self.used):
                os.unlink(os.path.join(self.directory, name))
