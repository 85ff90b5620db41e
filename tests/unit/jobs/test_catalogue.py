"""The catalogue and its surveys: what a launch may set, and the error that names the wrong field."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.catalogue import (
    CATALOGUE,
    Catalogue,
    CatalogueError,
    LaunchError,
)

from tests.unit.jobs.support import REPO, TEST_PLAYBOOKS, catalogue_with_test_playbooks

GOOD = {"site_name": "Head office", "mode": "pass", "sip_password": "Sip-Secret-7f3a9c", "phone_count": 7}


def launch_error(extra_vars: dict, playbook: str = "answers", **options) -> LaunchError:
    with pytest.raises(LaunchError) as caught:
        catalogue_with_test_playbooks().launch_options(playbook, extra_vars=extra_vars, **options)
    return caught.value


def test_every_user_facing_playbook_is_in_the_catalogue_and_nothing_else():
    playbooks = {path.stem for path in (REPO / "playbooks").glob("*.yml")}
    assert set(CATALOGUE) == playbooks - {"new_site", "awx_apply"}
    assert set(Catalogue(REPO / "playbooks").playbooks) == set(CATALOGUE)


def test_answers_are_split_into_stored_answers_and_secrets():
    options, secrets = catalogue_with_test_playbooks().launch_options(
        "answers", limit="phones:&office", check=True, extra_vars=GOOD
    )
    assert options.answers == {"site_name": "Head office", "mode": "pass", "phone_count": 7}
    assert secrets == {"sip_password": "Sip-Secret-7f3a9c"}
    assert options.secret_variables == ("sip_password",)
    assert (options.limit, options.check, options.diff) == ("phones:&office", True, False)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"site_name": None}, "extra_vars.site_name", "is required"),
        ({"site_name": "x"}, "extra_vars.site_name", "shorter than 2"),
        ({"phone_count": 0}, "extra_vars.phone_count", "less than the minimum 1"),
        ({"phone_count": 101}, "extra_vars.phone_count", "more than the maximum 100"),
        ({"phone_count": "7"}, "extra_vars.phone_count", "must be an integer"),
        ({"phone_count": 7.5}, "extra_vars.phone_count", "must be an integer"),
        ({"phone_count": True}, "extra_vars.phone_count", "must be an integer"),
        ({"mode": "maybe"}, "extra_vars.mode", "'maybe' is not one of: pass, fail"),
        ({"sip_password": "short"}, "extra_vars.sip_password", "shorter than 8"),
        ({"unasked": 1}, "extra_vars.unasked", "is not a question of answers's survey"),
    ],
)
def test_a_wrong_answer_is_refused_naming_its_field(change, field, message):
    error = launch_error({**GOOD, **change})
    assert error.field == field
    assert message in error.message


def test_an_unanswered_question_takes_the_survey_default():
    answers = {key: value for key, value in GOOD.items() if key != "phone_count"}
    options, _secrets = catalogue_with_test_playbooks().launch_options("answers", extra_vars=answers)
    assert options.answers["phone_count"] == 5


def test_a_required_question_with_a_default_takes_it_and_one_without_is_refused():
    options, _secrets = catalogue_with_test_playbooks().launch_options(
        "answers", extra_vars={"site_name": "Head office", "sip_password": "Sip-Secret-7f3a9c"}
    )
    assert options.answers["mode"] == "pass"  # required, default "pass": as AWX's launch
    assert launch_error({"mode": "fail"}).field == "extra_vars.site_name"  # required, no default


def test_a_password_answer_is_never_quoted_in_an_error():
    error = launch_error({**GOOD, "sip_password": "x" * 65})
    assert "x" * 65 not in str(error)


def test_every_catalogue_playbook_has_a_survey_and_none_asks_for_the_fleet_folder():
    catalogue = Catalogue(REPO / "playbooks")
    for name in CATALOGUE:
        variables = {question["variable"] for question in catalogue.playbooks[name].questions}
        assert variables, f"{name} has no survey"
        assert "phonefleet_fleet_dir" not in variables, name
    error = launch_error({"phonefleet_fleet_dir": "/etc"}, playbook="validate")
    assert error.field == "extra_vars.phonefleet_fleet_dir"
    assert "is not a question of validate's survey" in error.message


@pytest.mark.parametrize("limit", ["--help", "a b", "x\ny", "a;b", "$(id)"])
def test_a_limit_that_is_no_host_pattern_is_refused(limit):
    assert launch_error(GOOD, limit=limit).field == "limit"


def test_verbosity_and_playbook_are_checked():
    assert launch_error(GOOD, verbosity=6).field == "verbosity"
    error = launch_error({}, playbook="../../etc/passwd")
    assert (error.field, error.message) == ("playbook", "'../../etc/passwd' is not in the catalogue")


def test_a_multiselect_answer_is_a_list_of_choices():
    catalogue = Catalogue(REPO / "playbooks")
    options, _secrets = catalogue.launch_options("fleet_settings", extra_vars={"phonefleet_vendors": ["snom", "cisco"]})
    assert options.answers["phonefleet_vendors"] == ["snom", "cisco"]
    with pytest.raises(LaunchError) as caught:
        catalogue.launch_options("fleet_settings", extra_vars={"phonefleet_vendors": ["snom", "nokia"]})
    assert caught.value.field == "extra_vars.phonefleet_vendors" and "'nokia' not among" in caught.value.message


def test_a_password_default_is_not_shown():
    entry = catalogue_with_test_playbooks().get("answers")
    survey = {**entry.survey, "spec": [{**entry.survey["spec"][3], "default": "Default-Secret-1"}]}
    shown = type(entry)(entry.name, entry.path, survey).public_survey()
    assert shown["spec"][0]["default"] == "$encrypted$"


def test_a_broken_survey_names_its_file(tmp_path):
    (tmp_path / "surveys").mkdir()
    (tmp_path / "broken.yml").write_text("---\n[]\n")
    (tmp_path / "surveys" / "broken.json").write_text("{not json")
    with pytest.raises(CatalogueError, match=r"surveys/broken.json: cannot be read as JSON"):
        Catalogue(tmp_path, ("broken",))
    with pytest.raises(CatalogueError, match=r"missing.yml: catalogue playbook 'missing' not found"):
        Catalogue(TEST_PLAYBOOKS, ("missing",))
