"""A long incident's timeline for a benchmark: entries written straight into the journal, each
70 characters, at even intervals (faster to set up than logging each through the room)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from warroom.model import Kind
from warroom.store import SqliteJournal


async def fill_timeline(
    journal: SqliteJournal,
    incident_id: int,
    count: int,
    *,
    start: datetime,
    every: timedelta,
    kind_of: Callable[[int], Kind],
    auto_of: Callable[[int], bool] = lambda n: False,
) -> None:
    for n in range(count):
        at = start + every * n
        await journal.append_event(
            incident_id,
            kind=kind_of(n),
            text=f"entry {n}: " + "x" * 60,
            author="bench",
            at=at,
            recorded_at=at,
            auto=auto_of(n),
        )
