# Private to this collection: the job service's settings, from one file and the environment.
"""One settings object for the job service: defaults < settings file (YAML) < environment.

Environment variables are ``PHONEFLEET_JOBS_<FIELD>`` in upper case. ``admin_token_hash`` (optional) is the
bcrypt hash of a token that acts as the built-in administrator ``admin`` (``python -m phonefleet_jobs
hash-token`` makes it), kept for setups made before users; it comes from the file only, like the provisioning
service's ``api_tokens``. Users are made with ``create-admin`` and the API (users.py). ``webhooks`` (a list,
webhooks.py) comes from the file only too; their secrets come from neither: each names a file or a variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..service.settings import SettingsError, read_settings
from .webhooks import parse_webhooks

ENV_PREFIX = "PHONEFLEET_JOBS_"
#: the repository checkout the service runs playbooks from (playbooks/, ansible.cfg, collections/)
REPOSITORY = str(Path(__file__).resolve().parents[3])
_FILE_ONLY = ("admin_token_hash", "webhooks")


@dataclass
class JobSettings:
    inventory: str = ""  # the site's inventory (folder or file), given to every job with -i
    project_dir: str = REPOSITORY
    data_dir: str = "phonefleet-jobs"  # private data dirs of running jobs (0700); nothing stays after a job
    # where running jobs' folders are made instead; empty: a folder of this service's own on the machine's tmpfs
    # (/dev/shm, in RAM: runner's per-event files cost no disk) when there is one, else data_dir (runner.run_root).
    # /dev/shm is shared: any local user can fill it (a job then fails part-way) and its pages may be swapped out;
    # on a shared machine give a run_dir on a tmpfs of the service's own (systemd RuntimeDirectory=, mode 0700)
    run_dir: str = ""
    database_url: str = "sqlite:///phonefleet-jobs.db"
    http_host: str = "127.0.0.1"
    http_port: int = 8490
    max_concurrent_jobs: int = 2
    cancel_grace_seconds: float = 10.0
    vault_password_file: str = ""  # passed to ansible-playbook by path: the password is never copied
    stream_interval_seconds: float = 0.5
    admin_token_hash: str = ""
    schedule_interval_seconds: float = 15.0  # how often the scheduler looks for due schedules
    schedule_grace_seconds: float = 120.0  # a due run found later than this is reported missed, not run
    bcrypt_rounds: int = 12  # the cost of a new password hash (2**rounds); tests lower it
    log_level: str = "info"
    public_url: str = ""  # where clients reach the service (a job's url in webhooks); default http://host:port
    webhooks: list = field(default_factory=list)  # webhooks.py: receivers of a POST when a job ends
    webhook_attempts: int = 4  # the first try and 3 retries
    webhook_backoff_seconds: float = 1.0  # the wait before the first retry
    webhook_backoff_factor: float = 5.0  # each next wait is this times longer: 1 s, 5 s, 25 s
    webhook_timeout_seconds: float = 10.0  # for one attempt

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    def check(self, origin: str = "settings") -> None:
        if not self.inventory:
            raise SettingsError(f"{origin}: inventory is required (the site's inventory, e.g. inventory/site)")
        if self.admin_token_hash and not self.admin_token_hash.startswith("$2"):
            raise SettingsError(
                f"{origin}: admin_token_hash must be a bcrypt hash (python -m phonefleet_jobs hash-token makes one)"
            )
        if not 4 <= self.bcrypt_rounds <= 31:
            raise SettingsError(f"{origin}: bcrypt_rounds must be 4 to 31, not {self.bcrypt_rounds}")
        if not 0 < self.http_port < 65536:
            raise SettingsError(f"{origin}: http_port must be a port number (1-65535), not {self.http_port}")
        if self.max_concurrent_jobs < 1:
            raise SettingsError(f"{origin}: max_concurrent_jobs must be 1 or more, not {self.max_concurrent_jobs}")
        for name in (
            "cancel_grace_seconds",
            "stream_interval_seconds",
            "schedule_interval_seconds",
            "schedule_grace_seconds",
            "webhook_backoff_seconds",
            "webhook_timeout_seconds",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{origin}: {name} must be a positive number of seconds")
        if self.webhook_attempts < 1 or self.webhook_backoff_factor < 1:
            raise SettingsError(f"{origin}: webhook_attempts and webhook_backoff_factor must be 1 or more")
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise SettingsError(f"{origin}: public_url must be an http:// or https:// URL")
        parse_webhooks(self.webhooks, origin)  # the secrets are read at start (load_webhooks)
        if not (Path(self.project_dir) / "playbooks").is_dir():
            raise SettingsError(f"{origin}: project_dir {self.project_dir!r} holds no playbooks/ folder")


def load_job_settings(path: str | None = None, environ: Mapping[str, str] | None = None) -> JobSettings:
    """Settings from ``path`` (YAML, optional) and ``environ`` (default: os.environ); checked."""
    settings = JobSettings()
    read_settings(settings, path, os.environ if environ is None else environ, ENV_PREFIX, _FILE_ONLY)
    settings.inventory = os.path.abspath(settings.inventory) if settings.inventory else ""
    settings.check(path or "environment")
    return settings
