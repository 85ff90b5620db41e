"""The job service's command-line client, for people at a shell and for scripts.

    export PHONEFLEET_JOBS_URL=http://127.0.0.1:8490  PHONEFLEET_JOBS_TOKEN=pfj_...
    python -m phonefleet_jobs.client launch resync --limit vendor_yealink --follow
    python -m phonefleet_jobs.client list --state failed --json

Credentials are never an argument's value (a command line is visible to every user of the machine): a token
from PHONEFLEET_JOBS_TOKEN or --token-file, or --user NAME with the password from PHONEFLEET_JOBS_PASSWORD or
a prompt. Exit codes: 0 done (a followed job successful), 1 the job failed, was canceled or in error (or the
service failed), 2 usage or validation, 3 authentication or permission, 4 the service cannot be reached.
Errors are one line on stderr. Only httpx is needed: PYTHONPATH=<checkout>/service is enough.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import urlsplit, urlunsplit

import httpx
import yaml

PROG = "phonefleet_jobs.client"
DEFAULT_URL = "http://127.0.0.1:8490"
# the exit codes scripts rely on (docs/jobs.md)
EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_AUTH, EXIT_CONNECT = 0, 1, 2, 3, 4
ENDED = ("successful", "failed", "canceled", "error")
#: a stream cut before its end is opened again from the last event read, this many times in a row at most
STREAM_RETRIES = 10
#: refused wherever they stand: a credential is never an argument's value
SECRET_OPTIONS = ("--token", "--password")


class ClientError(Exception):
    """What the user reads on stderr (one line, no secret) and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _usage(message: str) -> NoReturn:
    raise ClientError(message, EXIT_USAGE)


def _safe_url(url: str) -> str:
    """The URL without user information, fit for a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# -- credentials --------------------------------------------------------------------------------------------


def _refuse_secret_options(refused: list[str]) -> None:
    if refused:
        what = "a token" if refused[0] == "--token" else "a password"
        _usage(
            f"{what} is never given on the command line (every user of this machine can read it): "
            "use PHONEFLEET_JOBS_TOKEN, --token-file PATH, or --user NAME with PHONEFLEET_JOBS_PASSWORD or the prompt"
        )


def _credentials(arguments: argparse.Namespace, environment: dict[str, str]) -> httpx.Auth | dict[str, str]:
    """The Authorization for every request: a bearer token, or Basic with a user's password; never from argv."""
    if arguments.user:
        password = environment.get("PHONEFLEET_JOBS_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                _usage(f"no password for {arguments.user}: set PHONEFLEET_JOBS_PASSWORD (stdin is not a terminal)")
            password = getpass.getpass(f"password of {arguments.user}: ")
        return httpx.BasicAuth(arguments.user, password)
    if arguments.token_file:
        try:
            token = Path(arguments.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            _usage(f"--token-file {arguments.token_file}: {exc.strerror}")
        if not token:
            _usage(f"--token-file {arguments.token_file}: the file is empty")
    else:
        token = environment.get("PHONEFLEET_JOBS_TOKEN", "").strip()
        if not token:
            _usage("no credentials: set PHONEFLEET_JOBS_TOKEN, or give --token-file PATH or --user NAME")
    return {"Authorization": f"Bearer {token}"}


# -- HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Api:
    """The service's routes as the client uses them; every failure becomes a :class:`ClientError`."""

    http: httpx.Client
    shown_url: str

    def call(self, method: str, path: str, **options: Any) -> Any:
        try:
            answer = self.http.request(method, path, **options)
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from None
        _check(answer)
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    def unreachable(self, exc: Exception) -> ClientError:
        reason = type(exc).__name__ if not str(exc) else str(exc)
        return ClientError(f"cannot reach the job service at {self.shown_url}: {reason}", EXIT_CONNECT)

    def survey(self, playbook: str) -> list[dict]:
        for entry in self.call("GET", "/api/v1/playbooks"):
            if entry["name"] == playbook:
                return list((entry.get("survey") or {}).get("spec") or [])
        names = ", ".join(entry["name"] for entry in self.call("GET", "/api/v1/playbooks"))
        raise ClientError(f"no playbook {playbook} in the catalogue (there are: {names})", EXIT_USAGE)


def _check(answer: httpx.Response) -> None:
    status = answer.status_code
    if status < 400:
        return
    detail = _detail(answer)
    if status in (401, 403, 429):
        raise ClientError(f"{status} {answer.reason_phrase}: {detail}", EXIT_AUTH)
    if status in (400, 404, 405, 409, 422):
        raise ClientError(f"{status} {answer.reason_phrase}: {detail}", EXIT_USAGE)
    raise ClientError(f"{status} {answer.reason_phrase}: {detail}", EXIT_JOB_FAILED)


def _detail(answer: httpx.Response) -> str:
    """The service's reason, on one line; a 422 names each field (FastAPI's shape: loc, msg)."""
    try:
        detail = answer.json().get("detail")
    except (ValueError, AttributeError):
        return answer.text.strip().replace("\n", " ")[:200] or "(no detail)"
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', [])[1:] or item.get('loc', []))}: {item.get('msg')}"
            if isinstance(item, dict)
            else str(item)
            for item in detail
        )
    return str(detail)


# -- extra vars and survey answers --------------------------------------------------------------------------


def _read_vars_file(path: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))  # JSON is YAML too
    except OSError as exc:
        _usage(f"-e @{path}: {exc.strerror}")
    except yaml.YAMLError as exc:
        _usage(f"-e @{path}: not YAML or JSON: {str(exc).splitlines()[0]}")
    if not isinstance(loaded, dict):
        _usage(f"-e @{path}: must hold a mapping of variable: answer")
    return loaded


