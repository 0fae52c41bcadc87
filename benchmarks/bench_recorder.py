"""The flight recorder's cost and the export of a long incident with its chart.

1. An hour of a SEV-1 at the demo's rates (health checked every 2 s, ECS polled every 2 s, the
   bad deploy's ERROR flood on two log groups), fed to the recorder as the console feeds it and
   flushed every 5 s into a real journal: the CPU it adds per hour and how much the journal
   grows per hour.
2. A 24-hour incident (the same rates all day, plus 2,000 timeline entries): `warroom export`
   writes the Markdown and the SVG chart (budget: under 1 s).
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timeline import fill_timeline

from warroom.model import Kind
from warroom.recorder import FLUSH_EVERY, Recorder
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.sources.ecs import EcsSnapshot, ServiceStatus
from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.store import SqliteJournal

START = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
POLL = 2.0  # seconds: the demo's health interval and ECS poll interval
LOG_POLL = 1.0  # seconds: a log group's poll while lines flow
# The bad deploy floods /prod/backend with 8 ERROR lines a second (scenarios.py): rounded up.
ERRORS_PER_SECOND = {"/prod/backend": 10, "/prod/worker": 2}
EXPORT_RUNS = 5
EXPORT_BUDGET = 1.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def items_at(at: datetime, n: int) -> list[object]:
    check = Check(at, n % 5 != 0, 1.2 + (n % 7) / 10, 500, None, "")
    endpoint = EndpointHealth(
        "api", "http://api/health", HealthState.DOWN, "", check, None, None, 1, None, ()
    )
    found: list[object] = [HealthSnapshot(at, (endpoint,))]
    service = ServiceStatus("saas-backend", True, "ACTIVE", 4, 3 + n % 2, 1, "saas-backend:9")
    found.append(EcsSnapshot(at, "saas-prod", (service,), SourceStatus("ecs", ok=True)))
    for group, rate in ERRORS_PER_SECOND.items():
        for poll in range(int(POLL / LOG_POLL)):
            when = at + timedelta(seconds=poll * LOG_POLL)
            lines = tuple(
                LogLine(
                    group,
                    f"{n}-{poll}-{k}",
                    when,
                    "web/1",
                    f"ERROR [req-{k:04x}] POST /api/v1/orders 500 tenant=t{(n + k) % 37}",
                    "ERROR",
                )
                for k in range(int(rate * LOG_POLL))
            )
            found.append(LogBatch(group, "ERROR", lines, SourceStatus(group, ok=True)))
    return found


async def record(room: WarRoom, clock: Clock, hours: float) -> float:
    """Feed `hours` of items and flush as the console does; the CPU seconds the recorder took."""
    recorder = Recorder(clock=clock)
    cpu = 0.0
    ticks = int(hours * 3600 / POLL)
    next_flush = START
    for n in range(ticks):
        at = START + timedelta(seconds=n * POLL)
        clock.now = at
        items = items_at(at, n)
        started = time.process_time()
        for item in items:
            recorder.see(item)
        if at >= next_flush:
            await recorder.flush(room)
            next_flush = at + timedelta(seconds=FLUSH_EVERY)
        cpu += time.process_time() - started
    return cpu


def size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


async def main() -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        db = Path(tmp) / "recorder.db"
        clock = Clock()
        room = WarRoom(
            await SqliteJournal.open(db), author="bench", runbook=load_runbook(), clock=clock
        )
        await room.declare("Benchmark", Severity.SEV1, detected_at=START)
        before = size(db)
        cpu = await record(room, clock, 1.0)
        await room.close()
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rows = conn.execute("SELECT count(*) FROM telemetry").fetchone()[0]
        grown = size(db) - before
        lines = sum(ERRORS_PER_SECOND.values()) * 3600
        print(
            f"recorder, one hour of a SEV-1 at the demo's rates ({3600 / POLL:.0f} health checks,"
            f" {3600 / POLL:.0f} ECS polls, {lines:,} ERROR lines)"
        )
        print(
            f"  CPU {cpu:.2f} s per hour ({cpu / 36:.3f} % of one core);"
            f" journal +{grown / 1024:.0f} KiB per hour ({rows} rows)"
        )

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        db = Path(tmp) / "day.db"
        clock = Clock()
        journal = await SqliteJournal.open(db, synchronous="NORMAL")  # set-up only
        room = WarRoom(journal, author="bench", runbook=load_runbook(), clock=clock)
        incident_id = await room.declare("Day-long SEV-1", Severity.SEV1, detected_at=START)
        await fill_timeline(
            journal,
            incident_id,
            2000,
            start=START,
            every=timedelta(seconds=43),
            kind_of=lambda n: Kind.NOTE if n % 3 else Kind.OBSERVATION,
            auto_of=lambda n: n % 3 == 0,
        )
        await record(room, clock, 24.0)
        clock.now = START + timedelta(hours=24)
        await room.log(Kind.RESOLVED, "done", incident_id=incident_id)
        await room.close()

        room = WarRoom(
            await SqliteJournal.open(db), author="bench", runbook=load_runbook(), clock=clock
        )
        timings = []
        for _ in range(EXPORT_RUNS):
            started = time.perf_counter()
            path = await room.export_postmortem(incident_id, directory=Path(tmp))
            timings.append(time.perf_counter() - started)
        svg = path.with_suffix(".svg")
        await room.close()
        median = statistics.median(timings)
        print(
            f"export of a 24-hour incident with its chart ({path.stat().st_size / 1024:.0f} KiB"
            f" Markdown, {svg.stat().st_size / 1024:.0f} KiB SVG), {EXPORT_RUNS} runs"
        )
        verdict = "within" if median < EXPORT_BUDGET else "OVER"
        print(
            f"  median {median * 1000:.0f} ms  min {min(timings) * 1000:.0f} ms"
            f"  max {max(timings) * 1000:.0f} ms"
            f" ({verdict} the {EXPORT_BUDGET * 1000:.0f} ms budget)"
        )


if __name__ == "__main__":
    asyncio.run(main())
