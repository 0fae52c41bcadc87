"""The `!` flow's dialogs: the mitigation menu and the confirmation of a previewed plan.

Both stay up until they have what they need: the menu until the preview is read (saying why not
and focusing the field to fix), the confirmation until the target's name is typed right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from warroom.actions import MenuRow  # boto3 loads with the actions, on first use


@dataclass(frozen=True)
class ActionRequest:
    name: str
    target: str | None
    value: str | None


class ActionMenu(ModalScreen[None]):
    """The runbook's mitigation table as a menu: pick a row, name the target, ask for the
    preview. The app answers a `Requested` with `reading`, then `problem` or a dismissal, as
    long as that request is still `pending` (moving to another row drops it)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    class Requested(Message):
        """Preview this, please (the menu waits, and says so)."""

        def __init__(self, menu: ActionMenu, request: ActionRequest) -> None:
            super().__init__()
            self.menu = menu
            self.request = request

    def __init__(self, rows: list[MenuRow], read_only: bool, *, chosen: str | None = None):
        """rows: (name, situation, description, candidate targets, value help); `chosen`
        the row to start on."""
        super().__init__()
        self.rows = rows
        self.read_only = read_only
        self.chosen = next((n for n, row in enumerate(rows) if row[0] == chosen), 0)
        self.pending: ActionRequest | None = None  # its preview is being read

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="action-menu"):
            title = "Mitigations (runbook Phase 2)"
            if self.read_only:
                title += "  [read-only: a preview only, nothing runs]"
            yield Label(Text(title), classes="dialog-title")
            options = []
            for name, situation, description, _, _ in self.rows:
                # One row each (cut at the edge): the highlighted one's description is below.
                text = Text()
                text.append(f"{situation:<26}", "bold")
                text.append(f" {name:<19}", "cyan")
                text.append(f" {description}", "dim")
                options.append(Option(text, id=name))
            yield OptionList(*options, id="actions")
            yield Static(id="action-about")
            with Horizontal(classes="action-field"):
                yield Label("Target", classes="field")
                yield Input(id="target", compact=True)
            with Horizontal(classes="action-field"):
                yield Label("Value", classes="field", id="value-label")
                yield Input(id="value", compact=True)
            yield Static(id="action-status")
            yield Label(
                "↑↓ choose · enter previews (nothing changes yet) · esc closes", classes="hint"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.chosen
        options.focus()
        self._fill(self.chosen)

    def _row(self) -> tuple[str, str, str, tuple[str, ...], str]:
        return self.rows[self.query_one(OptionList).highlighted or 0]

    def _fill(self, index: int) -> None:
        name, _, description, candidates, value_help = self.rows[index]
        self.query_one("#action-about", Static).update(Text(f"{name}: {description}"))
        target = self.query_one("#target", Input)
        # The first candidate is a suggestion: the preview and confirmation come before anything.
        target.value = candidates[0] if candidates else ""
        target.placeholder = ", ".join(candidates) if candidates else "name the target"
        value = self.query_one("#value", Input)
        value.value = ""
        value.placeholder = value_help or "(none)"
        value.disabled = not value_help
        self.pending = None
        self._say("")

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#action-status", Static)
        status.update(Text(text))
        status.set_class(error, "error")

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        self._fill(event.option_index)

    @on(OptionList.OptionSelected)
    def _picked(self) -> None:
        target = self.query_one("#target", Input)
        if target.value:
            self._submit()
        else:
            target.focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self.pending is not None:
            return
        name = self._row()[0]
        target = self.query_one("#target", Input).value.strip() or None
        value = self.query_one("#value", Input).value.strip() or None
        self.post_message(self.Requested(self, ActionRequest(name, target, value)))

    def reading(self, request: ActionRequest) -> None:
        """The preview is being read (the first read may take seconds: a new AWS client)."""
        self.pending = request
        self._say(f"reading {request.target or request.name}…")

    def problem(self, text: str, field: str | None = None) -> None:
        """No preview: why, in the menu, with the focus on the field to fix."""
        self.pending = None
        self._say(text, error=True)
        if field in ("target", "value"):
            box = self.query_one(f"#{field}", Input)
            box.disabled = False
            box.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmAction(ModalScreen[str | bool | None]):
    """The plan, then y/n for reversible actions or the target's name typed for the others;
    a name typed wrong is said and can be typed again. In read-only mode, the plan alone: it
    says so first and offers nothing to confirm."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, preview: str, confirm: str, word: str, *, read_only: bool = False) -> None:
        super().__init__()
        self.preview = preview
        self.confirm = confirm
        self.word = word
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.read_only:
                yield Label(
                    "Read-only mode: preview only, nothing will change", classes="dialog-title"
                )
                yield Static(Text(self.preview))
                yield Label("enter, n or esc closes", classes="hint")
                return
            yield Label("About to change production", classes="dialog-title")
            yield Static(Text(self.preview))
            if self.confirm == "type":
                yield Label(Text(f"Type {self.word} to confirm"), classes="field")
                yield Input(id="word")
                yield Label("", id="word-error", classes="error")
                yield Label("enter runs · esc cancels", classes="hint")
            else:
                yield Label("y runs · n or esc cancels", classes="hint")

    def on_mount(self) -> None:
        if self.confirm == "type" and not self.read_only:
            self.query_one("#word", Input).focus()

    def on_key(self, event: events.Key) -> None:
        if self.read_only:  # nothing to confirm: y does nothing, enter or n closes
            if event.key in ("enter", "n", "y"):
                event.stop()
                if event.key != "y":
                    self.dismiss(None)
        elif self.confirm != "type" and event.key in ("y", "n"):
            event.stop()
            self.dismiss(True if event.key == "y" else None)

    @on(Input.Submitted, "#word")
    def _typed(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if typed != self.word:
            error = f"{typed!r} is not {self.word}: type it again (esc cancels)"
            self.query_one("#word-error", Label).update(Text(error if typed else ""))
            event.input.clear()
            return
        self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)
