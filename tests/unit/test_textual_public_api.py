"""finetop uses Textual through its public API only: a minor release may change private names.

Fails when code under ``tui/app`` imports a private Textual module (``textual.widgets._footer``)
or touches an underscored name that Textual's own classes define (``app._filters``,
``console._color_system``, ``table._data``), which also catches an attribute of ours that
shadows one of Textual's. Any private access that ever becomes unavoidable belongs in one
adapter module, listed in ``ALLOWED`` with the names it may use.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import rich.console
import textual.app
import textual.containers
import textual.dom
import textual.message
import textual.message_pump
import textual.screen
import textual.scroll_view
import textual.widget
import textual.widgets

APP = Path(__file__).resolve().parents[2] / "tui" / "app"
ALLOWED: dict[str, frozenset[str]] = {}
"""Adapter modules (path relative to ``tui/app``) and the private names each may use."""

_BASES = (
    textual.app.App,
    textual.screen.Screen,
    textual.scroll_view.ScrollView,
    textual.containers.ScrollableContainer,
    textual.widget.Widget,
    textual.widgets.Input,
    textual.widgets.Static,
    textual.widgets.DataTable,
    textual.widgets.Footer,
    textual.dom.DOMNode,
    textual.message_pump.MessagePump,
    textual.message.Message,
)


def textual_private_names(bases: tuple[type, ...] = _BASES) -> set[str]:
    """Underscored names Textual's classes define, as class members or in ``__init__``."""
    names: set[str] = set()
    for base in bases:
        for cls in base.__mro__:
            names |= {n for n in vars(cls) if n.startswith("_") and not n.startswith("__")}
            init = vars(cls).get("__init__")
            if init is not None:
                try:
                    source = inspect.getsource(init)
                except (OSError, TypeError):
                    continue
                names |= set(re.findall(r"self\.(_[a-z]\w*)\s*[:=]", source))
    return names


def _on_console(node: ast.Attribute) -> bool:
    """Whether the attribute is read from something called ``console`` (the app's)."""
    value = node.value
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    return name == "console"


def test_textual_private_names_are_found() -> None:
    names = textual_private_names()
    assert {"_filters", "_bindings", "_data", "_row_locations"} <= names
    assert "_color_system" in textual_private_names((rich.console.Console,))


def test_no_private_textual_module_or_name_is_used() -> None:
    private = textual_private_names()
    console_private = textual_private_names((rich.console.Console,))
    found: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        relative = str(path.relative_to(APP))
        allowed = ALLOWED.get(relative, frozenset())
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("textual") and any(
                    part.startswith("_") for part in node.module.split(".")
                ):
                    found.append(f"{relative}:{node.lineno} imports {node.module}")
            elif (
                isinstance(node, ast.Attribute)
                and (node.attr in private or (node.attr in console_private and _on_console(node)))
                and node.attr not in allowed
            ):
                found.append(f"{relative}:{node.lineno} uses {node.attr}")
    assert found == []
