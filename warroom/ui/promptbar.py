"""A one-line prompt above the footer, like k9s's command bar.

Used for the short text after a milestone key and for notes: the panels stay visible and live
while the responder types (a modal screen would dim them and repaint all of them under it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label

from warroom.ui.dialogs import EntryEdit

Answer = Callable[[EntryEdit | None], Awaitable[None]]


class PromptBar(Horizontal):
    """Hidden until asked; enter answers with the text, esc with None."""

    BINDINGS = [Binding("escape", "cancel", "Skip")]

    def __init__(self) -> None:
        super().__init__(id="prompt-bar")
        self._answer: Answer | None = None
        self._required = False
        self._return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="prompt-label")
        yield Input(id="prompt-input", compact=True)
        yield Label("enter saves · esc skips", id="prompt-hint")

    def on_mount(self) -> None:
        self.display = False

    @property
    def asking(self) -> bool:
        return self._answer is not None

    @property
    def input(self) -> Input:
        return self.query_one("#prompt-input", Input)

    def ask(self, label: str, answer: Answer, *, text: str = "", required: bool = False) -> None:
        self._answer = answer
        self._required = required
        self._return_focus = self.app.focused
        self.query_one("#prompt-label", Label).update(f"{label} ")
        self.query_one("#prompt-hint", Label).update(
            "enter saves · esc cancels" if required else "enter saves · esc skips"
        )
        self.input.value = text
        self.input.placeholder = "required" if required else "optional"
        self.display = True
        self.input.focus()

    async def _finish(self, edit: EntryEdit | None) -> None:
        answer, self._answer = self._answer, None
        self.display = False
        if self._return_focus is not None and self._return_focus.is_mounted:
            self._return_focus.focus()
        if answer is not None:
            await answer(edit)

    @on(Input.Submitted, "#prompt-input")
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self._required and not text:
            self.notify("Type the text first (esc cancels).", severity="warning", timeout=3)
            return
        await self._finish(EntryEdit(text, None))

    async def action_cancel(self) -> None:
        await self._finish(None)