def _typed(value: str, question: dict | None) -> Any:
    """A ``key=value`` answer as the survey's type wants it (the service checks it; a wrong one is its 422)."""
    kind = (question or {}).get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return value
    if kind == "multiselect":
        return [item for item in value.split(",") if item]
    return value


def _answers(
    options: list[str], survey: list[dict], prompt: Callable[[str], str], asked: list[str] | None = None
) -> dict[str, Any]:
    """Extra vars from ``-e key=value`` and ``-e @file``; the password answers missing are prompted (on a
    terminal). A question left out takes the survey's default in the service, as AWX's launch does.
    A password answer as ``key=value`` is refused: it would stand on the command line."""
    questions = {question["variable"]: question for question in survey}
    answers: dict[str, Any] = {}
    for option in options:
        if option.startswith("@"):
            answers.update(_read_vars_file(option[1:]))
            continue
        key, equals, value = option.partition("=")
        if not equals or not key:
            _usage(f"-e {key}: expected key=value or @file.yml")
        if questions.get(key, {}).get("type") == "password":
            _usage(
                f"-e {key}: a password answer is never given on the command line: "
                "put it in -e @file or answer the prompt"
            )
        answers[key] = _typed(value, questions.get(key))
    wanted = asked if asked is not None else [name for name, item in questions.items() if item.get("required")]
    for variable in wanted:
        question = questions.get(variable, {})
        if variable in answers:
            continue
        if question.get("type") != "password":
            continue
        if not sys.stdin.isatty():
            _usage(f"{variable}: the password answer is missing (give it in -e @file; stdin is not a terminal)")
        answers[variable] = prompt(f"{question.get('question_name') or variable} ({variable}): ")
    return answers


# -- following a job ------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """What the progress line shows: the job's state, elapsed time, events and hosts by outcome so far."""

    job_id: int
    state: str
    since: float
    events: int = 0
    ok: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

    def count(self, event: dict) -> None:
        self.events = max(self.events, int(event.get("counter") or 0))
        self.state = "running"
        data = event.get("event_data") or {}
        host = data.get("host")
        kind = event.get("event", "")
        if not host:
            return
        if kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            self.failed.add(host)
        elif kind in ("runner_on_ok", "runner_item_on_ok"):
            self.ok.add(host)
            if (data.get("res") or {}).get("changed"):
                self.changed.add(host)

    def line(self) -> str:
        elapsed = int(max(0.0, time.time() - self.since))
        ok = len(self.ok - self.failed)
        return (
            f"job {self.job_id} {self.state}  {elapsed // 60}:{elapsed % 60:02d}  {self.events} events  "
            f"hosts: {ok} ok, {len(self.changed)} changed, {len(self.failed)} failed"
        )


