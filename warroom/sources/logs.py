"""The error-log feed: `aws logs tail --since 10m --filter-pattern ERROR`, followed live, for
every configured group, within one shared FilterLogEvents budget.

Each group first reads its initial window, then polls on a moving start time, paging with
nextToken, de-duplicating by eventId (polls overlap on purpose: late events still arrive) and
emitting in timestamp order. Polls come quickly after new events and slow down when idle; all
groups share one request budget (default 4/s; the account quota is 5/s) that halves on
ThrottlingException and creeps back. Every line is made safe (sanitize.safe_line) here.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from warroom.backoff import backoff
from warroom.config import LogsConfig
from warroom.sanitize import safe_line
from warroom.sources.aws import AwsClients
from warroom.sources.status import SourceStatus, describe_error, is_throttling, merged
from warroom.timeutil import utcnow

OVERLAP_MS = 10_000  # re-read this much before the newest event seen: late arrivals
ACTIVE_DELAY = 0.25  # seconds before polling again after new lines
IDLE_DELAY_MAX = 1.0  # no slower than `awslogs get --watch`, which polls every second
IDLE_GROWTH = 1.5
MAX_PAGES_PER_POLL = 10
PAGE_LIMIT = 1000  # events per FilterLogEvents page (AWS allows up to 10,000)
BUFFER_LINES = 10_000  # per group: the initial window and each batch are cut to this
_LEVEL = re.compile(r"\b(CRITICAL|FATAL|ERROR|WARN(?:ING)?|INFO|DEBUG)\b")


@dataclass(frozen=True)
class LogLine:
    group: str
    event_id: str
    at: datetime
    stream: str
    message: str  # already safe: no control sequences, secrets redacted, length cut
    level: str  # ERROR, WARN, INFO, ... or "" when the line does not say


@dataclass(frozen=True)
class LogBatch:
    """What one poll of one group found (often nothing), and how the group's source is doing."""

    group: str
    pattern: str
    lines: tuple[LogLine, ...]
    source: SourceStatus
    initial: bool = False


