"""The ``finetop sim`` command-line flags, for the CLI to mount on its ``sim`` subcommand."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from tui.sim.faults import FaultSpec, FaultSpecError
from tui.sim.options import SimOptions

__all__ = ["add_sim_arguments", "options_from_args"]

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


def add_sim_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulator's flags to ``parser``."""
    d = _DEFAULTS
    parser.add_argument("--host", default=d.host, help="address to bind (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=_non_negative_int,
        default=d.port,
        help="port; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=d.seed, help="workspace seed (default: %(default)s)"
    )
    parser.add_argument(
        "--jobs",
        type=_non_negative_int,
        default=d.jobs,
        help="historical jobs (default: %(default)s)",
    )
    parser.add_argument(
        "--live",
        type=_non_negative_int,
        default=d.live,
        help="jobs in progress at start (default: %(default)s)",
    )
    parser.add_argument(
        "--speed",
        type=_positive_float,
        default=d.speed,
        help="time speed-up of live jobs; 1 is real time (default: %(default)s)",
    )
    parser.add_argument(
        "--no-arrivals", dest="arrivals", action="store_false", help="no new jobs arrive over time"
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


def options_from_args(ns: argparse.Namespace, env: Mapping[str, str] | None = None) -> SimOptions:
    """The :class:`SimOptions` the parsed flags (and ``FINETOP_SIM_API_KEY``) describe."""
    environ = os.environ if env is None else env
    return SimOptions(
        host=ns.host,
        port=ns.port,
        seed=ns.seed,
        jobs=ns.jobs,
        live=ns.live,
        speed=ns.speed,
        arrivals=ns.arrivals,
        api_key=ns.api_key or environ.get("FINETOP_SIM_API_KEY") or None,
        rate_limit=ns.rate_limit,
        faults=ns.faults,
    )
