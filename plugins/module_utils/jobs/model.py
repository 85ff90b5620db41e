# Private to this collection: the job service's job model.
"""A job: one run of a catalogue playbook through ansible-runner, and what it was launched with.

States (AWX's names): ``pending`` (queued), ``running``, then one of ``successful``, ``failed`` (the playbook
failed, or the service stopped under it), ``canceled``, ``error`` (it could not be run at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PENDING = "pending"
RUNNING = "running"
SUCCESSFUL = "successful"
FAILED = "failed"
CANCELED = "canceled"
ERROR = "error"
STATES = (PENDING, RUNNING, SUCCESSFUL, FAILED, CANCELED, ERROR)
FINISHED = frozenset({SUCCESSFUL, FAILED, CANCELED, ERROR})
#: ansible-playbook's verbosity flags go from -v to -vvvvv
MAX_VERBOSITY = 5


@dataclass(frozen=True)
class LaunchOptions:
    """How to run a playbook, validated (catalogue.py): everything a relaunch repeats except secrets.

    ``answers`` are the survey answers that may be stored; ``secret_variables`` names the password questions
    answered, whose values live only in memory until the job starts (a relaunch asks for them again)."""

    playbook: str
    limit: str = ""
    check: bool = False
    diff: bool = False
    verbosity: int = 0
    answers: dict = field(default_factory=dict)
    secret_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Job:
    id: int
    options: LaunchOptions
    state: str
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    rc: int | None = None
    reason: str = ""  # why a job failed, was canceled or is in error, as people read it
    relaunch_of: int | None = None
    launched_by: str = ""  # who (today: the admin token; the users piece names users)
    event_count: int = 0

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def launch_detail(options: LaunchOptions) -> dict:
    """What a launch's line keeps of its options: the stored answers; the password questions by name only."""
    return {
        "playbook": options.playbook,
        "limit": options.limit,
        "check": options.check,
        "answers": options.answers,
        "password_answers": list(options.secret_variables),
    }