class ProgressLine:
    """The progress line on a terminal's stderr, rewritten in place each second and cleared at the end; output
    lines are written above it. Without a terminal it does nothing, so a pipe receives only the job's output."""

    def __init__(self, progress: Progress, out: TextIO, err: TextIO, shown: bool) -> None:
        self.progress, self.out, self.err, self.shown = progress, out, err, shown
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> ProgressLine:
        if self.shown:
            self._draw()
            self._ticker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self.shown:
            self._ticker.join()
            with self._lock:
                self.err.write("\r\x1b[K")
                self.err.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            self.err.write("\r\x1b[K" + self.progress.line())
            self.err.flush()

    def write(self, lines: list[str]) -> None:
        if not lines:
            return
        with self._lock:
            if self.shown:
                self.err.write("\r\x1b[K")
                self.err.flush()
            self.out.write("".join(f"{line}\n" for line in lines))
            self.out.flush()
        if self.shown:
            self._draw()


def _sse_messages(lines: Iterator[str]) -> Iterator[tuple[str, str, str]]:
    """(event, id, data) of each Server-Sent Events message."""
    event, message_id = "message", ""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield event, message_id, "\n".join(data)
            event, message_id, data = "message", "", []
        elif line.startswith(":"):
            continue
        else:
            name, _colon, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "id":
                message_id = value
            elif name == "data":
                data.append(value)


def follow(api: Api, job_id: int, after: int, out: TextIO, err: TextIO, show_progress: bool) -> dict:
    """Print the job's output lines as they come until its end; the ended job. A stream cut before the end is
    opened again with Last-Event-ID, so no line is lost or printed twice."""
    job = api.call("GET", f"/api/v1/jobs/{job_id}")
    progress = Progress(job_id, job["state"], job.get("started_at") or job["created_at"], events=after)
    retries = 0
    with ProgressLine(progress, out, err, show_progress) as screen:
        while True:
            try:
                headers = {"Last-Event-ID": str(after)} if after else {}
                timeout = httpx.Timeout(30.0, read=None)  # a quiet job sends nothing for a while
                with api.http.stream(
                    "GET", f"/api/v1/jobs/{job_id}/stream", headers=headers, timeout=timeout
                ) as answer:
                    if answer.status_code >= 400:
                        answer.read()
                        _check(answer)
                    for kind, message_id, data in _sse_messages(answer.iter_lines()):
                        if kind == "end":
                            return json.loads(data)
                        if kind != "events":
                            continue
                        events = json.loads(data)
                        for event in events:
                            progress.count(event)
                        screen.write([line for event in events for line in (event.get("stdout") or "").splitlines()])
                        after = int(message_id or progress.events)
                        retries = 0
            except httpx.TransportError as exc:
                retries += 1
                if retries > STREAM_RETRIES:
                    raise api.unreachable(exc) from None
                time.sleep(min(0.2 * 2**retries, 5.0))
            # the stream ended without its end message (a proxy's or the server's cut): read on from ``after``


def _job_exit(job: dict) -> int:
    return EXIT_OK if job["state"] == "successful" else EXIT_JOB_FAILED


def _job_summary(job: dict) -> str:
    took = ""
    if job.get("finished_at") and job.get("started_at"):
        took = f" in {job['finished_at'] - job['started_at']:.1f} s"
    reason = f": {job['reason']}" if job.get("reason") else ""
    rc = f" (rc {job['rc']})" if job.get("rc") is not None and not reason else ""  # a reason names the rc itself
    return f"job {job['id']} {job['playbook']} {job['state']}{rc}{took}{reason}"


# -- the commands -------------------------------------------------------------------------------------------


