"""PhoneFleet job service: runs the repository's playbooks through ansible-runner over an HTTP API.
Run ``python -m phonefleet_jobs --help``."""
