"""Names people type make safe inventory groups: ``ansible-inventory --graph`` as users run it."""

from __future__ import annotations

from tests.golden.test_inventory_plugin import REPO, inventory, make_site
from tests.unit.names_support import LABELS_YML, UNIFY_MAC, YEALINK_MAC


def test_groups_of_names_people_type_are_transliterated_slugs(tmp_path):
    # The documented configuration (README: copy inventory/demo/phonefleet.yml), tenant groups included.
    site = make_site(tmp_path, (REPO / "inventory/demo/phonefleet.yml").read_text(encoding="utf-8"))
    (site / "fleet/labels.yml").write_text(LABELS_YML, encoding="utf-8")
    result = inventory(site, "--graph")
    assert result.returncode == 0, result.stderr
    graph = result.stdout
    for group, host in [
        ("profile_bazovyi", YEALINK_MAC),
        ("site_sklad_1", YEALINK_MAC),
        ("tenant_ooo_romashka", YEALINK_MAC),
        ("profile_ofis_sever_2_i_etazh", UNIFY_MAC),
        ("site_otdel_prodazh_2_etazh", UNIFY_MAC),
        ("tenant_ooo_romashka", UNIFY_MAC),
        # the demo's own groups are as they were
        ("site_moscow_hq", "805ec0112233"),
        ("tenant_acme", "805ec0112233"),
        ("profile_office", "805ec0112233"),
    ]:
        members = graph.split(f"@{group}:", 1)[1].split("\n  |--@", 1)[0]
        assert f"--{host}" in members, (group, graph)
    assert "Склад" not in graph and "Ромашка" not in graph  # every group name is a safe identifier
    assert "Invalid characters" not in result.stderr, result.stderr
