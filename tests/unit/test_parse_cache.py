"""Parsed fleet files kept between loads: same data back, vault values still encrypted, odd data not kept."""

from __future__ import annotations

import datetime
import shutil
import unicodedata

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import loader as fleet_loader
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.parse_cache import ParseCache
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue

from tests.unit.render_support import DEMO_FLEET


def test_round_trip_keeps_vault_values_encrypted(tmp_path):
    cache = ParseCache(str(tmp_path))
    document = {
        "phones": [
            {
                "mac": "805ec0112233",
                "lines": [{"number": "1", "password": VaultValue("$ANSIBLE_VAULT;1.1;AES256\n31\n")}],
            }
        ]
    }
    cache.put("abc", document)
    again = ParseCache(str(tmp_path)).get("abc")
    assert again == document
    assert isinstance(again["phones"][0]["lines"][0]["password"], VaultValue)
    assert "$ANSIBLE_VAULT" in (tmp_path / "abc.json").read_text()


def test_data_json_cannot_hold_is_not_cached(tmp_path):
    cache = ParseCache(str(tmp_path))
    cache.put("dates", {"a": datetime.date(2026, 1, 1)})
    cache.put("numbers", {"params": {1: "x"}})
    assert not list(tmp_path.iterdir())


def test_second_load_reads_unchanged_files_from_the_cache(tmp_path, monkeypatch):
    fleet_dir = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, fleet_dir)
    cache_dir = tmp_path / "cache"
    first = load_fleet(str(fleet_dir), parse_cache=ParseCache(str(cache_dir)))
    assert len(list(cache_dir.iterdir())) == len(list(fleet_dir.glob("*.yml")))
    checked = []
    monkeypatch.setattr(fleet_loader, "check_document", lambda data: checked.append(data) or [])
    profiles = fleet_dir / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("Main office, all vendors", "Main office"))
    second = load_fleet(str(fleet_dir), parse_cache=ParseCache(str(cache_dir)))
    assert len(checked) == 1 and "profiles" in checked[0]  # only the changed file was parsed and checked
    assert [p.mac for p in second.phones] == [p.mac for p in first.phones]
    assert second.phones[0].lines[0].password == first.phones[0].lines[0].password


def test_a_plain_document_is_kept_and_read_back_without_the_vault_walk(tmp_path):
    cache = ParseCache(str(tmp_path))
    document = {"profiles": {"office": {"codecs": ["g722", "pcma"], "sip": {"port": 5060}}}}
    cache.put("plain", document, may_hold_vault=False)
    cache.put("numbers", {"params": {1: "x"}}, may_hold_vault=False)  # still refused: JSON would change it
    assert ParseCache(str(tmp_path)).get("plain") == document
    assert sorted(path.name for path in tmp_path.iterdir()) == ["plain.json"]


def test_a_file_naming_a_vault_value_is_cached_with_it_marked(tmp_path):
    fleet_dir = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, fleet_dir)
    cache_dir = tmp_path / "cache"
    load_fleet(str(fleet_dir), parse_cache=ParseCache(str(cache_dir)))
    again = load_fleet(str(fleet_dir), parse_cache=ParseCache(str(cache_dir)))
    assert isinstance(again.phones[0].lines[0].password, VaultValue)


def test_names_that_become_the_same_are_refused_on_every_load(tmp_path):
    fleet_dir = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, fleet_dir)
    composed, decomposed = unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")
    (fleet_dir / "more_sites.yml").write_text(f"sites:\n  {composed}: {{}}\n  {decomposed}: {{}}\n", encoding="utf-8")
    for _attempt in range(2):  # the second load would read the file back from the cache, were it kept
        with pytest.raises(FleetValidationError) as refused:
            load_fleet(str(fleet_dir), parse_cache=ParseCache(str(tmp_path / "cache")))
        assert f"more_sites.yml:3: sites.{decomposed}: is the same name as '{composed}'" in str(refused.value)
