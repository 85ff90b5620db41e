"""AWX: the data of awx/, playbooks/awx_apply.yml and the site playbooks of awx/site/playbooks (docs/awx.md).

No AWX runs here. What is proven instead:
- awx_apply.yml passes --syntax-check;
- every awx.awx task of it, run for real against a closed loopback port, gets past templating and the
  module's own argument validation (its argument_spec, choices, mutually exclusive options) and fails only
  at the connection; the arguments each module received (its ``invocation``) carry the surveys of
  playbooks/surveys unchanged, AWX's injector templates untouched, and no secret;
- the job templates name playbooks that exist, in the collection and as site playbooks, and every survey;
- a site playbook runs the collection's playbook on the site's fleet with an inventory that is not in the
  site (as AWX gives one), where the collection's playbook alone cannot find the fleet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import CATALOGUE as JOB_CATALOGUE

from tests.support.service import free_port
from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO

AWX = REPO / "awx"
DATA = yaml.safe_load((AWX / "controller.yml").read_text(encoding="utf-8"))
SURVEYS = {path.stem: path for path in (REPO / "playbooks" / "surveys").glob("*.json")}
#: the user-facing playbooks of issue 13: AWX and the job service launch these and no others (the service's catalogue)
CATALOGUE = set(JOB_CATALOGUE)
SECRETS = {
    "phonefleet_awx_vault_password": "vault-Secret-7f3a",
    "phonefleet_awx_service_token": "token-Secret-91c2",
    "phonefleet_awx_phone_password": "phone-Secret-55d0",
}
CONNECTION_REFUSED = "Connection refused"


def ansible(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, ANSIBLE_NOCOLOR="1", PWD=str(cwd), **env)
    for name in ("ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE", "CONTROLLER_HOST", "CONTROLLER_OAUTH_TOKEN"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300, check=False)


def test_awx_apply_passes_the_syntax_check():
    result = ansible([str(ANSIBLE_PLAYBOOK), "--syntax-check", "playbooks/awx_apply.yml"], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> dict[str, list[dict]]:
    """awx_apply.yml run against a closed port, each task going on after its failure: results by module."""
    work = tmp_path_factory.mktemp("awx")
    playbook = yaml.safe_load((REPO / "playbooks" / "awx_apply.yml").read_text(encoding="utf-8"))
    for play in playbook:
        for task in play["tasks"]:
            task["ignore_errors"] = True  # so that every task runs, not only the first to reach the controller
            # shown here, so that the credential tasks' failures say why (test_secrets_... checks the original)
            task.pop("no_log", None)
    copy = work / "awx_apply.yml"
    copy.write_text(yaml.safe_dump(playbook, sort_keys=False), encoding="utf-8")
    extra = {
        "phonefleet_awx_repo": str(REPO),
        "controller_host": f"https://127.0.0.1:{free_port()}",  # a closed port: nothing listens there
        "controller_username": "admin",
        "controller_password": "controller-Secret-0b1e",
        "phonefleet_awx_scm_url": "https://git.example.invalid/phones/acme.git",
        "phonefleet_awx_ee_image": "registry.example.invalid/phonefleet-ee:0.1.0",
        "phonefleet_awx_timezone": "Europe/Moscow",
        "phonefleet_awx_service_url": "https://prov1.example.invalid:8480",
        "phonefleet_awx_phone_username": "admin",
        "ansible_python_interpreter": sys.executable,
        **SECRETS,
    }
    result = ansible(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(copy), "-e", json.dumps(extra)],
        work,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
    )
    report = json.loads(result.stdout)
    by_module: dict[str, list[dict]] = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            outcome = task["hosts"]["localhost"]
            action = outcome.get("action", "")
            if not action.startswith("awx.awx."):
                assert not outcome.get("failed"), f"{task['task']['name']}: {outcome.get('msg')}"
                continue
            assert outcome.get("results") or not outcome.get("skipped"), f"{task['task']['name']} skipped"
            by_module.setdefault(action.removeprefix("awx.awx."), []).extend(outcome.get("results") or [outcome])
    return by_module


def test_every_awx_task_passes_its_module_argument_validation_and_fails_only_to_connect(applied):
    expected = {
        "organization": 1,
        "credential_type": len(DATA["credential_types"]),
        "credential": len(DATA["credentials"]),
        "execution_environment": 1,
        "project": 1,
        "inventory": 1,
        "inventory_source": len(DATA["inventory"]["sources"]),
        "job_template": len(DATA["job_templates"]),
        "schedule": len(DATA["schedules"]),
    }
    assert {module: len(results) for module, results in applied.items()} == expected
    for module, results in applied.items():
        for result in results:
            assert result.get("failed"), f"{module}: {result}"
            # an argument error (unsupported parameter, bad choice, missing option) would fail before connecting
            assert CONNECTION_REFUSED in result["msg"], f"{module}: {result['msg']}"


def invocations(applied, module: str) -> list[dict]:
    return [result["invocation"]["module_args"] for result in applied[module]]


def test_job_templates_carry_the_surveys_unchanged_with_their_playbook_and_credentials(applied):
    templates = {args["name"]: args for args in invocations(applied, "job_template")}
    assert set(templates) == {f"PhoneFleet {name}" for name in CATALOGUE}
    credential_names = {key: credential["name"] for key, credential in DATA["credentials"].items()}
    for entry in DATA["job_templates"]:
        args = templates[f"PhoneFleet {entry['playbook']}"]
        assert args["playbook"] == f"playbooks/{entry['playbook']}.yml"
        assert args["survey_enabled"] is True
        assert args["survey_spec"] == json.loads(SURVEYS[entry["playbook"]].read_text(encoding="utf-8"))
        assert args["credentials"] == [credential_names[key] for key in entry["credentials"]]
        assert args["project"] == DATA["project"]["name"] and args["inventory"] == DATA["inventory"]["name"]
        assert args["execution_environment"] == DATA["execution_environment"]["name"]


def test_credential_types_reach_awx_with_its_injector_templates_untouched(applied):
    types = {args["name"]: args for args in invocations(applied, "credential_type")}
    service = types["PhoneFleet provisioning service"]
    # the names the collection reads (plugins/inventory/fleet.py, the phone control and service options)
    assert service["injectors"] == {
        "env": {"PHONEFLEET_SERVICE_URL": "{{ url }}", "PHONEFLEET_SERVICE_TOKEN": "{{ token }}"}
    }
    assert types["PhoneFleet phone control"]["injectors"]["env"] == {
        "PHONEFLEET_PHONE_USERNAME": "{{ username }}",
        "PHONEFLEET_PHONE_PASSWORD": "{{ password }}",
    }
    for credential_type in types.values():
        secret_fields = [field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")]
        assert secret_fields, f"{credential_type['name']}: no secret input"


def test_credentials_are_applied_with_their_types_and_never_show_their_secrets(applied):
    credentials = {args["name"]: args for args in invocations(applied, "credential")}
    types = {key: credential_type["name"] for key, credential_type in DATA["credential_types"].items()}
    assert {name: args["credential_type"] for name, args in credentials.items()} == {
        DATA["credentials"]["vault"]["name"]: "Vault",  # AWX's built-in type
        DATA["credentials"]["service"]["name"]: types["service"],
        DATA["credentials"]["phone_control"]["name"]: types["phone_control"],
    }
    for args in credentials.values():  # the module hides its inputs itself (no_log), and so does our task
        assert set(args["inputs"].values()) == {"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}, args["name"]
    (play,) = yaml.safe_load((REPO / "playbooks" / "awx_apply.yml").read_text(encoding="utf-8"))
    for task in play["tasks"]:
        if any(variable in json.dumps(task) for variable in SECRETS):
            assert task.get("no_log") is True, f"{task['name']} uses a secret without no_log"


def test_inventory_sources_read_the_site_inventory_files_of_the_project(applied):
    sources = {args["source_path"]: args for args in invocations(applied, "inventory_source")}
    assert set(sources) == {"inventory/phonefleet.yml", "inventory/servers.yml"}
    phones = sources["inventory/phonefleet.yml"]
    assert (phones["source"], phones["source_project"]) == ("scm", DATA["project"]["name"])
    assert phones["credential"] == DATA["credentials"]["service"]["name"]  # live facts
    site_inventory = yaml.safe_load((REPO / "playbooks/templates/site/phonefleet.yml.j2").read_text(encoding="utf-8"))
    assert site_inventory["plugin"] == "phonefleet.provisioning.fleet"


def test_schedules_run_in_the_fleet_time_zone_with_answers_their_survey_accepts(applied):
    schedules = {args["name"]: args for args in invocations(applied, "schedule")}
    for entry in DATA["schedules"]:
        args = schedules[entry["name"]]
        assert args["rrule"] == f"DTSTART;TZID=Europe/Moscow:{entry['start']} RRULE:{entry['rrule']}"
        assert args["unified_job_template"] == f"PhoneFleet {entry['playbook']}"
        survey = json.loads(SURVEYS[entry["playbook"]].read_text(encoding="utf-8"))
        questions = {question["variable"]: question for question in survey["spec"]}
        for variable, answer in entry["extra_data"].items():
            assert variable in questions, f"{entry['name']}: {variable} is not asked by the survey"
            question = questions[variable]
            if question["type"] == "integer":
                assert question["min"] <= answer <= question["max"], f"{entry['name']}: {variable}"
            if question["type"] == "multiplechoice":
                assert answer in question["choices"], f"{entry['name']}: {variable}"


def test_every_catalogue_playbook_has_a_survey_a_job_template_and_a_site_playbook():
    assert {entry["playbook"] for entry in DATA["job_templates"]} == CATALOGUE
    assert set(SURVEYS) == CATALOGUE
    wrappers = {path.stem for path in (AWX / "site" / "playbooks").glob("*.yml")}
    assert wrappers == CATALOGUE
    for name in CATALOGUE:
        assert (REPO / "playbooks" / f"{name}.yml").is_file()
        (play,) = yaml.safe_load((AWX / "site" / "playbooks" / f"{name}.yml").read_text(encoding="utf-8"))
        assert play["ansible.builtin.import_playbook"] == f"phonefleet.provisioning.{name}"


def exported_inventory_script(site: Path, where: Path) -> Path:
    """The site's inventory as AWX gives it to a job: a script in a folder of its own, not in the site."""
    listed = ansible([str(ANSIBLE_PLAYBOOK.with_name("ansible-inventory")), "--list", "--export"], site)
    assert listed.returncode == 0, listed.stderr
    (where / "hosts.json").write_text(listed.stdout, encoding="utf-8")
    script = where / "hosts"
    script.write_text(f"#!/bin/sh\ncat {where / 'hosts.json'}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_a_site_playbook_runs_on_the_site_fleet_with_an_inventory_from_elsewhere(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "inventory" / "demo", site / "inventory")
    vault_file = tmp_path / "vault-pass"
    shutil.move(site / "inventory" / "demo-vault-password.txt", vault_file)
    config = (REPO / "playbooks/templates/site/ansible.cfg.j2").read_text(encoding="utf-8")
    (site / "ansible.cfg").write_text(re.sub(r"\{\{.*?\}\}", "demo", config), encoding="utf-8")
    (site / "collections" / "ansible_collections" / "phonefleet").mkdir(parents=True)
    (site / "collections" / "ansible_collections" / "phonefleet" / "provisioning").symlink_to(REPO)
    shutil.copytree(AWX / "site" / "playbooks", site / "playbooks")
    runner = tmp_path / "runner"
    runner.mkdir()
    inventory = exported_inventory_script(site, runner)

    def validate(playbook: str) -> subprocess.CompletedProcess[str]:
        command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), playbook, "--vault-id", f"demo@{vault_file}"]
        return ansible(command, site)

    through_site = validate("playbooks/validate.yml")
    assert through_site.returncode == 0, through_site.stdout + through_site.stderr
    assert "phones by vendor:" in through_site.stdout
    alone = validate("phonefleet.provisioning.validate")
    assert alone.returncode != 0
    assert "no PhoneFleet inventory" in alone.stdout


