"""Keys are handled one at a time, in the order they were typed, even when they arrive together
(a fast typist, a burst read from a slow SSH link, a console busy for a moment).

Textual forwards a key to the focused widget and takes the next one at once; what the key leads
to (an app binding, a message the pane posts, a dialog mounting and focusing its field) happens
later. Typed fast, `n` then "rolled back" would reach the timeline before the note's field had
the focus, and run as commands: `r` resolve, `o` the outbox, `d` the runbooks. So after a key is
forwarded, the next ones wait until a probe posted behind it has come back to the app twice (once
behind the key itself, once behind what its handling posted) and the screen on top is mounted;
then they go where the focus is by then: into the field that key opened.

Typed even before the console has set the terminal up (right after `warroom` is run), keys
go through the terminal's line editing first, which turns Enter into a newline: it arrives as
ctrl+j. So ctrl+j is Enter, then and later (as in a shell; the console binds it to nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    _Base = App[None]
else:
    _Base = object

# A probe that never comes back (its widget was removed under it) stops holding keys after this.
LOST_PROBE = 0.5  # seconds


class KeysSettled(Message):
    """Posted behind a forwarded key; bubbles back to the app when everything before it is done."""

    def __init__(self, stage: int) -> None:
        super().__init__()
        self.stage = stage


class TypeAhead(_Base):
    """A mixin of the app (before `App` in its bases)."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[events.Key] = []
        self._probe: KeysSettled | None = None
        self._probe_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded:
            event.key, event.character = "enter", "\r"
        if not isinstance(event, events.Key) or event.is_forwarded or not self._screen_stack:
            await super().on_event(event)
        elif self._probe is not None or self._held_keys or not self.screen.is_mounted:
            self._held_keys.append(event)
            if self._probe is None:  # a screen still mounting: wait for it
                self._send_probe(self.screen, 3)
            self._watch_probe()
        else:
            await self._handle_key(event)

    async def _handle_key(self, event: events.Key) -> None:
        await super().on_event(event)
        if event.is_forwarded and self._screen_stack:  # to a widget: its effects are on their way
            self._send_probe(self.focused or self.screen, 1)

    def _send_probe(self, target: MessagePump, stage: int) -> None:
        probe = KeysSettled(stage)
        self._probe = probe
        if not target.post_message(probe):  # closing: nothing of the key is left to wait for
            self._probe = None

    async def on_keys_settled(self, message: KeysSettled) -> None:
        message.stop()
        if message is not self._probe:
            return  # one given up for lost that came back after all
        if not self._screen_stack:  # the app is closing: its screens are gone, keys with them
            self._probe = None
            self._held_keys.clear()
            return
        if message.stage == 1:
            self._send_probe(self.focused or self.screen, 2)
        elif not self.screen.is_mounted:
            self._send_probe(self.screen, 3)
        else:
            self._probe = None
        await self._release()

    def _watch_probe(self) -> None:
        """While keys are held, a probe lost with its widget must not hold them for good."""
        if self._held_keys and self._probe_timer is None:
            self._probe_timer = self.set_timer(LOST_PROBE, self._probe_lost)
        elif not self._held_keys and self._probe_timer is not None:
            self._probe_timer.stop()
            self._probe_timer = None

    async def _probe_lost(self) -> None:
        self._probe_timer = None
        self._probe = None
        if not self._screen_stack:
            self._held_keys.clear()
        await self._release()

    async def _release(self) -> None:
        """The keys held back, while nothing is on its way and the screen on top is mounted."""
        while (
            self._probe is None
            and self._held_keys
            and self._screen_stack
            and self.screen.is_mounted
        ):
            await self._handle_key(self._held_keys.pop(0))
        self._watch_probe()
