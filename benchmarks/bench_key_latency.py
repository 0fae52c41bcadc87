"""Timeline key latency: a key press to its entry committed to SQLite and drawn, with and without
the log panes ingesting 5,000 lines/s.

Budget (DESIGN.md, "Budgets"): a timeline key press is committed to SQLite and on screen in
< 100 ms p99, even while the log panes ingest 5,000 lines/s.

The console runs headless (`run_test`, 160x48, feeds off) on a journal with one open incident.
The key is `m` (mitigation applied: an incident takes several, where `acknowledged` is
logged once): it logs at once (synchronous=FULL) and then opens a prompt for a short text, which
`escape` closes before the next press. The console's clock moves on past the window in which the
same milestone twice counts as one (warroom.corrections) before each press. The key event is
posted the way `Pilot.press` posts it, but without Pilot's wait-for-idle (which waits up to a
second per key while the panes are busy), and the clock starts just before it is posted. Per press:

- committed: the entry is visible in the journal to another SQLite connection;
- listed: the timeline's option count has grown (the app reloaded the incident);
- drawn: the compositor has rendered the timeline row that holds the new entry (the end of
  that compositor pass; headless, so nothing is written to a terminal).

Ingest: an asyncio task hands the app `LogBatch`es every 50 ms through the same handler the log
feed uses (a `LogsArrived` message), 5,000 lines/s split over two groups, catching up when the loop
was late. Scenarios: no ingest, ingest, and ingest on an incident that already has a long
timeline; each takes up to 200 presses (100 for the long timeline) within a time limit, so a
slow console makes for fewer presses, not an endless run. Also printed: how late a 20 ms sleep
wakes (event loop lag), i.e. how long the console keeps the loop busy at a stretch. Last, the
longest event-loop stall while `x` exports the post-mortem of a 2,000-entry incident (rendering
and fsync run in threads, so a key pressed meanwhile is not held up). Prints percentiles (ms);
run with `make bench` or directly.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _loglines import LineSource, messages, shown_on_screen
from textual import events

from warroom.config import Config, JournalConfig, LogGroupConfig, LogsConfig, UserConfig
from warroom.corrections import SAME_MILESTONE_WINDOW
from warroom.journal import open_journal
from warroom.model import Kind
from warroom.service import WarRoom, open_war_room, runbook_for
from warroom.severity import Severity
from warroom.timeutil import utcnow
from warroom.ui.app import WarRoomApp
from warroom.ui.feeds import LogsArrived
from warroom.ui.panels import TimelinePane
from warroom.ui.promptbar import PromptBar

SAMPLES = 200
WARMUP = 3
# Seconds of presses per scenario at most: on a slow or busy box fewer than SAMPLES presses are
# taken (the count is printed) so that the whole run stays around two minutes.
TIME_LIMIT = {"no ingest": 25.0, "ingest": 45.0, "long": 15.0}
LONG_TIMELINE = 1_000  # entries already on the incident in the third scenario
LONG_SAMPLES = 100
RATE = 5_000  # lines/s over both panes
TICK = 0.050
GAP = (0.150, 0.250)  # seconds between one press's prompt closing and the next press
POLL = 0.002
TIMEOUT = 5.0
GROUPS = ("/prod/backend", "/prod/worker")
EXPORT_TIMELINE = 2_000  # entries on the incident exported in the stall check
EXPORTS = 5
SEED = 11


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def config_for(directory: Path) -> Config:
    return Config(
        user=UserConfig(name="bench"),
        journal=JournalConfig(postmortem_dir=str(directory / "postmortems")),
        logs=LogsConfig(groups=tuple(LogGroupConfig(g) for g in GROUPS)),
    )


@dataclass
class Feeder:
    """5,000 lines/s into the panes, in 50 ms batches; counts what it handed over."""

    app: WarRoomApp
    sources: list[LineSource]
    lines: int = 0
    started: float = 0.0
    stopped: float = 0.0
    ticks: int = 0
    late_ticks: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        self.started = time.perf_counter()
        tick = 0
        while not self.stop.is_set():
            tick += 1
            wait = self.started + tick * TICK - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                self.late_ticks += 1
                await asyncio.sleep(0)
            due = int((time.perf_counter() - self.started) * RATE) - self.lines
            share, extra = divmod(due, len(self.sources))
            for n, source in enumerate(self.sources):
                count = share + (n < extra)
                if count:
                    # What the log feed's worker posts for every batch.
                    self.app.post_message(LogsArrived(source.batch(count)))
            self.lines += due
            self.ticks += 1
        self.stopped = time.perf_counter()

    @property
    def rate(self) -> float:
        return self.lines / max(1e-9, self.stopped - self.started)


class Watch:
    """Timestamps (time.perf_counter) for one press, taken where they happen rather than by
    polling: the loop is busy for tens of ms at a time and a poller would see them late.

    - committed: the console's `room.log` call returned (commit done, synchronous=FULL);
    - listed: `TimelinePane.show` returned with the new option in the list;
    - drawn: the compositor pass that rendered the timeline row of the new option ended.

    The wrappers only note the time and call through; nothing in the console is changed.
    """

    def __init__(self, app: WarRoomApp) -> None:
        assert app.room is not None
        self.pane = app.query_one(TimelinePane)
        self.index: int | None = None
        self.committed = self.listed = self.drawn = 0.0
        self._scheduled = False
        room_log, show, render_line = app.room.log, self.pane.show, self.pane.render_line

        async def log(*args, **kwargs):  # type: ignore[no-untyped-def]
            event = await room_log(*args, **kwargs)
            if self.index is not None and not self.committed:
                self.committed = time.perf_counter()
            return event

        def show_incident(incident):  # type: ignore[no-untyped-def]
            show(incident)
            if self.index is not None and not self.listed and self.pane.option_count > self.index:
                self.listed = time.perf_counter()

        def render(y: int):  # type: ignore[no-untyped-def]
            if self.index is not None and not self._scheduled:
                lines = getattr(self.pane, "_lines", ())  # (option index, line in option) per row
                row = self.pane.scroll_offset.y + y
                if row < len(lines) and lines[row][0] == self.index:
                    self._scheduled = True
                    # Runs once the whole (synchronous) compositor pass has finished.
                    asyncio.get_running_loop().call_soon(self._drawn)
            return render_line(y)

        app.room.log = log  # type: ignore[method-assign]
        self.pane.show = show_incident  # type: ignore[method-assign]
        self.pane.render_line = render  # type: ignore[method-assign]

    def expect(self, index: int) -> None:
        """The next entry will be option `index` of the timeline."""
        self.index, self._scheduled = index, False
        self.committed = self.listed = self.drawn = 0.0

    def _drawn(self) -> None:
        self.drawn = time.perf_counter()

    @property
    def complete(self) -> bool:
        return bool(self.committed and self.listed and self.drawn)


@dataclass
class Scenario:
    name: str
    ingest: bool
    prefill: int
    samples: int
    time_limit: float
    committed: list[float] = field(default_factory=list)
    listed: list[float] = field(default_factory=list)
    drawn: list[float] = field(default_factory=list)
    both: list[float] = field(default_factory=list)  # max(committed, listed)
    timeouts: int = 0
    ingest_rate: float = 0.0
    written: int = 0
    ticks: int = 0
    late_ticks: int = 0
    lag: list[float] = field(default_factory=list)
    behind: list[int] = field(default_factory=list)  # per pane: newest line on screen, behind
    cut_short: bool = False
    shutdown_error: str = ""


async def prepare(db: Path, config: Config, prefill: int) -> None:
    room = await open_war_room(config, db)
    async with room:
        incident_id = await room.declare("Checkout API returns 500s", Severity.SEV2)
    if prefill:
        # Only the set-up: NORMAL so a long timeline is written quickly.
        journal = await open_journal(db, synchronous="NORMAL")
        async with WarRoom(journal, author="bench", runbook=runbook_for(config)) as room:
            for n in range(prefill):
                await room.log(Kind.NOTE, f"earlier note {n}: checked dashboards", incident_id=1)
    assert incident_id == 1


class SkippingClock:
    """Now, moved on by `skip()`: each press lands past the same-milestone window of the last."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def skip(self) -> None:
        self.offset += SAME_MILESTONE_WINDOW + timedelta(seconds=1)


