"""Python's garbage collector, kept out of the way of key presses while the console runs.

Its full passes walk every object the process holds: with Textual, the stylesheet, the widgets,
a long timeline and two log panes' buffers, 200 ms and more on a 2-core box, about once a
second while the panes ingest a flood (measured by benchmarks/bench_key_latency.py: the
longest stalls of the event loop were these passes). What exists once the console is up lives
as long as it does: frozen, the passes skip it. Full passes are then asked for ten times less
often; the young generations are still collected as usual, where nearly all garbage dies.
"""

from __future__ import annotations

import gc

FULL_PASS_EVERY = 10  # times Python's default: a full pass after 100 middle-generation passes


class QuietCollector:
    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, old = self._thresholds
            gc.set_threshold(young, middle, old * FULL_PASS_EVERY)
        gc.freeze()

    def stop(self) -> None:
        """As before: a test process runs many consoles, one after another."""
        gc.unfreeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
