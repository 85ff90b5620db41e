"""Every survey (playbooks/surveys/<playbook>.json, AWX survey_spec) asks only what its playbook uses."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from csv_support import REPO

SURVEYS = sorted((REPO / "playbooks" / "surveys").glob("*.json"))
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
FIELDS = {"question_name", "question_description", "required", "type", "variable", "min", "max", "default", "choices"}
SECRET = re.compile(r"password|secret|_pin$")


@pytest.mark.parametrize("survey", SURVEYS, ids=[path.stem for path in SURVEYS])
def test_a_survey_asks_what_its_playbook_uses(survey):
    spec = json.loads(survey.read_text())
    playbook = REPO / "playbooks" / f"{survey.stem}.yml"
    text = playbook.read_text()
    header = text.split("\n- name:", 1)[0]
    play = yaml.safe_load(text)
    assert set(spec) == {"name", "description", "spec"} and spec["spec"]
    for question in spec["spec"]:
        variable = question["variable"]
        assert set(question) == FIELDS, variable
        assert question["type"] in TYPES, variable
        assert re.search(rf"\b{variable}\b", header), f"{variable}: not listed in the header of {playbook.name}"
        uses = [task for task in play[0]["tasks"] if re.search(rf"\b{variable}\b", json.dumps(task))]
        uses += [name for name, value in play[0].get("vars", {}).items() if re.search(rf"\b{variable}\b", str(value))]
        assert uses, f"{variable}: {playbook.name} does not use it"
        if question["type"] == "multiplechoice":
            assert isinstance(question["choices"], list) and question["choices"], variable
        if SECRET.search(variable):
            assert question["type"] == "password", f"{variable}: a secret is asked as a password"
    secrets = [question["variable"] for question in spec["spec"] if question["type"] == "password"]
    for task in play[0]["tasks"]:
        if any(re.search(rf"\b{variable}\b", json.dumps(task)) for variable in secrets):
            assert task.get("no_log") is True, f"{task['name']}: takes a secret without no_log"
