"""The post-mortem's action items: the table that lists them and the form that adds or edits one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label

from warroom.followups import ActionItem, action_item_warnings, parse_deadline

COLUMNS = ("Done", "Action", "Owner", "Deadline", "Label", "Issue")


class ActionItemsTable(DataTable[Any]):
    BINDINGS = [
        Binding("a", "screen.add_item", "Add item", show=False),  # ctrl+n, shown, works anywhere
        Binding("e", "screen.edit_item", "Edit", key_display="enter"),  # enter: RowSelected
        Binding("space", "screen.toggle_item", "Done"),
    ]

    def show(self, items: Sequence[ActionItem], today: date) -> None:
        """One row per item (an overdue deadline in red), the cursor kept where it was."""
        row = self.cursor_row
        self.clear()
        for item in items:
            deadline = Text(item.deadline.isoformat() if item.deadline else "—")
            if item.overdue(today):
                deadline.stylize("bold red")
            self.add_row(
                Text("[x]" if item.done else "[ ]"),
                Text(item.text),
                Text(item.owner or "—"),
                deadline,
                Text(item.label),
                Text(item.external_url or "—"),
                key=str(item.id),
            )
        if items:
            self.move_cursor(row=min(row, len(items) - 1))


@dataclass(frozen=True)
class ItemDraft:
    text: str
    owner: str
    deadline: date | None


class ActionItemForm(ModalScreen[ItemDraft | None]):
    """Text, owner and deadline of one action item; a bad deadline is refused in place, a
    missing owner or a past deadline is warned about as it is typed (and still saved)."""

    CSS_PATH = "postmortem.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save item"),
        Binding("down", "app.focus_next", "Next field", show=False),
        Binding("up", "app.focus_previous", "Previous field", show=False),
    ]

    def __init__(self, title: str, today: date, item: ActionItem | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.today = today
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(id="pm-item-form", classes="dialog small"):
            yield Label(Text(self.form_title), classes="dialog-title")
            yield Label("What needs doing", classes="pm-form-label")
            yield Input(
                item.text if item else "", placeholder="required", id="item-text", compact=True
            )
            yield Label("Owner", classes="pm-form-label")
            yield Input(
                item.owner if item else "", placeholder="name", id="item-owner", compact=True
            )
            yield Label("Deadline (YYYY-MM-DD, empty for none)", classes="pm-form-label")
            deadline = item.deadline.isoformat() if item and item.deadline else ""
            yield Input(deadline, placeholder="YYYY-MM-DD", id="item-deadline", compact=True)
            yield Label("", id="item-error", classes="error")
            yield Label("", id="item-warning", classes="warning")
            yield Label(
                "enter next field (saves on the last) · ↑↓ move · ctrl+s save · esc cancel",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#item-text", Input).focus()
        if self.item is not None:  # a new, empty form is not yet missing anything
            self._warn()

    def _error(self, message: str, field: str) -> None:
        self.query_one("#item-error", Label).update(Text(message))
        self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "item-deadline":
            self.action_submit()
        else:
            self.focus_next()

    @on(Input.Changed, "#item-deadline")
    def _deadline_typed(self) -> None:
        self.query_one("#item-error", Label).update("")

    @on(Input.Changed, "#item-owner, #item-deadline")
    def _warn(self) -> None:
        owner = self.query_one("#item-owner", Input).value
        try:
            deadline = parse_deadline(self.query_one("#item-deadline", Input).value)
        except ValueError:  # half typed: the error, if any, comes on enter
            deadline = None
        warnings = action_item_warnings(owner, deadline, self.today)
        self.query_one("#item-warning", Label).update(
            Text(f"Warning: {'; '.join(warnings)} (saved anyway)." if warnings else "")
        )

    def action_submit(self) -> None:
        text = self.query_one("#item-text", Input).value.strip()
        if not text:
            self._error("Say what needs doing (esc cancels).", "item-text")
            return
        try:
            deadline = parse_deadline(self.query_one("#item-deadline", Input).value)
        except ValueError as exc:
            self._error(f"{exc}; use e.g. 2026-12-01, or leave it empty.", "item-deadline")
            return
        owner = self.query_one("#item-owner", Input).value.strip()
        self.dismiss(ItemDraft(text, owner, deadline))

    def action_cancel(self) -> None:
        self.dismiss(None)
