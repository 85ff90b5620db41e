"""The published root's first load (service/published.py): callers arriving while it runs wait for it; none is
answered from the empty snapshot the root starts with (a login then said "not in the fleet")."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import published as published_module
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot

from tests.support.service import published_site


def test_callers_during_the_first_load_get_the_loaded_fleet(tmp_path, monkeypatch):
    root = PublishedRoot(str(published_site(tmp_path)))
    loading = threading.Event()
    real_read = published_module.read_manifest

    def slow_read(web_root):
        loading.set()
        time.sleep(0.3)  # the first load takes a while (a big fleet): others arrive meanwhile
        return real_read(web_root)

    monkeypatch.setattr(published_module, "read_manifest", slow_read)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(root.snapshot)
        assert loading.wait(5)
        others = [pool.submit(root.snapshot) for _caller in range(3)]
        snapshots = [first.result(10)] + [other.result(10) for other in others]
    assert all(snapshot.fleet is not None and snapshot.fleet.phones for snapshot in snapshots)
