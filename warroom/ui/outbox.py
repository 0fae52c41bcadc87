"""The outbox: status updates not sent yet, with their last error; retry now or discard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from warroom.followups import OutboxMessage
from warroom.model import format_id


def message_text(message: OutboxMessage) -> Text:
    text = Text()
    text.append(f"#{message.id} {format_id(message.incident_id)} {message.channel}", "bold")
    text.append(f"  tries {message.attempts}")
    if message.next_attempt_at is not None:
        text.append(f"  next {message.next_attempt_at:%H:%M:%S} UTC")
    text.append(f"\n  {message.last_error or 'not tried yet'}", "red")
    first = message.text.splitlines()[0] if message.text else ""
    text.append(f"\n  {first}", "dim")
    return text


class OutboxScreen(ModalScreen[tuple[str, int | None] | None]):
    """Answers ("retry", None), ("discard", id) or None (closed)."""

    BINDINGS = [
        Binding("r", "retry", "Retry all now"),
        Binding("d", "discard", "Discard selected"),
        Binding("escape,o", "close", "Close"),
    ]

    def __init__(self, messages: list[OutboxMessage], notes: list[str] | None = None) -> None:
        """`notes`: what else is not sent (no channel configured, a draft kept)."""
        super().__init__()
        self.messages = messages
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Outbox: {len(self.messages)} unsent", classes="dialog-title")
            if self.messages:
                yield OptionList(
                    *(Option(message_text(m), id=str(m.id)) for m in self.messages), id="outbox"
                )
            elif not self.notes:
                yield Label("Every status update was sent or discarded.")
            for note in self.notes:
                yield Label(Text(note), classes="outbox-note")
            yield Label(
                "Retried by itself with backoff · r retry all now · d discard · esc close",
                classes="hint",
            )

    def action_retry(self) -> None:
        self.dismiss(("retry", None))

    def action_discard(self) -> None:
        if not self.messages:
            return
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(("discard", self.messages[index].id))

    def action_close(self) -> None:
        self.dismiss(None)
