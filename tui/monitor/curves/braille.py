"""A canvas of braille dots: 2 x 4 dots per terminal cell, lines clipped to its edges.

Braille patterns (U+2800 to U+28FF) hold any of the 8 dots of a 2 x 4 grid, so a cell shows a
line at 2 x 4 times the terminal's resolution. The canvas keeps one byte of dot bits per cell;
a chart keeps one canvas per drawn line and merges them cell by cell.
"""

from __future__ import annotations

__all__ = ["BRAILLE_BLANK", "DotCanvas", "braille_char"]

BRAILLE_BLANK = 0x2800
"""The empty braille pattern; a cell's character is this plus its dot bits."""

_DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
"""``_DOT_BITS[x][y]``: the bit of the dot in column ``x`` (0-1) and row ``y`` (0-3) of a cell."""


def braille_char(bits: int) -> str:
    """The braille character showing the dots in ``bits``."""
    return chr(BRAILLE_BLANK + bits)


def _clip(
    x0: float, y0: float, x1: float, y1: float, width: float, height: float
) -> tuple[float, float, float, float] | None:
    """The part of a segment inside ``[0, width] x [0, height]`` (Liang-Barsky), or ``None``."""
    dx, dy = x1 - x0, y1 - y0
    enter, leave = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, width - x0), (-dy, y0), (dy, height - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            enter = max(enter, t)
        else:
            leave = min(leave, t)
        if enter > leave:
            return None
    return x0 + enter * dx, y0 + enter * dy, x0 + leave * dx, y0 + leave * dy


class DotCanvas:
    """``columns`` x ``rows`` cells of braille dots; dot (0, 0) is the top-left one."""

    __slots__ = ("bits", "columns", "rows")

    def __init__(self, columns: int, rows: int) -> None:
        self.columns = max(0, columns)
        """Width in cells (twice as many dots)."""
        self.rows = max(0, rows)
        """Height in cells (four times as many dots)."""
        self.bits = bytearray(self.columns * self.rows)
        """The dot bits of each cell, row by row."""

    @property
    def dot_width(self) -> int:
        """Width in dots."""
        return self.columns * 2

    @property
    def dot_height(self) -> int:
        """Height in dots."""
        return self.rows * 4

    def set(self, x: int, y: int) -> None:
        """Light one dot; a dot off the canvas is ignored."""
        if 0 <= x < self.columns * 2 and 0 <= y < self.rows * 4:
            self.bits[(y >> 2) * self.columns + (x >> 1)] |= _DOT_BITS[x & 1][y & 3]

    def cell(self, column: int, row: int) -> int:
        """The dot bits of one cell."""
        return self.bits[row * self.columns + column]

    def line(self, x0: float, y0: float, x1: float, y1: float, *, dotted: bool = False) -> None:
        """A straight line of dots between two points (in dots), cut at the canvas's edges.

        ``dotted`` lights every other dot, so the line reads apart from a solid one.
        """
        clipped = _clip(x0, y0, x1, y1, self.dot_width - 1, self.dot_height - 1)
        if clipped is None:
            return
        ax, ay, bx, by = (round(value) for value in clipped)
        if ax == bx and not dotted:
            self.column(ax, ay, by)
            return
        # Bresenham, all octants; the dot is set inline (this loop is the chart's hot path).
        bits, columns = self.bits, self.columns
        dx, dy = abs(bx - ax), -abs(by - ay)
        sx, sy = (1 if bx > ax else -1), (1 if by > ay else -1)
        error = dx + dy
        lit = True
        while True:
            if lit:
                bits[(ay >> 2) * columns + (ax >> 1)] |= _DOT_BITS[ax & 1][ay & 3]
            if dotted:
                lit = not lit
            if ax == bx and ay == by:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                ax += sx
            if doubled <= dx:
                error += dx
                ay += sy

    def column(self, x: int, y0: int, y1: int) -> None:
        """A vertical run of dots at ``x`` from ``y0`` to ``y1`` (either order), clipped."""
        if not 0 <= x < self.columns * 2:
            return
        top, bottom = max(0, min(y0, y1)), min(self.rows * 4 - 1, max(y0, y1))
        column_bits = _DOT_BITS[x & 1]
        offset = x >> 1
        for y in range(top, bottom + 1):
            self.bits[(y >> 2) * self.columns + offset] |= column_bits[y & 3]

    def plus(self, x: int, y: int) -> None:
        """A small plus of five dots centred on ``(x, y)``: the mark of a measured point."""
        for ox, oy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
            self.set(x + ox, y + oy)
