"""playbooks/new_site.yml end to end: a site created in tmp validates and publishes from inside it."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO
from tests.unit.test_fleet_git import git

ANSIBLE_GALAXY = ANSIBLE_PLAYBOOK.with_name("ansible-galaxy")
VAULT_PASSWORD = "acme-site-vault-password"
IVAN = "Ivan Petrov <ivan@example.com>"
SITE_FILES = [
    ".gitignore",
    "README.md",
    "ansible.cfg",
    "collections/requirements.yml",
    "inventory/firmware/README",
    "inventory/fleet/phones.yml",
    "inventory/fleet/profiles.yml",
    "inventory/fleet/settings.yml",
    "inventory/fleet/sites.yml",
    "inventory/phonefleet.yml",
    "inventory/servers.yml",
    # the playbooks AWX and the job service launch (awx/site/playbooks of the collection)
    *sorted(f"playbooks/{path.name}" for path in (REPO / "awx" / "site" / "playbooks").glob("*.yml")),
]


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, ANSIBLE_NOCOLOR="1", PWD=str(cwd), **env)  # PWD: as a shell sets it
    for name in ("ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE", "PHONEFLEET_ACTOR"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300, check=False)


def new_site(
    workdir: Path, *args: str, config: Path = REPO / "ansible.cfg", demo: bool = True
) -> subprocess.CompletedProcess[str]:
    """new_site.yml from this checkout, with the demo's vault secret loaded too: the site's must be chosen."""
    demo_vault = ["--vault-id", f"demo@{REPO / 'inventory' / 'demo' / 'demo-vault-password.txt'}"] if demo else []
    command = [str(ANSIBLE_PLAYBOOK), str(REPO / "playbooks" / "new_site.yml"), *demo_vault, *args]
    return run(command, workdir, ANSIBLE_CONFIG=str(config))


@pytest.fixture(scope="module")
def created(tmp_path_factory):
    """A site created as README shows it, with the collection installed from this checkout."""
    workdir = tmp_path_factory.mktemp("sites")
    password_file = workdir / "acme.vault-pass"  # outside the site's repository
    password_file.write_text(VAULT_PASSWORD + "\n")
    site_vars = ["-e", json.dumps({"site_dir": "phones-acme", "site_name": "ACME", "site_author": IVAN})]
    collection = ["-e", f"site_collection_source={REPO}", "-e", "site_collection_type=dir"]
    result = new_site(workdir, *site_vars, *collection, "--vault-id", f"site@{password_file}")
    return workdir, workdir / "phones-acme", password_file, result


def test_the_site_is_one_commit_of_its_files(created):
    _workdir, site, _password_file, result = created
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(site, "log", "--format=%an <%ae>|%s") == f"{IVAN}|New site ACME"
    assert git(site, "ls-files").split() == SITE_FILES
    assert git(site, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(site, "branch", "--show-current") == "main"


def test_the_site_holds_no_secret_in_clear_and_no_vault_password(created):
    _workdir, site, _password_file, result = created
    texts = {name: (site / name).read_text() for name in SITE_FILES}
    vault = VaultLib([("site", VaultSecret(VAULT_PASSWORD.encode()))])
    ciphertexts = re.findall(r"!vault \|\n((?:[ ]+\S+\n)+)", texts["inventory/fleet/settings.yml"])
    ciphertexts += re.findall(r"!vault \|\n((?:[ ]+\S+\n)+)", texts["inventory/fleet/profiles.yml"])
    assert len(ciphertexts) == 4  # phone auth, phone control, autoprovision secret, admin password
    clear = [vault.decrypt("\n".join(line.strip() for line in text.splitlines())).decode() for text in ciphertexts]
    assert len(set(clear)) == 4 and all(len(secret) == 32 for secret in clear)
    everything = "\n".join(texts.values()) + result.stdout + result.stderr
    for secret in [*clear, VAULT_PASSWORD]:
        assert secret not in everything
    assert not re.search(r"^\s*vault_(identity_list|password_file)\s*=", texts["ansible.cfg"], re.MULTILINE)
    assert "$ANSIBLE_VAULT;1.2;AES256;site" in texts["inventory/fleet/settings.yml"]  # the site's vault id
    assert "demo" not in texts["inventory/fleet/settings.yml"]
    assert "*vault-pass*" in texts[".gitignore"] and "*.retry" in texts[".gitignore"]


def test_the_site_validates_and_publishes_from_inside_it(created):
    _workdir, site, password_file, _result = created
    requirements = (site / "collections" / "requirements.yml").read_text()
    assert f"- name: {REPO}\n    type: dir\n" in requirements
    installed = run([str(ANSIBLE_GALAXY), "collection", "install", "-r", "collections/requirements.yml"], site)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (site / "collections/ansible_collections/phonefleet/provisioning/MANIFEST.json").is_file()

    validated = run([str(ANSIBLE_PLAYBOOK), "phonefleet.provisioning.validate"], site)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "the fleet is valid: 0 phones, 0 lines, 1 profiles" in validated.stdout

    vault = ["--vault-id", f"site@{password_file}"]
    published = run([str(ANSIBLE_PLAYBOOK), "phonefleet.provisioning.publish", "--check", *vault], site)
    assert published.returncode == 0, published.stdout + published.stderr
    assert "prov1.acme.invalid" in published.stdout and "0 phones, 0 rendered: would write" in published.stdout
    assert not (site / "build").exists()  # check mode

    wrong = password_file.with_name("wrong.vault-pass")
    wrong.write_text("not the site's password\n")
    refused = run(
        [str(ANSIBLE_PLAYBOOK), "phonefleet.provisioning.publish", "--check", "--vault-id", f"site@{wrong}"], site
    )
    assert refused.returncode != 0 and "Decryption failed" in refused.stdout  # the secrets need the site's vault
    assert git(site, "status", "--porcelain") == ""  # the installed collection and build/ are ignored


def test_an_existing_site_is_refused(created):
    workdir, site, password_file, _result = created
    head = git(site, "rev-parse", "HEAD")
    again = new_site(
        workdir, "-e", "site_dir=phones-acme", "-e", "site_name=ACME", "--vault-id", f"site@{password_file}"
    )
    assert again.returncode != 0
    assert f"site_dir: {site} exists and is not empty; a new site needs a new or empty folder" in again.stdout
    assert git(site, "rev-parse", "HEAD") == head


def test_without_a_vault_secret_nothing_is_left(tmp_path):
    config = tmp_path / "ansible.cfg"  # this checkout's settings without the demo vault
    text = (REPO / "ansible.cfg").read_text().replace("./collections", str(REPO / "collections"))
    text = text.replace("= inventory/demo", f"= {REPO / 'inventory' / 'demo'}")
    config.write_text("\n".join(line for line in text.splitlines() if not line.startswith("vault_identity_list")))
    (tmp_path / "empty").mkdir()
    result = new_site(tmp_path, "-e", "site_dir=empty", "-e", "site_name=ACME", config=config, demo=False)
    assert result.returncode != 0
    assert "no vault secret was given: the new secrets are written encrypted with it" in result.stdout
    assert "--vault-id site@prompt" in result.stdout
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_failure_after_writing_leaves_nothing(tmp_path):
    password_file = tmp_path / "site.vault-pass"
    password_file.write_text(VAULT_PASSWORD + "\n")
    site_vars = {"site_dir": "phones-acme", "site_name": "ACME", "site_author": "Ivan"}
    result = new_site(tmp_path, "-e", json.dumps(site_vars), "--vault-id", f"site@{password_file}")
    assert result.returncode != 0
    assert (
        f"the site was not created, nothing was left in {tmp_path / 'phones-acme'}:"
        " author: 'Ivan' is not of the form 'Name <email@domain>'"
    ) in result.stdout
    assert list((tmp_path / "phones-acme").iterdir()) == []
