"""``finetop cache``, ``cache clear [--all]``, ``--no-cache`` and the headless commands' use of
the local history: ``main([...])`` against the simulator on loopback, in the isolated home
``tests/conftest.py`` gives every test (so the history folder starts empty)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from platformdirs import user_cache_path

from tui.cli import main
from tui.history import describe_file, history_files, store_path
from tui.sim.server import SimOptions, SimulatorThread

DETAIL = re.compile(r"^GET /v1/fine_tuning/jobs/([0-9a-f-]{36}) ")
FILE_NAME = re.compile(r"\b[0-9a-f]{32}\.sqlite3\b")


class Sim:
    """The simulator in a thread, with the job details it served."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.thread = SimulatorThread(
            SimOptions(port=0, jobs=20, live=1, arrivals=False), request_log=self.lines.append
        )

    @property
    def url(self) -> str:
        return self.thread.base_url

    def details_served(self) -> list[str]:
        return [m.group(1) for line in self.lines if (m := DETAIL.match(line))]


@pytest.fixture
def sim() -> Iterator[Sim]:
    simulator = Sim()
    with simulator.thread:
        yield simulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def folder() -> Path:
    return user_cache_path("finetop") / "history"


def listed(capsys: pytest.CaptureFixture[str], sim: Sim, *flags: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "jobs", "--json", "--server-url", sim.url, *flags)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def a_finished_job(capsys: pytest.CaptureFixture[str], sim: Sim) -> str:
    jobs = listed(capsys, sim, "--no-cache")
    return next(str(job["id"]) for job in jobs if job["status"] == "SUCCESS")


