"""For a scrolling widget whose size CSS sets: its content may grow or shrink without laying out
the screen.

Textual's `virtual_size` (how far a widget's content scrolls) is a layout reactive: changing it
lays out and repaints the whole screen, 60-90 ms on a 2-core box. A Log's grows with every
write until it is full, an Input's with every character typed. When the widget's own size does
not depend on its content, only its scrollbars need to follow.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive


class FixedSize:
    """Mix in before the Textual widget class (`class LogView(FixedSize, Log)`)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # type: ignore[attr-defined]
