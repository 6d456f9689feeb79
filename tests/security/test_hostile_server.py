"""A hostile server cannot reach the user's terminal through finetop.

A real HTTP server on loopback serves a workspace whose every string (list items, details,
events, integrations, repositories, classifier targets, file names, error bodies) carries
terminal attacks: CSI, OSC 0/8/52 and DCS sequences, C1 controls, bidi overrides, DEL, line
separators, markup (``[/]``, ``[@click=app.cancel_job]``), 100 KB values and deeply nested data
(``tests/support/hostile.py``).

- The real app runs in tmux, every byte it writes recorded (``pipe-pane``), and is driven like a
  person would: j/k, enter, y, Y, o (with a fake browser, so nothing opens). No sequence from the
  server reaches the terminal, nothing crashes, no markup is applied (``[/]`` shows literally),
  no action runs (no cancel dialog), and it exits 0 on q.
- ``finetop jobs``, ``show`` and ``watch``, as text and as ``--json``, print nothing raw: a few
  fixed hostile workspaces through the real CLI, and a modest hypothesis run in-process.
"""

from __future__ import annotations

import asyncio
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile import (
    HOSTILE,
    HostileServer,
    clipboard_writes,
    detail_payload,
    find_leaks,
    hostile_server,
    leak_report,
    osc8_targets,
)

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import finetop_command, run_finetop, wait_until
from tests.e2e.screens import selected_id, status_line
from tui.api.client import MistralClient, RetryPolicy
from tui.display.text import is_clean, is_unsafe_char
from tui.headless.jobs import run_jobs
from tui.headless.show import run_show
from tui.headless.watch import run_watch

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

T0 = 1_750_000_000
RUNNING = "11111111-1111-4111-8111-111111111111"
"""Every string hostile; its W&B URL is a ``javascript:`` one."""
MARKUP_JOB = "22222222-2222-4222-8222-222222222222"
"""Named ``nightly [/] run``, a fine-tuned model with a newline, a good W&B URL; fails later."""
CLASSIFIER = "33333333-3333-4333-8333-333333333333"
"""A hostile classifier job whose W&B URL starts with ``--``."""
ODD = "44444444-4444-4444-8444-444444444444"
"""Hostile status and job type too."""
LONG = "55555555-5555-4555-8555-555555555555"
"""100 KB in every string."""
DEEP = "66666666-6666-4666-8666-666666666666"
"""A failed job whose event data nests 60 deep: within the converter's bound (64 levels)."""
TOO_DEEP = "88888888-8888-4888-8888-888888888888"
"""A job whose event data nests 400 deep: past the bound, refused with a one-line error."""
GOOD_URL = "https://wandb.ai/acme/ft/runs/good"
PASTE_JACK = "ft:open-mistral-7b:ws:nightly\nrm -rf ~\n"
KEY = "sk-hostile-test-key"


def workspace() -> HostileServer:
    jobs = [
        detail_payload(RUNNING, HOSTILE, created_at=T0 + 50, wandb_url="javascript:alert(1)"),
        detail_payload(
            MARKUP_JOB,
            "nightly [/] run [@click=app.cancel_job]x[/]",
            created_at=T0 + 40,
            wandb_url=GOOD_URL,
            fine_tuned_model=PASTE_JACK,
        ),
        detail_payload(
            CLASSIFIER,
            HOSTILE,
            job_type="classifier",
            status="SUCCESS",
            created_at=T0 + 30,
            wandb_url="--new-window=file:///etc/passwd",
        ),
        detail_payload(ODD, HOSTILE, status=HOSTILE, job_type=HOSTILE, created_at=T0 + 20),
        detail_payload(LONG, "z" * 100_000, status="SUCCESS", created_at=T0 + 10),
        detail_payload(DEEP, HOSTILE, status="FAILED", created_at=T0, depth=60),
        detail_payload(TOO_DEEP, HOSTILE, status="FAILED", created_at=T0 - 10, depth=400),
    ]
    files = {f"{RUNNING}-train": HOSTILE, f"{MARKUP_JOB}-valid": "valid [/] set.jsonl"}
    return HostileServer(jobs, file_names=files)


def fail_later(server: HostileServer, after_lists: int) -> None:
    """The ``nightly [/] run`` job fails, with a hostile reason, after a few list polls."""

    def flip(state: HostileServer) -> None:
        job = state.details[MARKUP_JOB]
        if state.list_requests >= after_lists and job["status"] != "FAILED":
            job["status"] = "FAILED"
            job["modified_at"] = T0 + 99
            failed = {"status": "FAILED", "error": f"reason [/] {HOSTILE}"}
            job["events"] = [
                *job["events"],
                {"name": HOSTILE, "created_at": T0 + 99, "data": failed},
            ]

    server.on_request(flip)


