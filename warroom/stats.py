"""Small figures shared by the health feed, the report and its screen: nearest-rank percentiles
and how shares and windows are written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from warroom.timeutil import short_duration

T = TypeVar("T", float, timedelta)


def percentile(values: Iterable[T], p: int) -> T | None:
    """The nearest-rank p-th percentile (0 < p <= 100): the value at rank ceil(p/100 * n) of
    the sorted values, so every figure is one that was measured. None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-p * len(ordered) // 100))  # integer ceiling: no float rounding at the edge
    return ordered[rank - 1]


def percent_text(part: int, whole: int) -> str:
    """`62 % (5/8)`, or `—` when nothing was measured."""
    return "—" if not whole else f"{round(100 * part / whole)} % ({part}/{whole})"


def window_text(since: timedelta) -> str:
    """`90 days`, `1 day`, else a short duration such as `12h00m`."""
    if since % timedelta(days=1) == timedelta(0):
        days = since // timedelta(days=1)
        return f"{days} day{'s' if days != 1 else ''}"
    return short_duration(since)
