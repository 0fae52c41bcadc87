"""A log pane: one CloudWatch group, followed live, filterable, with ERROR navigation.

Lines arrive in batches and are written with one `write_lines` call per batch; the pane keeps a
bounded copy so a filter can be applied and removed without asking AWS again.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime

from rich.highlighter import Highlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Log

from warroom.sources.logs import LogBatch, LogLine
from warroom.timeutil import short_duration
from warroom.ui.panels import app_now

MAX_LINES = 5_000
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

    def highlight(self, text: Text) -> None:
        plain = text.plain
        match = re.search(r"\b(ERROR|CRITICAL|FATAL|WARN(?:ING)?|INFO|DEBUG)\b", plain[:80])
        if match:
            word = "WARN" if match.group(1) == "WARNING" else match.group(1)
            text.stylize(_LEVEL_STYLE[word], match.start(), match.end())
        if self.pattern is not None:
            for found in self.pattern.finditer(plain):
                text.stylize("black on yellow", found.start(), found.end())


class LogView(Log):
    """Log with a cursor line (for ERROR jumps and copying) drawn in reverse video."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(highlight=True, max_lines=MAX_LINES, **kwargs)  # type: ignore[arg-type]
        self.highlighter = LineHighlighter()
        self.cursor: int | None = None

    def _render_line_strip(self, y: int, rich_style):  # type: ignore[no-untyped-def]
        strip = super()._render_line_strip(y, rich_style)
        if y == self.cursor:
            from rich.style import Style

            return strip.apply_style(Style(reverse=True))
        return strip


class LogPane(Vertical, can_focus=False):
    """Title: group, pattern, follow state and the age of the last poll."""

    BINDINGS = [
        Binding("/", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("end", "follow", "Follow"),
        Binding("e", "next_error", "Next ERROR"),
        Binding("E", "previous_error", "Prev ERROR", key_display="E"),
        Binding("y", "evidence", "Line to timeline"),
        Binding("z", "zoom", "Zoom"),
    ]

    class Evidence(Message):
        """The responder wants this log line on the timeline."""

        def __init__(self, line: LogLine) -> None:
            super().__init__()
            self.line = line

    class Zoom(Message):
        def __init__(self, pane: LogPane) -> None:
            super().__init__()
            self.pane = pane

    def __init__(self, group: str, pattern: str, **kwargs: object) -> None:
        super().__init__(classes="pane log-pane", **kwargs)  # type: ignore[arg-type]
        self.group = group
        self.pattern = pattern
        self.lines: deque[LogLine] = deque(maxlen=MAX_LINES)
        self.shown: list[LogLine] = []
        self.filter_text = ""
        self.last_batch: LogBatch | None = None
        self.received = 0

    def compose(self) -> ComposeResult:
        yield LogView(id="log")
        yield Input(
            placeholder="filter (regex or text); enter keeps it, esc clears",
            id="filter",
            classes="-hidden",
        )

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.refresh_title()

    @property
    def following(self) -> bool:
        view = self.view
        return view.is_vertical_scroll_end or view.max_scroll_y == 0

    def refresh_title(self, now: datetime | None = None) -> None:
        from textual.markup import escape

        now = now or app_now(self)
        state = "following" if self.following else "paused"
        title = f"{self.group} {self.pattern or '(all)'}  {state}"
        if self.filter_text:
            title += f"  /{self.filter_text}"
        self.border_title = escape(title)
        batch = self.last_batch
        if batch is None:
            self.border_subtitle = "waiting"
        elif batch.source.ok is False:
            age = batch.source.age(now)
            when = f"last good {short_duration(age)} ago" if age is not None else "no data yet"
            self.border_subtitle = escape(f"✗ {batch.source.reason} ({when})")
        elif batch.source.last_attempt_at is not None:
            self.border_subtitle = (
                f"polled {short_duration(now - batch.source.last_attempt_at)} ago"
            )
        self.set_class(batch is not None and batch.source.ok is False, "-failing")

    def add_batch(self, batch: LogBatch) -> None:
        self.last_batch = batch
        if batch.lines:
            self.received += len(batch.lines)
            self.lines.extend(batch.lines)
            matching = [line for line in batch.lines if self._matches(line)]
            if matching:
                self.shown.extend(matching)
                overflow = len(self.shown) - MAX_LINES
                if overflow > 0:
                    del self.shown[:overflow]
                    if self.view.cursor is not None:
                        self.view.cursor = max(0, self.view.cursor - overflow)
                self.view.write_lines(_format(line) for line in matching)
        self.refresh_title()

    def _matches(self, line: LogLine) -> bool:
        pattern = self.view.highlighter.pattern
        return pattern is None or bool(pattern.search(line.message))

    def _rewrite(self) -> None:
        self.shown = [line for line in self.lines if self._matches(line)]
        view = self.view
        view.cursor = None
        view.clear()
        view.write_lines(_format(line) for line in self.shown)
        view.scroll_end(animate=False)
        self.refresh_title()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        if not text:
            self.view.highlighter.pattern = None
        else:
            try:
                self.view.highlighter.pattern = re.compile(text, re.IGNORECASE)
            except re.error:
                self.view.highlighter.pattern = re.compile(re.escape(text), re.IGNORECASE)
        self._rewrite()

    @on(Input.Changed, "#filter")
    def _typed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        self.query_one("#filter").add_class("-hidden")
        self.view.focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-hidden")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.add_class("-hidden")
        self.set_filter("")
        self.view.focus()

    def action_follow(self) -> None:
        self.view.cursor = None
        self.view.scroll_end(animate=False)
        self.view.refresh()
        self.refresh_title()

    def _jump(self, step: int) -> None:
        view = self.view
        if not self.shown:
            return
        start = view.cursor if view.cursor is not None else len(self.shown) - (step > 0)
        index = start + step
        while 0 <= index < len(self.shown):
            if self.shown[index].level in ("ERROR", "CRITICAL", "FATAL"):
                view.cursor = index
                view.scroll_to(y=max(0, index - view.size.height // 2), animate=False)
                view.refresh()
                self.refresh_title()
                return
            index += step
        self.notify("no more ERROR lines that way", severity="warning", timeout=2)

    def action_next_error(self) -> None:
        self._jump(+1)

    def action_previous_error(self) -> None:
        self._jump(-1)

    def selected(self) -> LogLine | None:
        """The cursor line, else the newest ERROR line, else the newest line."""
        if self.view.cursor is not None and self.view.cursor < len(self.shown):
            return self.shown[self.view.cursor]
        errors = [line for line in self.shown if line.level in ("ERROR", "CRITICAL", "FATAL")]
        return errors[-1] if errors else (self.shown[-1] if self.shown else None)

    def last_error(self) -> LogLine | None:
        for line in reversed(self.lines):
            if line.level in ("ERROR", "CRITICAL", "FATAL"):
                return line
        return None

    def action_evidence(self) -> None:
        line = self.selected()
        if line is None:
            self.notify("no line to copy yet", severity="warning", timeout=2)
            return
        self.post_message(self.Evidence(line))

    def action_zoom(self) -> None:
        self.post_message(self.Zoom(self))


# Many apps start their lines with their own ISO timestamp; the pane already shows the time.
_LEADING_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+")


def _format(line: LogLine) -> str:
    return f"{line.at:%H:%M:%S} {_LEADING_STAMP.sub('', line.message, count=1)}"
