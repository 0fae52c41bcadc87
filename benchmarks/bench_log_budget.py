"""FilterLogEvents requests per second of one `LogTailer` following 2, 5 and 10 log groups.

Budget (DESIGN.md, "Budgets"): all groups together stay under the configured rate (default 4/s;
the account quota is 5/s). Against an in-process moto server on 127.0.0.1, every group receives
an ERROR line every 1-3 s while the tailer runs for a fixed time from its start (the initial
window included). Each request is timed as botocore sends it. Prints the mean rate and the worst
1-second window per case; run with `make bench` or directly.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _moto import (
    logs_client,
    make_groups,
    moto_server,
    percentile,
    put_line,
    record_requests,
    reset,
    tailer_for,
    use_fake_credentials,
    worst_window,
)

CASES = (2, 5, 10)
RUN_SECONDS = 10.0
GAP = (1.0, 3.0)  # seconds between two ERROR lines of one group
BUDGET = 4.0
SEED = 11


def write(url: str, groups: list[str], stop: threading.Event, written: list[float]) -> None:
    """Every group gets an ERROR line every 1-3 s until `stop`."""
    client = logs_client(url)
    rng = random.Random(SEED)
    due = {g: time.monotonic() + rng.uniform(0, GAP[1]) for g in groups}
    n = 0
    while not stop.is_set():
        group = min(due, key=due.__getitem__)
        if stop.wait(max(0.0, due[group] - time.monotonic())):
            return
        put_line(client, group, f"ERROR budget line {n} upstream timeout")
        written.append(time.monotonic())
        due[group] = time.monotonic() + rng.uniform(*GAP)
        n += 1


async def measure(url: str, groups: list[str]) -> tuple[list[float], int, int, float]:
    """Request send times, lines written, lines delivered, and the run's length."""
    tailer = tailer_for(url, groups, rate=BUDGET)
    sent = record_requests(tailer)
    delivered = 0
    written: list[float] = []
    stop = threading.Event()
    writer = threading.Thread(target=write, args=(url, groups, stop, written), daemon=True)

    async def follow() -> None:
        nonlocal delivered
        async for batch in tailer.updates():
            delivered += len(batch.lines)

    started = time.monotonic()
    writer.start()
    task = asyncio.create_task(follow())
    try:
        await asyncio.sleep(RUN_SECONDS)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        stop.set()
        writer.join(timeout=10)
    ended = time.monotonic()
    if tailer.budget.requests != len(sent):
        print(f"  (budget counted {tailer.budget.requests} requests, botocore sent {len(sent)})")
    return sorted(t for t in sent if t <= ended), len(written), delivered, ended - started


def main() -> None:
    started = time.monotonic()
    use_fake_credentials()
    with moto_server() as url:
        print(
            f"FilterLogEvents rate of one LogTailer, budget {BUDGET:g}/s, {RUN_SECONDS:g} s per"
            f" case; each group gets an ERROR line every {GAP[0]:g}-{GAP[1]:g} s (moto at {url})"
        )
        print(
            f"{'groups':>6} {'requests':>9} {'mean/s':>7} {'worst 1-s':>10} {'budget/s':>9}"
            f" {'p50 gap':>8} {'min gap':>8} {'lines in/out':>13}"
        )
        for count in CASES:
            reset(url)
            groups = [f"/prod/svc{n:02d}" for n in range(count)]
            make_groups(url, groups)
            sent, written, delivered, seconds = asyncio.run(measure(url, groups))
            gaps = [b - a for a, b in itertools.pairwise(sent)] or [0.0]
            print(
                f"{count:>6} {len(sent):>9} {len(sent) / seconds:>7.2f} {worst_window(sent):>10}"
                f" {BUDGET:>9g} {percentile(gaps, 0.5):>8.3f} {min(gaps):>8.3f}"
                f" {f'{written}/{delivered}':>13}"
            )
    print(
        "worst 1-s: the most requests in any one-second window; p50/min gap: seconds between two"
        " requests\n(as botocore sends them); lines out can trail lines in by the last poll."
    )
    print(f"(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
