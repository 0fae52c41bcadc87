"""The incidents one key away (`i`, and the start when there is a choice): open ones, and
resolved ones whose post-mortem is to write or that were resolved lately. Pick one, or declare."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from warroom.model import IncidentSummary, Status, postmortem_pending

DECLARE = 0  # the answer that asks for the declare form


def incident_row(item: IncidentSummary, now: datetime | None, current: int | None) -> Text:
    """INC-3   SEV-1  API down  detected 2026-11-26 05:02  post-mortem due ...  (shown)"""
    text = Text()
    text.append(f"{item.ref:<8}", "bold")
    text.append(f"{item.severity.value}  ")
    text.append(item.title)
    when = item.detected_at or item.created_at
    text.append(f"  detected {when:%Y-%m-%d %H:%M}", "dim")
    if item.status is Status.RESOLVED:
        if item.resolved_at is not None:
            text.append(f"  resolved {item.resolved_at:%Y-%m-%d %H:%M}", "dim")
        due = item.postmortem_rule
        if due.done:
            text.append("  post-mortem exported", "green")
        elif now is not None and due.overdue(now):
            text.append("  post-mortem OVERDUE", "bold red")
        elif due.required and due.due_at is not None:
            text.append(f"  post-mortem due {due.due_at:%Y-%m-%d %H:%M}", "yellow")
    if item.id == current:
        text.append("  (shown)", "bold cyan")
    return text


class IncidentsScreen(ModalScreen[int | None]):
    """Answers an incident id, DECLARE (0) for a new one, or None (closed)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+n", "declare", "Declare")]

    def __init__(
        self,
        incidents: list[IncidentSummary],
        now: datetime | None = None,
        *,
        current: int | None = None,
    ) -> None:
        super().__init__()
        self.incidents = incidents
        self.now = now
        self.current = current

    def compose(self) -> ComposeResult:
        open_count = sum(1 for i in self.incidents if i.status is Status.OPEN)
        writing = sum(1 for i in self.incidents if postmortem_pending(i))
        resolved = len(self.incidents) - open_count - writing
        title = f"{open_count} open"
        if writing:
            title += f", {writing} with a post-mortem to write"
        if resolved:
            title += f", {resolved} resolved lately"
        closing = "esc closes" if self.current is not None else "esc quits"
        with Vertical(classes="dialog"):
            yield Label(f"{title}: choose one", classes="dialog-title")
            if self.incidents:
                yield OptionList(
                    *(
                        Option(incident_row(i, self.now, self.current), id=str(i.id))
                        for i in self.incidents
                    ),
                    id="choices",
                )
            else:
                yield Label("No incident yet.")
            yield Label(f"enter opens · ctrl+n declares another · {closing}", classes="hint")

    def on_mount(self) -> None:
        if not self.incidents:
            return
        choices = self.query_one(OptionList)
        ids = [i.id for i in self.incidents]
        if self.current in ids:
            choices.highlighted = ids.index(self.current)
        choices.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or DECLARE))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_declare(self) -> None:
        self.dismiss(DECLARE)
