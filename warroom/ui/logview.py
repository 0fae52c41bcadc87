"""The lines of one log pane: Textual's Log, with a cursor line, ERROR and filter highlights,
and a quicker way to draw a line.

A flooding group replaces every visible line at each flush, so each frame draws them all anew.
Log draws a line as a Rich Text (stylised, highlighted, rendered to segments), then crops it,
pads it and marks each segment with its offset (for mouse selection): three Strips a line, each
with its own caches, about 0.3 ms on a 2-core box and a dozen objects that Python's garbage
collector walks. A printable ASCII line (the usual log line) is drawn here straight into the
final segments instead: the same segments and styles as Log's (tests/test_logview.py holds
the two together), one Strip. Anything else (wide or control characters, a mouse selection)
is left to Log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from rich.cells import cell_len
from rich.highlighter import Highlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.geometry import Region
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Log

from warroom.ui.fixedsize import FixedSize

MAX_LINES = 5_000
# Lines kept rendered: several screens' worth. Not more: each is a dozen objects that every
# full pass of Python's garbage collector walks (a flood replaces them all anyway).
_STRIP_CACHE = 256
_OFFSETS_KEPT = 4_096  # marked styles: a few per line in view, several screens' worth
_CURSOR = Style(reverse=True)
_MATCH = "black on yellow"
_LEVEL = re.compile(r"\b(ERROR|CRITICAL|FATAL|WARN(?:ING)?|INFO|DEBUG)\b")
_LEVEL_STYLE = {
    "ERROR": "bold red",
    "CRITICAL": "bold red",
    "FATAL": "bold red",
    "WARN": "yellow",
    "INFO": "green",
    "DEBUG": "dim",
}


class LineHighlighter(Highlighter):
    """Colours levels and filter matches; the text itself is never parsed as markup."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None

    def spans(self, plain: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, style) to lay over the line, in order: later ones win."""
        match = _LEVEL.search(plain, 0, 80)
        if match:
            word = "WARN" if match.group(1) == "WARNING" else match.group(1)
            yield match.start(), match.end(), _LEVEL_STYLE[word]
        if self.pattern is not None:
            for found in self.pattern.finditer(plain):
                yield found.start(), found.end(), _MATCH

    def highlight(self, text: Text) -> None:
        for start, end, style in self.spans(text.plain):
            text.stylize(style, start, end)


class LogView(FixedSize, Log):
    """Log with a cursor line (for ERROR jumps and copying) drawn in reverse video.

    Rendered lines are cached by their text, position and look: a repaint that moved nothing (a
    cursor move, a title) reuses them. Its size comes from CSS (FixedSize): a write that adds
    lines, until the pane holds MAX_LINES, does not lay out the screen.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(highlight=True, max_lines=MAX_LINES, **kwargs)  # type: ignore[arg-type]
        self.highlighter: LineHighlighter = LineHighlighter()
        self.cursor_rows = range(0)  # the selected line's rows (several when wrapped)
        self._strips: dict[tuple[object, ...], Strip] = {}
        self._styles: dict[tuple[object, ...], Style] = {}
        self._offsets: dict[tuple[Style, int, int], Style] = {}
        self._frame_style: Style | None = None
        # Follow the newest line until the reader scrolls up; scrolling back to the end (or
        # `end`) resumes. Kept here, not read off the scroll position: a horizontal scrollbar
        # appearing moves the end by a row, and Log would then stop following for good.
        self.following = True

    def render_lines(self, crop: Region) -> list[Strip]:
        # Log asks for its style once per line, and working it out walks the DOM: ask once
        # per frame instead.
        self._frame_style = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    @property
    def rich_style(self) -> Style:
        return self._frame_style or super().rich_style

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `end` is the pane's "follow again" (which also lets go of a selected line): Log's own
        # scroll_end would only scroll, and leave the pane paused on the selection.
        return action != "scroll_end"

    class FollowChanged(Message):
        """Scrolled away from the newest line, or back to it."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_end = self.is_vertical_scroll_end or self.max_scroll_y == 0
        following = True if at_end else (False if new_value < old_value else self.following)
        if following != self.following:
            self.following = following
            self.post_message(self.FollowChanged())

    def write_rows(self, rows: list[str], *, follow: bool) -> None:
        self.write_lines(rows, scroll_end=False)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    # Writing -----------------------------------------------------------------------------

    @work(thread=True)  # Log's own would run: kept a worker, for the rare wide line
    def _measure(self, updates: int, lines: list[str]) -> None:
        width = max(cell_len(self._process_line(line)) for line in lines)
        self.app.call_from_thread(self._update_maximum_width, updates, width)

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        """The widest line, for scrolling sideways. Log measures every write in a worker
        thread: a thread, and its messages back, at each flush of a busy pane. A printable
        ASCII line's width is its length: measured here, at once."""
        if not lines:
            return
        if all(line.isascii() and line.isprintable() for line in lines):
            self._update_maximum_width(updates, max(map(len, lines)))
        else:
            self._measure(updates, lines)

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        """Log forgets each written line's cached drawing, one by one (500 a flush in a
        flood); it keeps them only while text is selected with the mouse."""
        if len(self._render_line_cache):
            super().refresh_lines(y_start, line_count)
        else:
            ScrollView.refresh_lines(self, y_start, line_count)

    # Drawing -----------------------------------------------------------------------------

    def _render_line(self, y: int, scroll_x: int, width: int) -> Strip:
        if self.text_selection is None and y < len(self._lines) and width > 0:
            line = self._lines[y]
            if line.isascii() and line.isprintable():
                return self._quick_line(y, line, scroll_x, width)
        return super()._render_line(y, scroll_x, width)

    def _render_line_strip(self, y: int, rich_style: Style) -> Strip:
        """Log's way (other lines): its Strip, cached by text, cursor applied."""
        if self.text_selection is not None:  # a mouse selection: leave it all to Log
            strip = super()._render_line_strip(y, rich_style)
        else:
            key = (self._lines[y], rich_style, self.highlighter.pattern)
            strip = self._strips.get(key)
            if strip is None:
                if len(self._strips) >= _STRIP_CACHE:
                    self._strips.clear()
                strip = self._strips[key] = super()._render_line_strip(y, rich_style)
        return strip.apply_style(_CURSOR) if y in self.cursor_rows else strip

    def _quick_line(self, y: int, line: str, scroll_x: int, width: int) -> Strip:
        """What Log draws for line `y` (highlighted, cropped to the view, padded, each segment
        marked with its offset), made directly: one cell per character."""
        base = self.rich_style
        cursor = y in self.cursor_rows
        key = (y, line, scroll_x, width, base, self.highlighter.pattern, cursor)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        spans = list(self.highlighter.spans(line))
        # Segment boundaries as Rich's Text.render makes them: every span's ends.
        cuts = {0, len(line)}
        for start, end, _ in spans:
            if end > start:
                cuts.update((start, end))
        pieces = []
        bounds = sorted(cuts)
        for start, end in pairwise(bounds):
            styles = tuple(s for a, b, s in spans if a <= start and end <= b and b > a)
            pieces.append((start, end, self._style(base, styles, cursor)))
        view_end = scroll_x + width
        if len(line) < view_end:  # padded the way Strip.extend_cell_length pads
            pieces.append((len(line), view_end, base))
        segments = []
        x = scroll_x
        for start, end, style in pieces:
            start, end = max(start, scroll_x), min(end, view_end)
            if end <= start:
                continue
            text = line[start:end] if start < len(line) else " " * (end - start)
            segments.append(Segment(text, self._with_offset(style, x, y)))
            x += end - start
        strip = Strip(segments, width)
        if len(self._strips) >= _STRIP_CACHE:
            self._strips.clear()
        self._strips[key] = strip
        return strip

    def _with_offset(self, style: Style, x: int, y: int) -> Style:
        """The style marked with where its text sits (mouse selection reads it), as Strip's
        apply_offsets marks it. Kept: a pane that follows the end shows the same lines, at
        the same offsets, frame after frame, and making one costs a pickle of the mark."""
        key = (style, x, y)
        marked = self._offsets.get(key)
        if marked is None:
            if len(self._offsets) >= _OFFSETS_KEPT:
                self._offsets.clear()
            offset = Style.from_meta({"offset": (x, y)})
            marked = self._offsets[key] = style + offset if style else offset
        return marked

    def _style(self, base: Style, spans: tuple[str, ...], cursor: bool) -> Style:
        """The line's style with the spans over it (and the cursor's), combined as Rich does."""
        key = (base, spans, cursor)
        style = self._styles.get(key)
        if style is None:
            if len(self._styles) > 64:
                self._styles.clear()
            console = self.app.console
            style = Style.combine([Style.null(), base, *(console.get_style(s) for s in spans)])
            if cursor:
                style += _CURSOR
            self._styles[key] = style
        return style
