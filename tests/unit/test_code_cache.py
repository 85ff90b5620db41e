"""Compiled templates, the compiled schema validator and the reserved MACs kept between runs: same results, private
folder only."""

from __future__ import annotations

import os
import stat

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import code_cache, loader, schema_check
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render import driver as driver_module
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer

from tests.unit.render_support import demo_fleet, reveal


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "phonefleet"


def test_the_cache_folder_is_made_private(cache_home) -> None:
    folder = code_cache.cache_dir("schema")
    assert folder == str(cache_home / "schema")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_a_folder_others_can_write_is_not_used(cache_home) -> None:
    (cache_home / "schema").mkdir(parents=True)
    os.chmod(cache_home / "schema", 0o777)
    assert code_cache.cache_dir("schema") is None


def test_a_relative_cache_home_is_not_used(monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert code_cache.cache_dir("schema") is None


def test_code_is_compiled_once_then_read_back(cache_home) -> None:
    compiled = []

    def compile_source(source, filename):
        compiled.append(source)
        return compile(source, filename, "exec")

    key = code_cache.digest_of("test", "answer = 42")
    for _attempt in range(2):
        namespace: dict = {}
        exec(code_cache.load_code("test", key, "answer = 42", "<test>", compile_source), namespace)
        assert namespace["answer"] == 42
    assert compiled == ["answer = 42"]


def test_a_damaged_entry_is_compiled_again(cache_home) -> None:
    key = code_cache.digest_of("test", "answer = 1")
    code_cache.load_code("test", key, "answer = 1", "<test>")
    entry = cache_home / "test" / f"{key}.marshal"
    entry.write_bytes(b"\x00garbage")
    namespace: dict = {}
    exec(code_cache.load_code("test", key, "answer = 1", "<test>"), namespace)
    assert namespace["answer"] == 1


def test_without_a_cache_folder_everything_still_works(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert code_cache.cache_dir("schema") is None
    namespace: dict = {}
    exec(code_cache.load_code("schema", "k", "answer = 2", "<test>"), namespace)
    assert namespace["answer"] == 2


def test_the_cached_schema_validator_finds_the_same_errors(cache_home, monkeypatch) -> None:
    document = {"phones": [{"mac": "805ec0112233", "colour": "red"}], "profiles": 3}
    results = []
    for _attempt in range(2):  # compiled, then read from the cache
        monkeypatch.setattr(schema_check, "_full_validator", None)
        monkeypatch.setattr(schema_check, "_fast_validator", None)
        results.append(schema_check.check_document(document))
        assert schema_check.check_document({"phones": []}) == []
    assert results[0] == results[1]
    assert (("phones", 0, "colour"), results[0][0][1]) in results[0]
    assert any(path == ("profiles",) for path, _message in results[0])
    assert len(os.listdir(cache_home / "schema")) == 1


def test_templates_read_from_the_bytecode_cache_render_the_same_bytes(cache_home, monkeypatch) -> None:
    fleet = demo_fleet()

    def render_all() -> dict:
        monkeypatch.setattr(driver_module, "_BYTECODE_CACHE", [])
        for name in registry.VENDORS:
            driver = registry.driver_for(name)
            if driver is not None:
                monkeypatch.setattr(driver, "_environment", None)
        renderer = FleetRenderer(fleet, reveal)
        return {phone.mac: renderer.phone(phone).files for phone in fleet.phones if phone.vendor and phone.model}

    first = render_all()
    folders = [name for name in os.listdir(cache_home) if name.startswith("templates-")]
    assert len(folders) == 1 and os.listdir(cache_home / folders[0])
    assert render_all() == first


def test_reserved_macs_are_computed_once_for_a_state_of_the_code(cache_home, monkeypatch) -> None:
    computed = registry.reserved_macs()
    calls = []

    def counted():
        calls.append(1)
        return computed

    def fresh():  # a new process: nothing remembered in memory
        loader._reserved_macs.cache_clear()
        return loader._reserved_macs()

    monkeypatch.setattr(registry, "reserved_macs", counted)
    try:
        assert fresh() == computed and len(calls) == 1  # computed and stored
        assert fresh() == computed and len(calls) == 1  # read back: the drivers are not asked
        monkeypatch.setattr(loader, "code_state", lambda top: "the code was edited")
        assert fresh() == computed and len(calls) == 2
    finally:
        loader._reserved_macs.cache_clear()
    assert len(os.listdir(cache_home / "registry")) == 2


def test_the_code_state_changes_with_a_file(tmp_path) -> None:
    (tmp_path / "driver.py").write_text("A = 1\n")
    (tmp_path / "__pycache__").mkdir()
    before = code_cache.code_state(str(tmp_path))
    (tmp_path / "__pycache__" / "driver.pyc").write_bytes(b"compiled")
    assert code_cache.code_state(str(tmp_path)) == before  # Python's own caches are not the code
    (tmp_path / "driver.py").write_text("A = 22\n")
    assert code_cache.code_state(str(tmp_path)) != before
