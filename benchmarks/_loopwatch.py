"""Where the event loop's time goes: every callback the loop runs is timed, and the time spent
inside labelled functions is charged to their label (the innermost labelled call wins, so a
label's figure is its own time, not its callees').

A key press is late when the loop is busy with something else, and the lag figure alone does
not say with what. Labelling Textual's layout and paint, the console's handlers and its timers
turns "the loop stalls 94 ms" into "layout 60 ms, paint 30 ms, triggered by ...".

Only synchronous functions can be labelled (an awaited call's time is not the loop's). The
labels are set on classes, before the app is made; `uninstall` puts everything back.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

OTHER = "other (unlabelled)"


@dataclass
class Stall:
    """One loop callback that ran longer than the threshold, and what it spent its time on."""

    seconds: float
    parts: dict[str, float]


@dataclass
class LoopWatch:
    threshold: float = 0.020  # a callback this long delays a key by more than a frame
    busy: float = 0.0  # seconds in callbacks, all told
    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stalls: list[Stall] = field(default_factory=list)
    _patched: list[tuple[object, str, object]] = field(default_factory=list)
    _current: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _inner: list[float] = field(default_factory=list)  # callees' time, per open labelled call
    _enabled: bool = False
    _gc_callback: Callable[[str, dict[str, int]], None] | None = None

    # Set-up ---------------------------------------------------------------------------------

    def label(self, owner: object, name: str, label: str | Callable[[Any], str]) -> None:
        """Charge calls of `owner.name` to `label` (or to `label(self_of_the_call)`). Missing
        attributes are skipped: the same list of labels serves older versions of the console."""
        if isinstance(owner, type):  # patched where it is defined: Textual calls a message
            # handler once for each class of the MRO that defines one, so a copy on a subclass
            # would run it twice
            owner = next((c for c in owner.__mro__ if name in vars(c)), owner)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None or inspect.iscoroutinefunction(original):
            return
        raw = inspect.getattr_static(owner, name)
        if isinstance(raw, (staticmethod, classmethod)):
            return
        watch = self

        @functools.wraps(original)  # Textual counts a handler's parameters through __wrapped__
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not watch._enabled:
                return original(*args, **kwargs)
            name_ = label if isinstance(label, str) else label(args[0] if args else None)
            watch._inner.append(0.0)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                inner = watch._inner.pop()
                watch._current[name_] += elapsed - inner
                watch.counts[name_] += 1
                if watch._inner:
                    watch._inner[-1] += elapsed

        self._patched.append((owner, name, raw))
        setattr(owner, name, wrapper)

    def install(self) -> None:
        """Time every callback of every asyncio loop in this process (there is one)."""
        original = asyncio.events.Handle._run
        watch = self

        def run(handle: asyncio.events.Handle) -> None:
            if not watch._enabled:
                return original(handle)
            watch._current = defaultdict(float)
            start = time.perf_counter()
            try:
                return original(handle)
            finally:
                elapsed = time.perf_counter() - start
                watch._account(elapsed)

        self._patched.append((asyncio.events.Handle, "_run", original))
        asyncio.events.Handle._run = run  # type: ignore[method-assign]

    def watch_gc(self) -> None:
        """Charge the cyclic garbage collector's passes to "Python GC (generation n)"."""
        started: list[float] = []

        def callback(phase: str, info: dict[str, int]) -> None:
            if not self._enabled:
                return
            if phase == "start":
                self._inner.append(0.0)
                started.append(time.perf_counter())
            elif started:
                elapsed = time.perf_counter() - started.pop()
                inner = self._inner.pop()
                name = f"Python GC (generation {info['generation']})"
                self._current[name] += elapsed - inner
                self.counts[name] += 1
                if self._inner:
                    self._inner[-1] += elapsed

        gc.callbacks.append(callback)
        self._gc_callback = callback

    def uninstall(self) -> None:
        if self._gc_callback is not None:
            gc.callbacks.remove(self._gc_callback)
            self._gc_callback = None
        self._enabled = False
        for owner, name, raw in reversed(self._patched):
            setattr(owner, name, raw)
        self._patched.clear()

    def start(self) -> None:
        """Count from now on (set-up and start-up are not what a key press waits for); the
        figures add up over several starts and stops."""
        self._enabled = True

    def stop(self) -> None:
        self._enabled = False

    # Figures --------------------------------------------------------------------------------

    def _account(self, elapsed: float) -> None:
        parts = self._current
        parts[OTHER] += max(0.0, elapsed - sum(parts.values()))
        self.busy += elapsed
        for name, seconds in parts.items():
            self.totals[name] += seconds
        if elapsed >= self.threshold:
            self.stalls.append(Stall(elapsed, dict(parts)))

    def in_stalls(self) -> dict[str, float]:
        """Seconds per label within the callbacks that ran past the threshold."""
        out: dict[str, float] = defaultdict(float)
        for stall in self.stalls:
            for name, seconds in stall.parts.items():
                out[name] += seconds
        return out

    def rows(self, wall: float, top: int = 12) -> Iterator[str]:
        """The labels by their share of the stalls, then of all busy time: ms per second of
        wall time, and ms within stalls."""
        stalled = self.in_stalls()
        names = sorted(self.totals, key=lambda n: (stalled.get(n, 0.0), self.totals[n]))[::-1]
        stall_time = sum(s.seconds for s in self.stalls)
        longest = max((s.seconds for s in self.stalls), default=0.0)
        yield (
            f"loop busy {self.busy / wall * 100:.0f}% of {wall:.0f}s; {len(self.stalls)} callbacks"
            f" over {self.threshold * 1000:.0f} ms ({stall_time * 1000:.0f} ms, longest"
            f" {longest * 1000:.0f} ms)"
        )
        for stall in sorted(self.stalls, key=lambda s: s.seconds)[::-1][:3]:
            parts = sorted(stall.parts.items(), key=lambda p: p[1])[::-1][:3]
            said = ", ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in parts)
            yield f"  a {stall.seconds * 1000:.0f} ms stall: {said}"
        yield f"{'':<34} {'ms/s':>6} {'in stalls':>10} {'calls':>7}"
        for name in names[:top]:
            yield (
                f"{name[:34]:<34} {self.totals[name] / wall * 1000:6.1f}"
                f" {stalled.get(name, 0.0) * 1000:8.0f}ms {self.counts.get(name, 0):7d}"
            )
