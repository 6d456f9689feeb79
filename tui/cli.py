"""The ``finetop`` command: the TUI, plus ``sim``, ``jobs``, ``show``, ``watch``, ``config`` and
``cache``.

Expected failures (bad config, network, API errors) end as one ``finetop: error: ...`` line on
stderr and a non-zero exit; Ctrl-C exits with 130. Heavy modules (Textual, httpx, the simulator)
are imported only by the command that needs them, so ``finetop --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from tui import __version__
from tui.display.text import LONG_TEXT_LIMIT, safe_text
from tui.errors import FinetopError
from tui.settings.schema import COLOR_SYSTEMS

if TYPE_CHECKING:
    from tui.headless.connect import Connection
    from tui.headless.history_link import HistoryLink
    from tui.settings.config import Settings

__all__ = ["build_parser", "main"]

PROG = "finetop"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EPILOG = """\
examples:
  finetop                             open the monitor (the built-in demo when no key is set)
  finetop --profile work --read-only  another workspace from config.toml, no cancel/start
  finetop jobs --status RUNNING       list running jobs as a table (--json for scripts)
  finetop show JOB_ID --json          one job with its checkpoints and events
  finetop watch JOB_ID && deploy      follow a job; the exit status tells how it ended
  finetop sim --port 8000             serve the simulated API, then in another terminal:
  finetop --server-url http://127.0.0.1:8000
  finetop config                      the effective settings and where each came from
  finetop cache                       where the local history is, its size, what it holds

The API key comes from MISTRAL_API_KEY, or from api_key_command in config.toml
(e.g. api_key_command = "pass show mistral"); it is never a command-line flag.
Config file: ~/.config/finetop/config.toml (or FINETOP_CONFIG, or --config PATH).
"""

USAGE = """\
%(prog)s [options]                  the monitor (a terminal UI)
       %(prog)s COMMAND [options] ...     COMMAND: sim, jobs, show, watch, config, cache
