"""Error signatures (budget: >= 50,000 lines/s through grouping, the log pane's ingest goal;
memory bounded: < 250 MB RSS after 1,000,000 lines).

Prints:
- lines per second through SignatureTable.add (mask + count) on the demo's bad-deploy flood,
  on lines shaped like nginx, Apache, PostgreSQL, JVM, HAProxy and syslog, and on the console
  benchmarks' lines; wall-clock and CPU time (the CPU figure holds on a shared, busy box);
- 1,000,000 lines of random unique text: signatures stay at the bound, and the process's RSS;
- signatures versus lines on the demo's bad-deploy flood;
- with drain3 importable (`pip install drain3` in a scratch venv: it is not a dependency),
  the same grouping quality and speed for drain3's TemplateMiner, the choice's measurement.
"""

from __future__ import annotations

import random
import resource
import string
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loglines import messages

from tests.helpers.log_samples import T0, bad_deploy_flood, samples
from warroom.signatures import LIMIT, SignatureTable, mask

GOAL_LINES_PER_S = 50_000
GOAL_RSS_MB = 250
MILLION = 1_000_000


def rss_mb() -> float:
    """The process's resident set now (Linux), else its peak."""
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def through_table(lines: list[str], rounds: int = 3) -> tuple[float, float]:
    """Lines per second (wall, CPU) through a fresh table, best of `rounds`."""
    wall = cpu = 0.0
    for _ in range(rounds):
        table = SignatureTable()
        add = table.add
        w0, c0 = time.perf_counter(), time.process_time()
        for line in lines:
            add(line, T0, "/prod/backend")
        w, c = time.perf_counter() - w0, time.process_time() - c0
        wall, cpu = max(wall, len(lines) / w), max(cpu, len(lines) / c)
    return wall, cpu


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def quality(rows: list[tuple[str, str]], key: Callable[[str], object]) -> tuple[int, int, int]:
    """(signatures, signatures holding several templates, templates spread over several)."""
    by_key: dict[object, set[str]] = defaultdict(set)
    by_template: dict[str, set[object]] = defaultdict(set)
    for template, line in rows:
        k = key(line)
        by_key[k].add(template)
        by_template[template].add(k)
    merged = sum(1 for names in by_key.values() if len(names) > 1)
    split = sum(1 for keys in by_template.values() if len(keys) > 1)
    return len(by_key), merged, split


def labelled_flood(count: int) -> list[tuple[str, str]]:
    """The demo flood, each line labelled with its endpoint (or the unhandled exception)."""
    rows = []
    for _, line in bad_deploy_flood(count):
        if "unhandled exception" in line:
            label = "unhandled"
        else:
            method, path = line.split("] ", 1)[1].split(" ")[:2]
            label = f"{method} {path.rstrip('0123456789')}"
        rows.append((label, line))
    return rows


def main() -> None:
    flood = [line for _, line in bad_deploy_flood(20_000)]
    shaped = [line for _, line in samples(1_500)]
    console = [message for message, _ in messages(20_000)]
    print(f"grouping throughput (goal >= {GOAL_LINES_PER_S:,} lines/s)")
    for name, lines in (
        ("demo bad-deploy flood", flood),
        ("nginx/apache/postgres/jvm/haproxy/syslog", shaped),
        ("console benchmark lines", console),
    ):
        wall, cpu = through_table(lines)
        print(
            f"  {name:<42} {wall:>9,.0f} lines/s wall  {cpu:>9,.0f} lines/s CPU  "
            f"{verdict(cpu >= GOAL_LINES_PER_S)}"
        )

    demo = SignatureTable()
    for at, line in bad_deploy_flood(4_800):  # ten minutes of the flood at 8 lines/s
        demo.add(line, at, "/prod/backend")
    print(f"\ndemo bad-deploy flood: {demo.lines:,} lines -> {len(demo)} signatures")
    for sig in demo.rows():
        print(f"  {sig.count:>6}  {sig.key[:110]}")

    rng = random.Random(17)
    letters = string.ascii_lowercase
    table = SignatureTable()
    before = rss_mb()
    elapsed = 0.0
    for _ in range(MILLION // 100_000):
        chunk = [
            "ERROR " + " ".join("".join(rng.choices(letters, k=6)) for _ in range(4))
            for _ in range(100_000)
        ]
        start = time.process_time()
        for line in chunk:
            table.add(line, T0)
        elapsed += time.process_time() - start
    after = rss_mb()
    print(
        f"\n{MILLION:,} unique lines: {len(table):,} signatures kept (bound {LIMIT:,}), "
        f"{table.dropped:,} dropped, {MILLION / elapsed:,.0f} lines/s CPU"
    )
    print(
        f"  RSS {after:.0f} MB (before {before:.0f} MB; goal < {GOAL_RSS_MB} MB)  "
        f"{verdict(len(table) == LIMIT and after < GOAL_RSS_MB)}"
    )

    compare_drain3(samples(200), labelled_flood(2_000))


def compare_drain3(shaped: list[tuple[str, str]], flood: list[tuple[str, str]]) -> None:
    print("\ngrouping quality: signatures, of them holding several templates, templates split")
    for name, rows in (("shaped samples (15 templates)", shaped), ("demo flood (5)", flood)):
        print(f"  masking  {name:<30} {quality(rows, mask)}")
    try:
        from drain3 import TemplateMiner  # type: ignore[import-not-found]
        from drain3.template_miner_config import (  # type: ignore[import-not-found]
            TemplateMinerConfig,
        )
    except ImportError:
        print("  drain3 not installed: `pip install drain3` in a scratch venv to compare")
        return

    def miner() -> TemplateMiner:
        config = TemplateMinerConfig()
        config.profiling_enabled = False
        return TemplateMiner(config=config)

    for name, rows in (("shaped samples (15 templates)", shaped), ("demo flood (5)", flood)):
        drain = miner()
        ids = {line: drain.add_log_message(line)["cluster_id"] for _, line in rows}
        print(f"  drain3   {name:<30} {quality(rows, ids.__getitem__)}")
    lines = [line for _, line in shaped] * 5
    drain = miner()
    start = time.process_time()
    for line in lines:
        drain.add_log_message(line)
    drain_rate = len(lines) / (time.process_time() - start)
    start = time.process_time()
    for line in lines:
        mask(line)
    mask_rate = len(lines) / (time.process_time() - start)
    print(
        f"  CPU lines/s on the shaped samples: masking {mask_rate:,.0f}, drain3 {drain_rate:,.0f}"
    )


if __name__ == "__main__":
    main()
