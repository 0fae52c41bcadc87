"""UTC time helpers: every time warroom stores or shows is UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
# Longest duration anything takes (a report's window, a cadence, a demo's delay): a century. Past
# that `now - duration` leaves the calendar and datetime overflows.
MAX_DURATION = timedelta(days=36525)
# Earliest and latest instants accepted from a person: incidents happen in the computer era, and
# datetime cannot hold times near year 1 or 9999 once shifted to UTC.
MIN_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)
_UNITS = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_duration(text: str) -> timedelta:
    """Parse `500ms`, `5s`, `10m`, `48h`, `90d`, `1h30m`; raise ValueError with the reason."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise ValueError("empty duration; use a number and a unit such as 5s, 10m or 48h")
    seconds = 0.0
    pos = 0
    for match in _DURATION_PART.finditer(cleaned):
        if match.start() != pos:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)].total_seconds()
        pos = match.end()
    if pos != len(cleaned):
        raise ValueError(
            f"bad duration {text!r}; use a number and a unit (ms, s, m, h, d, w)"
            " such as 5s, 10m or 48h"
        )
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"duration {text!r} is too long; at most {MAX_DURATION.days}d (a century)")
    return timedelta(seconds=seconds)


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601; a time without an offset is taken as UTC. Returns an aware UTC datetime."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"bad time {text!r}; use ISO 8601 such as 2026-11-26T03:01:00Z") from None
    if not MIN_INSTANT <= value < MAX_INSTANT:
        raise ValueError(f"time {text!r} is out of range; use a time from {MIN_INSTANT.year} on")
    return value


def to_db(value: datetime) -> str:
    """Fixed-width UTC text, so that SQLite orders times correctly as strings."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    # fromisoformat reads the fixed-width form (Z included) ten times faster than strptime.
    return datetime.fromisoformat(text)


def iso(value: datetime) -> str:
    """ISO 8601 UTC with a Z, as `show --json` prints it."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hhmm(delta: timedelta) -> str:
    """A duration as HH:MM (hours may exceed 24), as the post-mortem's Duration line wants."""
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def short_duration(delta: timedelta) -> str:
    """A compact human duration: 45s, 12m, 3h05m, 2d04h."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"