def fake_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A ``BROWSER`` that only writes down what it was asked to open."""
    log = tmp_path / "browser.log"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg" >> {log}; done\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


# ------------------------------------------------------------------ the app in a real terminal


def test_the_app_in_a_real_terminal_writes_nothing_the_server_sent(
    terminal: TerminalFactory, tmp_path: Path
) -> None:
    browser, opened = fake_browser(tmp_path)
    recording = tmp_path / "terminal.bytes"
    server = workspace()
    server.fail_list_every = 6  # now and then a 500 whose body is hostile, markup included
    fail_later(server, after_lists=4)
    with hostile_server(server):
        env = {
            "MISTRAL_API_KEY": KEY,
            "FINETOP_LIST_INTERVAL": "1",
            "FINETOP_DETAIL_INTERVAL": "1",
            "DISPLAY": ":99",  # a browser is "reachable": o goes to the fake one
            "BROWSER": str(browser),
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
        command = finetop_command("--server-url", server.base_url)
        # 119x50: the chart and the detail below the list, lines starting at the left edge
        # (and the detail's id clear of the notices at the right).
        term = terminal(command, width=119, height=50, env=env, cwd=tmp_path, record=recording)
        seen: list[str] = []

        def wait(condition: Any, timeout: float = 30.0) -> str:
            screen = term.wait_for(condition, timeout=timeout)
            seen.append(screen)
            return screen

        wait(lambda s: "nightly [/]" in s and "updated" in status_line(s))
        wait(lambda s: selected_id(s) == RUNNING)
        term.send_keys("y")  # a clean id: copied, and said so
        wait(f"Copied job id {RUNNING}")
        term.send_keys("o")  # javascript: is never opened
        wait("Not opened: only http and https")

        term.send_keys("j")
        wait(lambda s: selected_id(s) == MARKUP_JOB)
        term.send_keys("Y")  # a model name with newlines is never copied
        wait("Not copied: the model holds line breaks")
        term.send_keys("o")
        wait_until(lambda: opened.exists() and GOOD_URL in opened.read_text(), timeout=20)

        term.send_keys("j")
        wait(lambda s: selected_id(s) == CLASSIFIER)
        term.send_keys("o")  # "--new-window=..." is never handed to a browser
        wait("Not opened: the URL starts with '-'")
        term.send_keys("Enter")  # into the detail, and back
        wait(lambda s: "esc Back" in s.splitlines()[-1])
        term.send_keys("Escape")  # (alone: an escape followed at once by "j" reads as alt+j)
        wait(lambda s: "Detail" in s.splitlines()[-1])
        for job_id in (ODD, LONG, DEEP):
            term.send_keys("j")
            wait(lambda s, j=job_id: selected_id(s) == j)
        term.send_keys("k", "k", "k", "k")
        wait(lambda s: selected_id(s) == MARKUP_JOB)

        # The job with markup in its name fails while the app is open: a plain notice.
        wait("reason: reason [/]", timeout=40)
        wait_until(lambda: server.list_requests >= 7, timeout=30, what="a hostile 500 served")
        screen = wait(lambda s: "nightly [/]" in s)
        assert "Cancel job" not in screen
        term.send_keys("q")
        assert term.wait_exit() == 0

    output = recording.read_bytes().decode("utf-8", "surrogateescape")
    assert len(output) > 10_000  # the recording caught the session
    assert leak_report(output) == []
    assert clipboard_writes(output) == [RUNNING]
    assert set(osc8_targets(output)) <= {GOOD_URL}
    assert opened.read_text().splitlines() == [GOOD_URL]
    for screen in seen:
        assert "Cancel job" not in screen
        assert find_leaks(screen) == []
    assert any("[@click=app.cancel_job]x[/]" in screen for screen in seen)


# ------------------------------------------------------------------ the headless commands


@pytest.fixture(scope="module")
def served() -> Iterator[HostileServer]:
    with hostile_server(workspace()) as server:
        yield server


@pytest.fixture(scope="module")
def scratch() -> Iterator[HostileServer]:
    """A server whose workspace each hypothesis example replaces."""
    with hostile_server(workspace()) as server:
        yield server


def assert_printable(text: str, where: str) -> None:
    """Plain output: no escape sequence at all, no character that could steer a terminal."""
    assert "\x1b" not in text, where
    assert find_leaks(text) == [], where
    for line in text.splitlines():
        assert is_clean(line), (where, line)


def assert_json_lines(text: str, where: str) -> list[Any]:
    """``--json`` output: valid JSON lines in which every steering character is escaped."""
    assert not any(is_unsafe_char(char, multiline=True) for char in text), where
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize(
    "args",
    [
        ["jobs"],
        ["jobs", "--json"],
        ["show", RUNNING],
        ["show", CLASSIFIER],
        ["show", ODD],
        ["show", LONG],
        ["show", DEEP],
        ["show", RUNNING, "--json"],
        ["show", LONG, "--json"],
        ["show", DEEP, "--json"],
        ["show", "77777777-7777-4777-8777-777777777777"],  # a 404 with a hostile body
        ["watch", CLASSIFIER],
        ["watch", DEEP, "--json"],
    ],
    ids=lambda args: "-".join(arg[:8] for arg in args),
)
def test_the_commands_print_nothing_raw(served: HostileServer, args: list[str]) -> None:
    env = {"MISTRAL_API_KEY": KEY, "NO_COLOR": "1"}
    result = run_finetop(*args, "--server-url", served.base_url, env=env)
    where = " ".join(args)
    assert result.returncode in (0, 2, 5), (where, result.stderr)
    assert_printable(result.stderr, where)
    assert len(result.stderr.splitlines()) <= 1
    if "--json" not in args:
        assert_printable(result.stdout, where)
        return
    values = assert_json_lines(result.stdout, where)
    if args[0] == "show":
        # One line, the job exactly as the API sent it, however deep its data.
        assert values == [served.details[args[1]]]


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_data_nested_past_the_bound_is_one_clear_error(
    served: HostileServer, extra: list[str]
) -> None:
    env = {"MISTRAL_API_KEY": KEY, "NO_COLOR": "1"}
    result = run_finetop("show", TOO_DEEP, *extra, "--server-url", served.base_url, env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert_printable(result.stderr, "show of a job nested too deep")
    (line,) = result.stderr.splitlines()
    assert line.startswith("finetop: error: ")
    assert "nested deeper than 64 levels" in line


def test_a_hostile_error_body_is_one_safe_line(tmp_path: Path) -> None:
    server = workspace()
    server.fail_list_every = 1
    with hostile_server(server):
        env = {"MISTRAL_API_KEY": KEY}
        result = run_finetop("jobs", "--server-url", server.base_url, env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert_printable(result.stderr, "jobs against a failing server")
    (line,) = result.stderr.splitlines()
    assert line.startswith("finetop: error: ")
    assert "upstream [/] overloaded" in line


# ------------------------------------------------------------------ any hostile string

_PIECES = (
    "\x1b]0;",
    "\x1b]2;",
    "\x1b]52;c;",
    "\x1b]8;;https://evil.example/",
    "\x1b[",
    "\x1bP",
    "\x1b\\",
    "\x07",
    "\x9b",
    "\x9d",
    "\x9c",
    "\x90",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x7f",
    "\u2028",
    "\u2029",
    "\n",
    "\r",
    "\t",
    "\x00",
    "[/]",
    "[@click=app.cancel_job]",
    "[bold]",
    "pwned",
)
hostile_text = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), min_size=1, max_size=25
).map("".join)


async def _run(command: Any, *args: Any, **kwargs: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await command(*args, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


async def _every_command(server: HostileServer) -> None:
    client = MistralClient(server.base_url, KEY, retry=RetryPolicy(attempts=1))
    try:
        for as_json in (False, True):
            code, out, err = await _run(run_jobs, client, as_json=as_json)
            assert code == 0, err
            if as_json:
                assert len(assert_json_lines(out, "jobs --json")) == len(server.details)
            else:
                assert_printable(out, "jobs")
            for job_id in (RUNNING, ODD):
                code, out, err = await _run(run_show, client, job_id, as_json=as_json)
                assert code == 0, err
                if as_json:
                    assert assert_json_lines(out, "show --json") == [server.details[job_id]]
                else:
                    assert_printable(out, "show")
            code, out, err = await _run(run_watch, client, CLASSIFIER, as_json=as_json)
            assert code == 0, err
            if as_json:
                assert_json_lines(out, "watch --json")
            else:
                assert_printable(out, "watch")
        code, out, err = await _run(run_show, client, "88888888-8888-4888-8888-888888888888")
        assert code == 5
        assert_printable(err, "show of a missing job")
        server.fail_list_every = 1
        code, out, err = await _run(run_jobs, client)
        assert code == 1
        assert_printable(err, "jobs against a failing server")
    finally:
        server.fail_list_every = 0
        await client.aclose()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_text)
def test_any_hostile_string_prints_safely(scratch: HostileServer, text: str) -> None:
    served = scratch
    served.details = {
        job_id: detail_payload(job_id, text, status=status, job_type=kind, created_at=T0 + n)
        for n, (job_id, status, kind) in enumerate(
            [
                (RUNNING, "RUNNING", "completion"),
                (ODD, text, text),
                (CLASSIFIER, "SUCCESS", "classifier"),
            ]
        )
    }
    served.error_body = text
    asyncio.run(_every_command(served))
