"""What runner's event handler (runner.py, ``JobRun._event_handler``) hands on to the writer: every event, as it
was when runner handed it, scrubbed of the job's secrets in runner's own copy too."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.model import PENDING, Job, LaunchOptions
from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import JobRun

SECRET = "desk-sip-pass-7d41"


def job_run(tmp_path: Path, handed: list[dict]) -> JobRun:
    return JobRun(
        job=Job(id=1, options=LaunchOptions("secrets"), state=PENDING, created_at=0.0),
        playbook=tmp_path / "playbook.yml",
        secrets={"desk_sip_password": SECRET},
        data_dir=str(tmp_path),
        project_dir=str(tmp_path),
        inventory=str(tmp_path),
        on_event=handed.append,
        on_running=lambda: None,
        _secret_values=[SECRET],
    )


def test_a_verbose_output_handed_line_by_line_in_one_dict_is_handed_on_as_each_line_was(tmp_path):
    """ansible_runner.utils.OutputEventFilter._emit_event hands the lines of verbose output to the handler as one
    dict, changing its counter, uuid and stdout between the calls; the writer stores them later, in its thread."""
    handed: list[dict] = []
    run = job_run(tmp_path, handed)
    event = {"event": "verbose"}
    for counter, line in enumerate(["Using ansible.cfg as config file", "PLAY [phones]"], start=1):
        event.update(counter=counter, uuid=f"uuid-{counter}", stdout=line)
        assert run._event_handler(event) is True  # runner writes the event to job_events
    assert [(each["counter"], each["uuid"], each["stdout"]) for each in handed] == [
        (1, "uuid-1", "Using ansible.cfg as config file"),
        (2, "uuid-2", "PLAY [phones]"),
    ]


def test_an_event_holding_a_secret_is_masked_in_runners_copy_and_in_what_is_handed_on(tmp_path):
    handed: list[dict] = []
    run = job_run(tmp_path, handed)
    event = {
        "counter": 7,
        "event": "runner_on_ok",
        "stdout": f"ok: [desk] => password={SECRET}",
        "event_data": {"res": {"msg": ["line", f"sip password {SECRET}"]}, "host": "desk"},
    }
    plain = {"counter": 8, "event": "runner_on_ok", "stdout": "ok: [lobby]", "event_data": {"host": "lobby"}}
    run._event_handler(event)
    run._event_handler(dict(plain))
    assert SECRET not in json.dumps(event), "runner would write the secret to its job_events file"
    assert SECRET not in json.dumps(handed), "the secret would be stored"
    assert handed[0]["stdout"] == "ok: [desk] => password=********"
    assert handed[0]["event_data"]["res"]["msg"] == ["line", "sip password ********"]
    assert handed[1] == plain  # nothing to mask: handed on whole
