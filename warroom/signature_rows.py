"""A log pane's signatures view as text: one row per signature, the rows in order, filtered.
Pure: the pane (warroom/ui) draws these strings; tests read them without a terminal.

A row: `   412 ▁▁▃█▇ 04:22:52-04:31:07 NEW since saas-backend:9  sqlalchemy.exc.Programming...`
(count, lines per minute over the last minutes, first and last seen, the NEW mark, then what
tells the error apart: its exception and message first, then the request it came with).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from warroom.signatures import Signature, SignatureTable

SPARK = "▁▂▃▄▅▆▇█"
SPARK_MINUTES = 5
BY_COUNT = "count"
BY_FIRST = "first"


def sparkline(counts: list[int]) -> str:
    """One block per minute, the tallest the busiest; a space for a minute with none."""
    top = max(counts, default=0)
    if top == 0:
        return " " * len(counts)
    return "".join(" " if c == 0 else SPARK[min(7, (c * 8 - 1) // top)] for c in counts)


def _hms(at: datetime | None) -> str:
    return "--:--:--" if at is None else at.astimezone(UTC).strftime("%H:%M:%S")


def format_row(sig: Signature, now: datetime, new_since: str | None = None) -> str:
    new = f"NEW since {new_since}  " if new_since else ""
    return (
        f"{sig.count:>6} {sparkline(sig.per_minute(now, SPARK_MINUTES))} "
        f"{_hms(sig.first_seen)}-{_hms(sig.last_seen)} {new}{sig.distinctive}"
    )


def ordered(
    table: SignatureTable, by: str = BY_COUNT, pattern: re.Pattern[str] | None = None
) -> list[Signature]:
    """The rows to show: most lines first, or the newest first sighting first; with a filter,
    those whose template or latest example matches it."""
    rows = table.rows(BY_FIRST if by == BY_FIRST else BY_COUNT)
    if pattern is None:
        return rows
    return [s for s in rows if pattern.search(s.example) or pattern.search(s.key)]


def evidence_text(group: str, sig: Signature, new_since: str | None = None) -> str:
    """What `y` puts on the timeline: the group, the count, first and last seen, the error."""
    new = f", new since {new_since}" if new_since else ""
    return (
        f"{group} {sig.count}× {_hms(sig.first_seen)}-{_hms(sig.last_seen)} UTC{new}: "
        f"{sig.distinctive}"
    )
