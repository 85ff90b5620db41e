"""Firmware windows opened by hand, as a worker sees them (window_override.py): in the store every worker shares
(SQLite and PostgreSQL), ending exactly at their time even between two reads of the store."""

from __future__ import annotations

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.window_override import WindowOverrides

MAC, OTHER = "805ec0112233", "805ec0445566"


def test_an_opening_ends_at_its_time_without_another_read(store):
    now = 1_800_000_000.0
    overrides = WindowOverrides(store, Journal(store), check_interval=3600, clock=lambda: now)
    until = overrides.open(MAC, 30, "admin", "yealink", "127.0.0.1", None)
    assert until == now + 1800
    assert overrides.opened(MAC, now + 1799) is True
    assert overrides.opened(OTHER, now + 1799) is False
    assert overrides.opened(MAC, now + 1800) is False  # read an hour ago: the comparison alone closes it


def test_another_worker_sees_it_and_a_past_opening_is_not_read(store):
    now = 1_800_000_000.0
    writer = WindowOverrides(store, Journal(store), clock=lambda: now)
    writer.open(MAC, 1, "admin", "yealink", None, None)
    reader = WindowOverrides(store, Journal(store), check_interval=1.0)
    assert reader.opened(MAC, now + 30) is True
    assert store.open_windows(now + 60) == {}
    assert writer.close(MAC, "admin", "yealink", None, None) is True
    assert reader.opened(MAC, now + 30.5) is True  # within check_interval: what it read
    assert reader.opened(MAC, now + 31) is False