async def wait_until(predicate, timeout: float = TIMEOUT) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(POLL)
    return True


async def loop_lag(out: list[float]) -> None:
    """How late a 20 ms sleep wakes up: how long the event loop is kept busy at a time."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(0.020)
        out.append(time.perf_counter() - start - 0.020)


def post_key(app: WarRoomApp, key: str, char: str | None) -> None:
    """What Pilot.press does for one key, without waiting for the app to go idle."""
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def press_and_time(
    app: WarRoomApp,
    reader: sqlite3.Connection,
    watch: Watch,
    result: Scenario,
    keep: bool,
    clock: SkippingClock,
) -> None:
    rows_before = reader.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    watch.expect(watch.pane.option_count)
    clock.skip()
    start = time.perf_counter()
    post_key(app, "m", "m")
    complete = await wait_until(lambda: watch.complete)
    # The entry must really be in the journal, seen from another connection.
    stored = reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] > rows_before
    if not (complete and stored):
        result.timeouts += keep
    elif keep:
        result.committed.append(watch.committed - start)
        result.listed.append(watch.listed - start)
        result.drawn.append(watch.drawn - start)
        result.both.append(max(watch.committed, watch.listed) - start)
    watch.index = None
    # Close the "add a short text?" prompt before the next press.
    bar = app.query_one(PromptBar)
    await wait_until(lambda: bar.asking)
    post_key(app, "escape", None)
    await wait_until(lambda: not bar.asking)


async def run(scenario: Scenario, directory: Path) -> Scenario:
    db = directory / f"{scenario.name.replace(' ', '-').replace(',', '')}.db"
    config = config_for(directory)
    await prepare(db, config, scenario.prefill)
    rng = random.Random(SEED)
    pool = messages(4_000)
    clock = SkippingClock()
    app = WarRoomApp(config, db, start_feeds=False, clock=clock)
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    done = False
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await wait_until(lambda: app.incident is not None, timeout=30)
            watch = Watch(app)
            sources = [LineSource(g, pool, tag) for g, tag in zip(GROUPS, "ab", strict=True)]
            feeder = Feeder(app, sources)
            task = asyncio.create_task(feeder.run()) if scenario.ingest else None
            if task is not None:
                await asyncio.sleep(1.0)  # panes full and scrolling before the first press
            lag = asyncio.create_task(loop_lag(scenario.lag))
            deadline = time.perf_counter() + scenario.time_limit
            for n in range(WARMUP + scenario.samples):
                if n > WARMUP and time.perf_counter() > deadline:
                    scenario.cut_short = True
                    break
                await asyncio.sleep(rng.uniform(*GAP))
                await press_and_time(app, reader, watch, scenario, n >= WARMUP, clock)
            lag.cancel()
            if task is not None:
                feeder.stop.set()
                await task
                scenario.ingest_rate = feeder.rate
                scenario.late_ticks = feeder.late_ticks
                scenario.ticks = feeder.ticks
                scenario.written = sum(len(p.view.lines) for p in app.query("LogPane"))
                await pilot.pause()
                shown = shown_on_screen(app.export_screenshot())
                scenario.behind = [s.sent - 1 - shown.get(s.tag, -1) for s in sources]
            done = True
    except Exception as exc:
        if not done:
            raise
        # The figures are in; only the console's own shutdown failed.
        scenario.shutdown_error = f"{type(exc).__name__}: {exc}"
    finally:
        reader.close()
    return scenario


async def export_stalls(directory: Path) -> list[float]:
    """The longest event-loop lag during each of EXPORTS presses of `x` (seconds), from the key
    until the file is written and the journal's export mark is read back and drawn. (A stall
    shows when the loop is free again, so it is measured over the whole key, not up to the
    file alone.)"""
    db = directory / "export.db"
    config = config_for(directory)
    await prepare(db, config, EXPORT_TIMELINE)
    target = directory / "postmortems"
    app = WarRoomApp(config, db, start_feeds=False)
    stalls: list[float] = []

    def newest() -> int:
        return max((f.stat().st_mtime_ns for f in target.glob("*.md")), default=0)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await wait_until(lambda: app.incident is not None, timeout=30)
        for _ in range(EXPORTS):
            await asyncio.sleep(0.3)
            before = newest()
            lag: list[float] = []
            sampler = asyncio.create_task(loop_lag(lag))
            post_key(app, "x", "x")
            exported = app.incident.postmortem_exported_at if app.incident else None

            def marked(before_mark: object = exported) -> bool:
                incident = app.incident
                return incident is not None and incident.postmortem_exported_at != before_mark

            await wait_until(lambda: newest() > before, timeout=30)  # noqa: B023
            # Then the journal's export mark read back and drawn: the whole key's work.
            await wait_until(marked, timeout=30)
            sampler.cancel()
            stalls.append(max(lag, default=0.0))
    return stalls


def row(label: str, ms: list[float]) -> str:
    return (
        f"    {label:<22} {statistics.median(ms):7.1f} {percentile(ms, 0.95):7.1f}"
        f" {percentile(ms, 0.99):7.1f} {max(ms):7.1f}"
    )


async def main() -> None:
    scenarios = [
        Scenario("no ingest", False, 0, SAMPLES, TIME_LIMIT["no ingest"]),
        Scenario("ingest 5,000 lines/s", True, 0, SAMPLES, TIME_LIMIT["ingest"]),
        Scenario(
            f"ingest, {LONG_TIMELINE:,}-entry timeline",
            True,
            LONG_TIMELINE,
            LONG_SAMPLES,
            TIME_LIMIT["long"],
        ),
    ]
    started = time.perf_counter()
    print("key `m` to entry committed and drawn, headless 160x48, latency in ms")
    with tempfile.TemporaryDirectory(prefix="warroom-keys-") as tmp:
        for scenario in scenarios:
            await run(scenario, Path(tmp))
            kept = len(scenario.both)
            cut = f", stopped at the {scenario.time_limit:.0f}s limit" if scenario.cut_short else ""
            print(f"  {scenario.name}: {kept} presses{cut}, {scenario.timeouts} timed out")
            if scenario.ingest:
                print(
                    f"    ingest achieved {scenario.ingest_rate:,.0f} lines/s"
                    f" (goal {RATE:,}); {scenario.late_ticks} of {scenario.ticks} ticks late;"
                    f" {scenario.written:,} lines held by the panes"
                )
                print(
                    "    after ingest, the newest line on screen is"
                    f" {' and '.join(f'{n:,}' for n in scenario.behind)} lines behind the newest"
                    " line received (per pane; 0: up to date)"
                )
            if kept:
                print(f"    {'':<22} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
                print(row("event loop lag", [s * 1000 for s in scenario.lag]))
                print(row("committed", [s * 1000 for s in scenario.committed]))
                print(row("listed", [s * 1000 for s in scenario.listed]))
                print(row("committed and listed", [s * 1000 for s in scenario.both]))
                print(row("drawn", [s * 1000 for s in scenario.drawn]))
            if scenario.shutdown_error:
                print(f"    note: the console raised on shutdown: {scenario.shutdown_error}")
        stalls = [s * 1000 for s in await export_stalls(Path(tmp))]
    print(
        f"  x on a {EXPORT_TIMELINE:,}-entry incident, longest event-loop stall per export:"
        f" median {statistics.median(stalls):.1f} ms, max {max(stalls):.1f} ms ({EXPORTS} exports)"
    )
    print("  goal: committed and on screen < 100 ms p99 while ingesting 5,000 lines/s")
    print(f"  (benchmark wall time {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    asyncio.run(main())
