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
Confirm = Callable[[bool], Awaitable[None]]


class PromptBar(FixedSize, Input):
    """Empty and unfocusable until asked; enter answers with the text, esc with None. `confirm`
    takes one key (y, or n / esc). What the console offers on its own (`offer`) is shown here
    without the focus, answered by the app's own keys, and waits while a question is asked.
    One line whatever its text (FixedSize): a character typed, or the text cleared, lays nothing
    out."""

    BINDINGS = [Binding("escape", "cancel", "Skip")]

    def __init__(self) -> None:
        super().__init__(id="prompt-bar", compact=True)
        self.can_focus = False
        self._answer: Answer | None = None
        self._confirm: Confirm | None = None
        self._required = False
        self._return_focus: Widget | None = None
        self._offer = ""
        self.about: object = None  # what the question is about (an entry's id), for its caller

    _restyle_due = False  # a class (Input's __init__ sets some before ours runs)

    def update_node_styles(self, animate: bool = True) -> None:
        """Restyle once for all the changes one key makes. A milestone key withdraws the last
        undo offer, makes its own, opens its question and takes the focus: each a restyle of
        this Input and its parts (2-3 ms each on a 2-core box) before the entry's frame."""
        if not self._restyle_due:
            self._restyle_due = True
            self.call_next(self._restyle, animate)

    def _restyle(self, animate: bool) -> None:
        self._restyle_due = False
        if (self.app.focused is self) != self.has_focus:
            return  # the focus (or blur) event on its way restyles, with these changes too
        super().update_node_styles(animate)

    @property
    def asking(self) -> bool:
        return self._answer is not None or self._confirm is not None

    def ask(
        self,
        label: str,
        answer: Answer,
        *,
        text: str = "",
        required: bool = False,
        extra: str = "",
        about: object = None,
    ) -> None:
        keys = "enter saves · esc cancels" if required else "enter saves · esc skips"
        self._open(f"{label}  ({keys}{extra})")
        self.about = about
        self._answer = answer
        self._required = required
        self.value = text

    def return_focus_to(self, widget: Widget) -> None:
        """Where the focus goes once the open question is answered or skipped."""
        self._return_focus = widget

    def confirm(self, label: str, answer: Confirm, detail: str = "") -> None:
        """One key: y answers yes; n or esc no. Anything else typed is not taken as text. The
        keys come before `detail`, so that a narrow terminal cuts the detail, not the keys."""
        self._open(f"{label} (y yes · n or esc no) {detail}".rstrip())
        self._confirm = answer

    def offer(self, text: str) -> None:
        """Show what the console offers ("" for nothing), unless a question is up."""
        self._offer = text
        if not self.asking:
            self._show_offer()

    def _open(self, placeholder: str) -> None:
        focused = self.app.focused
        if focused is not self:  # a question right after another: focus goes back where it was
            self._return_focus = focused
        self._answer = self._confirm = None
        self.about = None
        self.remove_class("-offer")
        self.placeholder = placeholder
        self.value = ""
        self.can_focus = True
        self.focus()

    def _show_offer(self) -> None:
        self.placeholder = self._offer
        self.set_class(bool(self._offer), "-offer")

    async def _finish(self, edit: EntryEdit | None, yes: bool = False) -> None:
        answer, self._answer = self._answer, None
        confirm, self._confirm = self._confirm, None
        self.about = None
        self.value = ""
        self.can_focus = False
        self._show_offer()
        if self._return_focus is not None and self._return_focus.is_mounted:
            self._return_focus.focus()
        else:
            self.blur()
        if answer is not None:
            await answer(edit)
        if confirm is not None:
            await confirm(yes)

    async def _on_key(self, event: events.Key) -> None:
        if self._confirm is None:
            await super()._on_key(event)
            return
        if event.is_printable:  # one key, never text: a fast typist's next words go nowhere
            event.stop()
            event.prevent_default()
            if event.character in ("y", "Y"):
                await self._finish(None, yes=True)
            elif event.character in ("n", "N"):
                await self._finish(None)

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._answer is None:
            return  # a confirmation takes y, not enter
        text = event.value.strip()
        if self._required and not text:
            self.notify("Type the text first (esc cancels).", severity="warning", timeout=3)
            return
        await self._finish(EntryEdit(text, None))

    async def action_cancel(self) -> None:
        if self.asking:
            await self._finish(None)


# At the key bar's right, whatever the width: the console's help and palette keys; a screen
# of its own (the editor, the history, the runbook) has the palette's.
PALETTE = Text.assemble(("^p", "bold yellow"), " palette")
HELP_AND_PALETTE = Text.assemble(("?", "bold yellow"), " help  ", PALETTE)


class KeyBar(Static):
    """The keys that work where the focus is, redrawn in place when they change (Textual's
    Footer mounts a widget per key instead: each focus move then lays out the whole screen)."""

    def __init__(self, right: Text = HELP_AND_PALETTE) -> None:
        super().__init__(id="key-bar")
        self._right = right
        self._shown: Text | None = None
        self._due = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self, event: events.Resize) -> None:
        self._shown = None
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        """Once for a run of changes: a milestone key changes the offers twice and moves the
        focus, three signals in a row, and working the bar out takes 1-2 ms each time."""
        if screen is self.screen and not self._due:
            self._due = True
            self.call_next(self._redraw_keys)

    def _redraw_keys(self) -> None:
        self._due = False
        screen = self.screen
        shown: list[tuple[Binding, Text]] = []
        seen = {"help"}  # always at the right, however narrow the terminal
        # Watching (no incident shown): declaring is the key that matters, first in the bar.
        watching = screen is self.app.screen_stack[0] and getattr(self.app, "incident", 0) is None
        for _key, binding, enabled, _tooltip in screen.active_bindings.values():
            wanted = binding.show or (watching and binding.action == "declare")
            if not wanted or binding.action in seen:
                continue
            seen.add(binding.action)
            # Styles as spans: a Text's own style would spread over the description too.
            item = Text().append(
                self.app.get_key_display(binding), "bold yellow" if enabled else "dim"
            )
            item.append(f" {binding.description}  ", "" if enabled else "dim")
            if watching and binding.action == "declare":
                shown.insert(0, (binding, item))
            else:
                shown.append((binding, item))
        right = self._right
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
