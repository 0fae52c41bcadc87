"""Commit latency of one timeline entry through the write path, synchronous=FULL vs NORMAL.

Each sample is one `WarRoom.log` call: validation, BEGIN IMMEDIATE, INSERT, COMMIT (and, with
FULL, the WAL fsync). Prints p50/p99 per mode; run with `make bench` or directly.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

SAMPLES = 1000
WARMUP = 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(mode: str, directory: Path) -> list[float]:
    journal = await SqliteJournal.open(directory / f"{mode}.db", synchronous=mode)
    async with WarRoom(journal, author="bench", runbook=load_runbook()) as room:
        incident_id = await room.declare("Benchmark", Severity.SEV2)
        samples = []
        for n in range(WARMUP + SAMPLES):
            start = time.perf_counter()
            await room.log(Kind.NOTE, f"entry {n}", incident_id=incident_id)
            samples.append(time.perf_counter() - start)
        return samples[WARMUP:]


async def main() -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        print(f"commit latency of one timeline entry, {SAMPLES} samples per mode (ms)")
        print(f"  {'mode':<8} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
        results = {}
        for mode in ("FULL", "NORMAL"):
            ms = [s * 1000 for s in await measure(mode, Path(tmp))]
            results[mode] = ms
            print(
                f"  {mode:<8} {statistics.median(ms):7.2f} {percentile(ms, 0.90):7.2f}"
                f" {percentile(ms, 0.99):7.2f} {max(ms):7.2f}"
            )
        ratio = statistics.median(results["FULL"]) / statistics.median(results["NORMAL"])
        print(f"  FULL / NORMAL median ratio: {ratio:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
