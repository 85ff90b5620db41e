"""Running several fleet-editing tasks in one ansible-playbook run (each run costs seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from csv_support import ANSIBLE_PLAYBOOK, REPO, VAULT_PASSWORD_FILE


def run_tasks(tmp_path: Path, tasks: list[dict], *flags: str, name: str = "play") -> tuple[list[dict], str]:
    """Run ``tasks`` (each ``{module: args}``, optionally with task keywords) in one play; every task's result
    in order, and the output. Tasks run with ignore_errors, so a failed task's result is kept (``failed``)."""
    results = tmp_path / f"results-{name}"
    results.mkdir()
    play_tasks = []
    for index, task in enumerate(tasks):
        play_tasks.append({"name": f"task {index}", **task, "register": f"result_{index}", "ignore_errors": True})
        play_tasks.append(
            {
                "name": f"save {index}",
                "ansible.builtin.copy": {
                    "content": f"{{{{ result_{index} | to_json }}}}",
                    "dest": f"{results}/{index}",
                },
                "check_mode": False,
                "diff": False,
            }
        )
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(json.dumps([{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": play_tasks}]))
    return _results(playbook, results, len(tasks), flags)


def run_playbook(playbook: Path, *flags: str) -> tuple[int, str]:
    """Run a playbook as a user (or the job service) does; (return code, output)."""
    completed = _run([str(playbook), *flags])
    return completed.returncode, completed.stdout + completed.stderr


def _results(playbook: Path, results: Path, count: int, flags: tuple) -> tuple[list[dict], str]:
    completed = _run([str(playbook), *flags])
    output = completed.stdout + completed.stderr
    found = []
    for index in range(count):
        path = results / str(index)
        assert path.exists(), output
        found.append(json.loads(path.read_bytes().decode("utf-8")))
    return found, output


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", *arguments]
    command += ["-e", f"ansible_python_interpreter={sys.executable}", "--vault-password-file", str(VAULT_PASSWORD_FILE)]
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_VAULT_PASSWORD_FILE", None)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