def test_cache_shows_the_folder_and_every_file_marking_this_workspace(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cache", "--server-url", sim.url)
    assert (code, err) == (0, "")
    assert f"history folder  {folder()}" in out
    assert "(none yet)" in out
    assert "no history files" in out

    listed(capsys, sim)  # `finetop jobs` keeps what it listed
    code, out, _ = run(capsys, "cache", "--server-url", sim.url)
    assert code == 0
    rows = [line for line in out.splitlines() if FILE_NAME.search(line)]
    current = store_path(sim.url, "127.0.0.1")
    marked = [line for line in rows if line.startswith("*")]
    assert len(marked) == 1
    assert current.name in marked[0]
    assert sim.url in marked[0]
    # Every job listed is held: the JOBS column says so.
    assert re.search(rf"\b{len(sim.thread.world)}\b", marked[0])
    assert "1 file, " in out


def test_show_and_watch_read_a_finished_job_from_the_history(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = a_finished_job(capsys, sim)
    code, first, _ = run(capsys, "show", job_id, "--server-url", sim.url, "--json")
    assert code == 0
    assert sim.details_served().count(job_id) == 1

    code, again, _ = run(capsys, "show", job_id, "--server-url", sim.url, "--json")
    assert code == 0
    assert again == first  # the same JSON, from the file
    code, watched, _ = run(capsys, "watch", job_id, "--server-url", sim.url)
    assert code == 0
    assert "finished    SUCCESS" in watched
    assert sim.details_served().count(job_id) == 1  # neither asked the API again

    code, _, _ = run(capsys, "show", job_id, "--server-url", sim.url, "--no-cache")
    assert code == 0
    assert sim.details_served().count(job_id) == 2  # --no-cache: the history is not read


def test_jobs_shows_losses_the_history_knows_and_json_keeps_them_apart(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = a_finished_job(capsys, sim)
    before = {job["id"]: job for job in listed(capsys, sim)}
    assert all("finetop" not in job for job in before.values())

    run(capsys, "show", job_id, "--server-url", sim.url)
    after = {job["id"]: job for job in listed(capsys, sim)}
    known = after[job_id].pop("finetop")
    assert isinstance(known, dict)
    assert set(known) <= {"step", "train_loss", "valid_loss", "perplexity", "duration_seconds"}
    assert isinstance(known["train_loss"], float)
    assert known["duration_seconds"] > 0
    assert after == before  # the API's own fields are untouched, nothing else was added

    code, table, _ = run(capsys, "jobs", "--server-url", sim.url)
    assert code == 0
    row = next(line for line in table.splitlines() if line.startswith(job_id))
    assert f"{known['train_loss']:.4g}"[:5] in row


def test_no_cache_neither_reads_nor_writes(
    sim: Sim, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed(capsys, sim, "--no-cache")
    job_id = a_finished_job(capsys, sim)
    run(capsys, "show", job_id, "--server-url", sim.url, "--no-cache")
    assert history_files() == []

    monkeypatch.setenv("FINETOP_CACHE", "0")
    listed(capsys, sim)
    assert history_files() == []
    monkeypatch.delenv("FINETOP_CACHE")

    config = tmp_path / "config.toml"
    config.write_text("cache = false\n")
    listed(capsys, sim, "--config", str(config))
    assert history_files() == []

    code, out, _ = run(capsys, "config", "--no-cache")
    assert code == 0
    assert re.search(r"^cache\s+off\s+flag$", out, re.MULTILINE)
    assert re.search(r"^cache_max_mib\s+200\s+default$", out, re.MULTILINE)
    assert re.search(r"^request_budget\s+30\s+default$", out, re.MULTILINE)
    code, out, _ = run(capsys, "cache", "--no-cache", "--server-url", sim.url)
    assert "history         off (flag)" in out


async def test_the_size_cap_setting_reaches_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.headless.history_link import open_history
    from tui.settings.config import load_settings

    flags = {"server_url": "http://127.0.0.1:9"}
    link = await open_history(load_settings(flags))
    assert link is not None
    assert link.store is not None
    assert link.store.max_bytes == 200 * 1024 * 1024
    await link.close()
    monkeypatch.setenv("FINETOP_CACHE_MAX_MIB", "1.5")
    link = await open_history(load_settings(flags))
    assert link is not None
    assert link.store is not None
    assert link.store.max_bytes == 1536 * 1024
    await link.close()
    demo = await open_history(load_settings({**flags, "demo": True}))
    assert demo is not None
    assert demo.store is not None
    scratch = demo.store.path.parent
    assert scratch.is_dir()
    await demo.close()
    assert not scratch.exists()  # the demo's made-up workspace leaves nothing behind
    assert await open_history(load_settings({**flags, "cache": False})) is None


def test_cache_clear_empties_this_workspace_and_all_every_file(
    sim: Sim, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed(capsys, sim)
    monkeypatch.setenv("FINETOP_WORKSPACE", "other")
    listed(capsys, sim)
    monkeypatch.delenv("FINETOP_WORKSPACE")
    assert len(history_files()) == 2
    mine, other = store_path(sim.url, "127.0.0.1"), store_path(sim.url, "other")

    code, out, _ = run(capsys, "cache", "clear", "--server-url", sim.url)
    assert code == 0
    assert f"emptied the history of 127.0.0.1 ({mine})" in out
    assert jobs_held(mine) == 0
    assert jobs_held(other) == len(sim.thread.world)

    # A damaged copy set aside earlier goes with --all.
    aside = other.with_name(other.name + ".corrupt-20260101T000000Z")
    aside.write_bytes(b"junk")
    code, out, _ = run(capsys, "cache", "clear", "--all")
    assert code == 0
    assert out == "emptied 2 history files, deleted 1 set-aside damaged file\n"
    assert jobs_held(other) == 0
    assert not aside.exists()


def jobs_held(path: Path) -> int:
    """Jobs a history file holds (read without opening it as a store)."""
    return describe_file(path).counts.jobs


def test_an_unusable_history_folder_is_one_warning_line(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the folder should be: even root cannot create the history there.
    folder().parent.mkdir(parents=True)
    folder().write_text("not a folder")
    code, out, err = run(capsys, "jobs", "--server-url", sim.url)
    assert code == 0
    assert len(out.splitlines()) == len(sim.thread.world) + 1
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("finetop: warning: history: running without the local history")
