"""The job list's styles: its colours in each theme and in the terminal's own palette.

The list draws its rows itself (Line API), so every colour it uses is a component class here,
read with ``get_component_rich_style`` when a line is drawn.
"""

from __future__ import annotations

__all__ = ["JOB_TABLE_CSS"]

JOB_TABLE_CSS = """
JobTable {
    background: $surface;
    color: $foreground;
    overflow-x: hidden;
    overflow-y: auto;
    scrollbar-gutter: stable;
    &:focus {
        background-tint: $foreground 5%;
    }
    & > .job-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    &:ansi > .job-table--header {
        background: ansi_bright_blue;
        color: ansi_default;
    }
    & > .job-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    &:focus > .job-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    /* With the terminal's own palette (16 colours, NO_COLOR, --color-system none, ANSI
       themes): reverse video of the terminal's colours, bold while the list has the focus. */
    &:ansi > .job-table--cursor {
        background: ansi_default;
        color: ansi_default;
        text-style: reverse;
    }
    &:ansi:focus > .job-table--cursor {
        text-style: bold reverse;
    }
    & > .job-table--badge {
        background: $accent;
        color: $background;
        text-style: bold;
    }
    & > .job-table--sort-note {
        color: $text-muted;
        text-style: italic;
    }
    & > .job-table--mark {
        color: $accent;
        text-style: bold;
    }
    & > .job-table--empty {
        color: $text-muted;
        text-style: italic;
    }
}
"""
