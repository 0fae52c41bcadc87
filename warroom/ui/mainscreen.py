"""The console's main screen: Textual's Screen, except that moving the focus repaints only
what the focus changes.

Textual's Screen repaints every widget on it when the focus moves, and every timeline key
moves it twice (into the prompt bar and back): two whole-screen paints per key, 10-30 ms
each on a 2-core box, more while the log panes scroll. What the focus does change (the
`:focus` and `:focus-within` styles, the key bar) restyles and repaints itself.
"""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class MainScreen(Screen[None]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
