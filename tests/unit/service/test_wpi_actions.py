"""The WPI actions queued for a Unify phone's next contact, in the store every worker shares (SQLite and
PostgreSQL): one per phone, the last queued winning, taken once."""

from __future__ import annotations


def test_a_queued_restart_is_taken_once(store):
    assert store.take_wpi_action("001ae8556677") is None
    store.queue_wpi_action("001ae8556677", "Restart")
    store.queue_wpi_action("001ae8556677", "Restart")  # asked twice: still one restart
    assert store.take_wpi_action("001ae8556677") == "Restart"
    assert store.take_wpi_action("001ae8556677") is None


def test_each_phone_has_its_own(store):
    store.queue_wpi_action("001ae8556677", "Restart")
    assert store.take_wpi_action("001ae8000001") is None
    assert store.take_wpi_action("001ae8556677") == "Restart"
