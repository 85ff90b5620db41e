"""Arrows point one way: each floor of plugins/module_utils imports only the floors under it.

Ground floor: ``catalog/`` (data-sheet types and the registry). Above it the domain core ``fleet/``, then
``render/``, ``publish/``, ``control/``, ``service/``; a vendor folder (``vendors/<v>/``) fills the catalogue
in with its ``datasheet.py`` and plugs its ``driver.py``/``control.py`` into render/ and control/. ``mobility/``
stands on the provisioning service's core (``service/``) and only the service app imports it. Imports
are read from the source (ast), as written; the registry's lazy ``importlib`` loads of a vendor's driver or
control are by design not imports and are not seen here.
"""

from __future__ import annotations

import ast
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULE_UTILS = ROOT / "plugins" / "module_utils"
ABSOLUTE = "ansible_collections.phonefleet.provisioning.plugins.module_utils."


def imports_of(path: pathlib.Path, root: pathlib.Path) -> list[tuple[int, str]]:
    """(line, imported module under module_utils as a dotted path) for every import of module_utils code in
    ``path``; ``from package import name`` yields ``package.name`` (the name may be a module)."""
    package = list(path.relative_to(root).parent.parts)
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name[len(ABSOLUTE) :]) for alias in node.names if alias.name.startswith(ABSOLUTE)
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").startswith(ABSOLUTE):
                module = node.module[len(ABSOLUTE) :]  # type: ignore[index]
            else:
                continue
            found += [(node.lineno, f"{module}.{alias.name}".lstrip(".")) for alias in node.names]
    return found


def violations(files: list[pathlib.Path], allowed) -> list[str]:
    """``file:line imports module`` for each import of module_utils code that ``allowed(module)`` refuses."""
    found = []
    for path in files:
        # a file outside module_utils (the services) names module_utils by absolute imports only
        inside = path.is_relative_to(MODULE_UTILS)
        where = path.relative_to(MODULE_UTILS.parents[1] if inside else ROOT)
        found += [
            f"{where}:{line} imports {module}"
            for line, module in imports_of(path, MODULE_UTILS if inside else path.parent)
            if not allowed(module)
        ]
    return found


def under(folder: str) -> list[pathlib.Path]:
    return sorted((MODULE_UTILS / folder).rglob("*.py"))


def data_sheets() -> list[pathlib.Path]:
    return sorted((MODULE_UTILS / "vendors").glob("*/datasheet.py"))


