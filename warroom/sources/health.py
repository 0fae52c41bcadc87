"""The health feed: each endpoint polled on its interval; P95 latency and uptime over a rolling
window against the SLA (P95 > 500 ms or uptime < 99.5 % is a breach)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from warroom.config import HealthEndpoint, SlaConfig
from warroom.sanitize import safe_line
from warroom.sources.status import describe_error
from warroom.stats import percentile
from warroom.timeutil import utcnow
from warroom.tls import tls_context

if TYPE_CHECKING:  # imported when a check runs: the first frame does not wait for httpx
    import httpx

HISTORY = 60  # checks kept for the sparkline
# One failed first answer is not an uptime breach: judge uptime after a few checks.
MIN_CHECKS_FOR_SLA = 3
# A 95th percentile of four checks is the slowest of them (a cold connection's warm-up): the
# P95 verdict waits for enough checks in the window to mean something.
MIN_CHECKS_FOR_P95 = 20
_OK_BODY = {"ok", "healthy", "pass", "passing", "up", "green", "success"}


class HealthState(StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class Check:
    at: datetime
    ok: bool
    latency: float | None  # seconds; None when no answer could be timed (refused)
    status_code: int | None
    body_status: str | None
    reason: str  # "" when ok


@dataclass(frozen=True)
class EndpointHealth:
    name: str
    url: str
    state: HealthState
    reason: str  # why it is down or degraded
    last: Check | None
    p95: float | None  # seconds, over the window
    uptime: float | None  # percent, over the window
    checks: int  # in the window
    last_ok_at: datetime | None
    history: tuple[float | None, ...]  # recent latencies, None for failed checks


@dataclass(frozen=True)
class HealthSnapshot:
    at: datetime
    endpoints: tuple[EndpointHealth, ...]


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile."""
    return percentile(values, 95)


def gathering(health: EndpointHealth) -> bool:
    """Too few checks in the window yet for a P95 verdict."""
    return health.checks < MIN_CHECKS_FOR_P95


def breach(sla: SlaConfig, p95_latency: float | None, uptime: float | None) -> str:
    reasons = []
    limit = sla.p95_latency.total_seconds()
    if p95_latency is not None and p95_latency > limit:
        reasons.append(f"p95 {p95_latency * 1000:.0f}ms > {limit * 1000:.0f}ms")
    if uptime is not None and uptime < sla.uptime_percent:
        reasons.append(f"uptime {uptime:.1f}% < {sla.uptime_percent:g}%")
    return "SLA breach: " + ", ".join(reasons) if reasons else ""


class EndpointWindow:
    """The checks of one endpoint within the SLA window (bounded)."""

    def __init__(self, endpoint: HealthEndpoint, sla: SlaConfig) -> None:
        self.endpoint = endpoint
        self.sla = sla
        most = int(sla.window / max(endpoint.interval, timedelta(milliseconds=100))) + 10
        self.checks: deque[Check] = deque(maxlen=min(most, 100_000))
        self.history: deque[float | None] = deque(maxlen=HISTORY)
        self.last_ok_at: datetime | None = None

    def add(self, check: Check) -> None:
        self.checks.append(check)
        self.history.append(check.latency if check.ok else None)
        if check.ok:
            self.last_ok_at = check.at
        horizon = check.at - self.sla.window
        while self.checks and self.checks[0].at < horizon:
            self.checks.popleft()

    def restore(self, checks: Iterable[Check], view: EndpointHealth) -> None:
        """Go on from another console's window (the shared feeds changed hands): the SLA is
        judged over the same checks, and the sparkline and the last good answer carry on."""
        for check in checks:
            self.add(check)
        self.history = deque(view.history, maxlen=HISTORY)
        if view.last_ok_at is not None and (
            self.last_ok_at is None or view.last_ok_at > self.last_ok_at
        ):
            self.last_ok_at = view.last_ok_at

    def view(self) -> EndpointHealth:
        checks = list(self.checks)
        last = checks[-1] if checks else None
        latency = p95([c.latency for c in checks if c.latency is not None])
        uptime = 100.0 * sum(c.ok for c in checks) / len(checks) if checks else None
        sla_breach = breach(
            self.sla,
            latency if len(checks) >= MIN_CHECKS_FOR_P95 else None,
            uptime if len(checks) >= MIN_CHECKS_FOR_SLA else None,
        )
        if last is None:
            state, reason = HealthState.UNKNOWN, "not checked yet"
        elif not last.ok:
            state, reason = HealthState.DOWN, last.reason
        elif last.reason:  # answered, but says it is not well
            state, reason = HealthState.DEGRADED, last.reason
        elif sla_breach:
            state, reason = HealthState.DEGRADED, sla_breach
        else:
            state, reason = HealthState.OK, ""
        return EndpointHealth(
            name=self.endpoint.name,
            url=self.endpoint.url,
            state=state,
            reason=reason,
            last=last,
            p95=latency,
            uptime=uptime,
            checks=len(checks),
            last_ok_at=self.last_ok_at,
            history=tuple(self.history),
        )


