"""Error-log tailing latency: from `put_log_events` returning to the line leaving the feed.

Against an in-process moto server on 127.0.0.1, a writer thread puts one ERROR line at a time at
random gaps, each carrying a unique id and its send time. Budget (DESIGN.md, "Budgets"):

(a) one group: `LogTailer.updates()` side by side with `awslogs get GROUP ALL --watch -f ERROR`
    (the `awslogs` package, polling every second), same server, same lines: our p50 no later;
(b) ten groups, one tailer, the default 4 requests/s budget: p50 under 1.5 s, and the
    FilterLogEvents rate that takes (ten `awslogs` processes would need about 10/s).

awslogs lives in its own venv (benchmarks/.awslogs-venv, made on first run): it may pin its own
boto3/botocore and must not touch the project's. Prints figures only; run with `make bench`.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
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

from warroom.sources.logs import LogTailer

LINES_ONE = 40  # scenario (a)
LINES_TEN = 50  # scenario (b), round-robin over the groups
GAP = (0.3, 1.5)  # seconds between two lines
SEED = 7
SETTLE = 10.0  # seconds to wait after the last line for late arrivals
WARMUP_TIMEOUT = 30.0
BUDGET = 4.0

HERE = Path(__file__).resolve().parent
AWSLOGS_VENV = HERE / ".awslogs-venv"
AWSLOGS = AWSLOGS_VENV / "bin" / "awslogs"
UID = re.compile(r"\bid=(\S+)")


class Seen:
    """First time each id left a feed (time.monotonic()); written from any thread."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._lock = threading.Lock()

    def saw(self, text: str, now: float) -> None:
        match = UID.search(text)
        if match:
            with self._lock:
                self.at.setdefault(match.group(1), now)

    def has(self, *uids: str) -> bool:
        with self._lock:
            return all(u in self.at for u in uids)


class Writer(threading.Thread):
    """Puts `count` ERROR lines, round-robin over `groups`, at random gaps."""

    def __init__(self, url: str, groups: list[str], count: int, tag: str) -> None:
        super().__init__(name=f"writer-{tag}", daemon=True)
        self.client = logs_client(url)
        self.groups = groups
        self.count = count
        self.tag = tag
        self.returned: dict[str, float] = {}  # id -> time.monotonic() after put returned
        self.began = self.last_sent = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        rng = random.Random(SEED)
        self.began = time.monotonic()
        for n in range(self.count):
            if self.stop.wait(rng.uniform(*GAP)):
                return
            uid = f"{self.tag}-{n:03d}"
            message = f"ERROR bench id={uid} sent={time.time():.3f} upstream timeout"
            self.returned[uid] = put_line(self.client, self.groups[n % len(self.groups)], message)
            self.last_sent = self.returned[uid]


# --- awslogs, in its own venv ---------------------------------------------------------------


