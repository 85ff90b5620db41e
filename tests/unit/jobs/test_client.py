"""The command-line client as a user or a script runs it: ``python -m phonefleet_jobs.client`` in a process of its
own, against the real job service on a loopback port (ansible-runner and ansible-playbook for real)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.service import free_port
from tests.unit.jobs.support import ADMIN_TOKEN, REPO, job_service

SIP_PASSWORD = "Sip-Secret-c11e47"
USER_PASSWORD = "Bob-Password-5d0a9e"


def client_environment(url: str, **environment: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PHONEFLEET_JOBS_")}
    return {
        **env,
        "PYTHONPATH": str(REPO / "service"),  # the client needs nothing of the collection
        "PHONEFLEET_JOBS_URL": url,
        "PHONEFLEET_JOBS_TOKEN": ADMIN_TOKEN,
        **environment,
    }


def client(url: str, *arguments: str, stdin: str = "", **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "phonefleet_jobs.client", *arguments],
        input=stdin,
        env=client_environment(url, **environment),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def answers_file(directory: Path, **answers: object) -> str:
    path = directory / "answers.json"
    path.write_text(json.dumps({"site_name": "Head office", "mode": "pass", "sip_password": SIP_PASSWORD, **answers}))
    return f"@{path}"


def one_error_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("phonefleet_jobs.client: ")
    return lines[0]


def test_launch_and_follow_prints_the_output_and_exits_0(tmp_path):
    with job_service(tmp_path) as service:
        done = client(
            service.base_url, "launch", "answers", "-e", answers_file(tmp_path), "-e", "phone_count=7", "--follow"
        )
        assert done.returncode == 0, done.stderr
        job = service.client.get("/api/v1/jobs").json()["results"][0]
        assert job["extra_vars"]["phone_count"] == 7  # typed as the survey asks: an integer
        # the job's whole output, each line once, in order, and nothing else on stdout
        assert done.stdout == service.stdout(job["id"])
        assert "site=Head office count=7 mode=pass password=********" in done.stdout
        assert "PLAY RECAP" in done.stdout
        assert (
            done.stderr
            == f"job {job['id']} answers successful (rc 0) in {job['finished_at'] - job['started_at']:.1f} s\n"
        )
        assert "\r" not in done.stderr, "a progress line on a pipe"
        assert SIP_PASSWORD not in done.stdout + done.stderr

        shown = client(service.base_url, "show", str(job["id"]), "--json")
        assert shown.returncode == 0 and json.loads(shown.stdout)["state"] == "successful"
        assert json.loads(shown.stdout)["extra_vars"]["sip_password"] == "$encrypted$"
        listed = client(service.base_url, "list", "--state", "successful", "--json")
        assert [each["id"] for each in json.loads(listed.stdout)["results"]] == [job["id"]]
        journal = client(service.base_url, "journal", "--action", "launch")
        assert journal.returncode == 0
        assert re.fullmatch(rf"\S+ \S+  admin  launch  job:{job['id']}  from 127\.0\.0\.1  \{{.*\}}\n", journal.stdout)
        assert '"password_answers": ["sip_password"]' in journal.stdout and SIP_PASSWORD not in journal.stdout


def test_a_failing_job_exits_1_and_a_relaunch_asks_its_password_again(tmp_path):
    with job_service(tmp_path) as service:
        done = client(service.base_url, "launch", "answers", "-e", answers_file(tmp_path, mode="fail"), "--follow")
        assert done.returncode == 1, done.stderr
        assert "failing as asked, password ********" in done.stdout
        job_id = service.client.get("/api/v1/jobs").json()["results"][0]["id"]
        assert re.fullmatch(
            rf"job {job_id} answers failed in [0-9.]+ s: ansible-playbook ended with return code 2\n", done.stderr
        )
        # not a terminal: the password is not asked, the missing answer is named
        missing = client(service.base_url, "relaunch", str(job_id))
        assert missing.returncode == 2
        assert "sip_password: the password answer is missing" in one_error_line(missing)
        again = client(service.base_url, "relaunch", str(job_id), "-e", answers_file(tmp_path, mode="fail"), "--json")
        assert again.returncode == 0, again.stderr
        relaunched = json.loads(again.stdout)
        assert relaunched["relaunch_of"] == job_id and relaunched["state"] in ("pending", "running")
        assert client(service.base_url, "follow", str(relaunched["id"])).returncode == 1


def test_validation_errors_exit_2_naming_the_field(tmp_path):
    with job_service(tmp_path) as service:
        done = client(service.base_url, "launch", "answers", "-e", answers_file(tmp_path), "-e", "phone_count=0")
        assert done.returncode == 2
        assert one_error_line(done).endswith(
            "422 Unprocessable Entity: extra_vars.phone_count: 0 is less than the minimum 1"
        )
        # a password answer on the command line is refused before anything is sent
        done = client(service.base_url, "launch", "answers", "-e", f"sip_password={SIP_PASSWORD}")
        assert done.returncode == 2 and SIP_PASSWORD not in done.stderr
        assert "-e sip_password: a password answer is never given on the command line" in one_error_line(done)
        done = client(service.base_url, "launch", "no-such-playbook")
        assert done.returncode == 2 and "no playbook no-such-playbook in the catalogue" in one_error_line(done)
        done = client(service.base_url, "show", "999")
        assert done.returncode == 2 and one_error_line(done).endswith("404 Not Found: no job 999")
        assert service.client.get("/api/v1/jobs").json()["count"] == 0


def test_a_wrong_token_exits_3_and_a_closed_port_4_without_a_secret(tmp_path):
    wrong = "pfj_wrong-token-0123456789abcdef"
    with job_service(tmp_path) as service:
        done = client(service.base_url, "list", PHONEFLEET_JOBS_TOKEN=wrong)
        assert done.returncode == 3
        assert one_error_line(done).startswith("phonefleet_jobs.client: 401 Unauthorized")
        assert wrong not in done.stdout + done.stderr
    closed = free_port()  # nothing listens there
    done = client(f"http://someone@127.0.0.1:{closed}", "list", PHONEFLEET_JOBS_TOKEN=wrong)
    assert done.returncode == 4
    assert f"cannot reach the job service at http://127.0.0.1:{closed}" in one_error_line(done)
    assert "someone" not in done.stderr and wrong not in done.stderr


def test_a_credential_on_the_command_line_is_refused(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    for arguments in (
        ("--token", ADMIN_TOKEN, "list"),
        ("list", f"--token={ADMIN_TOKEN}"),
        ("--password", "x" * 12, "list"),
    ):
        done = client(url, *arguments)
        assert done.returncode == 2, arguments
        assert "is never given on the command line" in one_error_line(done)
        assert ADMIN_TOKEN not in done.stderr
    done = client(f"http://bob:{USER_PASSWORD}@127.0.0.1:1", "list")
    assert done.returncode == 2 and USER_PASSWORD not in done.stderr
    # a token pasted where an argument was not expected is not repeated in the error
    done = client(url, "list", ADMIN_TOKEN)
    assert done.returncode == 2 and "unrecognized arguments" in one_error_line(done)
    assert ADMIN_TOKEN not in done.stderr


def test_users_and_tokens_for_scripts(tmp_path):
    with job_service(tmp_path) as service:
        created = client(service.base_url, "users", "create", "bob", "--role", "api", stdin=USER_PASSWORD + "\n")
        assert (created.returncode, created.stdout) == (0, "user bob created (api)\n")
        # bob logs in with his password from the environment and makes himself a token: only it on stdout
        made = client(
            service.base_url,
            "--user",
            "bob",
            "tokens",
            "create",
            "--description",
            "ci",
            PHONEFLEET_JOBS_TOKEN="",
            PHONEFLEET_JOBS_PASSWORD=USER_PASSWORD,
        )
        assert made.returncode == 0, made.stderr
        assert re.fullmatch(r"pfj_[A-Za-z0-9_-]{20,}\n", made.stdout) and made.stderr == ""
        token = made.stdout.strip()
        token_file = tmp_path / "token"
        token_file.write_text(token + "\n")
        listed = client(service.base_url, "--token-file", str(token_file), "tokens", "list", "--json")
        assert listed.returncode == 0 and [each["description"] for each in json.loads(listed.stdout)] == ["ci"]
        assert token not in listed.stdout
        # an api user manages no users: 403, exit 3
        refused = client(service.base_url, "users", "list", PHONEFLEET_JOBS_TOKEN=token)
        assert refused.returncode == 3 and "403 Forbidden" in one_error_line(refused)
        assert client(service.base_url, "users", "disable", "bob").stdout == "user bob disabled\n"
        assert client(service.base_url, "list", PHONEFLEET_JOBS_TOKEN=token).returncode == 3
        assert client(service.base_url, "users", "enable", "bob").returncode == 0
        token_id = json.loads(listed.stdout)[0]["id"]
        assert client(service.base_url, "tokens", "revoke", str(token_id)).stdout == f"token {token_id} revoked\n"
        assert client(service.base_url, "list", PHONEFLEET_JOBS_TOKEN=token).returncode == 3
        users = client(service.base_url, "users", "list")
        assert users.stdout.splitlines()[1].split()[:3] == ["bob", "api", "no"]
        journal = client(service.base_url, "journal", "--json", "--limit", "100")
        everything = created.stdout + made.stderr + users.stdout + journal.stdout
        assert USER_PASSWORD not in everything and token not in everything
        assert {"user_create", "token_create", "token_revoke", "user_update"} <= {
            line["action"] for line in json.loads(journal.stdout)["results"]
        }


class DroppingProxy:
    """A loopback TCP proxy to the service that cuts the first live-output stream after its first events
    message, as a proxy's timeout or a network fault would; it keeps the requests it saw."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.requests: list[bytes] = []
        self.dropped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(downstream,), daemon=True).start()

    def _serve(self, downstream: socket.socket) -> None:
        with downstream, socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            cut = False  # the client keeps its connection: any request on it may be the stream's
            while True:
                ready = select.select([downstream, upstream], [], [], 60)[0]
                if not ready:
                    return
                for side in ready:
                    data = side.recv(65536)
                    if not data:
                        return
                    if side is downstream:
                        self.requests.append(data)
                        cut = cut or (b"/stream" in data and not self.dropped.is_set())
                    (upstream if side is downstream else downstream).sendall(data)
                    if cut and side is upstream and b"event: events" in data:
                        self.dropped.set()
                        return  # both connections closed mid-stream

    def close(self) -> None:
        self.listener.close()


