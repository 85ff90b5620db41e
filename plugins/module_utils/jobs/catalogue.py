# Private to this collection: the job service's catalogue of launchable playbooks and their surveys.
"""Which playbooks the job service runs, and what a launch may set: nothing else can be run.

The catalogue is a fixed list of the repository's user-facing playbooks (``CATALOGUE``); a path never comes
from a request. Each playbook's extra vars are the answers to its survey, ``playbooks/surveys/<name>.json`` in
AWX's survey_spec format (the file AWX imports too); a playbook without a survey takes no extra vars. Answers
are checked as AWX checks them (required, default, type, min/max as length or value, choices) and the first wrong one is
named in a :class:`LaunchError` whose ``field`` is the variable (a password answer's value is never quoted).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .model import MAX_VERBOSITY, LaunchOptions

#: every user-facing playbook of playbooks/. Not new_site.yml: it creates a site (a repository) at a path
#: of the engineer's machine, which is not a job on a site; nor awx_apply.yml, which configures an AWX
CATALOGUE = (
    "validate",
    "publish",
    "import_csv",
    "export_csv",
    "export_autoprovisioned",
    "registrar_export",
    "reboot",
    "resync",
    "status",
    "screenshot",
    "firmware_upgrade",
    "phone",
    "phones_bulk",
    "profile",
    "key_template",
    "extended_set",
    "firmware_kit",
    "fleet_settings",
    "mobility_user",
    "mobility_sessions",
    "mobility_logout",
)
#: an Ansible host pattern: names, groups, wildcards, ranges, ``:``/``,``/``&``/``!`` (no blank, no option)
_LIMIT = re.compile(r"^[A-Za-z0-9_.:,&!*?\[\]~@-]{0,1024}$")


class LaunchError(ValueError):
    """A launch that cannot be accepted; ``field`` names what is wrong (``extra_vars.<variable>``, ``limit``...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CatalogueError(ValueError):
    """A catalogue playbook or survey file is missing or broken; the message names the file."""


@dataclass(frozen=True)
class Playbook:
    name: str
    path: Path
    survey: dict | None  # AWX survey_spec (name, description, spec) or None: no extra vars

    @property
    def questions(self) -> list[dict]:
        return list(self.survey["spec"]) if self.survey else []

    @property
    def password_variables(self) -> tuple[str, ...]:
        return tuple(question["variable"] for question in self.questions if question.get("type") == "password")

    def public_survey(self) -> dict | None:
        """The survey as shown to a client: a password question's default is never sent (AWX shows $encrypted$)."""
        if self.survey is None:
            return None
        spec = [
            {**question, "default": "$encrypted$"}
            if question.get("type") == "password" and question.get("default")
            else question
            for question in self.questions
        ]
        return {**self.survey, "spec": spec}


class Catalogue:
    """The launchable playbooks: ``names`` in ``playbooks_dir``, their surveys in ``playbooks_dir/surveys``.

    ``extra`` maps further names to playbook files: for tests only (a playbook that sleeps), never set from
    settings or a request."""

    def __init__(self, playbooks_dir: Path, names: tuple[str, ...] = CATALOGUE, extra: dict | None = None) -> None:
        self.playbooks: dict[str, Playbook] = {}
        paths = {name: playbooks_dir / f"{name}.yml" for name in names}
        paths.update({name: Path(path) for name, path in (extra or {}).items()})
        for name, path in paths.items():
            if not path.is_file():
                raise CatalogueError(f"{path}: catalogue playbook {name!r} not found")
            self.playbooks[name] = Playbook(name, path, _read_survey(path.parent / "surveys" / f"{name}.json"))

    def get(self, name: str) -> Playbook:
        try:
            return self.playbooks[name]
        except KeyError:
            raise LaunchError("playbook", f"{name!r} is not in the catalogue") from None

    def launch_options(
        self,
        playbook: str,
        limit: str = "",
        check: bool = False,
        diff: bool = False,
        verbosity: int = 0,
        extra_vars: dict | None = None,
    ) -> tuple[LaunchOptions, dict]:
        """The validated options and, apart, the secret answers (password questions): never stored."""
        entry = self.get(playbook)
        if not _LIMIT.match(limit or "") or (limit or "").startswith("-"):
            raise LaunchError("limit", "must be an Ansible host pattern (names, groups, : , & ! * and ranges)")
        if not 0 <= verbosity <= MAX_VERBOSITY:
            raise LaunchError("verbosity", f"must be 0 to {MAX_VERBOSITY}, not {verbosity}")
        answers, secrets = survey_answers(entry, extra_vars or {})
        options = LaunchOptions(
            playbook, limit or "", bool(check), bool(diff), verbosity, answers, tuple(sorted(secrets))
        )
        return options, secrets


def _read_survey(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        survey = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{path}: cannot be read as JSON: {exc}") from None
    if not isinstance(survey, dict) or not isinstance(survey.get("spec"), list):
        raise CatalogueError(f"{path}: not an AWX survey_spec (a mapping with a 'spec' list)")
    return survey


def _choices(question: dict) -> list[str]:
    choices = question.get("choices") or []
    return [choice for choice in choices.split("\n") if choice] if isinstance(choices, str) else list(choices)


def _bound(question: dict, key: str) -> float | None:
    value = question.get(key)
    return None if value in (None, "") else float(value)


def survey_answers(playbook: Playbook, extra_vars: dict) -> tuple[dict, dict]:
    """``extra_vars`` checked against the playbook's survey; (plain answers, password answers)."""
    questions = {question["variable"]: question for question in playbook.questions}
    for variable in extra_vars:
        if variable not in questions:
            asked = ", ".join(sorted(questions)) or "none (this playbook has no survey)"
            raise LaunchError(
                f"extra_vars.{variable}", f"is not a question of {playbook.name}'s survey; asked: {asked}"
            )
    answers: dict = {}
    secrets: dict = {}
    for variable, question in questions.items():
        field = f"extra_vars.{variable}"
        value = extra_vars.get(variable)
        if value in (None, ""):
            # as AWX's launch: an unanswered question takes the survey's default, if any, required or not; an
            # unanswered one without a default is refused when required, else left out (the playbook's default
            # applies). A password's default is not applied: it would be a stored secret
            value = question.get("default")
            if value in (None, "") or question.get("type") == "password":
                if question.get("required"):
                    raise LaunchError(field, f"is required ({question.get('question_name', variable)})")
                continue
        value = _checked(question, value, field)
        (secrets if question.get("type") == "password" else answers)[variable] = value
    return answers, secrets


def _checked(question: dict, value, field: str):
    kind = question.get("type")
    low, high = _bound(question, "min"), _bound(question, "max")
    if kind in ("text", "textarea", "password"):
        if not isinstance(value, str):
            raise LaunchError(field, "must be a string")
        shown = "the answer" if kind == "password" else repr(value) if len(value) <= 40 else "the answer"
        if low is not None and len(value) < low:
            raise LaunchError(field, f"{shown} is shorter than {int(low)} characters")
        if high is not None and len(value) > high:
            raise LaunchError(field, f"{shown} is longer than {int(high)} characters")
        return value
    if kind in ("integer", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LaunchError(field, f"must be {'an integer' if kind == 'integer' else 'a number'}")
        if kind == "integer" and isinstance(value, float):
            if not value.is_integer():
                raise LaunchError(field, "must be an integer")
            value = int(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise LaunchError(field, "must be a finite number")
        if low is not None and value < low:
            raise LaunchError(field, f"{value} is less than the minimum {low:g}")
        if high is not None and value > high:
            raise LaunchError(field, f"{value} is more than the maximum {high:g}")
        return value
    choices = _choices(question)
    if kind == "multiplechoice":
        if value not in choices:
            raise LaunchError(field, f"{value!r} is not one of: {', '.join(choices)}")
        return value
    if kind == "multiselect":
        picked = value.split("\n") if isinstance(value, str) else value
        if not isinstance(picked, list) or not all(isinstance(item, str) for item in picked):
            raise LaunchError(field, "must be a list of choices")
        wrong = [item for item in picked if item not in choices]
        if wrong:
            raise LaunchError(field, f"{', '.join(map(repr, wrong))} not among: {', '.join(choices)}")
        return picked
    raise LaunchError(field, f"the survey's question has an unknown type {kind!r}")
