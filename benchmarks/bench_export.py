"""Post-mortem export of a 10,000-event incident (budget: under 1 s).

Times what `warroom export` does after start-up: load the incident from SQLite and render the
template. Prints the median and spread over several runs.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timeline import fill_timeline

from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

EVENTS = 10_000
RUNS = 7
KINDS = (Kind.NOTE, Kind.OBSERVATION, Kind.ACTION, Kind.MITIGATED)


async def main() -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        db = Path(tmp) / "export.db"
        start_at = datetime(2026, 11, 26, 3, 1, tzinfo=UTC)
        journal = await SqliteJournal.open(db, synchronous="NORMAL")  # set-up only
        room = WarRoom(journal, author="bench", runbook=load_runbook())
        incident_id = await room.declare("Benchmark", Severity.SEV1, detected_at=start_at)
        await fill_timeline(
            journal,
            incident_id,
            EVENTS - 1,
            start=start_at,
            every=timedelta(seconds=3),
            kind_of=lambda n: KINDS[n % len(KINDS)],
            auto_of=lambda n: n % 2 == 0,
        )
        await room.close()

        journal = await SqliteJournal.open(db)
        room = WarRoom(journal, author="bench", runbook=load_runbook())
        timings = []
        size = 0
        for _ in range(RUNS):
            start = time.perf_counter()
            path = await room.export_postmortem(incident_id, directory=Path(tmp))
            timings.append(time.perf_counter() - start)
            size = path.stat().st_size
        events = len((await room.incident(incident_id)).events)
        await room.close()
        print(f"post-mortem export, {events} events, {size / 1024:.0f} KiB, {RUNS} runs")
        print(
            f"  median {statistics.median(timings) * 1000:.0f} ms"
            f"  min {min(timings) * 1000:.0f} ms  max {max(timings) * 1000:.0f} ms"
            f"  (budget 1000 ms: {1 / statistics.median(timings):.1f}x headroom)"
        )


if __name__ == "__main__":
    asyncio.run(main())