def test_the_execution_environment_holds_the_collection_and_its_controller_libraries():
    definition = yaml.safe_load((AWX / "execution-environment.yml").read_text(encoding="utf-8"))
    assert definition["version"] == 3
    pinned = dict(
        line.split("==", 1)
        for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    dependencies = definition["dependencies"]
    assert dependencies["ansible_core"]["package_pip"] == f"ansible-core=={pinned['ansible-core']}"
    assert dependencies["ansible_runner"]["package_pip"] == f"ansible-runner=={pinned['ansible-runner']}"
    libraries = [
        line.split("==", 1)
        for line in (AWX / dependencies["python"]).read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert libraries and all(pinned.get(name) == version for name, version in libraries), libraries
    version = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    (collection,) = yaml.safe_load((AWX / dependencies["galaxy"]).read_text(encoding="utf-8"))["collections"]
    assert collection["name"].endswith(f"/phonefleet-provisioning-{version}.tar.gz")


def test_the_execution_environment_installs_the_collection_built_from_this_checkout(tmp_path):
    # as ansible-builder 3 does: awx/ee is copied into the build context, the galaxy step runs in it
    context = tmp_path / "build"
    shutil.copytree(AWX / "ee", context)
    galaxy = str(ANSIBLE_PLAYBOOK.with_name("ansible-galaxy"))
    built = ansible([galaxy, "collection", "build", "--output-path", str(context / "collection"), str(REPO)], tmp_path)
    assert built.returncode == 0, built.stderr
    installed = ansible([galaxy, "collection", "install", "-r", "requirements.yml", "-p", str(tmp_path)], context)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    manifest = json.loads((tmp_path / "ansible_collections/phonefleet/provisioning/MANIFEST.json").read_text())
    assert manifest["collection_info"]["version"] == yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    assert (tmp_path / "ansible_collections/phonefleet/provisioning/plugins/inventory/fleet.py").is_file()
