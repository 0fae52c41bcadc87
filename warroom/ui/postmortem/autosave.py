"""Autosave of the post-mortem's text fields: what was typed, what the journal already holds, and
when to write it.

A field is written a second after its last keystroke (one timer per burst of typing, not one per
key), when it loses focus, and on `flush` (save, export, close, quit). Writes go one at a time.
The owner (the screen) gives the write itself, a way to set timers, and hooks for what to show.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from textual.timer import Timer

from warroom.errors import EXPECTED_ERRORS

SAVE_DELAY = 1.0  # seconds after the last keystroke

SetTimer = Callable[[float, Callable[[], Awaitable[None]]], Timer]


class FieldAutosave:
    """Owns the save timers and each field's pending, baseline and dirty state.

    - `baseline`: what the journal (or, for a field nobody typed, the export) already says.
    - `pending`: the latest text typed, kept so a save can still happen after the widgets went.
    - dirty: the pending text differs from the baseline and is not written yet.
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        write: Callable[[str, str], Awaitable[object]],
        set_timer: SetTimer,
        on_state: Callable[[], None],
        on_saved: Callable[[str], None],
        on_failed: Callable[[str, Exception], None],
        delay: float = SAVE_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.names = tuple(names)  # flush order
        self.delay = delay
        self._write = write
        self._set_timer = set_timer
        self._on_state = on_state  # dirty turned on or off
        self._on_saved = on_saved  # a field was written
        self._on_failed = on_failed  # the journal refused a field
        self._clock = clock
        self._baseline: dict[str, str] = {}
        self._pending: dict[str, str] = {}
        self._dirty: set[str] = set()
        self._timers: dict[str, Timer] = {}
        self._typed_at: dict[str, float] = {}
        self._lock = asyncio.Lock()

    @property
    def dirty(self) -> bool:
        """Some field holds text not written yet."""
        return bool(self._dirty)

    def is_dirty(self, name: str) -> bool:
        return name in self._dirty

    def baseline(self, name: str) -> str | None:
        return self._baseline.get(name)

    def set_baseline(self, name: str, text: str) -> None:
        """The field was (re)filled with text the journal or the export already says."""
        self._baseline[name] = text

    def typed(self, name: str, text: str) -> None:
        """The field's text changed: schedule its save, or cancel it if it is back as it was."""
        was_dirty = self.dirty
        self._pending[name] = text
        if text == self._baseline.get(name):
            self._dirty.discard(name)
            self._stop_timer(name)
        else:
            self._dirty.add(name)
            self._typed_at[name] = self._clock()
            if name not in self._timers:  # one timer per burst of typing, not per key
                self._timers[name] = self._set_timer(self.delay, partial(self._settled, name))
        if self.dirty != was_dirty:
            self._on_state()

    async def _settled(self, name: str) -> None:
        """Save once nothing was typed in the field for `delay`."""
        self._timers.pop(name, None)
        wait = self._typed_at.get(name, 0.0) + self.delay - self._clock()
        if wait > 0.01:
            self._timers[name] = self._set_timer(wait, partial(self._settled, name))
            return
        await self.save(name)

    async def save(self, name: str) -> bool:
        """Write the field if it changed. False when the journal refused it."""
        self._stop_timer(name)
        async with self._lock:
            text = self._pending.get(name)
            if text is None or text == self._baseline.get(name):
                self._dirty.discard(name)
                self._on_state()
                return True
            try:
                await self._write(name, text)
            except EXPECTED_ERRORS as exc:
                self._on_failed(name, exc)
                return False
            self._baseline[name] = text
            if self._pending.get(name) == text:
                self._dirty.discard(name)
            self._on_saved(name)
        return True

    async def flush(self) -> bool:
        """Save every changed field now (before closing or exporting). False if any failed."""
        ok = True
        for name in self.names:
            if name in self._dirty or name in self._timers:
                ok = await self.save(name) and ok
        return ok

    def discard(self) -> None:
        """Forget what is not written (it was saved, or given up on) and stop every timer."""
        for timer in self._timers.values():
            timer.stop()
        self._timers.clear()
        self._pending.clear()
        self._dirty.clear()

    def _stop_timer(self, name: str) -> None:
        if name in self._timers:
            self._timers.pop(name).stop()