def observe_health(
    previous: HealthSnapshot | None, current: HealthSnapshot
) -> list[tuple[str, str, str]]:
    """(kind, subject, text) for each endpoint that went down, recovered, or started or ended an
    SLA breach since the previous snapshot. Unknown -> anything is a baseline, not news."""
    if previous is None:
        return []
    before = {e.name: e for e in previous.endpoints}
    found = []
    for now in current.endpoints:
        old = before.get(now.name)
        if old is None or old.state is HealthState.UNKNOWN or old.state is now.state:
            continue
        if now.state is HealthState.DOWN:
            found.append(("health_down", now.name, f"health {now.name} down: {now.reason}"))
        elif old.state is HealthState.DOWN and now.state is HealthState.OK:
            found.append(("health_recovered", now.name, f"health {now.name} recovered"))
        elif now.state is HealthState.DEGRADED and old.state is HealthState.OK:
            found.append(("sla_breach_start", now.name, f"health {now.name}: {now.reason}"))
        elif now.state is HealthState.OK and old.state is HealthState.DEGRADED:
            found.append(("sla_breach_end", now.name, f"health {now.name} back within the SLA"))
        elif old.state is HealthState.DOWN and now.state is HealthState.DEGRADED:
            found.append(
                (
                    "health_recovered",
                    now.name,
                    f"health {now.name} answering again, degraded: {now.reason}",
                )
            )
    return found


def _body_status(response: httpx.Response) -> str | None:
    if "json" not in response.headers.get("content-type", "") and not response.content.startswith(
        b"{"
    ):
        return None
    try:
        body = json.loads(response.content[:65536])
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("status"), str | int | bool):
        return safe_line(str(body["status"]), limit=40)
    return None


def _detail(response: httpx.Response) -> str:
    """A short hint from a JSON body's failing checks, e.g. `ai_provider: timeout`."""
    try:
        body = json.loads(response.content[:65536])
    except ValueError:
        return ""
    checks = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks, dict):
        return ""
    bad = [f"{k}: {v}" for k, v in checks.items() if str(v).lower() not in _OK_BODY]
    return safe_line("; ".join(bad), limit=120)


async def check_endpoint(
    client: httpx.AsyncClient, endpoint: HealthEndpoint, clock: Callable[[], datetime] = utcnow
) -> Check:
    """One check: HTTP status, latency, and the body's own status when it is JSON."""
    import httpx

    at = clock()
    start = time.perf_counter()
    try:
        response = await client.get(endpoint.url, timeout=endpoint.timeout.total_seconds())
    except httpx.TimeoutException:
        elapsed = time.perf_counter() - start
        # The configured limit, not the time measured: a busy host overshoots it.
        limit = endpoint.timeout.total_seconds()
        return Check(at, False, elapsed, None, None, f"timeout after {limit:g}s")
    except (httpx.HTTPError, OSError) as exc:
        return Check(at, False, None, None, None, describe_error(exc))
    elapsed = time.perf_counter() - start
    body = _body_status(response)
    code = response.status_code
    if code >= 400:
        reason = f"HTTP {code}" + (f" ({body})" if body else "")
        return Check(at, False, elapsed, code, body, reason)
    reason = ""
    if body is not None and body.lower() not in _OK_BODY:
        detail = _detail(response)
        reason = f"reports {body}" + (f": {detail}" if detail else "")
    return Check(at, True, elapsed, code, body, reason)


class HealthFeed:
    """Polls every configured endpoint; `updates()` yields a snapshot after every check."""

    def __init__(
        self,
        endpoints: tuple[HealthEndpoint, ...],
        sla: SlaConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.endpoints = endpoints
        self.windows = [EndpointWindow(e, sla) for e in endpoints]
        self._clock = clock

    def snapshot(self) -> HealthSnapshot:
        return HealthSnapshot(self._clock(), tuple(w.view() for w in self.windows))

    async def probe(self) -> HealthSnapshot:
        """Check every endpoint once (for `warroom check`)."""
        async with _client() as client:
            checks = await asyncio.gather(
                *(check_endpoint(client, w.endpoint, self._clock) for w in self.windows)
            )
        for window, check in zip(self.windows, checks, strict=True):
            window.add(check)
        return self.snapshot()

    async def updates(self) -> AsyncIterator[HealthSnapshot]:
        if not self.windows:
            return
        changed: asyncio.Queue[None] = asyncio.Queue()
        async with _client() as client:
            tasks = [asyncio.create_task(self._poll(client, w, changed)) for w in self.windows]
            try:
                while True:
                    await changed.get()
                    while not changed.empty():  # several checks landed: one snapshot
                        changed.get_nowait()
                    yield self.snapshot()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _poll(
        self, client: httpx.AsyncClient, window: EndpointWindow, changed: asyncio.Queue[None]
    ) -> None:
        interval = window.endpoint.interval.total_seconds()
        while True:
            started = time.monotonic()
            window.add(await check_endpoint(client, window.endpoint, self._clock))
            changed.put_nowait(None)
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


def _client() -> httpx.AsyncClient:
    import httpx

    # No connection reuse across checks: a check must see a server that died or came back.
    return httpx.AsyncClient(
        follow_redirects=True,
        headers={"user-agent": "warroom-health"},
        limits=httpx.Limits(max_keepalive_connections=0),
        verify=tls_context(),
    )
