"""What the feeds observed while no incident was open (health flips, deployments, task-definition
changes), kept for a while: declaring from the console takes them in, at their real times, since
the deploy that broke production usually comes minutes before anyone declares. Pure: no I/O."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

# A flapping endpoint must not grow this without bound: far more than 15 minutes ever holds.
MAX_KEPT = 500


@dataclass(frozen=True)
class Seen:
    at: datetime
    key: str  # the automatic entry's key, `<kind>:<subject>`: written once per incident
    text: str


class RecentObservations:
    """The observations of the last `window`, oldest first."""

    def __init__(self, window: timedelta, limit: int = MAX_KEPT) -> None:
        self.window = window
        self._kept: deque[Seen] = deque(maxlen=limit)

    def add(self, seen: Seen) -> None:
        if self.window <= timedelta(0):
            return
        self._kept.append(seen)
        while self._kept and self._kept[0].at < seen.at - self.window:
            self._kept.popleft()

    def take(self, now: datetime) -> list[Seen]:
        """Those within the window before `now`, in time order; they are given once."""
        taken = sorted((s for s in self._kept if s.at >= now - self.window), key=lambda s: s.at)
        self._kept.clear()
        return taken

    def __len__(self) -> int:
        return len(self._kept)
