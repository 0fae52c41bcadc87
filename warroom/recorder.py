"""The flight recorder: what the console's own pollers see, cut into time buckets and kept with
the journal while an incident is open (and, from memory, for a lead-in before its detection).

Only the console that polls records (the feed leader, or one polling alone): followers show the
same updates, and a bucket is written once whoever writes it. `see` is cheap and in memory (it
runs as updates arrive, never on a key press); `flush` writes the closed buckets in one
transaction, once every few seconds, off the event loop in the journal's thread."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import HealthSnapshot
from warroom.sources.logs import LogBatch
from warroom.stats import percentile
from warroom.telemetry import (
    COARSE,
    ECS,
    ERRORS,
    FINE,
    FINE_FOR,
    HEALTH,
    MAX_TENANTS,
    Bucket,
    floor,
    iso,
)
from warroom.timeutil import utcnow

ERROR_LEVELS = frozenset({"ERROR", "CRITICAL", "FATAL"})
# Buckets kept in memory at most (a lead-in nobody declared an incident after is dropped
# anyway; this bounds a recorder that cannot write).
MAX_PENDING = 20_000


class TelemetrySink(Protocol):
    """Where the recorder writes: the war room (warroom.service)."""

    async def recording_since(self) -> datetime | None:
        """The start of what is to be kept (the earliest open incident's detection less the
        lead-in), None when no incident is open."""
        ...

    async def record_telemetry(self, buckets: Sequence[Bucket]) -> None: ...


@dataclass
class _Open:
    """A bucket being filled."""

    kind: str
    series: str
    start: datetime
    width: timedelta
    checks: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    first_fail: datetime | None = None
    last_fail: datetime | None = None
    lines: int = 0
    tenants: set[str] = field(default_factory=set)
    more_tenants: int = 0
    ecs: dict[str, Any] = field(default_factory=dict)

    def close(self) -> Bucket:
        values: dict[str, Any]
        if self.kind == HEALTH:
            values = {
                "checks": self.checks,
                "failed": self.failed,
                "p95_ms": _ms(percentile(self.latencies, 95)),
                "max_ms": _ms(max(self.latencies)) if self.latencies else None,
                "first_fail": iso(self.first_fail) if self.first_fail else None,
                "last_fail": iso(self.last_fail) if self.last_fail else None,
            }
        elif self.kind == ERRORS:
            values = {
                "lines": self.lines,
                "tenants": sorted(self.tenants),
                "more_tenants": self.more_tenants,
            }
        else:
            values = dict(self.ecs)
        return Bucket(self.kind, self.series, self.start, self.width, values)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


class Recorder:
    def __init__(
        self,
        *,
        lead_in: timedelta = timedelta(minutes=15),
        tenant_pattern: str = r"tenant[=:]\s*([\w.-]+)",  # no \b: a literal start is 5x faster
        clock: Callable[[], datetime] = utcnow,
        fine: timedelta = FINE,
        coarse: timedelta = COARSE,
        fine_for: timedelta = FINE_FOR,
    ) -> None:
        self.lead_in = lead_in
        self.tenant = re.compile(tenant_pattern) if tenant_pattern else None
        self.clock = clock
        self.fine = fine
        self.coarse = coarse
        self.fine_for = fine_for
        self.since: datetime | None = None  # the open incident's recording start, when known
        self._open: dict[tuple[str, str, datetime], _Open] = {}
        self._pending: list[Bucket] = []  # closed, not written yet
        self._closed_until: datetime | None = None  # buckets before this are closed
        self._last_check: dict[str, datetime] = {}
        self.failing = False  # the last health check of some endpoint failed

    # Seeing -------------------------------------------------------------------------------

    def see(self, item: object) -> None:
        if isinstance(item, HealthSnapshot):
            self._health(item)
        elif isinstance(item, LogBatch):
            self._logs(item)
        elif isinstance(item, EcsSnapshot):
            self._ecs(item)

    def _bucket(self, kind: str, series: str, at: datetime) -> _Open:
        if self._closed_until is not None and at < self._closed_until:
            at = self._closed_until  # arrived after its bucket was closed: counted now
        # Coarse once a whole coarse bucket lies past `fine_for`: the two never overlap.
        width, start = self.fine, floor(at, self.fine)
        coarse = floor(at, self.coarse)
        if self.since is not None and coarse - self.since >= self.fine_for:
            width, start = self.coarse, coarse
        key = (kind, series, start)
        found = self._open.get(key)
        if found is None:
            found = self._open[key] = _Open(kind, series, start, width)
        return found

    def _health(self, snapshot: HealthSnapshot) -> None:
        for endpoint in snapshot.endpoints:
            check = endpoint.last
            if check is None or self._last_check.get(endpoint.name) == check.at:
                continue  # this endpoint was not polled again: another one was
            self._last_check[endpoint.name] = check.at
            bucket = self._bucket(HEALTH, endpoint.name, check.at)
            bucket.checks += 1
            if check.latency is not None:
                bucket.latencies.append(check.latency)
            self.failing = not check.ok
            if not check.ok:
                bucket.failed += 1
                bucket.first_fail = bucket.first_fail or check.at
                bucket.last_fail = check.at

    def _logs(self, batch: LogBatch) -> None:
        # A batch's lines mostly fall in one bucket: found once, not per line (a flood is
        # thousands of lines a second on the console's loop).
        bucket: _Open | None = None
        until = self._closed_until
        for line in batch.lines:
            if line.level not in ERROR_LEVELS:
                continue
            at = line.at
            if (
                bucket is None
                or at >= bucket.start + bucket.width
                or at < bucket.start
                or (until is not None and at < until)
            ):
                bucket = self._bucket(ERRORS, line.group, at)
            bucket.lines += 1
            if self.tenant is None:
                continue
            found = self.tenant.search(line.message)
            if found is None:
                continue
            name = found.group(1) if found.groups() else found.group(0)
            if name in bucket.tenants or len(bucket.tenants) < MAX_TENANTS:
                bucket.tenants.add(name)
            else:
                bucket.more_tenants += 1

    def _ecs(self, snapshot: EcsSnapshot) -> None:
        if snapshot.source.ok is False:
            return  # the poll failed: its services are the last good ones, not news
        for service in snapshot.services:
            if not service.found:
                continue
            bucket = self._bucket(ECS, service.name, snapshot.at)
            bucket.ecs = {
                "desired": service.desired,
                "running": service.running,
                "pending": service.pending,
                "task_definition": service.task_definition,
                "deployments": len(service.deployments),
                "rollout": service.rollout,
            }

    # Writing ------------------------------------------------------------------------------

    def close(self, now: datetime) -> list[Bucket]:
        """Close every bucket that ended a little while ago (late log lines have a few
        seconds to come in), oldest first."""
        grace = min(self.fine, timedelta(seconds=10))
        ended = [key for key, b in self._open.items() if b.start + b.width + grace <= now]
        closed = [self._open.pop(key).close() for key in ended]
        if closed:
            latest = max(b.end for b in closed)
            if self._closed_until is None or latest > self._closed_until:
                self._closed_until = latest
        closed.sort(key=lambda b: (b.start, b.kind, b.series))
        return closed

    async def flush(self, sink: TelemetrySink) -> int:
        """Write the buckets closed by now that fall in an open incident's window; keep those of
        the lead-in in memory in case one is declared. Returns how many were written."""
        now = self.clock()
        self._pending.extend(self.close(now))
        self.since = await sink.recording_since()
        if self.since is None:
            horizon = now - self.lead_in
            self._pending = [b for b in self._pending if b.end > horizon][-MAX_PENDING:]
            return 0
        since = self.since
        kept = [b for b in self._pending if b.end > since][-MAX_PENDING:]
        self._pending = kept  # kept until written: a journal that failed is tried again
        if kept:
            await sink.record_telemetry(kept)
        self._pending = []
        return len(kept)


FLUSH_EVERY = 5.0  # seconds between writes: a bucket closes once a minute


async def keep_recording(
    recorder: Recorder,
    sink: Callable[[], TelemetrySink | None],
    *,
    every: float = FLUSH_EVERY,
    failed: Callable[[str], None] = lambda _why: None,
) -> None:
    """Flush the recorder every `every` seconds for as long as it runs; a journal that fails
    is said once per distinct reason and tried again (the buckets wait in memory). Whatever
    goes wrong here, the console goes on."""
    import asyncio

    said = ""
    while True:
        await asyncio.sleep(every)
        target = sink()
        if target is None:
            continue
        try:
            await recorder.flush(target)
        except Exception as exc:  # a full disk, a closed journal: the console goes on
            if str(exc) != said:
                said = str(exc)
                failed(said)
        else:
            said = ""
