"""Surveys (playbooks/surveys/<playbook>.json): AWX's survey_spec, read by AWX and by the job service.

Each survey must be what AWX accepts (the checks of awx/main/models/mixins.py SurveyJobTemplateMixin and the
API's survey_spec validation: a name, a description, a list of questions, each with a unique valid variable
name, a known type, choices for the choice types, a default among them), and must ask only for variables its
playbook reads; a password question's variable is never logged by the task that uses it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SURVEYS = sorted((REPO / "playbooks" / "surveys").glob("*.json"))
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: a variable whose name says it holds a secret is asked as a password (AWX then never shows the answer)
SECRET = re.compile(r"password|secret|_pin$")


def tasks_of(playbook: Path) -> list[dict]:
    found: list[dict] = []

    def walk(items: list) -> None:
        for item in items or []:
            if isinstance(item, dict):
                found.append(item)
                for key in ("tasks", "pre_tasks", "post_tasks", "block", "rescue", "always"):
                    walk(item.get(key) or [])

    walk(yaml.safe_load(playbook.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("survey", SURVEYS, ids=[path.stem for path in SURVEYS])
def test_survey_is_a_valid_awx_survey_spec_for_its_playbook(survey):
    spec = json.loads(survey.read_text(encoding="utf-8"))
    assert isinstance(spec.get("name"), str) and isinstance(spec.get("description"), str), survey.name
    questions = spec.get("spec")
    assert isinstance(questions, list) and questions, f"{survey.name}: spec must be a non-empty list"
    playbook = REPO / "playbooks" / f"{survey.stem}.yml"
    assert playbook.is_file(), f"{survey.name}: no playbook {playbook.name}"
    text = playbook.read_text(encoding="utf-8")
    header = text.split("\n- name:", 1)[0]  # the comment block that lists the playbook's variables
    seen = set()
    for index, question in enumerate(questions):
        where = f"{survey.name}: spec[{index}]"
        variable = question.get("variable")
        assert isinstance(variable, str) and VARIABLE.match(variable), f"{where}: variable {variable!r}"
        assert variable not in seen, f"{where}: variable {variable} asked twice"
        seen.add(variable)
        assert isinstance(question.get("question_name"), str) and question["question_name"], where
        assert question.get("type") in TYPES, f"{where}: type {question.get('type')!r}"
        assert isinstance(question.get("required"), bool), f"{where}: required must be true or false"
        assert re.search(rf"\b{re.escape(variable)}\b", text), f"{where}: {playbook.name} never reads {variable}"
        assert re.search(rf"\b{re.escape(variable)}\b", header), f"{where}: {variable} not listed in the header"
        if SECRET.search(variable):
            assert question["type"] == "password", f"{where}: the secret {variable} is asked as a password"
        if question["type"] in ("multiplechoice", "multiselect"):
            choices = question.get("choices")
            if isinstance(choices, str):
                choices = choices.split("\n")
            assert isinstance(choices, list) and choices, f"{where}: choices needed"
            default = question.get("default")
            if default not in (None, ""):
                picked = default.split("\n") if question["type"] == "multiselect" else [default]
                assert set(picked) <= set(choices), f"{where}: default {default!r} is not a choice"
        if question["type"] == "password":
            users = [task for task in tasks_of(playbook) if variable in json.dumps(task)]
            assert users, f"{where}: no task uses {variable}"
            for task in users:
                if any(key in task for key in ("block", "tasks")):
                    continue
                no_log = task.get("no_log")
                # always, or whenever the secret is given (so the diff of a change without it stays visible)
                hidden = no_log is True or (isinstance(no_log, str) and variable in no_log)
                assert hidden, f"{where}: task {task.get('name')!r} uses {variable} without no_log"
