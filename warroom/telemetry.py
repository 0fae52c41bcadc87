"""The incident's recorded telemetry: time buckets of what the feeds saw, and the figures the
post-mortem takes from them (the impact window, the tenants seen failing, the chart's series).
Pure: no I/O; warroom.recorder makes the buckets, the journal keeps them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

HEALTH = "health"  # one series per endpoint
ERRORS = "errors"  # one series per log group (per error signature once those exist)
ECS = "ecs"  # one series per service
KINDS = (HEALTH, ERRORS, ECS)

# Minute buckets for the first hours of an incident, then wider ones: a day-long SEV-1 stays
# a few thousand rows, and the chart of it is no less readable.
FINE = timedelta(minutes=1)
COARSE = timedelta(minutes=5)
FINE_FOR = timedelta(hours=4)
# Distinct tenants kept per bucket: enough to count "users affected", bounded in a flood.
MAX_TENANTS = 200


@dataclass(frozen=True)
class Bucket:
    """What one series saw from `start` for `width`. `values` by kind:
    health: checks, failed, p95_ms, max_ms, first_fail, last_fail (ISO times, exact samples);
    errors: lines, tenants (sorted, at most MAX_TENANTS), more_tenants (beyond those);
    ecs: desired, running, pending, task_definition, deployments (the last poll's)."""

    kind: str
    series: str
    start: datetime
    width: timedelta
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> datetime:
        return self.start + self.width


def floor(at: datetime, width: timedelta) -> datetime:
    """The start of the bucket of `width` holding `at` (aligned on the epoch, so every
    console cuts the same buckets)."""
    seconds = width.total_seconds()
    stamp = at.timestamp()
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class ImpactWindow:
    first_failing: datetime
    last_failing: datetime
    series: tuple[str, ...]  # the endpoints that failed

    @property
    def duration(self) -> timedelta:
        return self.last_failing - self.first_failing


@dataclass(frozen=True)
class Point:
    """One step of the chart: the worst p95 latency of the endpoints and the error lines of
    every group in the bucket, and whether any health check failed."""

    start: datetime
    width: timedelta
    p95_ms: float | None
    errors: int
    failed: bool


@dataclass(frozen=True)
class Telemetry:
    """The buckets of one incident's window, in time order."""

    buckets: tuple[Bucket, ...] = ()
    since: datetime | None = None  # the window asked for
    until: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.buckets)

    def of(self, kind: str) -> list[Bucket]:
        return [b for b in self.buckets if b.kind == kind]

    def impact(self) -> ImpactWindow | None:
        """From the first failing health sample to the last one, None when none failed."""
        first: datetime | None = None
        last: datetime | None = None
        failing: set[str] = set()
        for bucket in self.of(HEALTH):
            if not bucket.values.get("failed"):
                continue
            failing.add(bucket.series)
            began = parse_iso(bucket.values["first_fail"])
            ended = parse_iso(bucket.values["last_fail"])
            first = began if first is None else min(first, began)
            last = ended if last is None else max(last, ended)
        if first is None or last is None:
            return None
        return ImpactWindow(first, last, tuple(sorted(failing)))

    def tenants(self) -> tuple[set[str], int]:
        """The tenants named in error lines, and how many more lines named ones not kept."""
        seen: set[str] = set()
        more = 0
        for bucket in self.of(ERRORS):
            seen.update(bucket.values.get("tenants", ()))
            more += int(bucket.values.get("more_tenants", 0))
        return seen, more

    def points(self) -> list[Point]:
        """The chart's series: one point per bucket start, all series merged."""
        by_start: dict[datetime, list[Bucket]] = {}
        for bucket in self.buckets:
            if bucket.kind in (HEALTH, ERRORS):
                by_start.setdefault(bucket.start, []).append(bucket)
        found = []
        for start in sorted(by_start):
            group = by_start[start]
            latencies = [
                b.values["p95_ms"]
                for b in group
                if b.kind == HEALTH and b.values.get("p95_ms") is not None
            ]
            found.append(
                Point(
                    start=start,
                    width=max(b.width for b in group),
                    p95_ms=max(latencies) if latencies else None,
                    errors=sum(int(b.values.get("lines", 0)) for b in group if b.kind == ERRORS),
                    failed=any(b.kind == HEALTH and b.values.get("failed") for b in group),
                )
            )
        return found


def downsample(points: Sequence[Point], most: int) -> list[Point]:
    """At most `most` points: neighbours merged, keeping the worst latency, the sum of errors
    and any failure, so a spike never disappears from a long incident's chart."""
    if most <= 0 or len(points) <= most:
        return list(points)
    step = -(-len(points) // most)
    merged = []
    for n in range(0, len(points), step):
        chunk = points[n : n + step]
        latencies = [p.p95_ms for p in chunk if p.p95_ms is not None]
        merged.append(
            Point(
                start=chunk[0].start,
                width=chunk[-1].start + chunk[-1].width - chunk[0].start,
                p95_ms=max(latencies) if latencies else None,
                errors=sum(p.errors for p in chunk),
                failed=any(p.failed for p in chunk),
            )
        )
    return merged


def bucket_to_json(bucket: Bucket) -> dict[str, Any]:
    return {
        "kind": bucket.kind,
        "series": bucket.series,
        "start": iso(bucket.start),
        "seconds": int(bucket.width.total_seconds()),
        **bucket.values,
    }


def series_json(telemetry: Telemetry, most: int = 240) -> dict[str, Any]:
    """What `show --json` carries: the chart's points (downsampled to `most`), the impact window
    and the ECS series as recorded (a few rows per service)."""
    impact = telemetry.impact()
    return {
        "points": [
            {
                "start": iso(p.start),
                "seconds": int(p.width.total_seconds()),
                "p95_ms": p.p95_ms,
                "errors": p.errors,
                "failed": p.failed,
            }
            for p in downsample(telemetry.points(), most)
        ],
        "impact": None
        if impact is None
        else {
            "first_failing": iso(impact.first_failing),
            "last_failing": iso(impact.last_failing),
            "seconds": impact.duration.total_seconds(),
            "endpoints": list(impact.series),
        },
        "ecs": [bucket_to_json(b) for b in _changes(telemetry.of(ECS))],
    }


def _changes(buckets: Iterable[Bucket]) -> list[Bucket]:
    """The ECS buckets where a service's counts or revision changed (and each one's first)."""
    last: dict[str, dict[str, Any]] = {}
    kept = []
    for bucket in buckets:
        if last.get(bucket.series) != bucket.values:
            kept.append(bucket)
            last[bucket.series] = bucket.values
    return kept
