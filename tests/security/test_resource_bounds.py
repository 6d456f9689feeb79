"""The real headless commands against a hostile server on loopback: every input is bounded.

Each test runs ``finetop jobs|show|watch --server-url http://127.0.0.1:PORT`` as a subprocess
(a dummy key in ``MISTRAL_API_KEY``, an empty config file) against ``HostileServer`` answering
one way a broken or malicious server would: a gzip bomb, a list of 10^12 jobs served forever, a
body dripping a byte every 0.2 s, a Retry-After of 10^9 seconds or ``1e308``, a job with a 2 MB
suffix. Each must end with a clear one-line error (or the truncation note) and non-zero status
where it is an error, within a peak RSS of ``RSS_BOUND_MIB`` (the kernel's high-water mark from
``/proc/PID/status`` while it runs, and its ``ru_maxrss`` when it is reaped). Where a bound takes
time, the tests set it small through its setting's environment variable; they wait on the
process or on the server's request count, with a generous guard, never on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import orjson
import pytest
from support.bombs import MIB, GzipBomb

from tests.e2e.processes import REPO, finetop_command, wait_until
from tests.security.hostile_server import Answer, HostileServer, Request, head
from tests.security.keys import KEY, assert_no_key

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path("/proc").is_dir(), reason="/proc")]

RSS_BOUND_MIB = 400
"""Peak resident memory any command may reach, whatever the server sends."""
GUARD = 90.0
"""Seconds after which a command that has not ended fails the test (a hang, not a slow run)."""

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DETAIL = orjson.loads((FIXTURES / "job-detail-completion-100-steps-2024-05-docs.json").read_bytes())
LIST_ITEM = orjson.loads((FIXTURES / "jobs-list-2024-07.json").read_bytes())["data"][0]
JOB_ID = DETAIL["id"]
JSON = {"Content-Type": "application/json"}


# --------------------------------------------------------------------------- hostile answers


async def gzip_bomb(request: Request, writer: asyncio.StreamWriter) -> None:
    """3 MiB of gzip inflating to 3 GiB, with no length: only the reader can stop it."""
    writer.write(head(200, {**JSON, "Content-Encoding": "gzip"}))
    for piece in GzipBomb(3 * 1024 * MIB):
        writer.write(piece)
        await writer.drain()


async def endless_pages(request: Request, writer: asyncio.StreamWriter) -> None:
    """Full pages for any page number, claiming 10^12 jobs."""
    page, size = request.number("page", 0), request.number("page_size", 100)
    data = [{**LIST_ITEM, "id": f"job-{page * size + n:012d}"} for n in range(size)]
    body = orjson.dumps({"object": "list", "total": 10**12, "data": data})
    writer.write(head(200, {**JSON, "Content-Length": str(len(body))}) + body)


async def drip(request: Request, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then a byte every 0.2 s of a body announced as 100 kB."""
    writer.write(head(200, {**JSON, "Content-Length": "100000"}))
    for _ in range(100_000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.2)


def rate_limited(retry_after: str) -> Answer:
    """A 429 asking to come back after ``retry_after``."""

    async def answer(request: Request, writer: asyncio.StreamWriter) -> None:
        body = b'{"message": "Requests rate limit exceeded"}'
        headers = {**JSON, "Retry-After": retry_after, "Content-Length": str(len(body))}
        writer.write(head(429, headers) + body)

    return answer


async def big_suffix(request: Request, writer: asyncio.StreamWriter) -> None:
    """The job, its suffix 2 MB long; every other path (its files) is not found."""
    if request.path != f"/v1/fine_tuning/jobs/{JOB_ID}":
        writer.write(head(404, {**JSON, "Content-Length": "2"}) + b"{}")
        return
    body = orjson.dumps({**DETAIL, "suffix": "s" * 2_000_000})
    writer.write(head(200, {**JSON, "Content-Length": str(len(body))}) + body)


# --------------------------------------------------------------------------- measured runs


