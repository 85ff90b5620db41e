"""Shared checks of the fleet-editing modules' tests: a playbook's survey (AWX survey_spec) against the playbook."""

from __future__ import annotations

import json
import re

from csv_support import REPO

SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
QUESTION_KEYS = {"question_name", "question_description", "required", "type", "variable"}


def survey_problems(name: str) -> list[str]:
    """What is wrong with ``playbooks/surveys/<name>.json`` as the survey of ``playbooks/<name>.yml``."""
    survey = json.loads((REPO / "playbooks" / "surveys" / f"{name}.json").read_text(encoding="utf-8"))
    playbook = (REPO / "playbooks" / f"{name}.yml").read_text(encoding="utf-8")
    header = "\n".join(line for line in playbook.splitlines() if line.startswith("#"))
    body = "\n".join(line for line in playbook.splitlines() if not line.startswith("#"))
    problems = [f"survey lacks {key}" for key in ("name", "description", "spec") if key not in survey]
    for question in survey.get("spec", []):
        variable = question.get("variable", "?")
        problems += [f"{variable}: no {key}" for key in sorted(QUESTION_KEYS - set(question))]
        if question.get("type") not in SURVEY_TYPES:
            problems.append(f"{variable}: type {question.get('type')!r} is not a survey type")
        if re.search(r"\b" + re.escape(variable) + r"\b", body) is None:
            problems.append(f"{variable}: the playbook does not use it")
        if re.search(r"^#\s+" + re.escape(variable) + r"\b", header, re.MULTILINE) is None:
            problems.append(f"{variable}: the playbook's header does not list it")
        if "password" in variable and question.get("type") != "password":
            problems.append(f"{variable}: a secret is asked with type password")
        if question.get("type") in ("multiplechoice", "multiselect") and not question.get("choices"):
            problems.append(f"{variable}: a choice without choices")
    return problems


def secrets_without_no_log(spec: dict, where: str = "") -> list[str]:
    """Options of an argument spec named as a secret (masking.SECRET_KEYS) but not ``no_log``, at any depth."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import SECRET_KEYS

    found = []
    for name, option in spec.items():
        if name in SECRET_KEYS and not option.get("no_log"):
            found.append(where + name)
        found += secrets_without_no_log(option.get("options") or {}, f"{where}{name}.")
    return found
