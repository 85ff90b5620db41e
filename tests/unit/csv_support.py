"""Shared helpers of the CSV import/export tests: a copy of the demo fleet, the demo vault, playbook runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.files import atomic_write
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_import import plan_import
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import decrypter, encrypter, file_decrypter

REPO = Path(__file__).resolve().parents[2]
DEMO_FLEET = REPO / "inventory" / "demo" / "fleet"
VAULT_PASSWORD_FILE = REPO / "inventory" / "demo" / "demo-vault-password.txt"
EXCEL_CP1251 = REPO / "docs" / "examples" / "phones-excel-cp1251.csv"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")

HEADER_EN = ["MAC", "Name", "Number", "Username", "Password", "Profile", "Firmware kit"]
HEADER_RU = ["MAC Адрес", "Название", "Номер", "Имя пользователя", "Пароль", "Профиль", "Комплект ПО"]
# Two new phones (Yealink MAC prefix), the second written in Cisco notation.
ROWS = [
    ["80:5E:C0:AA:00:01", "Склад, стеллаж A", "2101", "2101", "Shelf-A-2101-sip", "warehouse", ""],
    ["805e.c0aa.0002", "Склад, стеллаж B", "2103", "2103", "Shelf-B-2103-sip", "warehouse", "2026-q3"],
]


class _Loader:
    """What the vault helpers need of Ansible's DataLoader."""

    def __init__(self, vault: VaultLib) -> None:
        self._vault = vault


def demo_loader() -> _Loader:
    secret = VaultSecret(VAULT_PASSWORD_FILE.read_text().strip().encode())
    return _Loader(VaultLib([("default", secret)]))


def vault_kwargs() -> dict:
    loader = demo_loader()
    return {"encrypt": encrypter(loader), "decrypt": decrypter(loader), "decrypt_file": file_decrypter(loader)}


def decrypt_text(vaulttext: str) -> str:
    decrypt = decrypter(demo_loader())
    assert decrypt is not None
    return decrypt(vaulttext)


def csv_bytes(rows: list[list[str]], header=tuple(HEADER_EN), delimiter=";", encoding="utf-8-sig") -> bytes:
    quoted = []
    for record in [list(header), *rows]:
        cells = [f'"{cell}"' if delimiter in cell or '"' in cell else cell for cell in record]
        quoted.append(delimiter.join(cells))
    return ("\r\n".join(quoted) + "\r\n").encode(encoding)


def copy_fleet(tmp_path: Path) -> Path:
    target = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, target)
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    return {str(path.relative_to(directory)): path.read_bytes() for path in files}


def plan(data: bytes, fleet: Path, vault: bool = True, **options):
    """plan_import with the demo vault, new phones going to phones.yml (the action's default)."""
    options.setdefault("dest", str(fleet / "phones.yml"))
    dest = options.pop("dest")
    extra = vault_kwargs() if vault else {}
    return plan_import(data, "test.csv", str(fleet), dest, **extra, **options)


def apply(result) -> None:
    """Write a plan's files as the action plugin does."""
    for path, text in result.writes.items():
        atomic_write(path, text.encode("utf-8"))


def run_task(tmp_path: Path, module: str, args: dict, *flags: str, vault: bool = True) -> tuple[int, dict, str]:
    """Run one task of ``module`` through ansible-playbook; returns (rc, registered result, output).

    The task runs with ignore_errors so that its result is saved even when it fails: check ``failed``.
    """
    task = {f"phonefleet.provisioning.{module}": args}
    rc, results, output = run_tasks(tmp_path, module, [task], *flags, vault=vault)
    return rc, results[0], output


def run_tasks(
    tmp_path: Path, name: str, tasks: list[dict], *flags: str, vault: bool = True
) -> tuple[int, list[dict], str]:
    """Run ``tasks`` in one play through ansible-playbook; returns (rc, each task's registered result, output).

    Each task runs with ignore_errors so that every result is saved even when one fails: check ``failed``.
    """
    out = tmp_path / f"result-{name}.json"
    playbook = tmp_path / f"play-{name}.yml"
    registered = [f"result_{index}" for index in range(len(tasks))]
    play = [
        {
            "name": "test",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                *(
                    {"name": f"run {index}", **task, "register": variable, "ignore_errors": True}
                    for index, (task, variable) in enumerate(zip(tasks, registered, strict=True))
                ),
                {
                    "name": "save",
                    "ansible.builtin.copy": {
                        "content": "{{ [" + ", ".join(registered) + "] | to_json }}",
                        "dest": str(out),
                    },
                    "check_mode": False,
                    "diff": False,
                },
            ],
        }
    ]
    playbook.write_text(json.dumps(play))
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook), *flags]
    completed = run_playbook(tmp_path, command, vault)
    output = completed.stdout + completed.stderr
    assert out.exists(), output
    with open(out, "rb") as handle:
        # copy writes the JSON text as it is.
        results = json.loads(handle.read().decode("utf-8"))
    return completed.returncode, results, output


def run_playbook(tmp_path: Path, command: list[str], vault: bool = True) -> subprocess.CompletedProcess:
    """Run an ansible-playbook command from the checkout, with the demo vault password unless ``vault=False``."""
    command = [*command, "-e", f"ansible_python_interpreter={sys.executable}"]
    if vault:
        command += ["--vault-password-file", str(VAULT_PASSWORD_FILE)]
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_VAULT_PASSWORD_FILE", None)
    if not vault:
        # The checkout's ansible.cfg names the demo vault password: run with a copy that does not.
        config = tmp_path / "ansible-no-vault.cfg"
        text = (REPO / "ansible.cfg").read_text().replace("./collections", str(REPO / "collections"))
        config.write_text("\n".join(line for line in text.splitlines() if not line.startswith("vault_identity_list")))
        env["ANSIBLE_CONFIG"] = str(config)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


def run_survey(tmp_path: Path, playbook: Path, extra_vars: dict, *flags: str) -> tuple[int, str]:
    """Run ``playbook`` as a survey does (every answer in ``extra_vars``); returns (rc, output)."""
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook)]
    completed = run_playbook(tmp_path, [*command, "-e", json.dumps(extra_vars), *flags])
    return completed.returncode, completed.stdout + completed.stderr


def run_module_tasks(tmp_path: Path, tasks: list[tuple[str, dict]], *flags: str) -> tuple[int, list[dict], str]:
    """Run ``(module, args)`` tasks of this collection in one play (see run_tasks)."""
    name = f"{tasks[0][0]}-{len(list(tmp_path.glob('play-*.yml')))}"
    return run_tasks(tmp_path, name, [{f"phonefleet.provisioning.{module}": args} for module, args in tasks], *flags)
