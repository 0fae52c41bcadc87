"""A write of the console (a timeline key, a mitigation's result) until the frame that shows it
is drawn. Log panes flooding with lines hold a flush that falls due meanwhile and write right
after that frame: drawn together, a flush's repaint made the entry's frame one or two frames
late (key-to-drawn, benchmarks/bench_key_latency.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

# Seconds after a write starts during which its frame goes first. A slower write (a mitigation
# waiting on AWS) holds nothing: lines keep coming at their usual pace.
HOLD_MAX = 0.15


class WriteFrames:
    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._in_flight: list[float] = []  # when each write whose frame is not drawn started
        self._waiting: list[Callable[[], None]] = []

    def started(self) -> float:
        """A write starts; `drawn(token)` once its frame is (the app's call_after_refresh)."""
        token = self._now()
        self._in_flight.append(token)
        return token

    def drawn(self, token: float) -> None:
        if token in self._in_flight:
            self._in_flight.remove(token)
        if not self.pending():
            self._release()

    def pending(self) -> bool:
        """A write started less than HOLD_MAX ago, its frame not drawn yet."""
        now = self._now()
        self._in_flight = [t for t in self._in_flight if now - t < HOLD_MAX]
        return bool(self._in_flight)

    def after(self, callback: Callable[[], None]) -> None:
        """Call back once the writes in flight are drawn (or have taken longer than HOLD_MAX:
        the caller keeps its own timer for that case; this callback may then come later)."""
        self._waiting.append(callback)

    def _release(self) -> None:
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback()
