"""Border titles that repaint only their own row.

Setting Textual's `border_title` or `border_subtitle` repaints the whole widget, and for a
container (a log pane) everything inside it: a log pane's "polled 3s ago", redrawn every
second, cost two whole-pane repaints a second. Here the text is stored as the setter stores it
(the same rendering, so it reads the same) and only the border row is repainted.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.markup import escape
from textual.widget import Widget


def set_border_title(widget: Widget, text: str) -> None:
    """The top border's text, plain (never markup)."""
    _set(widget, "_border_title", text, bottom=False)


def set_border_subtitle(widget: Widget, text: str) -> None:
    """The bottom border's text, plain (never markup)."""
    _set(widget, "_border_subtitle", text, bottom=True)


def _set(widget: Widget, attribute: str, text: str, *, bottom: bool) -> None:
    # What Textual's _BorderTitle setter stores, without its repaint of the whole widget.
    content = widget.render_str(escape(text)).expand_tabs(4).split()[0]
    if getattr(widget, attribute, None) == content:
        return
    setattr(widget, attribute, content)
    outer = widget.outer_size
    if not widget.is_mounted or not outer:
        widget.refresh()
        return
    # Region in content coordinates, as Widget.refresh takes it: the border row lies outside.
    offset = widget.content_offset
    row = outer.height - 1 if bottom else 0
    widget.refresh(Region(-offset.x, row - offset.y, outer.width, 1))
