"""The ``finetop sim`` command-line flags, for the CLI to mount on its ``sim`` subcommand."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping

from tui.sim.faults import FaultSpec, FaultSpecError
from tui.sim.options import SimOptions
from tui.sim.world import DEFAULT_MAX_JOBS

__all__ = ["PRESETS", "add_sim_arguments", "options_from_args"]

_DEFAULTS = SimOptions()


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fault_spec(text: str) -> str:
    try:
        FaultSpec.parse(text)
    except FaultSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must not be negative")
    return value


PRESETS: dict[str, Callable[..., SimOptions]] = {"demo": SimOptions.demo}
"""Where ``--preset`` starts from (else plain :class:`SimOptions`); flags given override it."""


def add_sim_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulator's flags to ``parser``.

    Flags a preset may set default to ``None`` here, so that only the ones given override it.
    """
    d = _DEFAULTS
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,
        help="start from these settings: 'demo' is what `finetop --demo` serves (a job always"
        " running, a checkpoint every few seconds); the flags given override them",
    )
    parser.add_argument("--host", default=None, help=f"address to bind (default: {d.host})")
    parser.add_argument(
        "--port",
        type=_non_negative_int,
        default=None,
        help=f"port; 0 picks a free one (default: {d.port})",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help=f"workspace seed (default: {d.seed})"
    )
    parser.add_argument(
        "--jobs",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="jobs in the workspace at start, the --live ones included; arrivals then push out"
        f" the oldest finished ones beyond max(N, {DEFAULT_MAX_JOBS}) jobs (default: {d.jobs})",
    )
    parser.add_argument(
        "--live",
        type=_non_negative_int,
        default=None,
        help=f"jobs in progress at start (default: {d.live})",
    )
    parser.add_argument(
        "--speed",
        type=_positive_float,
        default=None,
        help=f"time speed-up of live jobs; 1 is real time (default: {d.speed:g})",
    )
    parser.add_argument(
        "--no-arrivals",
        dest="arrivals",
        action="store_const",
        const=False,
        default=None,
        help="no jobs arrive at random over time (a preset's relay still hands over)",
    )
    parser.add_argument(
        "--latency",
        dest="latency_ms",
        type=_non_negative_float,
        default=None,
        metavar="MS",
        help="hold every response this many milliseconds, like a real network (default: 0)",
    )
    parser.add_argument(
        "--latency-jitter",
        dest="latency_jitter_ms",
        type=_non_negative_float,
        default=None,
        metavar="MS",
        help="add up to this many milliseconds more per response, drawn from the seed (default: 0)",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="require this bearer key (default: $FINETOP_SIM_API_KEY, else accept any or no key;"
        " the variable keeps the key out of the process list)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive_int,
        default=None,
        metavar="R",
        help="requests per minute per key, answered with 429 beyond (default: off)",
    )
    parser.add_argument(
        "--faults",
        type=_fault_spec,
        default=None,
        metavar="SPEC",
        help="inject faults, e.g. '429:0.05,500:0.02,html520:0.01,slow:0.05@3s,drop:0.01,"
        "truncate:0.01,drift:0.1'",
    )


_OVERRIDES = (
    "host",
    "port",
    "seed",
    "jobs",
    "live",
    "speed",
    "arrivals",
    "latency_ms",
    "latency_jitter_ms",
    "rate_limit",
    "faults",
)
"""Flags that override the preset when given."""


def options_from_args(ns: argparse.Namespace, env: Mapping[str, str] | None = None) -> SimOptions:
    """The :class:`SimOptions` the parsed flags (and ``FINETOP_SIM_API_KEY``) describe."""
    environ = os.environ if env is None else env
    given = {name: getattr(ns, name) for name in _OVERRIDES if getattr(ns, name) is not None}
    api_key = ns.api_key or environ.get("FINETOP_SIM_API_KEY") or None
    preset = PRESETS[ns.preset] if ns.preset else SimOptions
    return preset(**given, api_key=api_key)
