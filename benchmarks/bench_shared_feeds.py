"""Several consoles on one journal and one demo world: FilterLogEvents rate, tail latency,
resources, and the takeover after `kill -9` of the leader.

Budget (DESIGN.md, "Budgets"): any number of consoles on one journal together stay within the
one FilterLogEvents budget (4/s); sharing adds at most 0.3 s to the tail latency's p50 with 8
consoles against 1; a leader's death is taken over within two poll intervals (the log tail polls
at least every second: 2 s), with no line lost or doubled.

The world is the demo's (`warroom demo`, bad-deploy fired at once, so /prod/backend floods with
ERROR lines), on its in-process moto server. The consoles reach moto through a counting proxy
(benchmarks/_counting_proxy.py): the rate is what the server received. Each console is a real
process running the console's feed layer exactly as `warroom` runs it, without Textual
(benchmarks/_feed_console.py: warroom.sharing.console_feeds on the case's journal), so CPU and
RSS are those of the feeds; the screen's own cost is the same either way. "before" is
`[console] share_feeds = false` (every console polls with its own budget, as before sharing);
"after" is the default. A writer puts a marked ERROR line into /prod/backend every 0.3-1.5 s
(every 0.2 s around the kills); the latency is from put_log_events returning to a console
receiving the line. Run with `make bench` or directly.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _counting_proxy import CountingProxy
from _moto import logs_client, percentile, use_fake_credentials, worst_window

from warroom.demo import DemoWorld

HERE = Path(__file__).resolve().parent
CONSOLE = HERE / "_feed_console.py"
CASES = (1, 4, 8)
WARMUP = 5.0  # seconds after every console has started, before measuring
MEASURE = 15.0
SETTLE = 4.0  # seconds after the last line before the consoles are checked
KILLS = 3  # leaders killed one after another in each shared case with followers
BUDGET = 4.0
GAP = (0.3, 1.5)
FAST_GAP = 0.2  # seconds between marked lines around the kills
TICK = os.sysconf("SC_CLK_TCK")
ENDPOINT = re.compile(r'^endpoint_url = ".*"$', re.M)
GROUP = "/prod/backend"


class Marker(threading.Thread):
    """Puts marked ERROR lines into /prod/backend until stopped; notes when each put returned."""

    def __init__(self, url: str, tag: str) -> None:
        super().__init__(name=f"marker-{tag}", daemon=True)
        self.client = logs_client(url)
        self.tag = tag
        self.put: dict[str, float] = {}  # id -> time.time() once put_log_events returned
        self.fast = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        rng = random.Random(7)
        n = 0
        while not self.stop.wait(FAST_GAP if self.fast.is_set() else rng.uniform(*GAP)):
            uid = f"{self.tag}-{n:04d}"
            self.client.put_log_events(
                logGroupName=GROUP,
                logStreamName="bench",
                logEvents=[
                    {"timestamp": int(time.time() * 1000), "message": f"ERROR bench id={uid}"}
                ],
            )
            self.put[uid] = time.time()
            n += 1


class Console:
    """One headless console process; what it printed, read as it comes."""

    def __init__(self, config: Path, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CONSOLE), str(config), str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.roles: list[tuple[float, str]] = []
        self.got: dict[str, list[float]] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            said = json.loads(raw)
            if "role" in said:
                self.roles.append((said["t"], said["role"]))
            for uid in said.get("ids", ()):
                self.got.setdefault(uid, []).append(said["t"])

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    @property
    def role(self) -> str:
        return self.roles[-1][1] if self.roles else ""

    def cpu(self) -> float:
        """Seconds of CPU (user + system) so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss(self) -> float:
        """Resident memory, MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.alive:
            self.proc.send_signal(signal.SIGINT)  # as `q`: the lease is released
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)


@dataclass
class Figures:
    consoles: int
    mode: str
    rate: float
    worst: int
    p50: float | None
    p90: float | None
    cpu: float  # percent of one core, all consoles together
    rss: float  # MB, all consoles together
    lost: int
    doubled: int


@dataclass
class Takeover:
    consoles: int
    lease: float  # seconds from the kill to another console leading
    first_line: float  # ... to a line put after the kill on every follower's screen
    worst_latency: float  # the slowest line put around the kill


def wait_for(check, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench_shared_feeds: gave up waiting for {what}")
        time.sleep(0.05)


def console_config(world: DemoWorld, proxy_url: str, share: bool, name: str) -> Path:
    assert world.config_path is not None
    text = ENDPOINT.sub(f'endpoint_url = "{proxy_url}"', world.config_path.read_text())
    text += f"\n[console]\nshare_feeds = {'true' if share else 'false'}\n"
    path = world.workdir / f"{name}.toml"  # beside the credentials file it names
    path.write_text(text)
    return path


def check_lines(consoles: list[Console], marker: Marker, until: float) -> tuple[int, int]:
    """Lines missing from, and lines shown twice on, the screens of the consoles still running,
    among those put before `until` (earlier ones included: each console's initial window)."""
    lost = doubled = 0
    expected = [uid for uid, at in dict(marker.put).items() if at <= until]
    for console in consoles:
        if not console.alive:
            continue
        counts = Counter({uid: len(times) for uid, times in console.got.items()})
        lost += sum(1 for uid in expected if counts[uid] == 0)
        doubled += sum(1 for uid in expected if counts[uid] > 1)
    return lost, doubled


def latencies(consoles: list[Console], marker: Marker, start: float, end: float) -> list[float]:
    found = []
    for uid, at in dict(marker.put).items():
        if start <= at <= end:
            for console in consoles:
                if console.alive and uid in console.got:
                    found.append(console.got[uid][0] - at)
    return found


def led_since(followers: list[Console], since: float) -> float | None:
    """When one of them began leading after `since`."""
    times = [t for c in followers for t, role in c.roles if role == "leading" and t > since]
    return min(times) if times else None


def first_line_since(console: Console, marker: Marker, since: float) -> float | None:
    """When the console received its first line put after `since`."""
    times = [got[0] for uid, got in console.got.items() if marker.put.get(uid, 0) > since]
    return min(times) if times else None


def kill_leader(leader: Console, followers: list[Console], marker: Marker) -> Takeover:
    killed_at = time.time()
    leader.proc.kill()
    leader.proc.wait()
    wait_for(lambda: led_since(followers, killed_at) is not None, "a follower taking over")
    wait_for(
        lambda: all(first_line_since(c, marker, killed_at) is not None for c in followers),
        "a line after the kill on every follower",
    )
    time.sleep(3.0)
    around = latencies(followers, marker, killed_at - 1.0, killed_at + 2.0)
    shown = [first_line_since(c, marker, killed_at) or killed_at for c in followers]
    return Takeover(
        len(followers) + 1,
        (led_since(followers, killed_at) or killed_at) - killed_at,
        max(shown) - killed_at,
        max(around) if around else 0.0,
    )


def takeovers(consoles: list[Console], marker: Marker) -> list[Takeover]:
    """Kill the leader, KILLS times over, while lines come every FAST_GAP."""
    found = []
    marker.fast.set()
    time.sleep(2.0)
    for _ in range(KILLS):
        alive = [c for c in consoles if c.alive]
        leaders = [c for c in alive if c.role == "leading"]
        if len(alive) < 2 or len(leaders) != 1:
            break
        found.append(kill_leader(leaders[0], [c for c in alive if c is not leaders[0]], marker))
    marker.fast.clear()
    return found


def run_case(
    world: DemoWorld, proxy: CountingProxy, proxy_url: str, count: int, share: bool
) -> tuple[Figures, list[Takeover]]:
    mode = "after" if share else "before"
    name = f"{mode}-{count}"
    config = console_config(world, proxy_url, share, name)
    db = world.workdir / f"{name}.db"
    marker = Marker(world.endpoint_url, name)
    marker.start()
    consoles: list[Console] = []
    try:
        for _ in range(count):
            consoles.append(Console(config, db))
            time.sleep(0.2)
        wait_for(lambda: all(c.roles for c in consoles), "every console started")
        time.sleep(WARMUP)
        begun, begun_wall = time.monotonic(), time.time()
        cpu_before = [c.cpu() for c in consoles]
        time.sleep(MEASURE)
        ended, ended_wall = time.monotonic(), time.time()
        cpu = sum(c.cpu() - b for c, b in zip(consoles, cpu_before, strict=True))
        rss = sum(c.rss() for c in consoles)
        window = [t for t in proxy.arrivals if begun <= t < ended]
        late = latencies(consoles, marker, begun_wall, ended_wall - 2.0)
        taken = takeovers(consoles, marker) if share and count > 1 else []
        time.sleep(SETTLE)
        lost, doubled = check_lines(consoles, marker, time.time() - SETTLE)
    finally:
        marker.stop.set()
        for console in consoles:
            console.stop()
        marker.join(timeout=10)
    seconds = ended - begun
    figures = Figures(
        count,
        mode,
        len(window) / seconds,
        worst_window(window),
        percentile(late, 0.5) if late else None,
        percentile(late, 0.9) if late else None,
        100 * cpu / seconds,
        rss,
        lost,
        doubled,
    )
    return figures, taken


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    started = time.monotonic()
    use_fake_credentials()
    workdir = Path(tempfile.mkdtemp(prefix="warroom-bench-shared-"))
    with DemoWorld("bad-deploy", 0.0, workdir, rng_seed=3) as world:
        logs_client(world.endpoint_url).create_log_stream(logGroupName=GROUP, logStreamName="bench")
        proxy = CountingProxy(world.endpoint_url)
        proxy_url = proxy.start()
        print(
            f"Consoles on one journal and the demo world (bad-deploy, moto behind a counting proxy"
            f" at {proxy_url});\nwarm-up {WARMUP:g} s, {MEASURE:g} s measured per case, budget"
            f" {BUDGET:g} FilterLogEvents/s, {os.cpu_count()} CPUs"
        )
        results: list[Figures] = []
        kills: list[Takeover] = []
        try:
            for count in CASES:
                for share in (False, True):
                    figures, taken = run_case(world, proxy, proxy_url, count, share)
                    results.append(figures)
                    kills += taken
                    print(f"  {count} console(s), {figures.mode}: done", flush=True)
        finally:
            proxy.stop()
    print(
        f"\n{'consoles':>8} {'sharing':>8} {'FLE/s':>6} {'worst 1-s':>9} {'p50 s':>6}"
        f" {'p90 s':>6} {'CPU %':>6} {'RSS MB':>7} {'lost':>5} {'doubled':>7}"
    )
    for f in results:
        print(
            f"{f.consoles:>8} {f.mode:>8} {f.rate:>6.2f} {f.worst:>9} {seconds(f.p50):>6}"
            f" {seconds(f.p90):>6} {f.cpu:>6.1f} {f.rss:>7.0f} {f.lost:>5} {f.doubled:>7}"
        )
    after = {f.consoles: f for f in results if f.mode == "after"}
    if after.get(1) and after.get(8) and after[1].p50 is not None and after[8].p50 is not None:
        print(
            f"\ntail p50 with 8 consoles vs 1 (sharing): {after[8].p50 - after[1].p50:+.2f} s"
            " (goal: at most +0.30 s)"
        )
    if kills:
        print(
            f"\ntakeover after kill -9 of the leader (goal under 2 s): {'consoles':>8}"
            f" {'lease s':>8} {'new line s':>10} {'worst line s':>12}"
        )
        for k in kills:
            print(
                f"{'':>54}{k.consoles:>8} {k.lease:>8.2f} {k.first_line:>10.2f}"
                f" {k.worst_latency:>12.2f}"
            )
        print(
            f"  median new line on every follower's screen: "
            f"{statistics.median(k.first_line for k in kills):.2f} s"
        )
    print(
        "FLE/s: FilterLogEvents received by the server per second, all consoles together; worst"
        " 1-s: the most in any\none second; p50/p90: from put_log_events returning to a console"
        " receiving the line, every console;\nCPU %: of one core, all consoles together; RSS: all"
        " consoles together; lost/doubled: marked lines missing\nfrom or shown twice on a running"
        " console (every line put, each console's initial window included).\nTakeover: lease"
        " = kill to another console leading; new line = kill to a line put after it on every"
        "\nfollower; worst line = slowest line put from 1 s before to 2 s after the kill."
    )
    print(f"(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