def awslogs_ready() -> str | None:
    """The awslogs version, installing it on first run; None (and a message) when unavailable."""
    if not AWSLOGS.exists():
        print(f"awslogs: not installed yet; creating {AWSLOGS_VENV} (its own venv)")
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(AWSLOGS_VENV)],
            [str(AWSLOGS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "awslogs"],
        ]
        for step in steps:
            print("  $ " + " ".join(step))
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=240)
            except (OSError, subprocess.TimeoutExpired) as exc:
                print(f"awslogs: install FAILED ({exc}); reporting warroom's figures only")
                return None
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                print(f"awslogs: install FAILED (exit {done.returncode}); reporting warroom's")
                print("  figures only. Last lines:\n    " + "\n    ".join(tail))
                return None
        # A venv inside the repo: ignore itself, as `python -m venv` does from 3.13 on, so
        # git and ruff leave it alone.
        (AWSLOGS_VENV / ".gitignore").write_text("*\n")
    try:
        version = subprocess.run(
            [str(AWSLOGS), "--version"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"awslogs: cannot run {AWSLOGS} ({exc}); reporting warroom's figures only")
        return None
    return (version.stdout + version.stderr).strip() or "awslogs (unknown version)"


def awslogs_command(group: str, url: str) -> tuple[list[str], dict[str, str], str]:
    """The command, its environment, and how it is pointed at the server."""
    helptext = subprocess.run(
        [str(AWSLOGS), "get", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [str(AWSLOGS), "get", group, "ALL", "--watch", "-f", "ERROR"]
    if "--aws-endpoint-url" in helptext:
        how = "--aws-endpoint-url (flag of `awslogs get`)"
        command += ["--aws-endpoint-url", url]
    else:  # botocore >= 1.31 reads the endpoint from the environment
        how = "AWS_ENDPOINT_URL in the environment (no --aws-endpoint-url flag)"
        env["AWS_ENDPOINT_URL"] = url
    command += ["--aws-region", os.environ["AWS_DEFAULT_REGION"]]
    return command, env, how


class Awslogs:
    """`awslogs get --watch` as a subprocess; every stdout line is timestamped on arrival."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.seen = Seen()
        self.stderr: list[str] = []
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, bufsize=0
        )
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):  # unbuffered: as each line arrives
            self.seen.saw(raw.decode(errors="replace"), time.monotonic())

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in iter(self.proc.stderr.readline, b""):
            self.stderr.append(raw.decode(errors="replace").rstrip())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)


# --- one run --------------------------------------------------------------------------------


async def follow(tailer: LogTailer, seen: Seen) -> None:
    async for batch in tailer.updates():
        now = time.monotonic()
        for line in batch.lines:
            seen.saw(line.message, now)


async def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def run(
    url: str, groups: list[str], count: int, tag: str, awslogs: Awslogs | None
) -> tuple[Writer, Seen, list[float], Awslogs | None]:
    """Warm up (one line per group seen by every feed), then `count` measured lines."""
    tailer = tailer_for(url, groups, rate=BUDGET)
    sent = record_requests(tailer)
    ours = Seen()
    task = asyncio.create_task(follow(tailer, ours))
    writer = Writer(url, groups, count, tag)
    try:
        warm = [f"{tag}-warm-{n}" for n in range(len(groups))]
        for uid, group in zip(warm, groups, strict=True):
            put_line(writer.client, group, f"ERROR warm-up id={uid}")
        if not await wait_for(lambda: ours.has(*warm), WARMUP_TIMEOUT):
            print(f"  warroom's tailer did not show the warm-up lines in {WARMUP_TIMEOUT:.0f} s")
        if awslogs and not await wait_for(lambda: awslogs.seen.has(*warm), WARMUP_TIMEOUT):
            print(f"  awslogs did not show the warm-up line in {WARMUP_TIMEOUT:.0f} s; stderr:")
            print("    " + "\n    ".join(awslogs.stderr[-5:] or ["(empty)"]))
            awslogs.stop()
            awslogs = None
        writer.start()
        while writer.is_alive():  # a thread of its own: the default executor is the tailer's
            await asyncio.sleep(0.1)

        def everything_seen() -> bool:
            feeds = [ours] + ([awslogs.seen] if awslogs else [])
            return all(f.has(*writer.returned) for f in feeds)

        await wait_for(everything_seen, SETTLE)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    window = [t for t in sent if writer.began <= t <= writer.last_sent]
    return writer, ours, window, awslogs


def latencies(writer: Writer, seen: Seen) -> tuple[list[float], int]:
    got = [seen.at[u] - t for u, t in writer.returned.items() if u in seen.at]
    return got, len(writer.returned) - len(got)


def describe(name: str, values: list[float], missing: int, total: int) -> str:
    if not values:
        return f"  {name:<26} no line arrived (0/{total})"
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    return (
        f"  {name:<26} p50 {p50:6.3f} s   p95 {p95:6.3f} s   min {min(values):6.3f} s"
        f"   max {max(values):6.3f} s   ({total - missing}/{total} lines)"
    )


def rate(window: list[float], writer: Writer) -> float:
    span = writer.last_sent - writer.began
    return len(window) / span if span > 0 else 0.0


def scenario_one(url: str, version: str | None) -> None:
    group = "/prod/backend"
    print(f"\n(a) one group, {LINES_ONE} ERROR lines at random gaps of {GAP[0]}-{GAP[1]} s")
    make_groups(url, [group])
    awslogs = None
    if version:
        command, env, how = awslogs_command(group, url)
        print(f"  {version}; endpoint via {how}")
        print("  $ " + " ".join(["awslogs", *command[1:]]))
        awslogs = Awslogs(command, env)
    try:
        writer, ours, window, awslogs = asyncio.run(run(url, [group], LINES_ONE, "a", awslogs))
    finally:
        if awslogs:
            awslogs.stop()
    mine, mine_missing = latencies(writer, ours)
    print(describe("warroom LogTailer", mine, mine_missing, len(writer.returned)))
    print(f"  {'':<26} FilterLogEvents {rate(window, writer):.2f}/s while measuring")
    if not awslogs:
        print("  awslogs: no figures (see above)")
        return
    theirs, theirs_missing = latencies(writer, awslogs.seen)
    print(describe("awslogs get --watch", theirs, theirs_missing, len(writer.returned)))
    if mine and theirs:
        p50 = percentile(mine, 0.5) / percentile(theirs, 0.5)
        p95 = percentile(mine, 0.95) / percentile(theirs, 0.95)
        paired = [
            ours.at[u] - awslogs.seen.at[u]
            for u in writer.returned
            if u in ours.at and u in awslogs.seen.at
        ]
        earlier = sum(1 for d in paired if d <= 0)
        print(f"  ratio warroom/awslogs      p50 {p50:.2f}x   p95 {p95:.2f}x")
        print(
            f"  line by line               warroom first (or tied) on {earlier}/{len(paired)}"
            f" lines; median difference {percentile(paired, 0.5):+.3f} s (negative: warroom first)"
        )
        verdict = "met" if p50 <= 1.0 else "NOT met"
        print(f"  goal (our p50 no worse than awslogs'): {verdict}")


def scenario_ten(url: str) -> None:
    groups = [f"/prod/svc{n:02d}" for n in range(10)]
    print(
        f"\n(b) ten groups, one tailer, budget {BUDGET:g} requests/s; {LINES_TEN} ERROR lines"
        f" round-robin\n    over the groups at random gaps of {GAP[0]}-{GAP[1]} s"
    )
    make_groups(url, groups)
    writer, ours, window, _ = asyncio.run(run(url, groups, LINES_TEN, "b", None))
    mine, missing = latencies(writer, ours)
    print(describe("warroom LogTailer", mine, missing, len(writer.returned)))
    print(
        f"  FilterLogEvents            {rate(window, writer):.2f}/s mean while measuring, worst"
        f" 1-s window {worst_window(window)} (budget {BUDGET:g}/s)"
    )
    print(f"  {'':<26} ten `awslogs get --watch` would need ~10/s (one per group per second)")
    if mine:
        p50 = percentile(mine, 0.5)
        verdict = "met" if p50 < 1.5 and rate(window, writer) <= BUDGET else "NOT met"
        print(f"  goal (p50 < 1.5 s within {BUDGET:g} requests/s): {verdict}")


def main() -> None:
    started = time.monotonic()
    use_fake_credentials()
    version = awslogs_ready()
    with moto_server() as url:
        print(f"tail latency: put_log_events returned -> line out of the feed; moto at {url}")
        scenario_one(url, version)
        reset(url)
        scenario_ten(url)
    print(f"\n(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
