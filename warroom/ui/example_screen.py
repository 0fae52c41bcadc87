"""The latest full example of a log pane's signature, wrapped, with what the table knows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ExampleScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, example: str, signature: str) -> None:
        super().__init__()
        self.title_text = title
        self.example = example
        self.signature = signature

    def compose(self) -> ComposeResult:
        # Text, never markup: a log line is shown as it was written.
        with VerticalScroll(classes="dialog", id="example"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(Text(self.example), id="example-line")
            yield Label(Text("signature"), classes="hint")
            yield Static(Text(self.signature), id="example-signature")
            yield Label("esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