"""

WATCH_EPILOG = """\
exit status: 0 succeeded, 2 failed, 3 failed validation, 4 cancelled, 5 job not found,
6 timed out (--timeout), 1 error (the API cannot be reached at first contact, authentication...)
"""

JOB_ID_HELP = "the job's id, or a unique start of it (the 8 characters the job list shows)"

# Flags whose absence must not overwrite a value given before the subcommand (argparse copies
# subparser defaults over the parent's namespace), hence default=SUPPRESS everywhere.
KEY_FLAGS = ("--api-key", "--api_key")

_SETTING_FLAGS = (
    "server_url",
    "profile",
    "demo",
    "insecure_http",
    "read_only",
    "theme",
    "no_mouse",
    "bell",
    "color_system",
    "cache",
)


def _connection_parent() -> argparse.ArgumentParser:
    """Flags shared by the TUI and the headless commands."""
    parent = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = parent.add_argument_group("connection")
    group.add_argument("--server-url", metavar="URL", help="API base URL (default: Mistral's)")
    group.add_argument("--profile", metavar="NAME", help="use [profiles.NAME] from config.toml")
    group.add_argument(
        "--config", metavar="PATH", help="config file to read instead of the default"
    )
    group.add_argument(
        "--demo", action="store_true", help="use the built-in simulator, even with a key"
    )
    group.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain http:// to a host other than this machine",
    )
    group.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="neither read nor write the local history of jobs (see `finetop cache`)",
    )
    return parent


def _add_ui_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("display")
    group.argument_default = argparse.SUPPRESS
    group.add_argument(
        "--read-only", action="store_true", help="hide and block cancel/start and other changes"
    )
    group.add_argument("--theme", metavar="NAME", help="theme name (bundled or user theme)")
    group.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    group.add_argument("--bell", action="store_true", help="ring the bell when a job finishes")
    group.add_argument(
        "--color-system", choices=COLOR_SYSTEMS, help="colours to use (default: auto)"
    )


def _add_sim_parser(commands: Any, *, with_arguments: bool) -> None:
    sim = commands.add_parser(
        "sim",
        help="serve the simulated Mistral API (for demos and tests)",
        description="Serve a simulated Mistral fine-tuning API on this machine until Ctrl-C.",
    )
    sim.set_defaults(sim_available=False)
    if not with_arguments:
        return
    try:
        from tui.sim.cli_args import add_sim_arguments
    except ImportError:  # pragma: no cover - only while the simulator is missing from a build
        return
    add_sim_arguments(sim)
    sim.set_defaults(sim_available=True)


def build_parser(*, sim_arguments: bool = True) -> argparse.ArgumentParser:
    """The argument parser.

    The simulator's flags pull in its server stack, so ``main`` adds them only when ``sim`` is
    on the command line (``sim_arguments``), which keeps ``finetop --help`` and the TUI's start
    fast.
    """
    connection = _connection_parent()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A terminal monitor for Mistral AI fine-tuning jobs: htop for training runs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[connection],
        usage=USAGE,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_ui_flags(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", prog=PROG)
    _add_sim_parser(commands, with_arguments=sim_arguments)

    jobs = commands.add_parser(
        "jobs",
        parents=[connection],
        help="list fine-tuning jobs",
        description="List fine-tuning jobs, newest first.",
    )
    jobs.add_argument("--status", metavar="S", help="only jobs with this status (e.g. RUNNING)")
    jobs.add_argument("--model", metavar="M", help="only jobs fine-tuning this base model")
    jobs.add_argument("--json", action="store_true", help="print JSON instead of a table")

    show = commands.add_parser(
        "show",
        parents=[connection],
        help="show one job in detail",
        description="Show one job: overview, progress, checkpoints and events.",
    )
    show.add_argument("job_id", metavar="JOB_ID", help=JOB_ID_HELP)
    show.add_argument("--json", action="store_true", help="print the job's JSON")

    watch = commands.add_parser(
        "watch",
        parents=[connection],
        help="follow a job until it finishes",
        description="Print a job's progress as it changes, until it finishes.",
        epilog=WATCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    watch.add_argument("job_id", metavar="JOB_ID", help=JOB_ID_HELP)
    watch.add_argument("--json", action="store_true", help="print one JSON object per line")
    watch.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        help="give up after SECONDS in all, with exit status 6",
    )

    config = commands.add_parser(
        "config",
        parents=[connection],
        help="print the effective settings and where each came from",
        description="Print the effective settings and their sources. The key is never shown.",
    )
    config.add_argument(
        "--example", action="store_true", help="print a commented example config.toml instead"
    )

    cache = commands.add_parser(
        "cache",
        parents=[connection],
        help="show or clear the local history of jobs",
        description="Show where the local history is kept, its size and what it holds (the "
        "current workspace's file marked with *); `clear` empties the current workspace's.",
    )
    cache.add_argument("action", nargs="?", choices=("show", "clear"), default="show")
    cache.add_argument(
        "--all", action="store_true", help="with clear: empty every history file, not one"
    )
    return parser


def _positive_seconds(text: str) -> float:
    """``--timeout``'s value: a number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


def _settings_from(ns: argparse.Namespace) -> Settings:
    from tui.settings.config import load_settings

    flags = {name: getattr(ns, name) for name in _SETTING_FLAGS if hasattr(ns, name)}
    return load_settings(flags, config_path=getattr(ns, "config", None))


def _warn(settings: Settings, err: TextIO) -> None:
    for warning in settings.warnings:
        print(f"{PROG}: warning: {warning}", file=err)


def _run_sim(ns: argparse.Namespace) -> int:
    if not getattr(ns, "sim_available", False):
        raise FinetopError("the simulator is not available in this installation")
    from tui.sim.cli_args import options_from_args
    from tui.sim.server import serve

    return serve(options_from_args(ns))


