"""A list of rows (Rich Text, wrapped to the width), one of them highlighted, drawn with the
Line API: only the rows in view are rendered, and a change repaints the rows it touched.

Textual's OptionList answers every added option by growing its virtual size, which lays out
and repaints the whole screen (60-90 ms on a 2-core box, more while the log panes repaint): a
timeline key press then reaches the screen a frame or five late. Here the widget's size is set
by CSS and does not depend on its rows, so their number changes without a layout pass.

Rows look exactly as OptionList draws them (the same component styles and Visual rendering):
the main screen's snapshots read the same.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from warroom.ui.titles import set_border_subtitle, set_border_title

# Rendered rows kept: a few screens' worth. Not more: each is a dozen objects that Python's
# garbage collector walks at every full pass (and a long incident makes new rows all day).
_CACHE_LIMIT = 256


class RowList(ScrollView, can_focus=True):
    """Rows keyed by what they show: `set_rows(keys, text_for)` renders only rows whose key is
    new (an unchanged key keeps its Text and its rendered lines)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pagedown", "page(1)", "Page Down", show=False),
        Binding("pageup", "page(-1)", "Page Up", show=False),
    ]

    # OptionList's look, rule for rule.
    DEFAULT_CSS = """
    RowList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .rowlist--row-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .rowlist--row-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .rowlist--row-hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rowlist--row",
        "rowlist--row-highlighted",
        "rowlist--row-hover",
    }

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, jump: float = 0.0
    ) -> None:
        """`jump`: when the highlight follows the last row past the bottom, scroll so that this
        share of the view stays free below it. Rows added there then repaint themselves only,
        where scrolling by a row at a time would repaint every row in view at each one."""
        super().__init__(id=id, classes=classes)
        self.jump = jump
        self._floor = 0  # lines the view may scroll over, free ones below the rows included
        self._keys: list[Hashable] = []
        self._texts: list[Text] = []
        self._starts: list[int] = []  # each row's first line (rows wrap onto several lines)
        self._lines = 0
        self._width = 0  # the width the lines were counted at
        self._highlighted: int | None = None
        self._hover: int | None = None
        self._visuals: dict[Hashable, Visual] = {}
        self._rendered: dict[tuple[Hashable, int, object], list[Strip]] = {}

    def set_titles(self, title: str, subtitle: str) -> None:
        """The border's title and subtitle, plain text; a change repaints its row only."""
        set_border_title(self, title)
        set_border_subtitle(self, subtitle)

    # Content -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def rows(self) -> list[str]:
        """Each row's text, as shown (before wrapping)."""
        return [text.plain for text in self._texts]

    def set_rows(self, keys: Sequence[Hashable], text_for: Callable[[int], Text]) -> None:
        """Show these rows; `text_for(i)` makes row i's Text, asked only for keys not shown
        already. Repaints from the first row that changed, and only what is in view."""
        old_keys, old_texts = self._keys, self._texts
        common = min(len(keys), len(old_keys))
        if list(keys[:common]) == old_keys[:common]:
            first = common  # the usual change: rows added at the end (compared in C)
        else:
            first = 0
            while keys[first] == old_keys[first]:
                first += 1
        if first == len(keys) == len(old_keys):
            return
        known = dict(zip(old_keys[first:], old_texts[first:], strict=True))
        texts = old_texts[:first]
        for index in range(first, len(keys)):
            text = known.get(keys[index])
            texts.append(text if text is not None else text_for(index))
        gone = set(old_keys[first:]).difference(keys[first:])
        for key in gone:
            self._visuals.pop(key, None)
        self._keys, self._texts = list(keys), texts
        old_start = self._starts[first] if first < len(self._starts) else self._lines
        old_end = self._lines
        rewrapped = self._count_lines(first)
        if self._highlighted is not None and self._highlighted >= len(keys):
            self._highlighted = len(keys) - 1 if keys else None
        if rewrapped:
            self.refresh()
        elif first == len(old_keys):
            self._refresh_lines(old_end, self._lines)  # added at the end: below was blank
        else:
            self._refresh_from(old_start)

    def entry_at(self, line: int) -> int | None:
        """The index of the row drawn on (virtual) line `line`, if any."""
        if not 0 <= line < self._lines:
            return None
        return bisect_right(self._starts, line) - 1

    def _count_lines(self, first: int = 0) -> bool:
        """Lines per row from row `first` on, at the current width; the virtual size follows.
        True when the width had changed, so that every row was counted again."""
        width = self._content_width()
        rewrapped = width != self._width
        if rewrapped:
            first = 0  # every row may wrap differently
        self._width = width
        del self._starts[first:]
        line = self._starts[-1] + self._height(first - 1, width) if first else 0
        for index in range(first, len(self._texts)):
            self._starts.append(line)
            line += self._height(index, width)
        self._lines = line
        return self._set_virtual_height(line) or rewrapped

    def _height(self, index: int, width: int) -> int:
        text = self._texts[index]
        if width <= 0 or (text.cell_len <= width and "\n" not in text.plain):
            return 1  # the usual row: no need to wrap it to know
        return max(1, self._visual(index).get_height(self.styles, width))

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _set_virtual_height(self, lines: int) -> bool:
        """True when a scrollbar came or went, so that every row was counted again."""
        size = Size(self._width, max(lines, self._floor))
        if size == self.virtual_size:
            return False
        if self.styles.auto_dimensions:
            self.virtual_size = size  # sized by its content: the layout must know
        else:
            # Sized by CSS: the rows only scroll, and a layout pass would repaint the screen.
            self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        if self._content_width() != self._width:
            self._count_lines()  # a scrollbar came or went: the rows wrap at the new width
            return True
        return False

    # Highlight ---------------------------------------------------------------------------

    @property
    def highlighted(self) -> int | None:
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None:
            index = max(0, min(index, len(self._keys) - 1)) if self._keys else None
        if index == self._highlighted:
            return
        previous, self._highlighted = self._highlighted, index
        self._refresh_row(previous)
        self._refresh_row(index)
        self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        index = self._highlighted
        if index is None or index >= len(self._starts) or not self.is_mounted:
            return
        top = self._starts[index]
        bottom = self._starts[index + 1] if index + 1 < len(self._starts) else self._lines
        height = self.scrollable_content_region.height
        y = self.scroll_offset.y
        if top < y:
            y = top
        elif bottom > y + height:
            free = int(height * self.jump) if index == len(self._keys) - 1 else 0
            y = min(top, bottom - height + free)
            if y + height > max(self._lines, self._floor):
                self._floor = y + height  # room to scroll over, below the last row
                self._set_virtual_height(self._lines)
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, force=True)

    def action_cursor(self, step: int) -> None:
        if self._keys:
            start = self._highlighted if self._highlighted is not None else -step
            self.highlighted = start + step

    def action_first(self) -> None:
        if self._keys:
            self.highlighted = 0

    def action_last(self) -> None:
        if self._keys:
            self.highlighted = len(self._keys) - 1

    def action_page(self, direction: int) -> None:
        if not self._keys:
            return
        if self._highlighted is None:
            self.highlighted = 0 if direction < 0 else len(self._keys) - 1
            return
        line = self._starts[self._highlighted] + direction * self.scrollable_content_region.height
        target = self.entry_at(max(0, min(line, self._lines - 1)))
        self.highlighted = target if target is not None else self._highlighted

    # Mouse -------------------------------------------------------------------------------

    def _row_under(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self.entry_at(self.scroll_offset.y + offset.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._row_under(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        index = self._row_under(event)
        if index is not None:
            self.highlighted = index

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            previous, self._hover = self._hover, index
            self._refresh_row(previous)
            self._refresh_row(index)

    # Drawing -----------------------------------------------------------------------------

    def _visual(self, index: int) -> Visual:
        key = self._keys[index]
        visual = self._visuals.get(key)
        if visual is None:
            visual = self._visuals[key] = visualize(self, self._texts[index])
        return visual

    def _refresh_row(self, index: int | None) -> None:
        if index is None or index >= len(self._starts):
            return
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self._lines
        self._refresh_lines(self._starts[index], end)

    def _refresh_from(self, line: int) -> None:
        """Lines from `line` on changed: repaint those in view (the rest are drawn when
        scrolled to)."""
        bottom = self.scroll_offset.y + self.scrollable_content_region.height
        self._refresh_lines(line, bottom)

    def _refresh_lines(self, start: int, end: int) -> None:
        top = self.scroll_offset.y
        start, end = max(start, top), min(end, top + self.scrollable_content_region.height)
        if end > start and self.is_mounted:
            self.refresh(Region(0, start - top, self.scrollable_content_region.width, end - start))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rendered.clear()

    def on_resize(self, event: events.Resize) -> None:
        if self._content_width() != self._width:
            self._rewrap()

    def _rewrap(self) -> None:
        self._rendered.clear()
        self._count_lines()
        self.scroll_to_highlight()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # A scrollbar coming or going changes the width without a resize.
        if self._content_width() != self._width:
            self._rewrap()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self._width
        index = self.entry_at(line)
        if index is None:
            return Strip.blank(width, self.get_visual_style("rowlist--row").rich_style)
        if index == self._highlighted:
            style = self.get_visual_style("rowlist--row", "rowlist--row-highlighted")
        elif index == self._hover:
            style = self.get_visual_style("rowlist--row", "rowlist--row-hover")
        else:
            style = self.get_visual_style("rowlist--row")
        cache_key = (self._keys[index], width, style)
        strips = self._rendered.get(cache_key)
        if strips is None:
            if len(self._rendered) >= _CACHE_LIMIT:
                self._rendered.clear()
            visual = self._visual(index)
            strips = [
                strip.extend_cell_length(width, style.rich_style)
                for strip in Visual.to_strips(self, visual, width, None, style)
            ]
            self._rendered[cache_key] = strips
        offset = line - self._starts[index]
        if offset < len(strips):
            return strips[offset]
        return Strip.blank(width, style.rich_style)
