"""Plain-text formatters shared by the app's widgets and the headless commands.

Every formatter takes ``None`` (and other "no value" inputs) and answers :data:`MISSING`, so
neither the screen nor the printed output ever reads ``None``. They return ``str`` and know
nothing about Textual, so they are cheap to call per cell, usable from ``tui.headless``, and
easy to test.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo
from typing import TypeGuard

__all__ = [
    "MISSING",
    "age_changes_at",
    "fmt_age",
    "fmt_bool",
    "fmt_bytes",
    "fmt_count",
    "fmt_duration",
    "fmt_fixed",
    "fmt_float",
    "fmt_loss",
    "fmt_money",
    "fmt_perplexity",
    "fmt_progress",
    "fmt_rate",
    "fmt_seconds",
    "fmt_time",
    "fmt_tokens",
    "is_number",
    "or_missing",
    "progress_bar",
    "short_id",
]

MISSING = "—"
"""What a value that is absent, null or not yet known reads as."""

_BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is a real, finite number (bools and NaN do not count)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def or_missing(value: object) -> str:
    """``str(value)``, or :data:`MISSING` for ``None`` and empty strings."""
    if value is None or value == "":
        return MISSING
    return str(value)


def fmt_bool(value: bool | None) -> str:
    """``yes`` / ``no``, or :data:`MISSING`."""
    if value is None:
        return MISSING
    return "yes" if value else "no"


def fmt_duration(seconds: float | None) -> str:
    """A short human duration: ``45s``, ``3m 20s``, ``1h 05m``, ``2d 03h``."""
    if not is_number(seconds):
        return MISSING
    assert seconds is not None
    total = round(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days}d {hours:02d}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    elif minutes:
        text = f"{minutes}m {secs:02d}s"
    else:
        text = f"{secs}s"
    return sign + text


def fmt_age(timestamp: float | None, now: float) -> str:
    """How long ago ``timestamp`` was, relative to ``now``: ``5m ago``, ``just now``, ``in 3m``.

    Only the leading unit is shown (``2h ago``), which is what a glance needs.
    """
    if not is_number(timestamp):
        return MISSING
    assert timestamp is not None
    delta = now - timestamp
    if abs(delta) < 5:
        return "just now"
    short = fmt_duration(abs(delta)).split(" ")[0]
    return f"{short} ago" if delta > 0 else f"in {short}"


_AGE_UNITS = (60, 3_600, 86_400)
"""The leading units of an age past a minute: minutes, hours, days."""


def age_changes_at(timestamp: float, now: float) -> float:
    """When (on ``now``'s clock) :func:`fmt_age` of ``timestamp`` next reads differently.

    A ticking view repaints an age then, not every second: ``3m ago`` holds for a minute,
    ``2h ago`` for an hour. Early rather than late: a repaint that changes nothing is skipped.
    """
    delta = now - timestamp
    if delta < 5:
        return now  # "just now" or a time to come ("in 3s"): read it again at every tick
    total = round(delta)
    if total < 60:
        return timestamp + total + 0.5
    step = next((unit for unit in reversed(_AGE_UNITS) if total >= unit), 60)
    return timestamp + (total // step + 1) * step - 0.5


def fmt_time(timestamp: float | None, tz: tzinfo | None = None) -> str:
    """A Unix timestamp as ``2024-05-31 16:23:12`` in ``tz`` (the local zone when ``None``)."""
    if not is_number(timestamp):
        return MISSING
    assert timestamp is not None
    try:
        moment = datetime.fromtimestamp(timestamp, tz) if tz else datetime.fromtimestamp(timestamp)
    except (OverflowError, OSError, ValueError):
        return MISSING
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def fmt_bytes(count: float | None) -> str:
    """A size in binary units: ``512 B``, ``3.4 KiB``, ``200.0 MiB``."""
    if not is_number(count):
        return MISSING
    assert count is not None
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return MISSING  # not reached: the loop returns at GiB


def fmt_count(value: float | None) -> str:
    """An integer with thousands separators: ``30,344,845``."""
    if not is_number(value):
        return MISSING
    assert value is not None
    return f"{round(value):,}"


def fmt_tokens(value: float | None) -> str:
    """A token count, abbreviated: ``950``, ``12.5K``, ``1.3M``, ``2.1B``."""
    if not is_number(value):
        return MISSING
    assert value is not None
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= limit:
            scaled = f"{value / limit:.1f}".removesuffix(".0")
            return f"{scaled}{suffix}"
    return f"{round(value)}"


def fmt_money(amount: float | None, currency: str | None) -> str:
    """``2.62 USD``. A zero cost without a currency is the API's "not estimated yet"."""
    if not is_number(amount):
        return MISSING
    assert amount is not None
    if amount == 0 and not currency:
        return MISSING
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f}"


def fmt_loss(value: float | None) -> str:
    """A loss or perplexity with four significant digits: ``0.8161``, ``0.000191``."""
    if not is_number(value):
        return MISSING
    return f"{value:.4g}"


def fmt_fixed(value: float | None, digits: int = 4) -> str:
    """A number with ``digits`` decimals (``0.8161``), so a column of them lines up."""
    if not is_number(value):
        return MISSING
    return f"{value:.{digits}f}"


def fmt_rate(per_second: float | None, unit: str = "steps") -> str:
    """A rate per second as a readable rate per minute: ``1,500 steps/min``, ``2.5 steps/min``,
    ``0.4 steps/min``. Zero, negative and unknown rates read as :data:`MISSING`."""
    if not is_number(per_second) or per_second is None or per_second <= 0:
        return MISSING
    per_minute = per_second * 60
    if per_minute >= 100:
        number = f"{per_minute:,.0f}"
    elif per_minute >= 1:
        number = f"{per_minute:.1f}".removesuffix(".0")
    else:
        number = f"{per_minute:.2g}"
    return f"{number} {unit}/min"


def fmt_seconds(seconds: float | None) -> str:
    """A span in one unit for status text: ``45 s``, ``2 min``, ``3 h`` (seconds up to two
    minutes, minutes up to two hours). The poll interval reads the same everywhere."""
    if not is_number(seconds) or seconds is None:
        return MISSING
    value = max(0.0, seconds)
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.0f} h"


def fmt_perplexity(value: float | None) -> str:
    """A perplexity (``2 ** valid_loss``, always >= 1) with four decimals: ``1.7650``."""
    return fmt_fixed(value, 4)


def fmt_float(value: float | None) -> str:
    """A hyperparameter value in its shortest faithful form: ``0.0001``, ``5e-05``, ``2``."""
    if not is_number(value):
        return MISSING
    return f"{value:g}"


def fmt_progress(step: int | None, total: int | None) -> str:
    """``40/100 (40%)``; ``40/—`` when the total is unknown; :data:`MISSING` with no step."""
    if not is_number(step):
        return f"0/{total}" if is_number(total) else MISSING
    if not is_number(total) or not total:
        return f"{step}/{MISSING}"
    assert step is not None
    assert total is not None
    percent = max(0.0, min(100.0, 100.0 * step / total))
    return f"{step}/{total} ({percent:.0f}%)"


def progress_bar(fraction: float | None, width: int) -> str:
    """A bar of ``width`` cells drawn with eighth blocks; blank cells pad it to full width."""
    if width <= 0:
        return ""
    if not is_number(fraction):
        return " " * width
    assert fraction is not None
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_BAR_EIGHTHS[part] if part else "")
    return bar.ljust(width)


def short_id(job_id: str | None, length: int = 8) -> str:
    """The first ``length`` characters of an id (UUIDs are unique enough there)."""
    if not job_id:
        return MISSING
    return job_id[:length]