def _run_config(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tui.settings.report import EXAMPLE_CONFIG, format_settings

    if ns.example:
        out.write(EXAMPLE_CONFIG)
        return 0
    settings = _settings_from(ns)
    _warn(settings, err)
    out.write(format_settings(settings))
    out.flush()
    # What the TUI would say at start: keymap mistakes, broken theme files, an unknown theme.
    from tui.app.actions import check_user_keymap
    from tui.app.themes import theme_error, theme_names

    keymap = check_user_keymap(
        settings.keymap, read_only=settings.read_only, origins=settings.provenance
    )
    names, problems = theme_names()
    warnings = [*keymap.warnings, *(f"theme skipped: {problem}" for problem in problems)]
    for warning in warnings:
        print(f"{PROG}: warning: {safe_text(warning, limit=LONG_TEXT_LIMIT)}", file=err)
    error = theme_error(settings.theme, settings.source_of("theme"), names, problems)
    if error is not None:
        raise error
    return 0


async def _headless(
    settings: Settings,
    command: Callable[[Connection, HistoryLink | None], Any],
    err: TextIO,
    *,
    retries: bool = True,
) -> int:
    from tui.api.client import RetryPolicy
    from tui.headless.connect import open_client
    from tui.headless.history_link import open_history
    from tui.headless.render import error_line

    if settings.demo:
        print(
            f"{PROG}: note: demo mode ({settings.demo_reason}); "
            "showing the built-in simulator's jobs, not yours",
            file=err,
        )
    history = await open_history(
        settings, on_warning=lambda line: print(error_line(line, "warning"), file=err)
    )
    retry = None if retries else RetryPolicy(attempts=1)
    try:
        async with open_client(settings, retry=retry) as conn:
            return int(await command(conn, history))
    finally:
        if history is not None:
            await history.close()


def _run_headless(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = _settings_from(ns)
    _warn(settings, err)
    name = ns.command

    async def command(conn: Connection, history: HistoryLink | None) -> int:
        if name == "jobs":
            from tui.headless.jobs import run_jobs

            return await run_jobs(
                conn.client,
                status=ns.status,
                model=ns.model,
                as_json=ns.json,
                out=out,
                err=err,
                history=history,
            )
        if name == "show":
            from tui.headless.show import run_show

            return await run_show(
                conn.client, ns.job_id, as_json=ns.json, out=out, err=err, history=history
            )
        from tui.headless.watch import run_watch

        return await run_watch(
            conn.client,
            ns.job_id,
            out=out,
            err=err,
            interval=settings.detail_interval,
            as_json=ns.json,
            give_up_after=getattr(ns, "timeout", None),
            history=history,
        )

    # watch does its own backoff (and fails fast at first contact): no client retries under it.
    return asyncio.run(_headless(settings, command, err, retries=name != "watch"))


def _run_tui(ns: argparse.Namespace, err: TextIO) -> int:
    from tui.headless.connect import resolve_key

    settings = _settings_from(ns)
    _warn(settings, err)
    # Run an api_key_command now, while the terminal is still an ordinary terminal (a password
    # manager may prompt), and so that a failure is a plain error line rather than a TUI crash.
    settings = resolve_key(settings)
    from tui.app.color_env import color_environment, detected_color_system

    # Before Textual is imported: it reads the colour system once, then. ``auto`` is settled
    # here, so the app knows when it has only 16 colours.
    settings = attrs.evolve(settings, color_system=detected_color_system(settings.color_system))
    os.environ.update(color_environment(settings.color_system))
    from tui.app.themes import check_theme_setting

    # An unknown theme is a configuration error, refused before the terminal is taken over
    # (broken theme files are shown in the app, as it starts).
    check_theme_setting(settings.theme, settings.source_of("theme"))
    from tui.app.run import run_app

    return int(run_app(settings))


def _run_cache(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tui.headless.cache import run_cache

    settings = _settings_from(ns)
    _warn(settings, err)
    return run_cache(settings, clear=ns.action == "clear", every=ns.all, out=out, err=err)


def _dispatch(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if ns.command == "sim":
        return _run_sim(ns)
    if ns.command == "config":
        return _run_config(ns, out, err)
    if ns.command == "cache":
        return _run_cache(ns, out, err)
    if ns.command in ("jobs", "show", "watch"):
        return _run_headless(ns, out, err)
    return _run_tui(ns, err)


def _refuse_key_flag(argv: Sequence[str], err: TextIO) -> bool:
    """Catch ``--api-key`` before argparse, whose error would echo the key back."""
    if "sim" in argv:  # `finetop sim --api-key` sets the simulator's own made-up key
        return False
    if any(arg in KEY_FLAGS or arg.startswith(tuple(f"{f}=" for f in KEY_FLAGS)) for arg in argv):
        print(
            f"{PROG}: error: the API key is never a command-line flag (it would show in process "
            "listings and shell history); set MISTRAL_API_KEY or api_key_command in config.toml",
            file=err,
        )
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run finetop with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    if _refuse_key_flag(argv, err):
        return EXIT_USAGE
    ns = build_parser(sim_arguments="sim" in argv).parse_args(argv)
    try:
        return _dispatch(ns, out, err)
    except FinetopError as exc:
        print(f"{PROG}: error: {safe_text(exc, limit=LONG_TEXT_LIMIT)}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`finetop jobs | head`): silence the flush at exit too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
