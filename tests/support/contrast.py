"""Colour pairs as a terminal shows them, and whether text on them can be read.

Two sources of cells:
- :func:`terminal_lines`: the lines of ``tmux capture-pane -p -e`` (text with SGR sequences), what a
  real terminal holds;
- :func:`strip_cells`: a Textual ``Strip`` as the app renders it, downgraded to a colour system
  the way Rich's console does on the way to the terminal.

Each cell's foreground and background become RGB (the xterm palette for the 16 and 256 colour
codes; the terminal's own default colours stay ``None``), and :func:`readable` says whether it
passes: reverse video on the terminal's own colours, the terminal's own pair, or a WCAG
contrast ratio of at least :data:`MIN_CONTRAST` -- with a default colour judged against both a
dark and a light terminal, and faint (dim) text blended halfway into its background.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs
from rich.color import Color, ColorSystem, ColorType
from rich.segment import Segment

__all__ = [
    "MIN_CONTRAST",
    "Cell",
    "contrast_ratio",
    "readable",
    "strip_cells",
    "terminal_lines",
    "xterm_rgb",
]

RGB = tuple[int, int, int]

MIN_CONTRAST = 4.5
"""WCAG AA for text."""

XTERM_16: tuple[RGB, ...] = (
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
)
"""xterm's default 16 colours."""

DEFAULT_PAIRS: tuple[tuple[RGB, RGB], ...] = (
    ((229, 229, 229), (0, 0, 0)),
    ((0, 0, 0), (255, 255, 255)),
)
"""(default foreground, default background) of a dark and of a light terminal."""


def xterm_rgb(index: int) -> RGB:
    """The RGB of a 256-colour palette index (the 16, the 6x6x6 cube, the greys)."""
    if index < 16:
        return XTERM_16[index]
    if index < 232:
        levels = (0, 95, 135, 175, 215, 255)
        index -= 16
        return levels[index // 36], levels[(index // 6) % 6], levels[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


@attrs.frozen
class Cell:
    """One character as the terminal shows it (``None``: the terminal's default colour)."""

    char: str
    fg: RGB | None = None
    bg: RGB | None = None
    reverse: bool = False
    dim: bool = False


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _blend(fg: RGB, bg: RGB) -> RGB:
    r, g, b = ((f + k) // 2 for f, k in zip(fg, bg, strict=True))
    return r, g, b


def cell_contrast(cell: Cell) -> float:
    """The worst contrast of a cell over a dark and a light terminal (21 for the terminal's own
    pair, reversed or not)."""
    if cell.fg is None and cell.bg is None:
        return 21.0
    worst = 21.0
    for default_fg, default_bg in DEFAULT_PAIRS:
        fg = cell.fg if cell.fg is not None else default_fg
        bg = cell.bg if cell.bg is not None else default_bg
        if cell.reverse:
            fg, bg = bg, fg
        if cell.dim:
            fg = _blend(fg, bg)
        worst = min(worst, contrast_ratio(fg, bg))
    return worst


def readable(cell: Cell) -> bool:
    """Whether the cell's text can be read (see the module docstring)."""
    return cell.char.isspace() or cell_contrast(cell) >= MIN_CONTRAST


# ---------------------------------------------------------------- a real terminal's cells

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def _apply_sgr(params: Sequence[int], state: dict[str, object]) -> None:
    i = 0
    while i < len(params):
        p = params[i]
        if p == 0:
            state.update(fg=None, bg=None, reverse=False, dim=False)
        elif p == 2:
            state["dim"] = True
        elif p == 22:
            state["dim"] = False
        elif p == 7:
            state["reverse"] = True
        elif p == 27:
            state["reverse"] = False
        elif p in (38, 48) and i + 1 < len(params):
            key = "fg" if p == 38 else "bg"
            if params[i + 1] == 5 and i + 2 < len(params):
                state[key] = xterm_rgb(params[i + 2])
                i += 2
            elif params[i + 1] == 2 and i + 4 < len(params):
                state[key] = (params[i + 2], params[i + 3], params[i + 4])
                i += 4
            i += 1
        elif p == 39:
            state["fg"] = None
        elif p == 49:
            state["bg"] = None
        elif 30 <= p <= 37:
            state["fg"] = XTERM_16[p - 30]
        elif 90 <= p <= 97:
            state["fg"] = XTERM_16[p - 90 + 8]
        elif 40 <= p <= 47:
            state["bg"] = XTERM_16[p - 40]
        elif 100 <= p <= 107:
            state["bg"] = XTERM_16[p - 100 + 8]
        i += 1


def terminal_lines(capture: str) -> list[list[Cell]]:
    """The cells of each line of ``capture-pane -p -e`` output.

    tmux writes an attribute only where it changes from the cell before, across line ends: the
    state carries from one line to the next, so a capture is read as one stream.
    """
    state: dict[str, object] = {"fg": None, "bg": None, "reverse": False, "dim": False}
    lines: list[list[Cell]] = []
    for line in capture.split("\n"):
        cells: list[Cell] = []
        position = 0
        for match in [*_SGR.finditer(line), None]:
            end = match.start() if match is not None else len(line)
            cells.extend(Cell(char, **state) for char in line[position:end])  # type: ignore[arg-type]
            if match is None:
                break
            params = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", match.group(1))]
            _apply_sgr(params, state)
            position = match.end()
        lines.append(cells)
    return lines


# ---------------------------------------------------------------- the app's own cells

_SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
}


def _rgb(color: Color | None, system: str) -> RGB | None:
    if color is None or color.type is ColorType.DEFAULT:
        return None
    if system in _SYSTEMS:
        color = color.downgrade(_SYSTEMS[system])
    if color.type in (ColorType.STANDARD, ColorType.EIGHT_BIT) and color.number is not None:
        return xterm_rgb(color.number)
    triplet = color.triplet
    return None if triplet is None else (triplet.red, triplet.green, triplet.blue)


def strip_cells(segments: Iterable[Segment], system: str) -> list[Cell]:
    """The cells of rendered segments once the console downgrades them to ``system``
    (``truecolor``, ``256``, ``standard``; ``none`` keeps the colours the app left)."""
    cells: list[Cell] = []
    for segment in segments:
        style = segment.style
        if segment.control or style is None:
            cells.extend(Cell(char) for char in segment.text)
            continue
        cell = Cell(
            "",
            fg=_rgb(style.color, system),
            bg=_rgb(style.bgcolor, system),
            reverse=bool(style.reverse),
            dim=bool(style.dim),
        )
        cells.extend(attrs.evolve(cell, char=char) for char in segment.text)
    return cells
