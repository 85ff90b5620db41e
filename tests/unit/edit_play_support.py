"""Running several fleet-editing tasks in one ansible-playbook run (each run costs seconds): the shapes the
firmware, mobility and settings tests use, over csv_support's runners."""

from __future__ import annotations

from pathlib import Path

import csv_support
from csv_support import ANSIBLE_PLAYBOOK


def run_tasks(tmp_path: Path, tasks: list[dict], *flags: str, name: str = "play") -> tuple[list[dict], str]:
    """Run ``tasks`` (each ``{module: args}``, optionally with task keywords) in one play; every task's result
    in order, and the output. Tasks run with ignore_errors, so a failed task's result is kept (``failed``)."""
    _rc, results, output = csv_support.run_tasks(tmp_path, name, tasks, *flags)
    return results, output


def run_playbook(playbook: Path, *flags: str) -> tuple[int, str]:
    """Run a playbook as a user (or the job service) does; (return code, output)."""
    command = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook), *flags]
    completed = csv_support.run_playbook(playbook.parent, command)
    return completed.returncode, completed.stdout + completed.stderr
