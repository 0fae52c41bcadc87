"""The bottom of the main screen: a one-line prompt (like k9s's command bar) and the key bar.

Both stay on screen and only change their text, so a key press repaints two lines instead of
re-laying out the whole screen: showing or hiding a widget, or Textual's Footer (which rebuilds
a widget per key whenever the focus moves), costs a full layout and repaint, about as long as
the 100 ms a timeline key has to be on screen in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from warroom.ui import keys
from warroom.ui.dialogs import EntryEdit
from warroom.ui.fixedsize import FixedSize

Answer = Callable[[EntryEdit | None], Awaitable[None]]


class PromptBar(FixedSize, Input):
    """Empty and unfocusable until asked; enter answers with the text, esc with None. One line
    whatever its text (FixedSize): a character typed, or the text cleared, lays nothing out."""

    BINDINGS = [Binding("escape", "cancel", "Skip")]

    def __init__(self) -> None:
        super().__init__(id="prompt-bar", compact=True)
        self.can_focus = False
        self._answer: Answer | None = None
        self._required = False
        self._return_focus: Widget | None = None

    @property
    def asking(self) -> bool:
        return self._answer is not None

    def ask(self, label: str, answer: Answer, *, text: str = "", required: bool = False) -> None:
        self._answer = answer
        self._required = required
        self._return_focus = self.app.focused
        keys = "enter saves · esc cancels" if required else "enter saves · esc skips"
        self.placeholder = f"{label}  ({keys})"
        self.value = text
        self.can_focus = True
        self.focus()

    async def _finish(self, edit: EntryEdit | None) -> None:
        answer, self._answer = self._answer, None
        self.value = ""
        self.placeholder = ""
        self.can_focus = False
        if self._return_focus is not None and self._return_focus.is_mounted:
            self._return_focus.focus()
        else:
            self.blur()
        if answer is not None:
            await answer(edit)

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._answer is None:
            return
        text = event.value.strip()
        if self._required and not text:
            self.notify("Type the text first (esc cancels).", severity="warning", timeout=3)
            return
        await self._finish(EntryEdit(text, None))

    async def action_cancel(self) -> None:
        await self._finish(None)


class KeyBar(Static):
    """The keys that work where the focus is, redrawn in place when they change."""

    def __init__(self) -> None:
        super().__init__(id="key-bar")
        self._shown: Text | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self, event: events.Resize) -> None:
        self._shown = None
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        shown: list[tuple[Binding, Text]] = []
        seen = {"help"}  # always at the right, however narrow the terminal
        for _key, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            # Styles as spans: a Text's own style would spread over the description too.
            item = Text().append(
                self.app.get_key_display(binding), "bold yellow" if enabled else "dim"
            )
            item.append(f" {binding.description}  ", "" if enabled else "dim")
            shown.append((binding, item))
        right = Text.assemble(("?", "bold yellow"), " help  ", ("^p", "bold yellow"), " palette")
        room = self.size.width - right.cell_len
        # Short of room: the least important keys go first (q, !, u ... stay), the rest keep
        # their places.
        for binding, item in sorted(shown, key=lambda s: keys.key_bar_rank(s[0].id))[::-1]:
            if sum(i.cell_len for _, i in shown) <= room:
                break
            shown.remove((binding, item))
        text = Text(no_wrap=True, overflow="ellipsis").join(item for _, item in shown)
        if room > 0 and text.cell_len > room:
            text.truncate(room - 1, overflow="ellipsis")
            text.append(" ")
        text.append(" " * max(0, room - text.cell_len))
        text.append_text(right)
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)