def test_follow_reads_on_after_the_stream_is_cut_without_losing_or_repeating_a_line(tmp_path):
    with job_service(tmp_path) as service:
        proxy = DroppingProxy(int(service.base_url.rsplit(":", 1)[1]))
        try:
            job = service.launch("sleep", extra_vars={"sleep_seconds": 3})
            done = client(f"http://127.0.0.1:{proxy.port}", "follow", str(job["id"]))
        finally:
            proxy.close()
        assert proxy.dropped.is_set()
        assert done.returncode == 0, done.stderr
        assert done.stdout == service.stdout(job["id"])
        streams = [request for request in proxy.requests if b"/stream" in request]
        assert len(streams) >= 2 and b"last-event-id: " in streams[1].lower()
        # a client killed midway reads on with --after the last counter it had
        counter = 3
        events = service.client.get(f"/api/v1/jobs/{job['id']}/events", params={"after": counter, "limit": 1000}).json()
        rest = client(service.base_url, "follow", str(job["id"]), "--after", str(counter))
        assert rest.stdout == "".join(f"{line}\n" for event in events for line in event["stdout"].splitlines())


def run_in_terminal(url: str, *arguments: str, replies: dict[bytes, bytes] | None = None) -> tuple[int, str]:
    """The client with a pseudo-terminal as stdin, stdout and stderr, as at a shell: (exit code, what it showed).
    ``replies``: what is typed after a prompt, once each."""
    waiting = dict(replies or {})
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "phonefleet_jobs.client", *arguments],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=client_environment(url),
    )
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = select.select([main], [], [], 1)[0]
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other side closed: the client ended
                break
            if not chunk:
                break
            shown += chunk
            for prompt in [prompt for prompt in waiting if shown.endswith(prompt)]:
                os.write(main, waiting.pop(prompt))
        elif process.poll() is not None:
            break
    os.close(main)
    return process.wait(30), shown.decode()


