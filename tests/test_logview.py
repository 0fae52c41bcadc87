"""A log pane's lines look the same however they are drawn: the quick way for printable ASCII
lines gives exactly the segments and styles (offsets for mouse selection included) that
Textual's Log gives, for levels, filter matches, the cursor line, scrolled sideways or not."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.widgets import Log

from warroom.ui.logview import LogView

LINES = [
    "03:00:01 ERROR [req=a0000001] checkout.api POST /v1/orders 500 in 212ms: timed out",
    "03:00:02 WARN [req=a0000002] redis.cache GET session took 412ms (slow) pool=8/8 busy",
    "03:00:03 INFO health ok",
    "03:00:04 WARNING disk 91% on /var",
    "03:00:05 no level at all, but ERROR past the eightieth column ....................... ERROR",
    "03:00:06 CRITICAL",
    "",
    "03:00:07 DEBUG x" + " y" * 120,
]


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView()


def segments(strip) -> list[tuple[str, object]]:
    return [(segment.text, segment.style) for segment in strip]


async def test_quick_lines_are_the_lines_log_draws():
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(LINES)
        await pilot.pause()
        slow: list[int] = []
        through_log = view._render_line_strip
        view._render_line_strip = lambda y, style: slow.append(y) or through_log(y, style)
        looks = [(None, range(0)), (re.compile("req|o", re.I), range(0)), (None, range(0, 2))]
        compared = 0
        for pattern, cursor in looks:
            view.highlighter.pattern = pattern
            view.cursor_rows = cursor
            for y in range(len(LINES)):
                for scroll_x, width in ((0, 98), (0, 40), (10, 98), (150, 30), (0, 300)):
                    view._strips.clear()
                    quick = view._render_line(y, scroll_x, width)
                    assert not slow, "drawn the quick way"
                    view._strips.clear()
                    textual = Log._render_line(view, y, scroll_x, width)
                    assert segments(quick) == segments(textual), (y, scroll_x, width, pattern)
                    assert quick.cell_length == textual.cell_length
                    slow.clear()
                    compared += 1
    assert compared == 3 * len(LINES) * 5


async def test_lines_written_lay_nothing_out(monkeypatch):
    """A pane filling up (below its MAX_LINES) used to lay out the whole screen at every write:
    its content grew. Its size is its own (CSS): only the scrollbar follows."""
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(LINES * 5)  # more than the view holds: the scrollbar is there
        await pilot.pause()
        layouts: list[object] = []
        refresh_layout = app.screen._refresh_layout
        monkeypatch.setattr(
            app.screen,
            "_refresh_layout",
            lambda *a, **k: layouts.append(a) or refresh_layout(*a, **k),
        )
        for _ in range(3):
            view.write_lines(LINES)
            await pilot.pause()
        assert layouts == []
        written = len([line for line in LINES if line]) * 8  # Log drops an empty line
        assert view.virtual_size.height == written
        assert view.vertical_scrollbar.window_virtual_size == written
        assert view.is_vertical_scroll_end  # still following the newest line
