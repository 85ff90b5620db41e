"""Schedules through the job service's HTTP API: CRUD, next run times, and a scheduled validate that runs."""

from __future__ import annotations

import time
from pathlib import Path

from tests.unit.jobs.support import job_service

CALENDAR = """
  calendar:
    timezone: Europe/Berlin
"""


def add_calendar(directory: Path) -> None:
    settings = directory / "site" / "fleet" / "settings.yml"
    settings.write_text(settings.read_text().replace("settings:\n", f"settings:{CALENDAR}", 1))


def test_a_schedule_is_made_listed_and_fires_a_validate_job(tmp_path, store_url):
    # the clock is 2 s before a whole minute: a schedule of every minute is due almost at once
    offset = 60 - time.time() % 60 - 2
    from tests.unit.jobs import support

    support.job_settings(tmp_path)  # copies the site
    add_calendar(tmp_path)

    def clock() -> float:
        return time.time() + offset

    with job_service(tmp_path, schedule_interval_seconds=0.2, clock=clock, database_url=store_url) as service:
        client = service.client
        bad = client.post("/api/v1/schedules", json={"name": "night", "playbook": "validate", "cron": "0 25 * * *"})
        assert bad.status_code == 422 and "cron" in bad.text
        body = {"name": "often", "playbook": "validate", "cron": "* * * * *"}
        made = client.post("/api/v1/schedules", json=body)
        assert made.status_code == 201, made.text
        assert client.post("/api/v1/schedules", json=body).status_code == 409
        upcoming = client.get("/api/v1/schedules/often/next", params={"count": 3}).json()
        assert len(upcoming) == 3 and all(moment.endswith(("+01:00", "+02:00")) for moment in upcoming)
        deadline = time.monotonic() + 30
        # the run is claimed (job_id null) before its job is made: wait for the job's id
        while not ((runs := client.get("/api/v1/schedules/often/runs").json()) and runs[0]["job_id"]):
            assert time.monotonic() < deadline, "the schedule did not fire"
            time.sleep(0.2)
        assert runs[0]["state"] == "launched" and runs[0]["due_at"].endswith(":00+00:00")
        job = service.wait_end(runs[0]["job_id"])
        assert (job["state"], job["launched_by"]) == ("successful", "schedule:often"), service.stdout(job["id"])[-1500:]
        assert client.post("/api/v1/schedules/often/disable").json()["enabled"] is False
        assert client.delete("/api/v1/schedules/often").status_code == 204
        assert client.get("/api/v1/schedules/often").status_code == 404
