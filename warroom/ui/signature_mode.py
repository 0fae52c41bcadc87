"""A log pane's signatures: every line is grouped as it arrives (warroom.signatures), and `g`
shows the signatures in the pane's view instead of the lines: count, lines per minute, first
and last seen, NEW since which deployment, what tells the error apart. `s` sorts by count or by
first seen, `enter` shows the latest example whole, `y` copies the signature to the timeline.
A mixin of LogPane: the same view, filter, follow and zoom serve both."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from warroom.deploys import Deploy, NewMarks
from warroom.signature_rows import BY_COUNT, BY_FIRST, evidence_text, format_row, ordered
from warroom.signatures import Signature, SignatureTable
from warroom.sources.logs import LogLine
from warroom.ui.example_screen import ExampleScreen
from warroom.ui.panels import app_now
from warroom.ui.write_frames import WriteFrames

if TYPE_CHECKING:
    from warroom.ui.logpane import LogPane

    _Base = LogPane
else:
    _Base = object

# Actions that only mean something in one of the two views.
_SIGNATURES_ONLY = frozenset({"sort_signatures", "show_example"})
_LINES_ONLY = frozenset({"wrap"})
# Lines grouped per turn of the loop (about 4 ms): a key pressed in a flood waits for one slice
# at most, not for a whole batch of a thousand lines.
GROUP_SLICE = 250
# Lines waiting to be grouped, at most: the feed's budget brings a few thousand a second and
# grouping takes more than 50,000, so this only bounds memory should the loop ever fall behind.
BACKLOG = 100_000
WRITE_WAIT = 0.02  # seconds between looks while a console write holds the grouping


class SignatureMode(_Base):
    class NewSignatures(Message):
        """Signatures first seen after a deployment: each goes on the timeline once."""

        def __init__(self, group: str, marked: list[tuple[Signature, str]]) -> None:
            super().__init__()
            self.group = group
            self.marked = marked

    class SignatureEvidence(Message):
        """The responder wants this signature on the timeline."""

        def __init__(self, text: str, group: str, signature: str) -> None:
            super().__init__()
            self.text = text
            self.group = group
            self.signature = signature

    def _init_signatures(self) -> None:
        self.signatures = SignatureTable()
        self.new_marks: NewMarks | None = None  # once the console knows where the lines begin
        self.showing_signatures = False
        self.signature_order = BY_COUNT
        self._signature_rows: list[Signature] = []
        self._selected_key: str | None = None  # the selected row's signature
        self._to_group: deque[LogLine] = deque()
        self._grouping = False  # a slice is scheduled
        self.ungrouped = 0  # lines let go unseen by the grouping (a backlog past BACKLOG)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _SIGNATURES_ONLY:
            return self.showing_signatures  # else `s` is the severity, as everywhere
        if action in _LINES_ONLY:
            return not self.showing_signatures
        return True

    # Ingest ----------------------------------------------------------------------------------

    def _group_lines(self, lines: tuple[LogLine, ...]) -> None:
        """Queue a batch's lines for grouping, a slice per turn of the loop."""
        backlog = self._to_group
        backlog.extend(lines)
        if len(backlog) > BACKLOG:
            for _ in range(len(backlog) - BACKLOG):
                backlog.popleft()
                self.ungrouped += 1
        if not self._grouping:
            self._grouping = True
            self.call_later(self._group_slice)

    def _group_slice(self) -> None:
        frames: WriteFrames | None = getattr(self.app, "write_frames", None)
        if frames is not None and frames.pending():
            # An entry is being written and drawn: its SQLite round trips and its frame each
            # wait for a turn of the loop, behind any slice queued there. Grouping waits (up
            # to HOLD_MAX), as the pane's flush does, and catches up after.
            self.set_timer(WRITE_WAIT, self._group_slice)
            return
        backlog = self._to_group
        add, group, take = self.signatures.add, self.group, backlog.popleft
        fresh = []
        for _ in range(min(GROUP_SLICE, len(backlog))):
            line = take()
            sig = add(line.message, line.at, group)
            if sig is not None:
                fresh.append(sig)
        if fresh and self.new_marks is not None:
            self._announce(self.new_marks.update(fresh))
        if backlog:
            self.call_later(self._group_slice)
            return
        self._grouping = False
        if self.showing_signatures:
            self._draw_signatures()

    def set_deploys(
        self, deploys: list[Deploy], covered_from: datetime, known_until: datetime
    ) -> None:
        """The deployments ECS showed at `known_until`, and where this pane's lines begin."""
        if self.new_marks is None:
            self.new_marks = NewMarks(self.group, covered_from)
        self.new_marks.set_deploys(deploys, known_until)
        self._announce(self.new_marks.update(self.signatures))

    def _announce(self, marked: list[tuple[Signature, str]]) -> None:
        if marked:
            self.post_message(self.NewSignatures(self.group, marked))
            if self.showing_signatures and not self._grouping:
                self._draw_signatures()

    def new_since(self, sig: Signature) -> str | None:
        return self.new_marks.of(sig.key) if self.new_marks is not None else None

    # Drawing ---------------------------------------------------------------------------------

    def _draw_signatures(self) -> None:
        """Every signature's row, in order, the selected one kept selected where it moved to."""
        view = self.view
        self._signature_rows = ordered(
            self.signatures, self.signature_order, view.highlighter.pattern
        )
        now = app_now(self)
        rows = [format_row(s, now, self.new_since(s)) for s in self._signature_rows]
        top = view.scroll_y
        view.clear()
        view.max_lines = None
        view.write_lines(rows, scroll_end=False)
        index = self._selected_index()
        view.cursor_rows = range(0) if index is None else range(index, index + 1)
        view.scroll_to(y=min(top, view.max_scroll_y), animate=False)
        view.refresh()

    def _selected_index(self) -> int | None:
        keys = [s.key for s in self._signature_rows]
        return keys.index(self._selected_key) if self._selected_key in keys else None

    def selected_signature(self) -> Signature | None:
        """The selected row's signature, else the first row's."""
        index = self._selected_index()
        if index is not None:
            return self._signature_rows[index]
        return self._signature_rows[0] if self._signature_rows else None

    def _move_selection(self, step: int) -> None:
        rows = self._signature_rows
        if not rows:
            return
        index = self._selected_index()
        index = 0 if index is None else max(0, min(len(rows) - 1, index + step))
        self._selected_key = rows[index].key
        view = self.view
        view.cursor_rows = range(index, index + 1)
        if not view.scroll_y <= index < view.scroll_y + view.size.height:
            view.scroll_to(y=max(0, index - view.size.height // 2), animate=False)
        view.refresh()

    # Keys ------------------------------------------------------------------------------------

    def action_toggle_signatures(self) -> None:
        """Lines or signatures, in the same pane."""
        self.showing_signatures = not self.showing_signatures
        self._selected_key = None
        if self.showing_signatures:
            self._pending.clear()  # self.lines holds them for the way back
            self.view.scroll_to(y=0, animate=False)
            self._draw_signatures()
            self.refresh_title()
        else:
            self._reshow(follow=True, keep=None)

    def action_sort_signatures(self) -> None:
        self.signature_order = BY_FIRST if self.signature_order == BY_COUNT else BY_COUNT
        self._draw_signatures()
        self.refresh_title()

    def action_show_example(self) -> None:
        sig = self.selected_signature()
        if sig is None:
            return
        title = f"{self.group}: {sig.count} lines"
        new = self.new_since(sig)
        if new:
            title += f", new since {new}"
        self.app.push_screen(ExampleScreen(title, sig.example, sig.key))

    def _signature_evidence(self) -> None:
        sig = self.selected_signature()
        if sig is None:
            self.notify("no signature to copy yet", severity="warning", timeout=2)
            return
        text = evidence_text(self.group, sig, self.new_since(sig))
        self.post_message(self.SignatureEvidence(text, self.group, sig.key))

    def signatures_title(self) -> str:
        order = "first seen" if self.signature_order == BY_FIRST else "count"
        return f"  signatures by {order} ({len(self.signatures)})"
