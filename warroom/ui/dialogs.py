"""Modal screens: declare, text prompts, entry edits, severity, help, y/n (the `!` flow's own
are in mitigation_dialogs.py, the incident chooser in incidents.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    RadioSet,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from warroom.model import Scope
from warroom.severity import SEVERITY_LEVELS, Severity
from warroom.timeutil import parse_instant, utcnow
from warroom.ui import keys
from warroom.ui.severity_choice import SeverityButton, SeverityChoice


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: Severity
    scope: Scope
    detected_at: datetime | None = None  # None: now
    note: str = ""  # the `detected` entry's text (an alarm's name); empty: the default


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class DeclareScreen(ModalScreen[Declaration | None]):
    """Title, severity (with the runbook's definitions) and scope."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Declare")]

    def __init__(
        self,
        *,
        can_cancel: bool = True,
        title: str = "",
        severity: Severity = Severity.SEV2,
        detected_at: datetime | None = None,
        note: str = "",
    ) -> None:
        """Prefilled from an alarm: its title, severity and firing time, and `note` (which
        alarm) for the `detected` entry."""
        super().__init__()
        self.can_cancel = can_cancel
        self.prefill = (title, severity, detected_at)
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="declare", classes="dialog"):
            yield Label("Declare an incident", classes="dialog-title")
            title, chosen, detected_at = self.prefill
            yield Input(title, placeholder="What is broken? (one line)", id="title")
            yield Label("Severity", classes="field")
            with SeverityChoice(id="severity"):
                for severity, level in SEVERITY_LEVELS.items():
                    minutes = int(level.response_target.total_seconds() // 60)
                    target = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"
                    yield SeverityButton(
                        Text(
                            f"{severity.value}  {level.definition} (respond < {target}) — "
                            f"e.g. {level.examples}"
                        ),
                        value=severity is chosen,
                        id=severity.name.lower(),
                    )
            yield Label("Scope (empty = all)", classes="field")
            yield Input(placeholder="affected tenants, comma-separated", id="tenants")
            yield Input(placeholder="affected endpoints, comma-separated", id="endpoints")
            yield Label("Detected at (UTC)", classes="field")
            yield Input(
                f"{detected_at:%Y-%m-%d %H:%M:%S}" if detected_at else "",
                placeholder="now; or when the alarm or report came in: HH:MM or ISO 8601",
                id="detected-at",
            )
            yield Label("", id="declare-error", classes="error")
            yield Label(
                "enter in a text field or ctrl+s declares · tab moves · ↑↓ pick", classes="hint"
            )
            with Horizontal(classes="buttons"):
                yield Button("Declare", variant="error", id="ok")
                if self.can_cancel:
                    yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_submit(self) -> None:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.query_one("#declare-error", Label).update("A title is needed: what is broken?")
            self.query_one("#title", Input).focus()
            return
        pressed = self.query_one("#severity", RadioSet).pressed_button
        severity = Severity[pressed.id.upper()] if pressed and pressed.id else Severity.SEV2
        scope = Scope(
            _split(self.query_one("#tenants", Input).value),
            _split(self.query_one("#endpoints", Input).value),
        )
        raw = self.query_one("#detected-at", Input).value.strip()
        try:
            detected_at = _earlier_time(raw, _now(self)) if raw else None
        except ValueError as exc:
            self.query_one("#declare-error", Label).update(Text(str(exc)))
            self.query_one("#detected-at", Input).focus()
            return
        self.dismiss(Declaration(title, severity, scope, detected_at, self.note))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.can_cancel:
            self.dismiss(None)


@dataclass(frozen=True)
class EntryEdit:
    text: str
    at: datetime | None


class TextPrompt(ModalScreen[EntryEdit | None]):
    """One line of text (and optionally a corrected time) for a timeline entry."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        text: str = "",
        required: bool = True,
        at: datetime | None = None,
        with_time: bool = False,
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.text = text
        self.required = required
        self.at = at
        self.with_time = with_time

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(Text(self.prompt_title), classes="dialog-title")
            yield Input(value=self.text, placeholder="text", id="text")
            if self.with_time:
                yield Label("Time (UTC, ISO 8601 or HH:MM)", classes="field")
                value = f"{self.at:%Y-%m-%d %H:%M:%S}" if self.at else ""
                yield Input(value=value, id="at")
            yield Label("", id="prompt-error", classes="error")
            yield Label("enter saves · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def _error(self, message: str) -> None:
        self.query_one("#prompt-error", Label).update(Text(message))

    @on(Input.Submitted)
    def submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if self.required and not text:
            self._error("Say what happened (esc cancels).")
            return
        at = None
        if self.with_time:
            raw = self.query_one("#at", Input).value.strip()
            try:
                at = _time_of_day(raw, self.at) if raw else None
            except ValueError as exc:
                self._error(str(exc))
                self.query_one("#at", Input).focus()
                return
        self.dismiss(EntryEdit(text, at))

    def action_cancel(self) -> None:
        self.dismiss(None)


class UpdateEditor(ModalScreen[str | None]):
    """The drafted status update, several lines, edited in place; ctrl+s sends it."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.prompt_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.prompt_title), classes="dialog-title")
            yield TextArea(self.text, id="update-text", soft_wrap=True)
            yield Label("", id="update-error", classes="error")
            yield Label("ctrl+s sends · esc cancels (nothing is sent)", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_send(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.query_one("#update-error", Label).update("The message is empty.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _now(screen: ModalScreen[object]) -> datetime:
    """The app's clock (a test's), else the wall clock."""
    clock = getattr(screen.app, "clock", None)
    return clock() if callable(clock) else utcnow()


def _earlier_time(raw: str, now: datetime) -> datetime:
    """`HH:MM[:SS]`: the last such time up to now (an alarm at 23:50 read at 00:10 was
    yesterday's), else a full ISO 8601 time."""
    at = _time_of_day(raw, now)
    return at - timedelta(days=1) if at > now + timedelta(minutes=1) else at


def _time_of_day(raw: str, base: datetime | None) -> datetime:
    """`HH:MM` on the entry's own day, or a full ISO 8601 time."""
    if base is not None and len(raw) in (4, 5, 7, 8) and raw.count(":") in (1, 2):
        parts = [int(p) for p in raw.split(":")]
        if not (0 <= parts[0] < 24 and 0 <= parts[1] < 60):
            raise ValueError(f"bad time {raw!r}")
        return base.replace(
            hour=parts[0], minute=parts[1], second=parts[2] if len(parts) > 2 else 0, microsecond=0
        )
    return parse_instant(raw)


class SeverityScreen(ModalScreen[tuple[Severity, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: Severity) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Change severity (now {self.current.value})", classes="dialog-title")
            options = [
                Option(Text(f"{s.value}  {lvl.definition} — e.g. {lvl.examples}"), id=s.value)
                for s, lvl in SEVERITY_LEVELS.items()
            ]
            yield OptionList(*options, id="levels")
            yield Input(placeholder="why (optional), then enter", id="reason")
            yield Label("↑↓ choose · enter confirms · esc cancels", classes="hint")

    def on_mount(self) -> None:
        levels = self.query_one(OptionList)
        levels.highlighted = list(SEVERITY_LEVELS).index(self.current)
        levels.focus()

    @on(OptionList.OptionSelected)
    def picked(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    def submit(self) -> None:
        index = self.query_one(OptionList).highlighted or 0
        severity = list(SEVERITY_LEVELS)[index]
        self.dismiss((severity, self.query_one("#reason", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for section, entries in keys.help_sections().items():
            table.add_row(Text(section, "bold underline"), "")
            for key in entries:
                table.add_row(Text(key.shown_as), Text(key.description))
            table.add_row("", "")
        with VerticalScroll(classes="dialog", id="help"):
            yield Label("warroom keys", classes="dialog-title")
            yield Static(table)
            yield Label("esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool | None]):
    """y / n, esc to back out."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(None)", "Back"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Label(Text(self.detail))
            yield Label("y yes · n no · esc back", classes="hint")

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)