def test_a_progress_line_on_a_terminal_and_none_on_a_pipe(tmp_path):
    with job_service(tmp_path) as service:
        code, shown = run_in_terminal(service.base_url, "launch", "sleep", "-e", "sleep_seconds=3", "--follow")
        assert code == 0, shown
        job = service.client.get("/api/v1/jobs").json()["results"][0]
        progress = re.findall(r"\r\x1b\[K(job \d+ \w+  \d+:\d\d  \d+ events  hosts: [^\r\n]*)", shown)
        assert len(progress) >= 3, shown  # rewritten in place while the job sleeps
        assert f"job {job['id']} running" in "".join(progress)
        assert any(line.endswith("hosts: 1 ok, 0 changed, 0 failed") for line in progress), progress
        assert "sleeping 3 seconds" in shown
        # cleared at the end: the summary follows a clearing, no progress after it
        tail = shown.rsplit("\r\x1b[K", 1)[1]
        assert tail.startswith(f"job {job['id']} sleep successful"), repr(tail)

        piped = client(service.base_url, "follow", str(job["id"]))
        assert "\r" not in piped.stderr + piped.stdout and "events" not in piped.stderr


def test_a_password_answer_is_asked_on_a_terminal_and_never_echoed(tmp_path):
    with job_service(tmp_path) as service:
        code, shown = run_in_terminal(
            service.base_url,
            *("launch", "answers", "-e", "site_name=Lab", "-e", "mode=pass", "--follow"),
            replies={b"SIP password (sip_password): ": SIP_PASSWORD.encode() + b"\n"},
        )
        assert code == 0, shown
        assert "SIP password (sip_password): " in shown
        assert SIP_PASSWORD not in shown  # not echoed as typed, masked in the output
        assert "password=********" in shown


