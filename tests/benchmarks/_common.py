"""Shared pieces of the benchmarks: the simulator subprocess, /proc readings, small statistics.

Not a benchmark itself. Scripts import it after putting the repository root on ``sys.path``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

REPO = Path(__file__).resolve().parents[2]
"""The repository root (benchmarks run the app from there)."""
HERE = Path(__file__).resolve().parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

__all__ = [
    "REPO",
    "SimServer",
    "cpu_seconds",
    "fmt_bytes",
    "median",
    "newest_job_ids",
    "rss_bytes",
]


class SimServer:
    """``tests/benchmarks/_sim.py`` in a subprocess: the simulated API, apart from the app.

    Keywords become its flags (``max_jobs=1200`` -> ``--max-jobs 1200``; ``True`` -> a bare
    flag, ``False``/``None`` -> omitted). A context manager; ``stop()`` closes its stdin.
    """

    def __init__(self, **options: object) -> None:
        self.args: list[str] = []
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                self.args.append(flag)
            elif value is not None and value is not False:
                self.args += [flag, str(value)]
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        """``http://127.0.0.1:PORT`` once started."""
        self.banner = ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> str:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_sim.py"), *self.args],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()
        if not line.startswith("serving ") or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.banner = line.strip()
        self.url = line.split()[1]
        return self.url

    def command(self, word: str) -> str:
        """Send one command (see ``_sim.py``) and return its one-line answer."""
        assert self.proc is not None
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(10)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            proc.kill()
            proc.wait(10)

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def newest_job_ids(url: str, count: int = 30) -> list[str]:
    """Ids of the newest ``count`` jobs the server lists (the first rows the app shows)."""
    response = httpx.get(
        f"{url}/v1/fine_tuning/jobs", params={"page": 0, "page_size": count}, timeout=10
    )
    response.raise_for_status()
    return [job["id"] for job in response.json()["data"]]


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size from ``/proc/PID/statm``."""
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * PAGE_SIZE


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds a process has used (``/proc/PID/stat`` utime + stime)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()
    # After the command name: state is field 3, so utime (14) and stime (15) sit at 11 and 12.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
