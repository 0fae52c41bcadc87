"""The flight recorder against a real journal file: what is kept (the lead-in before detection,
while an incident is open), how (buckets, coarser after hours), and the figures read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from tests.conftest import Clock
from warroom.model import Kind
from warroom.recorder import Recorder
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.telemetry import ERRORS, HEALTH, Telemetry, series_json

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def health(at: datetime, ok: bool, latency: float = 0.05, name: str = "api") -> HealthSnapshot:
    check = Check(at, ok, latency, 200 if ok else 500, None, "" if ok else "HTTP 500")
    view = EndpointHealth(
        name, "http://x", HealthState.OK, "", check, None, None, 1, None, (latency,)
    )
    return HealthSnapshot(at, (view,))


def errors(at: datetime, *tenants: str, group: str = "/prod/backend") -> LogBatch:
    lines = tuple(
        LogLine(group, f"{at.timestamp()}-{n}", at, "s", f"ERROR boom tenant={t}", "ERROR")
        for n, t in enumerate(tenants)
    )
    return LogBatch(group, "ERROR", lines, SourceStatus(group, ok=True))


def every(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    times = []
    while start < end:
        times.append(start)
        start += step
    return times


async def test_lead_in_then_the_open_incident_are_kept_and_nothing_else(
    room: WarRoom, clock: Clock
) -> None:
    recorder = Recorder(lead_in=timedelta(minutes=15), clock=clock)
    # Half an hour of healthy polls with nothing open: only the last 15 minutes stay in memory.
    for at in every(T0 - timedelta(minutes=30), T0, timedelta(seconds=5)):
        clock.now = at
        recorder.see(health(at, ok=True))
        assert await recorder.flush(room) == 0
    # It breaks; an incident is declared two minutes later, then it heals and is resolved.
    for at in every(T0, T0 + timedelta(minutes=10), timedelta(seconds=5)):
        clock.now = at
        failing = T0 + timedelta(seconds=20) <= at < T0 + timedelta(minutes=6, seconds=10)
        recorder.see(health(at, ok=not failing, latency=1.5 if failing else 0.05))
        if failing:
            recorder.see(errors(at, "acme", "globex"))
        if at == T0 + timedelta(minutes=2):
            await room.declare("API 500s", Severity.SEV1)
        await recorder.flush(room)
    incident = await room.incident(1)
    await room.log(Kind.RESOLVED, "healed", incident_id=1)
    telemetry = await room.telemetry(await room.incident(1))

    starts = [b.start for b in telemetry.of(HEALTH)]
    detected = incident.milestones.detected
    assert detected is not None
    # From 15 minutes before detection, minute by minute, to the last minute closed.
    assert starts[0] == detected - timedelta(minutes=15)
    assert starts == every(starts[0], starts[-1] + timedelta(minutes=1), timedelta(minutes=1))
    assert starts[-1] >= T0 + timedelta(minutes=8)
    impact = telemetry.impact()
    assert impact is not None
    assert impact.first_failing == T0 + timedelta(seconds=20)
    assert impact.last_failing == T0 + timedelta(minutes=6, seconds=5)
    assert telemetry.tenants() == ({"acme", "globex"}, 0)
    points = series_json(telemetry)["points"]
    assert max(p["p95_ms"] for p in points) == 1500.0
    assert sum(p["errors"] for p in points) == 2 * len(
        every(
            T0 + timedelta(seconds=20), T0 + timedelta(minutes=6, seconds=10), timedelta(seconds=5)
        )
    )


async def test_a_long_incident_turns_to_five_minute_buckets_and_loses_nothing(
    room: WarRoom, clock: Clock
) -> None:
    clock.now = T0 + timedelta(minutes=2)  # off the five-minute grid
    await room.declare("slow burn", Severity.SEV1)
    recorder = Recorder(clock=clock)
    for at in every(T0, T0 + timedelta(hours=6), timedelta(seconds=10)):
        clock.now = at
        recorder.see(health(at, ok=True))
        recorder.see(errors(at, "acme"))
        if at.second == 0:  # the console flushes every few seconds; once a minute will do
            await recorder.flush(room)
    telemetry = await room.telemetry(await room.incident(1))
    widths = {b.width for b in telemetry.of(HEALTH)}
    assert widths == {timedelta(minutes=1), timedelta(minutes=5)}
    kept = telemetry.of(HEALTH)
    assert all(b.start >= a.end for a, b in pairwise(kept))  # no overlap
    # Minutes for the first hours (from the lead-in), five minutes after: 12 an hour, not 60.
    late = [b for b in kept if b.start >= T0 + timedelta(hours=5)]
    assert len(late) == 12 - 1  # the last one still open
    # Every line up to the last bucket written, none lost or counted twice at the switch.
    written_until = max(b.end for b in telemetry.of(ERRORS))
    sent = len(every(T0, written_until, timedelta(seconds=10)))
    assert sum(b.values["lines"] for b in telemetry.of(ERRORS)) == sent
    assert len(series_json(telemetry, most=100)["points"]) <= 100


async def test_a_bucket_is_written_once_whoever_writes_it(room: WarRoom, clock: Clock) -> None:
    clock.now = T0
    await room.declare("two leaders", Severity.SEV2)
    first, second = Recorder(clock=clock), Recorder(clock=clock)
    for at in every(T0, T0 + timedelta(minutes=3), timedelta(seconds=5)):
        clock.now = at
        first.see(health(at, ok=True, latency=0.1))
        second.see(health(at, ok=True, latency=0.9))
    clock.now = T0 + timedelta(minutes=4)
    await first.flush(room)
    await second.flush(room)
    telemetry = await room.telemetry(await room.incident(1))
    assert [b.values["p95_ms"] for b in telemetry.of(HEALTH)] == [100.0, 100.0, 100.0]


def test_nothing_recorded_says_so() -> None:
    assert not Telemetry()
    assert Telemetry().impact() is None
    assert series_json(Telemetry()) == {"points": [], "impact": None, "ecs": []}