def test_cancel_ends_a_followed_job_with_exit_1(tmp_path):
    with job_service(tmp_path) as service:
        job = service.launch("sleep", extra_vars={"sleep_seconds": 120})
        service.wait(job["id"], lambda job: job["event_count"] > 2)
        follower = subprocess.Popen(
            [sys.executable, "-m", "phonefleet_jobs.client", "follow", str(job["id"])],
            env=client_environment(service.base_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        canceled = client(service.base_url, "cancel", str(job["id"]))
        assert canceled.returncode == 0 and canceled.stdout.startswith(f"job {job['id']} sleep: cancel asked")
        _stdout, stderr = follower.communicate(timeout=60)
        assert follower.returncode == 1 and f"job {job['id']} sleep canceled" in stderr
        again = client(service.base_url, "cancel", str(job["id"]))
        assert again.returncode == 2 and f"409 Conflict: job {job['id']} has ended" in one_error_line(again)


def test_the_demo_ends_with_a_job_followed_through_the_client(tmp_path):
    """``make demo``'s running part (phonefleet_simulator.demo) on a fresh publish: its last step is a job."""
    from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet

    from tests.unit.render_support import DEMO_FLEET, reveal

    www, registrar, state = tmp_path / "www", tmp_path / "registrar", tmp_path / "state"
    publish_fleet(str(DEMO_FLEET), str(www), reveal, firmware_dir=str(REPO / "inventory" / "demo" / "firmware"))
    bin_dir = Path(sys.executable).parent
    environment = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    exported = subprocess.run(
        [
            bin_dir / "ansible-playbook",
            "playbooks/registrar_export.yml",
            "-e",
            f"phonefleet_registrar_dest={registrar}",
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert exported.returncode == 0, exported.stdout
    paths = os.pathsep.join(str(REPO / part) for part in ("collections", "service", "simulator"))
    demo = subprocess.run(
        [sys.executable, "-m", "phonefleet_simulator.demo", "--web-root", str(www), "--state", str(state)]
        + ["--registrar-export", str(registrar)],
        cwd=REPO,
        env={**environment, "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    shown = demo.stdout + demo.stderr
    playbook = "resync" if os.geteuid() == 0 else "validate"
    assert "keep it safe):\n  ********  (the demo gives it to the client" in demo.stdout
    assert f"client launch {playbook} --follow\n" in demo.stdout
    if playbook == "resync":
        assert "phone_command resync: 14 phones: 14 sent" in demo.stdout  # the job's own output, followed
    assert f"job 1 {playbook} successful (rc 0)" in demo.stderr
    assert re.search(
        rf"\n  \S+ \S+  ticket-bot  launch  job:1  from 127\.0\.0\.1  .*\"playbook\": \"{playbook}\"", shown
    )
    assert "job service stopped" in demo.stdout and "all stopped after" in demo.stdout
    config = str(state / "jobs" / "jobs.yml")
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert config not in processes, "the demo's job service outlived it"