def _when(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S") if epoch else "-"


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _show_job(job: dict) -> None:
    for key in ("id", "playbook", "state", "rc", "reason", "launched_by", "limit", "check", "diff", "verbosity"):
        print(f"{key}: {'' if job.get(key) is None else job[key]}")
    for key in ("created_at", "started_at", "finished_at"):
        print(f"{key}: {_when(job.get(key))}")
    print(f"relaunch_of: {job.get('relaunch_of') or '-'}")
    print(f"events: {job['event_count']}")
    print(f"extra_vars: {json.dumps(job['extra_vars'], ensure_ascii=False)}")


def _launched(api: Api, job: dict, arguments: argparse.Namespace) -> int:
    """After a launch or relaunch: the job (or --follow it to its end)."""
    if arguments.follow:
        ended = follow(api, job["id"], 0, sys.stdout, sys.stderr, sys.stderr.isatty())
        if arguments.json:
            _print_json(ended)
        print(_job_summary(ended), file=sys.stderr)
        return _job_exit(ended)
    if arguments.json:
        _print_json(job)
    else:
        print(f"job {job['id']} {job['playbook']} {job['state']}")
    return EXIT_OK


def cmd_launch(api: Api, arguments: argparse.Namespace) -> int:
    survey = api.survey(arguments.playbook)
    body = {
        "playbook": arguments.playbook,
        "limit": arguments.limit,
        "check": arguments.check,
        "diff": arguments.diff,
        "verbosity": arguments.verbose,
        "extra_vars": _answers(arguments.extra_vars, survey, getpass.getpass),
    }
    return _launched(api, api.call("POST", "/api/v1/jobs", json=body), arguments)


def cmd_relaunch(api: Api, arguments: argparse.Namespace) -> int:
    earlier = api.call("GET", f"/api/v1/jobs/{arguments.id}")
    secret = [name for name, value in earlier["extra_vars"].items() if value == "$encrypted$"]
    answers = _answers(arguments.extra_vars, api.survey(earlier["playbook"]), getpass.getpass, asked=secret)
    job = api.call("POST", f"/api/v1/jobs/{arguments.id}/relaunch", json={"extra_vars": answers})
    return _launched(api, job, arguments)


def cmd_list(api: Api, arguments: argparse.Namespace) -> int:
    parameters: dict[str, Any] = {"limit": arguments.limit}
    if arguments.state:
        parameters["state"] = arguments.state
    page = api.call("GET", "/api/v1/jobs", params=parameters)
    if arguments.json:
        _print_json(page)
        return EXIT_OK
    rows = [("id", "playbook", "state", "rc", "launched by", "created", "finished")]
    for job in page["results"]:
        rc = "-" if job["rc"] is None else str(job["rc"])
        rows.append(
            (
                str(job["id"]),
                job["playbook"],
                job["state"],
                rc,
                job["launched_by"],
                _when(job["created_at"]),
                _when(job["finished_at"]),
            )
        )
    print(_table(rows))
    print(f"{len(page['results'])} of {page['count']} jobs", file=sys.stderr)
    return EXIT_OK


def cmd_show(api: Api, arguments: argparse.Namespace) -> int:
    job = api.call("GET", f"/api/v1/jobs/{arguments.id}")
    if arguments.json:
        _print_json(job)
    else:
        _show_job(job)
    return EXIT_OK


def cmd_follow(api: Api, arguments: argparse.Namespace) -> int:
    ended = follow(api, arguments.id, arguments.after, sys.stdout, sys.stderr, sys.stderr.isatty())
    print(_job_summary(ended), file=sys.stderr)
    return _job_exit(ended)


def cmd_cancel(api: Api, arguments: argparse.Namespace) -> int:
    job = api.call("POST", f"/api/v1/jobs/{arguments.id}/cancel")
    print(f"job {job['id']} {job['playbook']}: cancel asked ({job['state']})")
    return EXIT_OK


def _new_password(name: str) -> str:
    """A new password: typed twice at a terminal, else the first line of stdin (scripts)."""
    if sys.stdin.isatty():
        password = getpass.getpass(f"new password of {name}: ")
        if getpass.getpass("again: ") != password:
            _usage("the two passwords differ")
        return password
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        _usage(f"no password for {name} on stdin")
    return password


def cmd_users(api: Api, arguments: argparse.Namespace) -> int:
    action, name = arguments.action, arguments.name
    if action != "list" and not name:
        _usage(f"users {action} needs a user name")
    if action == "list":
        users = api.call("GET", "/api/v1/users")
        if arguments.json:
            _print_json(users)
            return EXIT_OK
        rows = [("name", "role", "disabled", "full name", "email", "created")]
        rows += [
            (
                user["name"],
                user["role"],
                "yes" if user["disabled"] else "no",
                user["full_name"],
                user["email"],
                _when(user["created_at"]),
            )
            for user in users
        ]
        print(_table(rows))
    elif action == "create":
        if not arguments.role:
            _usage("users create needs --role (administrator, auditor or api)")
        body = {"name": name, "role": arguments.role, "full_name": arguments.full_name, "email": arguments.email}
        user = api.call("POST", "/api/v1/users", json={**body, "password": _new_password(name)})
        print(f"user {user['name']} created ({user['role']})")
    elif action in ("disable", "enable"):
        api.call("PATCH", f"/api/v1/users/{name}", json={"disabled": action == "disable"})
        print(f"user {name} {action}d")
    elif action == "delete":
        api.call("DELETE", f"/api/v1/users/{name}")
        print(f"user {name} deleted")
    else:
        api.call("POST", f"/api/v1/users/{name}/password", json={"password": _new_password(name)})
        print(f"password of {name} changed")
    return EXIT_OK


def cmd_tokens(api: Api, arguments: argparse.Namespace) -> int:
    if arguments.action == "create":
        body = {"description": arguments.description, "username": arguments.user_name}
        # the token alone on stdout, so TOKEN=$(... tokens create) works; it is shown this once
        print(api.call("POST", "/api/v1/tokens", json=body)["token"])
    elif arguments.action == "revoke":
        if arguments.id is None:
            _usage("tokens revoke needs the token's id (tokens list)")
        api.call("DELETE", f"/api/v1/tokens/{arguments.id}")
        print(f"token {arguments.id} revoked")
    else:
        parameters = {"username": arguments.user_name} if arguments.user_name else {}
        tokens = api.call("GET", "/api/v1/tokens", params=parameters)
        if arguments.json:
            _print_json(tokens)
            return EXIT_OK
        rows = [("id", "user", "description", "created", "created by")]
        rows += [
            (str(token["id"]), token["username"], token["description"], _when(token["created_at"]), token["created_by"])
            for token in tokens
        ]
        print(_table(rows))
    return EXIT_OK


def journal_line(line: dict) -> str:
    detail = json.dumps(line["detail"], ensure_ascii=False, sort_keys=True) if line["detail"] else ""
    where = f"{line['target'] or '-'}  from {line['source']}"
    return f"{_when(line['at'])}  {line['username']}  {line['action']}  {where}  {detail}".rstrip()


def cmd_journal(api: Api, arguments: argparse.Namespace) -> int:
    parameters: dict[str, Any] = {"limit": arguments.limit}
    for key in ("user_name", "action", "since", "until"):
        if getattr(arguments, key) is not None:
            parameters["user" if key == "user_name" else key] = getattr(arguments, key)
    page = api.call("GET", "/api/v1/journal", params=parameters)
    if arguments.json:
        _print_json(page)
    else:
        for line in page["results"]:
            print(journal_line(line))
    return EXIT_OK


# -- the command line -------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):
            message = "unrecognized arguments (not repeated here: one may be a secret)"
        raise ClientError(f"{message} (see --help)", EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    top = _Parser(
        prog=PROG,
        description=__doc__.splitlines()[0],
        epilog="exit codes: 0 ok, 1 job failed, 2 usage, 3 auth, 4 no connection",
    )
    top.add_argument("--url", help=f"the job service (PHONEFLEET_JOBS_URL; default {DEFAULT_URL})")
    top.add_argument("--token-file", help="a file holding an API token (else PHONEFLEET_JOBS_TOKEN)")
    top.add_argument("--user", help="log in as this user; the password from PHONEFLEET_JOBS_PASSWORD or a prompt")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def with_json(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--json", action="store_true", help="the service's JSON answer, for scripts")
        return sub

    def answers(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "-e",
            "--extra-vars",
            action="append",
            default=[],
            metavar="KEY=VALUE|@FILE",
            help="a survey answer, or a YAML/JSON file of answers (password answers: only in a file or at the prompt)",
        )
        sub.add_argument("--follow", action="store_true", help="print the job's output until it ends; exit as it ended")

    launch = with_json(commands.add_parser("launch", help="launch a catalogue playbook"))
    launch.add_argument("playbook")
    launch.add_argument("-l", "--limit", default="", help="Ansible host pattern")
    launch.add_argument("-C", "--check", action="store_true", help="check mode")
    launch.add_argument("-D", "--diff", action="store_true", help="show differences")
    launch.add_argument("-v", "--verbose", action="count", default=0, help="more output (-vvv)")
    answers(launch)
    relaunch = with_json(commands.add_parser("relaunch", help="launch a job again with its answers"))
    relaunch.add_argument("id", type=int)
    answers(relaunch)
    listing = with_json(commands.add_parser("list", help="jobs, newest first"))
    listing.add_argument("--state", help="pending, running, successful, failed, canceled or error")
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    with_json(commands.add_parser("show", help="one job")).add_argument("id", type=int)
    following = commands.add_parser("follow", help="print a job's output until it ends; exit as it ended")
    following.add_argument("id", type=int)
    following.add_argument("--after", type=int, default=0, help="start after this event counter (resume)")
    commands.add_parser("cancel", help="cancel a pending or running job").add_argument("id", type=int)
    users = with_json(commands.add_parser("users", help="users (administrators)"))
    users.add_argument("action", choices=("list", "create", "disable", "enable", "delete", "password"))
    users.add_argument("name", nargs="?")
    users.add_argument("--role", help="create: administrator, auditor or api")
    users.add_argument("--full-name", default="")
    users.add_argument("--email", default="")
    tokens = with_json(commands.add_parser("tokens", help="API tokens (one's own; an administrator: anyone's)"))
    tokens.add_argument("action", choices=("list", "create", "revoke"))
    tokens.add_argument("id", nargs="?", type=int, help="revoke: the token's id")
    tokens.add_argument("--user", dest="user_name", help="whose tokens (administrators)")
    tokens.add_argument("--description", default="")
    journal = with_json(commands.add_parser("journal", help="the journal of user actions, newest first"))
    journal.add_argument("--user", dest="user_name")
    journal.add_argument("--action", help="launch, cancel, relaunch, login, login_failed, user_create, ...")
    journal.add_argument("--since", type=float, help="epoch seconds, inclusive")
    journal.add_argument("--until", type=float, help="epoch seconds, exclusive")
    journal.add_argument("--limit", type=int, default=20)
    return top


COMMANDS: dict[str, Callable[[Api, argparse.Namespace], int]] = {
    "launch": cmd_launch,
    "relaunch": cmd_relaunch,
    "list": cmd_list,
    "show": cmd_show,
    "follow": cmd_follow,
    "cancel": cmd_cancel,
    "users": cmd_users,
    "tokens": cmd_tokens,
    "journal": cmd_journal,
}


def main(argv: list[str] | None = None, environment: dict[str, str] | None = None) -> int:
    environment = dict(os.environ) if environment is None else environment
    argv = sys.argv[1:] if argv is None else argv
    try:
        # anywhere on the line, before any parsing: an unknown option's value is not echoed either
        _refuse_secret_options([word.split("=", 1)[0] for word in argv if word.split("=", 1)[0] in SECRET_OPTIONS])
        arguments = parser().parse_args(argv)
        url = arguments.url or environment.get("PHONEFLEET_JOBS_URL") or DEFAULT_URL
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            _usage(f"--url {_safe_url(url)}: expected http(s)://host[:port]")
        if parts.password is not None:
            _usage("--url: a password in the URL is refused (it would stand on the command line)")
        auth = _credentials(arguments, environment)
        headers = auth if isinstance(auth, dict) else {}
        with httpx.Client(
            base_url=url.rstrip("/"),
            headers=headers,
            auth=None if isinstance(auth, dict) else auth,
            timeout=30,
            trust_env=False,  # the service is named by --url; no proxy from the environment stands between
        ) as http:
            return COMMANDS[arguments.command](Api(http, _safe_url(url)), arguments)
    except ClientError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