def is_data_sheet(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[0] == "vendors" and parts[2] == "datasheet"


def test_the_catalogue_stands_on_nothing_of_the_collection() -> None:
    found = violations(under("catalog"), lambda module: module.split(".")[0] == "catalog")
    assert found == [], "catalog/ is the ground floor and may import only itself:\n" + "\n".join(found)


def test_the_domain_core_stands_on_the_catalogue_only() -> None:
    found = violations(under("fleet"), lambda module: module.split(".")[0] in {"fleet", "catalog"})
    assert found == [], (
        "fleet/ may import only fleet/ and catalog/ (not render, publish, service, control or a vendor):\n"
        + "\n".join(found)
    )


def test_data_sheets_import_only_the_catalogue_and_data_sheets() -> None:
    sheets = data_sheets()
    assert len(sheets) >= 11, sheets
    found = violations(sheets, lambda module: module.split(".")[0] == "catalog" or is_data_sheet(module))
    assert found == [], "a data sheet may import only catalog/ and other data sheets:\n" + "\n".join(found)


def test_only_a_vendor_folder_imports_vendor_code() -> None:
    """The registry finds vendors by their folders: nothing else names a vendor's module, so adding or
    removing one touches no other code of the collection."""
    others = [
        path for path in sorted(MODULE_UTILS.rglob("*.py")) if path.relative_to(MODULE_UTILS).parts[0] != "vendors"
    ]
    found = violations(others, lambda module: module.split(".")[0] != "vendors")
    assert found == [], "only vendors/ imports vendors/ (use catalog.registry):\n" + "\n".join(found)


def test_access_stands_on_the_database_layer_only() -> None:
    """Users, tokens, login and the journal of user actions serve both services: they know neither's domain."""
    found = violations(
        under("access"),
        lambda module: module.split(".")[0] in {"access", "fleet"} or module.startswith("service.store"),
    )
    assert found == [], "access/ may import only access/, fleet/ and service/store.py:\n" + "\n".join(found)


def test_the_provisioning_service_does_not_stand_on_the_job_service() -> None:
    """The provisioning service reads the job service's users through access/, never through jobs/."""
    files = [*under("service"), *sorted((ROOT / "service" / "phonefleet_service").glob("*.py"))]
    found = violations(files, lambda module: module.split(".")[0] != "jobs")
    assert found == [], "the provisioning service imports jobs/ (use access/):\n" + "\n".join(found)


#: what mobility/ stands on: the fleet (users, PIN hashes), rendering, phone control (the re-sync) and the
#: provisioning service's core it runs in (store, journal, published files, recognition); never the job service,
#: the users of access/ (the sessions API's callers are checked by the service app) or publish/
MOBILITY_FLOORS = {"mobility", "catalog", "fleet", "render", "control", "service"}


def test_mobility_stands_on_the_provisioning_service_core() -> None:
    found = violations(under("mobility"), lambda module: module.split(".")[0] in MOBILITY_FLOORS)
    assert found == [], (
        "mobility/ may import only mobility/, catalog/, fleet/, render/, control/ and service/:\n" + "\n".join(found)
    )


def test_only_the_service_app_imports_mobility() -> None:
    """Mobility is the top floor of module_utils: the service app (service/phonefleet_service) uses it, no floor
    under it does (the provisioning service's core runs without it)."""
    others = [
        path for path in sorted(MODULE_UTILS.rglob("*.py")) if path.relative_to(MODULE_UTILS).parts[0] != "mobility"
    ]
    found = violations(others, lambda module: module.split(".")[0] != "mobility")
    assert found == [], "only mobility/ and the service app import mobility/:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("folder", "source", "rule"),
    [
        ("catalog", "from ..fleet.model import Fleet\n", test_the_catalogue_stands_on_nothing_of_the_collection),
        ("fleet", "from ..render.driver import RenderError\n", test_the_domain_core_stands_on_the_catalogue_only),
        ("fleet", f"from {ABSOLUTE}vendors.yealink import driver\n", test_the_domain_core_stands_on_the_catalogue_only),
        (
            "vendors/acme",
            "from ...render.driver import FileSpec\n",
            test_data_sheets_import_only_the_catalogue_and_data_sheets,
        ),
        ("render", "from ..vendors.yealink.datasheet import VENDOR\n", test_only_a_vendor_folder_imports_vendor_code),
        ("access", "from ..jobs.store import JobStore\n", test_access_stands_on_the_database_layer_only),
        (
            "service",
            "from ..jobs.users import Users\n",
            test_the_provisioning_service_does_not_stand_on_the_job_service,
        ),
        ("mobility", "from ..jobs.store import JobStore\n", test_mobility_stands_on_the_provisioning_service_core),
        ("mobility", "from ..access.users import Users\n", test_mobility_stands_on_the_provisioning_service_core),
        (
            "mobility",
            f"from {ABSOLUTE}publish import manifest\n",
            test_mobility_stands_on_the_provisioning_service_core,
        ),
        ("service", "from ..mobility.store import MobilityStore\n", test_only_the_service_app_imports_mobility),
    ],
)
def test_a_planted_import_is_named(tmp_path, monkeypatch, folder, source, rule) -> None:
    """Each rule above fails on a bad import and names the file and line (a copy of module_utils with one
    file planted in it)."""
    copy = tmp_path / "plugins" / "module_utils"
    shutil.copytree(MODULE_UTILS, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    name = "datasheet.py" if folder.startswith("vendors/") else "planted.py"
    (copy / folder).mkdir(parents=True, exist_ok=True)
    (copy / folder / name).write_text(f'"""planted"""\n\n{source}\n')
    monkeypatch.setitem(globals(), "MODULE_UTILS", copy)
    with pytest.raises(AssertionError, match=rf"{folder}/{name}:3 imports"):
        rule()


def module_file(module: str) -> pathlib.Path | None:
    """The file of module_utils that ``module`` (maybe ending in a name defined there) is, or None."""
    parts = module.split(".")
    while parts:
        base = MODULE_UTILS.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        parts.pop()
    return None


def test_the_code_fingerprint_covers_every_floor_rendering_stands_on() -> None:
    """A publish with unchanged fleet and code fingerprints renders nothing: the code hashed must hold every
    file that rendering and publishing import, the catalogue included (a model's key count is rendered)."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish import fingerprint

    todo = [*under("render"), *under("publish"), *sorted((MODULE_UTILS / "vendors").glob("*/driver.py"))]
    seen: set[pathlib.Path] = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo += [found for entry in imports_of(path, MODULE_UTILS) if (found := module_file(entry[1]))]
    folders = {path.relative_to(MODULE_UTILS).parts[0] for path in seen}
    assert folders <= set(fingerprint._CODE_ROOTS), sorted(folders - set(fingerprint._CODE_ROOTS))
