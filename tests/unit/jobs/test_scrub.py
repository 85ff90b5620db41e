"""What a job's events are scrubbed of: every secret, also as JSON spells it inside an event."""

from __future__ import annotations

import json

from ansible_collections.phonefleet.provisioning.plugins.module_utils.jobs.runner import scrub_secrets


def test_a_secret_is_masked_in_every_spelling_an_event_holds():
    secret = 'pa"ss\\wörd'
    event = {"stdout": f"password={secret}", "event_data": {"res": {"msg": [f"x {secret} y"]}}}
    text = scrub_secrets(json.dumps(event), [secret]) + scrub_secrets(json.dumps(event, ensure_ascii=False), [secret])
    assert "wörd" not in text and "w\\u00f6rd" not in text
    assert json.loads(scrub_secrets(json.dumps(event), [secret]))["stdout"] == "password=********"


def test_a_short_secret_is_masked_only_as_a_whole_value():
    assert scrub_secrets("pin: 123, room 1234", ["123"]) == "pin: ********, room 1234"
