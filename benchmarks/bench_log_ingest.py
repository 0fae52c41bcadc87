"""Log pane ingest: lines/s through `LogPane.add_batch`, and memory after 1,000,000 lines.

Budget (DESIGN.md, "Budgets"): log panes ingest >= 50,000 lines/s (batched writes, one
`Log.write_lines` per batch); memory stays flat: bounded buffers, < 250 MB RSS after 1,000,000
lines.

The console runs headless (`run_test`, 160x48, feeds off, two log groups) on a journal with one
open incident. 1,000,000 realistic lines of about 120 characters go in as LogBatches of 1,000
lines, alternating between the two panes, exactly as the log feed hands them over. After every
batch the loop gets a turn (`asyncio.sleep(0)`), so the console draws while it ingests, as it
would live; every 50 batches `pilot.pause()` lets it catch up completely. LogLines are made
fresh (as the tailer makes them), ten batches at a time before those are fed; the time that
takes is measured and left out of the "ingest" rate. RSS is read from /proc/self/status (VmRSS;
VmHWM for the peak). Prints figures only; run with `make bench` or directly.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _loglines import LineSource, messages, shown_on_screen

from warroom.config import Config, JournalConfig, LogGroupConfig, LogsConfig, UserConfig
from warroom.service import open_war_room
from warroom.severity import Severity
from warroom.ui.app import WarRoomApp
from warroom.ui.logpane import MAX_LINES, LogPane


def timed(call, total: list[float]):  # type: ignore[no-untyped-def]
    def run() -> None:
        start = time.perf_counter()
        call()
        total[0] += time.perf_counter() - start

    return run


TOTAL = 1_000_000
BATCH = 1_000
PAUSE_EVERY = 50  # batches
BUILD_AHEAD = 10  # batches made (untimed) before they are fed; PAUSE_EVERY is a multiple
GROUPS = ("/prod/backend", "/prod/worker")
GOAL_RATE = 50_000
GOAL_RSS_MB = 250


def status_mb(field: str) -> float:
    """VmRSS, VmHWM, ... of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


class RowCounter:
    """Counts the rows a LogView renders (proof that the console drew while ingesting)."""

    def __init__(self, view) -> None:  # type: ignore[no-untyped-def]
        self.rows = 0
        render_line = view.render_line

        def counted(y: int):  # type: ignore[no-untyped-def]
            self.rows += 1
            return render_line(y)

        view.render_line = counted


async def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="warroom-ingest-") as tmp:
        directory = Path(tmp)
        db = directory / "warroom.db"
        config = Config(
            user=UserConfig(name="bench"),
            journal=JournalConfig(postmortem_dir=str(directory / "postmortems")),
            logs=LogsConfig(groups=tuple(LogGroupConfig(g) for g in GROUPS)),
        )
        async with await open_war_room(config, db) as room:
            await room.declare("Checkout API returns 500s", Severity.SEV2)

        pool = messages(20_000)
        sources = [LineSource(g, pool, tag) for g, tag in zip(GROUPS, "ab", strict=True)]
        app = WarRoomApp(config, db, start_feeds=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            panes = {pane.group: pane for pane in app.query(LogPane)}
            flushing = [0.0]  # the panes write to the screen on their own timer: time it too
            for pane in panes.values():
                pane.flush = timed(pane.flush, flushing)  # type: ignore[method-assign]
            counters = {group: RowCounter(pane.view) for group, pane in panes.items()}
            gc.collect()
            rss_before = status_mb("VmRSS")
            rss_peak = rss_before
            making = in_panes = 0.0
            cpu_start = time.process_time()
            wall_start = time.perf_counter()
            for first in range(0, TOTAL // BATCH, BUILD_AHEAD):
                # The next few batches are made before they are fed: the rate is the panes'.
                t0 = time.perf_counter()
                batches = [sources[n % len(sources)].batch(BATCH) for n in range(BUILD_AHEAD)]
                making += time.perf_counter() - t0
                for n, batch in enumerate(batches, start=first):
                    t1 = time.perf_counter()
                    panes[batch.group].add_batch(batch)
                    in_panes += time.perf_counter() - t1
                    await asyncio.sleep(0)
                    if (n + 1) % PAUSE_EVERY == 0:
                        await pilot.pause()
                        rss_peak = max(rss_peak, status_mb("VmRSS"))
                del batches, batch
            for pane in panes.values():  # what the last timer has not written yet
                pane.flush()
            await pilot.pause()
            wall = time.perf_counter() - wall_start
            cpu = time.process_time() - cpu_start
            rss_after = status_mb("VmRSS")
            gc.collect()
            rss_after_gc = status_mb("VmRSS")
            hwm = status_mb("VmHWM")
            bounds = [
                (
                    group,
                    len(pane.lines),
                    len(pane.shown),
                    pane.view.line_count,
                    pane.received,
                    counters[group].rows,
                )
                for group, pane in panes.items()
            ]
            workers = len(app.workers)
            shown = shown_on_screen(app.export_screenshot())
            behind = {s.group: s.sent - 1 - shown.get(s.tag, -1) for s in sources}
            length = sum(len(m) for m, _ in pool) / len(pool)
            shown_length = sum(len(line) for p in panes.values() for line in p.view.lines) / sum(
                len(p.view.lines) for p in panes.values()
            )

    ingest_wall = wall - making
    print(
        f"log pane ingest, headless 160x48, {TOTAL:,} lines, {BATCH:,} per batch; messages of"
        f" {length:.0f} chars on average, {shown_length:.0f} as the pane writes them (own time"
        " stamp)"
    )
    print(f"  wall time for all lines:            {wall:6.2f} s  ({TOTAL / wall:9,.0f} lines/s)")
    print(f"  of which making the test lines:     {making:6.2f} s")
    print(
        f"  ingest rate (wall minus making):    {TOTAL / ingest_wall:9,.0f} lines/s"
        f"   goal >= {GOAL_RATE:,}"
    )
    print(
        f"  in LogPane.add_batch + flush:       {in_panes + flushing[0]:6.2f} s  "
        f"({TOTAL / (in_panes + flushing[0]):9,.0f} lines/s; the rest is drawing and the loop)"
    )
    print(f"  process CPU / wall:                 {cpu / wall:6.2f}")
    print(
        f"  RSS before {rss_before:.0f} MB, after {rss_after:.0f} MB ({rss_after_gc:.0f} MB after"
        f" gc), peak sampled {rss_peak:.0f} MB, VmHWM {hwm:.0f} MB   goal < {GOAL_RSS_MB} MB"
    )
    print(f"  buffers (MAX_LINES = {MAX_LINES:,}); workers still listed by the app: {workers}")
    print(
        f"    {'group':<15} {'lines':>7} {'shown':>7} {'Log rows':>9} {'received':>10}"
        f" {'rows drawn':>11} {'screen behind':>14}"
    )
    for group, lines, matching, log_rows, received, drawn in bounds:
        print(
            f"    {group:<15} {lines:7,} {matching:7,} {log_rows:9,} {received:10,} {drawn:11,}"
            f" {behind[group]:14,}"
        )
    print(
        "  (lines/shown: LogPane buffers; Log rows: LogView.line_count; rows drawn: rows the"
        " LogView rendered;\n   screen behind: how far the newest line on screen is behind the"
        " newest line received,\n   after the final pause; 0 when the pane shows its newest line)"
    )
    print(f"  (benchmark wall time {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    asyncio.run(main())
