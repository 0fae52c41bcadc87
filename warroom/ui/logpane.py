"""A log pane: one CloudWatch group, followed live, filterable, with ERROR navigation.

Lines arrive in batches and are written with one `write_lines` call per batch; the pane keeps a
bounded copy so a filter can be applied and removed without asking AWS again.
"""

from __future__ import annotations

import re
import time
from collections import deque
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from warroom.sources.logs import LogBatch, LogLine
from warroom.timeutil import short_duration
from warroom.ui import keys
from warroom.ui.logview import MAX_LINES, LogView
from warroom.ui.panels import app_now
from warroom.ui.signature_mode import SignatureMode
from warroom.ui.titles import set_border_subtitle, set_border_title
from warroom.ui.write_frames import WriteFrames

WRAP_MAX_LINES = 1_000  # lines kept while wrapping (rewritten, not pruned, so fewer)
_INDENT = " " * 9  # continuation rows start under the message, after "HH:MM:SS "
FLUSH_INTERVAL = 0.2  # seconds from a line's arrival to the screen, at most (more on a write)


class LogPane(SignatureMode, Vertical, can_focus=False):
    """Title: group, pattern, follow state and the age of the last poll."""

    BINDINGS = keys.bindings(keys.LOG_PANE)

    class Evidence(Message):
        """The responder wants this log line on the timeline."""

        def __init__(self, line: LogLine) -> None:
            super().__init__()
            self.line = line

    class Zoom(Message):
        def __init__(self, pane: LogPane) -> None:
            super().__init__()
            self.pane = pane

    class TenantScope(Message):
        """The responder wants only the incident's tenants: the console answers with
        `set_tenant_scope` (it knows the scope and the rule)."""

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
        # Only lines mentioning these tenants (`t`), applied like the filter, as lines are shown.
        self.tenant_scope: re.Pattern[str] | None = None
        self.tenant_label = ""
        self.last_batch: LogBatch | None = None
        self.received = 0
        self._pending: list[LogLine] = []  # received, not yet written to the view
        self.cursor: int | None = None  # index in `shown` of the selected line
        self.wrap = False
        # Wrapped: the first view row of each line in `shown`, and the number of rows.
        self._row_starts: list[int] = []
        self._rows = 0
        self._flush_timer: Timer | None = None
        self._init_signatures()

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
        """New lines scroll into view: at the end, and no line selected."""
        return self.view.following and self.cursor is None

    def refresh_title(self, now: datetime | None = None) -> None:
        """Title and subtitle; each repaints its border row only, and only when it changed
        (the subtitle's age moves every second)."""
        now = now or app_now(self)
        state = "following" if self.following else "paused"
        title = f"{self.group} {self.pattern or '(all)'}  {state}"
        if self.wrap:
            title += "  wrap"
        if self.showing_signatures:
            title += self.signatures_title()
        if self.filter_text:
            title += f"  /{self.filter_text}"
        if self.tenant_scope is not None:
            title += f"  tenant {self.tenant_label}"
        set_border_title(self, title)
        batch = self.last_batch
        if batch is None:
            set_border_subtitle(self, "waiting")
        elif batch.source.ok is False:
            age = batch.source.age(now)
            when = f"last good {short_duration(age)} ago" if age is not None else "no data yet"
            set_border_subtitle(self, f"✗ {batch.source.reason} ({when})")
        elif batch.source.last_attempt_at is not None:
            age = short_duration(now - batch.source.last_attempt_at)
            set_border_subtitle(self, f"polled {age} ago")
        failing = batch is not None and batch.source.ok is False
        if failing != self.has_class("-failing"):  # set_class restyles even when unchanged
            self.set_class(failing, "-failing")

    def add_batch(self, batch: LogBatch) -> None:
        """Take a batch now; it reaches the screen with the next flush, so a busy group costs
        at most five repaints a second however many batches arrive."""
        previous = self.last_batch
        self.last_batch = batch
        if batch.lines:
            self.received += len(batch.lines)
            self._group_lines(batch.lines)  # as they come: `g` shows them at once
            self.lines.extend(batch.lines)
            self._pending.extend(batch.lines)
            if len(self._pending) > MAX_LINES:
                del self._pending[:-MAX_LINES]
            if self._flush_timer is None:
                self._flush_timer = self.set_timer(_until_flush(), self._flush_due)
        # The 1 s tick keeps the title's ages current; here only a change of state matters.
        if previous is None or previous.source.ok != batch.source.ok:
            self.refresh_title()

    def _flush_due(self) -> None:
        """The flush timer, or the frame of a write that held it: write now, or later."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if not self._pending or not self.is_mounted:
            return
        later = self.screen is not self.app.screen  # a dialog: each repaint redraws it all
        frames: WriteFrames | None = getattr(self.app, "write_frames", None)
        if not later and frames is not None and frames.pending():
            # An entry is being written and drawn (a timeline key, a mitigation's result): its
            # frame first, which a flooding pane's repaint would make late; these lines right
            # after it, or at the next slot should the write take longer.
            frames.after(self._flush_after_write)
            later = True
        if later:
            self._flush_timer = self.set_timer(_until_flush(), self._flush_due)
            return
        self.flush()

    def _flush_after_write(self) -> None:
        # On this pane's own turn of the loop: the write's frame (just drawn) is finished
        # (written out) before these lines are formatted and written.
        self.call_later(self._flush_due)

    def flush(self) -> None:
        """Write what arrived since the last flush, in one `write_lines` call (now: the timer
        calls it through `_flush_due`)."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        pending, self._pending = self._pending, []
        if self.showing_signatures:  # self.lines holds them for the way back
            if not self._grouping:  # else drawn once the lines are grouped
                self._draw_signatures()
            return
        view = self.view
        pattern, scope = view.highlighter.pattern, self.tenant_scope
        if scope is None:  # the usual case, and the flood's: no per-line work without a filter
            matching = (
                pending if pattern is None else [ln for ln in pending if pattern.search(ln.message)]
            )
        else:
            matching = [
                line
                for line in pending
                if scope.search(line.message) and (pattern is None or pattern.search(line.message))
            ]
        if not matching:
            return
        self.shown.extend(matching)
        if self.wrap:
            self._append_wrapped(matching)
            return
        overflow = len(self.shown) - MAX_LINES
        if overflow > 0:
            del self.shown[:overflow]
            self._shift_cursor(overflow)
        view.write_rows([_format(line) for line in matching], follow=self.following)
        # Once max_lines is reached Log prunes without repainting; without this the pane would
        # look frozen on a busy group.
        view.refresh()

    def _append_wrapped(self, lines: list[LogLine]) -> None:
        # Wrapped rows are not one per line, so Log cannot prune them: keep fewer lines and
        # rewrite now and then instead.
        if len(self.shown) > WRAP_MAX_LINES + WRAP_MAX_LINES // 5:
            overflow = len(self.shown) - WRAP_MAX_LINES
            del self.shown[:overflow]
            self._shift_cursor(overflow)
            self._write_all(follow=self.following)
            return
        rows: list[str] = []
        for line in lines:
            self._row_starts.append(self._rows + len(rows))
            rows.extend(self._wrapped(line))
        self._rows += len(rows)
        self.view.write_rows(rows, follow=self.following)
        self.view.refresh()

    def _wrapped(self, line: LogLine) -> list[str]:
        text = _format(line)
        width = self.view.scrollable_content_region.width
        if width < 20 or len(text) <= width:
            return [text]
        rest = width - len(_INDENT)
        return [text[:width]] + [
            _INDENT + text[i : i + rest] for i in range(width, len(text), rest)
        ]

    def _shift_cursor(self, removed: int) -> None:
        if self.cursor is not None:
            self.cursor = self.cursor - removed if self.cursor >= removed else None
            self._show_cursor()

    def _show_cursor(self) -> None:
        view, index = self.view, self.cursor
        if index is None or index >= len(self.shown):
            view.cursor_rows = range(0)
        elif self.wrap:
            end = self._row_starts[index + 1] if index + 1 < len(self.shown) else self._rows
            view.cursor_rows = range(self._row_starts[index], end)
        else:
            view.cursor_rows = range(index, index + 1)
        view.refresh()

    def _write_all(self, *, follow: bool) -> None:
        """Write `shown` to an empty view, wrapped or not; keep the selected line in sight."""
        view = self.view
        top = view.scroll_y
        view.clear()
        view.max_lines = None if self.wrap else MAX_LINES
        self._row_starts, self._rows = [], 0
        if self.wrap:
            rows: list[str] = []
            for line in self.shown:
                self._row_starts.append(len(rows))
                rows.extend(self._wrapped(line))
            self._rows = len(rows)
            view.write_lines(rows, scroll_end=False)
        else:
            view.write_lines([_format(line) for line in self.shown], scroll_end=False)
        self._show_cursor()
        view.following = follow
        if follow:
            view.scroll_end(animate=False)
        elif view.cursor_rows:
            first = view.cursor_rows.start
            view.scroll_to(y=max(0, first - view.size.height // 2), animate=False)
        else:  # a reader scrolled up: stay about where they were
            view.scroll_to(y=min(top, view.max_scroll_y), animate=False)

    def _matches(self, line: LogLine) -> bool:
        pattern, scope = self.view.highlighter.pattern, self.tenant_scope
        if scope is not None and not scope.search(line.message):
            return False
        return pattern is None or bool(pattern.search(line.message))

    def _rewrite(self) -> None:
        if self.showing_signatures:
            self._draw_signatures()
            self.refresh_title()
            return
        self._reshow(follow=True, keep=None)

    def action_wrap(self) -> None:
        """Long lines on several rows (the last 1,000 lines) or cut at the edge (scroll right)."""
        self.wrap = not self.wrap
        keep = self.shown[self.cursor] if self.cursor is not None else None
        self._reshow(follow=self.following, keep=keep)

    def _reshow(self, *, follow: bool, keep: LogLine | None) -> None:
        """`shown` again from every kept line (filter, and the wrap limit), selecting `keep`
        where it still is: an index into the old `shown` would point at another line."""
        self._pending.clear()  # self.lines holds them too
        self.shown = [line for line in self.lines if self._matches(line)]
        if self.wrap:
            del self.shown[:-WRAP_MAX_LINES]
        self.cursor = next((i for i, line in enumerate(self.shown) if line is keep), None)
        self._write_all(follow=follow)
        self.refresh_title()

    def on_resize(self) -> None:
        if self.wrap and not self.showing_signatures:
            self._write_all(follow=self.following)

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

    @on(LogView.FollowChanged)
    def _follow_changed(self) -> None:
        self.refresh_title()

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
        if self.showing_signatures:  # the busiest (or newest) first again, nothing selected
            self._selected_key = None
            self.view.scroll_to(y=0, animate=False)
            self._draw_signatures()
            return
        self.cursor = None
        self._show_cursor()
        self.view.following = True
        self.view.scroll_end(animate=False)
        self.view.refresh()
        self.refresh_title()

    def _jump(self, step: int) -> None:
        if self.showing_signatures:
            self._move_selection(step)
            return
        view = self.view
        if not self.shown:
            return
        if self.cursor is None:  # nothing selected yet: start from the newest ERROR line
            index, step = len(self.shown) - 1, -1
        else:
            index = self.cursor + step
        while 0 <= index < len(self.shown):
            if self.shown[index].level in ("ERROR", "CRITICAL", "FATAL"):
                self.cursor = index
                self._show_cursor()
                row = view.cursor_rows.start
                view.scroll_to(y=max(0, row - view.size.height // 2), animate=False)
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
        if self.cursor is not None and self.cursor < len(self.shown):
            return self.shown[self.cursor]
        errors = [line for line in self.shown if line.level in ("ERROR", "CRITICAL", "FATAL")]
        return errors[-1] if errors else (self.shown[-1] if self.shown else None)

    def last_error(self) -> LogLine | None:
        for line in reversed(self.lines):
            if line.level in ("ERROR", "CRITICAL", "FATAL"):
                return line
        return None

    def action_evidence(self) -> None:
        if self.showing_signatures:
            self._signature_evidence()
            return
        line = self.selected()
        if line is None:
            self.notify("no line to copy yet", severity="warning", timeout=2)
            return
        self.post_message(self.Evidence(line))

    def action_zoom(self) -> None:
        self.post_message(self.Zoom(self))

    def action_tenant_scope(self) -> None:
        """`t`: only the incident's tenants; again: every line."""
        if self.tenant_scope is not None:
            self.set_tenant_scope(None)
        else:
            self.post_message(self.TenantScope(self))

    def set_tenant_scope(self, scope: re.Pattern[str] | None, label: str = "") -> None:
        self.tenant_scope = scope
        self.tenant_label = label if scope is not None else ""
        self._rewrite()


def _until_flush() -> float:
    """Seconds to the next multiple of FLUSH_INTERVAL: every pane flushes at the same moments,
    so that their writes are drawn in one pass of the compositor, not one pass each."""
    return FLUSH_INTERVAL - time.monotonic() % FLUSH_INTERVAL


# Many apps start their lines with their own ISO timestamp; the pane already shows the time.
_LEADING_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+")


def _format(line: LogLine) -> str:
    """HH:MM:SS message. Made for every line received (5,000 a second in a flood): no
    strftime, which took three times as long."""
    message = line.message
    if message[:2].isdigit():  # cheap test first: most lines do not start with a date
        stamp = _LEADING_STAMP.match(message)
        if stamp:
            message = message[stamp.end() :]
    at = line.at
    return "%02d:%02d:%02d %s" % (at.hour, at.minute, at.second, message)  # noqa: UP031
