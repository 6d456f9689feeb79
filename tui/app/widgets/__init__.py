"""Widgets of the app: job table, status line, detail pane, metrics, formatters."""