class RequestBudget:
    """At most `rate` requests per second across every group, spaced evenly (no bursts).

    Waiters are served in arrival order (asyncio.Lock is fair), so a busy group cannot starve a
    quiet one. On throttling the rate halves, down to an eighth; each success wins back 5 %.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.current = rate
        self.requests = 0
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            wait = self._next - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            # A hair over 1/rate: requests timed as they leave stay within the rate.
            self._next = max(self._clock(), self._next) + 1.02 / self.current
            self.requests += 1

    def throttled(self) -> None:
        self.current = max(self.rate / 8, self.current / 2)

    def succeeded(self) -> None:
        self.current = min(self.rate, self.current + self.rate * 0.05)


def level_of(message: str) -> str:
    match = _LEVEL.search(message[:200])
    if not match:
        return ""
    word = match.group(1)
    return "WARN" if word == "WARNING" else word


class GroupTail:
    """The follow state of one log group."""

    def __init__(self, group: str, pattern: str, start_ms: int) -> None:
        self.group = group
        self.pattern = pattern
        self.start_ms = start_ms
        self.newest_ms = start_ms
        self.seen: dict[str, int] = {}  # eventId -> timestamp, within the overlap
        self.token: str | None = None  # paging left over from a poll that hit the page cap
        self.initial = True
        self.delay = ACTIVE_DELAY
        self.status = SourceStatus(group)
        self.page_limit = PAGE_LIMIT

    def request(self) -> dict[str, Any]:
        """The FilterLogEvents arguments for the next page."""
        kwargs: dict[str, Any] = {
            "logGroupName": self.group,
            "startTime": self.start_ms,
            "limit": self.page_limit,
        }
        if self.pattern:
            kwargs["filterPattern"] = self.pattern
        if self.token:
            kwargs["nextToken"] = self.token
        return kwargs

    def accept(self, events: list[dict[str, Any]]) -> tuple[LogLine, ...]:
        """New events only, oldest first; moves the start time on."""
        fresh = [e for e in events if e.get("eventId") not in self.seen]
        fresh.sort(key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))
        for event in fresh:
            self.seen[event["eventId"]] = event.get("timestamp", 0)
            self.newest_ms = max(self.newest_ms, event.get("timestamp", 0))
        if not self.token:
            self.start_ms = max(self.start_ms, self.newest_ms - OVERLAP_MS)
            self.seen = {k: ts for k, ts in self.seen.items() if ts >= self.start_ms}
        fresh = fresh[-BUFFER_LINES:]
        return tuple(
            LogLine(
                group=self.group,
                event_id=e["eventId"],
                at=datetime.fromtimestamp(e.get("timestamp", 0) / 1000, UTC),
                stream=safe_line(e.get("logStreamName", ""), limit=200),
                message=(message := safe_line(e.get("message", ""))),
                level=level_of(message),
            )
            for e in fresh
        )


class LogTailer:
    def __init__(
        self,
        config: LogsConfig,
        clients: AwsClients,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self._clients = clients
        self._clock = clock
        self.budget = RequestBudget(config.max_requests_per_second)
        start = int((clock() - config.since).timestamp() * 1000)
        self.groups = [
            GroupTail(
                g.name,
                config.filter_pattern if g.filter_pattern is None else g.filter_pattern,
                start,
            )
            for g in config.groups
        ]

    def _client(self) -> Any:
        # No botocore retries here: the budget paces every request, and the next poll is the
        # retry; retries inside botocore would spend requests the budget cannot see.
        return self._clients.client("logs", attempts=1)

    async def fetch(self, tail: GroupTail) -> list[dict[str, Any]]:
        """Every page of one poll. The budget is awaited here, on the event loop, so a group
        waiting its turn holds no worker thread (the ECS feed shares the default pool)."""
        # Off the loop: the first call builds the boto3 session, which takes a good half second.
        client = await asyncio.to_thread(self._client)
        events: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES_PER_POLL * (5 if tail.initial else 1)):
            await self.budget.acquire()
            answer = await asyncio.to_thread(client.filter_log_events, **tail.request())
            events += answer.get("events", [])
            tail.token = answer.get("nextToken")
            if not tail.token:
                break
        return events

    async def poll(self, tail: GroupTail) -> LogBatch:
        started = time.perf_counter()
        at = self._clock()
        initial = tail.initial
        try:
            events = await self.fetch(tail)
        except Exception as exc:  # a failing source is shown, never raised
            if is_throttling(exc):
                self.budget.throttled()
            tail.status = tail.status.failed(at, describe_error(exc), time.perf_counter() - started)
            tail.delay = backoff(tail.status.failures, 1.0, cap=30.0)
            return LogBatch(tail.group, tail.pattern, (), tail.status, initial)
        self.budget.succeeded()
        tail.initial = False
        tail.status = tail.status.succeeded(at, time.perf_counter() - started)
        lines = tail.accept(events)
        tail.delay = (
            ACTIVE_DELAY
            if lines or tail.token
            else min(IDLE_DELAY_MAX, max(ACTIVE_DELAY, tail.delay) * IDLE_GROWTH)
        )
        return LogBatch(tail.group, tail.pattern, lines, tail.status, initial)

    def updates(self) -> AsyncIterator[LogBatch]:
        """A batch after every poll of every group, for as long as the caller iterates."""
        return merged((partial(self._follow, t) for t in self.groups), maxsize=100)

    async def _follow(self, tail: GroupTail, queue: asyncio.Queue[LogBatch]) -> None:
        while True:
            await queue.put(await self.poll(tail))
            await asyncio.sleep(tail.delay)

    async def probe(self, page: int = 100) -> list[tuple[SourceStatus, tuple[LogLine, ...]]]:
        """One request per group (for `warroom check`): does it answer, and what matched in the
        initial window (at most `page` lines)?"""
        results = []
        for tail in self.groups:
            tail.page_limit = page
            await self.budget.acquire()
            at = self._clock()
            started = time.perf_counter()
            try:
                answer = await asyncio.to_thread(
                    self._client().filter_log_events,
                    logGroupName=tail.group,
                    startTime=tail.start_ms,
                    limit=page,
                    **({"filterPattern": tail.pattern} if tail.pattern else {}),
                )
            except Exception as exc:  # reported, never raised
                results.append((tail.status.failed(at, describe_error(exc)), ()))
                continue
            status = tail.status.succeeded(at, time.perf_counter() - started)
            results.append((status, tail.accept(answer.get("events", []))))
        return results