def vm_hwm_kib(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), in KiB; 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class Finetop:
    """``finetop ARGS`` in a subprocess, its output in files, its peak memory watched."""

    def __init__(self, tmp_path: Path, *args: str, env: Mapping[str, str] | None = None) -> None:
        config = tmp_path / "config.toml"
        config.write_text("", encoding="utf-8")
        config.chmod(0o600)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("FINETOP_")}
        environment.update({"MISTRAL_API_KEY": KEY, "FINETOP_CONFIG": str(config), "NO_COLOR": "1"})
        environment.update(env or {})
        self._stdout = tmp_path / "stdout"
        self._stderr = tmp_path / "stderr"
        with self._stdout.open("wb") as out, self._stderr.open("wb") as err:
            self._proc = subprocess.Popen(
                finetop_command(*args),
                cwd=REPO,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self.status: int | None = None
        """The exit status, once ended."""
        self.peak_kib = 0
        """The highest resident set seen, in KiB."""

    @property
    def stdout(self) -> str:
        return self._stdout.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self._stderr.read_text(encoding="utf-8", errors="replace")

    def _poll(self) -> bool:
        """Sample the memory; reap the process if it ended. True once it has."""
        if self.status is not None:
            return True
        self.peak_kib = max(self.peak_kib, vm_hwm_kib(self._proc.pid))
        pid, wait_status, usage = os.wait4(self._proc.pid, os.WNOHANG)
        if not pid:
            return False
        self.status = os.waitstatus_to_exitcode(wait_status)
        self._proc.returncode = self.status  # reaped here: Popen must not wait for it again
        self.peak_kib = max(self.peak_kib, usage.ru_maxrss)  # KiB on Linux
        return True

    def wait(self, timeout: float = GUARD) -> int:
        """Wait for the process to end (failing after ``timeout``); returns its status."""
        deadline = time.monotonic() + timeout
        while not self._poll():
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"finetop did not end within {timeout} s:\n{self.stderr}")
            time.sleep(0.02)  # sampling memory while polling for the end, not awaiting a race
        assert self.status is not None
        return self.status

    def interrupt(self) -> int:
        """Ctrl-C, then wait for it to end."""
        self._proc.send_signal(signal.SIGINT)
        return self.wait(timeout=30)

    def kill(self) -> None:
        if self.status is None:
            self._proc.kill()
            self._proc.wait(10)

    def assert_bounded(self) -> None:
        """Peak memory within the bound, and the key nowhere in what it printed."""
        assert self.peak_kib > 0, "no memory sample was taken"
        assert self.peak_kib < RSS_BOUND_MIB * 1024, f"peak RSS {self.peak_kib / 1024:.0f} MiB"
        assert_no_key(self.stdout + self.stderr, "finetop's output")

    def error_line(self) -> str:
        """The one line on stderr, checked to be the only one and an error."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("finetop: error: "), lines[0]
        return lines[0]


@pytest.fixture
def run(tmp_path: Path) -> Iterator[list[Finetop]]:
    """Started commands, killed if a test leaves one running."""
    started: list[Finetop] = []
    yield started
    for command in started:
        command.kill()


def finetop(
    started: list[Finetop], tmp_path: Path, server: HostileServer, *args: str, **env: str
) -> Finetop:
    command = Finetop(tmp_path, *args, "--server-url", server.url, env=env)
    started.append(command)
    return command


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("args", [("jobs",), ("show", JOB_ID)])
def test_a_gzip_bomb_is_refused_within_the_memory_bound(
    run: list[Finetop], tmp_path: Path, args: tuple[str, ...]
) -> None:
    with HostileServer(gzip_bomb) as server:
        command = finetop(run, tmp_path, server, *args)
        assert command.wait() == 1
    line = command.error_line()
    assert "response too large: GET /v1/fine_tuning/" in line
    assert "sent a body that inflates past 64 MiB (see max_response_mib)" in line
    assert len(server.requests) == 1
    command.assert_bounded()


def test_a_trillion_jobs_are_listed_up_to_the_page_budget(
    run: list[Finetop], tmp_path: Path
) -> None:
    with HostileServer(endless_pages) as server:
        command = finetop(run, tmp_path, server, "jobs", FINETOP_MAX_LIST_PAGES="20")
        assert command.wait() == 0
    assert [r.number("page", -1) for r in server.requests] == list(range(20))
    rows = command.stdout.splitlines()
    assert len(rows) == 1 + 20 * 100  # the header and every job read
    assert rows[1].startswith("job-000000000000")
    assert rows[-1].startswith("job-000000001999")
    assert command.stderr.splitlines() == [
        "finetop: note: listing truncated at 2000 jobs; the server claims 1000000000000 "
        "(raise max_list_pages to read more)"
    ]
    command.assert_bounded()


@pytest.mark.parametrize("args", [("jobs",), ("show", JOB_ID)])
def test_a_dripping_body_meets_the_request_deadline(
    run: list[Finetop], tmp_path: Path, args: tuple[str, ...]
) -> None:
    with HostileServer(drip) as server:
        command = finetop(run, tmp_path, server, *args, FINETOP_REQUEST_DEADLINE="2")
        assert command.wait() == 1
    line = command.error_line()
    assert line.startswith("finetop: error: no complete answer from 127.0.0.1 within 2 s — GET ")
    assert len(server.requests) == 1  # not retried: another try would cost the deadline again
    command.assert_bounded()


@pytest.mark.parametrize("retry_after", ["1000000000", "1e308", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_an_absurd_retry_after_is_reported_capped(
    run: list[Finetop], tmp_path: Path, retry_after: str
) -> None:
    with HostileServer(rate_limited(retry_after)) as server:
        command = finetop(run, tmp_path, server, "jobs")
        assert command.wait() == 1
    line = command.error_line()
    assert line == (
        "finetop: error: rate limited (HTTP 429: Requests rate limit exceeded); retry in 900 s"
    )
    assert len(server.requests) == 1  # 15 min is the caller's to wait, not the client's
    command.assert_bounded()


def test_watch_waits_at_most_the_cap_on_retry_after_1e308(
    run: list[Finetop], tmp_path: Path
) -> None:
    with HostileServer(rate_limited("1e308")) as server:
        command = finetop(run, tmp_path, server, "watch", JOB_ID)
        wait_until(
            lambda: "retrying in" in command.stderr, timeout=GUARD, what="watch's retry notice"
        )
        status = command.interrupt()
    assert command.stderr.splitlines()[0] == (
        "finetop: rate limited: rate limited (HTTP 429: Requests rate limit exceeded); "
        "retry in 900 s (retrying in 15m 00s)"
    )
    assert status == 130
    command.assert_bounded()


def test_watch_comes_back_after_a_capped_retry_after(run: list[Finetop], tmp_path: Path) -> None:
    with HostileServer(rate_limited("1e308")) as server:
        command = finetop(run, tmp_path, server, "watch", JOB_ID, FINETOP_MAX_RETRY_AFTER="1")
        # Forever, before: the first 429 would have put it to sleep for 1e308 s.
        wait_until(lambda: len(server.requests) >= 3, timeout=GUARD, what="three tries")
        assert command.status is None  # still watching: rate limits are waited out
        command.interrupt()
    command.assert_bounded()


def test_a_job_with_a_2_mb_suffix_is_refused_under_a_small_cap(
    run: list[Finetop], tmp_path: Path
) -> None:
    with HostileServer(big_suffix) as server:
        command = finetop(run, tmp_path, server, "show", JOB_ID, FINETOP_MAX_RESPONSE_MIB="1")
        assert command.wait() == 1
    assert re.fullmatch(
        rf"finetop: error: response too large: GET /v1/fine_tuning/jobs/{JOB_ID} announced "
        r"1\.9\d* MiB, over 1 MiB \(see max_response_mib\)",
        command.error_line(),
    )
    command.assert_bounded()


def test_a_job_with_a_2_mb_suffix_is_shown_within_the_memory_bound(
    run: list[Finetop], tmp_path: Path
) -> None:
    with HostileServer(big_suffix) as server:
        command = finetop(run, tmp_path, server, "show", JOB_ID)
        assert command.wait() == 0, command.stderr
    assert JOB_ID in command.stdout
    command.assert_bounded()


@pytest.mark.parametrize("job_id", [".", ".."])
@pytest.mark.parametrize("command_name", ["show", "watch"])
def test_dot_ids_are_refused_before_any_request(
    run: list[Finetop], tmp_path: Path, command_name: str, job_id: str
) -> None:
    with HostileServer(big_suffix) as server:
        command = finetop(run, tmp_path, server, command_name, job_id)
        assert command.wait() == 1
    assert command.error_line() == f"finetop: error: not a valid job id: {job_id!r}"
    assert server.requests == []
    command.assert_bounded()
