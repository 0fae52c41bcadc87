"""Timeline key latency: a key press to its entry committed to SQLite and drawn, with and without
the log panes ingesting 5,000 lines/s, on short and long timelines, wide and at 80x24.

Budget (DESIGN.md, "Budgets"): a timeline key press is committed to SQLite and on screen in
< 100 ms p99 and < 33 ms p50 (two frames at 60 Hz), even while the log panes ingest 5,000
lines/s with a 1,000-entry timeline; and the loop is never kept busy long enough to hold a key:
event-loop lag p99 < 50 ms while ingesting.

The console runs headless (`run_test`, feeds off) on a journal with one open incident. The key
is `m` (mitigation applied: an incident takes several, where `acknowledged` is logged once): it
logs at once (synchronous=FULL) and then opens a prompt for a short text, which `escape` closes
before the next press. The console's clock moves on past the window in which the same milestone
twice counts as one (warroom.corrections) before each press. The key event is posted the way
`Pilot.press` posts it, but without Pilot's wait-for-idle (which waits up to a second per key
while the panes are busy), and the clock starts just before it is posted. Per press:

- committed: the entry is visible in the journal to another SQLite connection;
- listed: the timeline holds the new entry (the app reloaded the incident);
- drawn: the compositor has rendered the timeline row that holds the new entry (the end of
  that compositor pass; headless, so nothing is written to a terminal).

Ingest: an asyncio task hands the app `LogBatch`es every 50 ms through the same handler the log
feed uses (a `LogsArrived` message), 5,000 lines/s split over two groups, catching up when the loop
was late. Every scenario runs RUNS times (a fresh console each time) and takes up to SAMPLES
presses within a time limit, so a slow console makes for fewer presses, not an endless run; the
figures quoted are the medians of the runs, with their spread. Also measured: how late a 20 ms
sleep wakes (event loop lag), i.e. how long the console keeps the loop busy at a stretch, and
where that time goes (benchmarks/_loopwatch.py: Textual's layout and paint, each widget's
drawing, the console's handlers and timers), summed over the runs. Last, the longest event-loop
stall while `x` exports the post-mortem of a 2,000-entry incident (rendering and fsync run in
threads, so a key pressed meanwhile is not held up).

Ends with the issue's table and one verdict line per goal. Run with `make bench`, or directly:
`python benchmarks/bench_key_latency.py [--runs N] [--only TEXT] [--no-breakdown]`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _loglines import LineSource, messages, shown_on_screen
from _loopwatch import LoopWatch
from textual import events

from warroom.config import Config, JournalConfig, LogGroupConfig, LogsConfig, UserConfig
from warroom.corrections import SAME_MILESTONE_WINDOW
from warroom.journal import open_journal
from warroom.model import Kind
from warroom.recorder import Recorder, keep_recording
from warroom.service import WarRoom, open_war_room, runbook_for
from warroom.severity import Severity
from warroom.timeutil import utcnow
from warroom.ui.app import WarRoomApp
from warroom.ui.feeds import LogsArrived
from warroom.ui.panels import TimelinePane
from warroom.ui.promptbar import PromptBar

RUNS = 3
SAMPLES = 100  # presses per run at most
TIME_LIMIT = 20.0  # seconds of presses per run at most
WARMUP = 3
RATE = 5_000  # lines/s over both panes
TICK = 0.050
GAP = (0.150, 0.250)  # seconds between one press's prompt closing and the next press
POLL = 0.002
TIMEOUT = 5.0
GROUPS = ("/prod/backend", "/prod/worker")
EXPORT_TIMELINE = 2_000  # entries on the incident exported in the stall check
EXPORTS = 5
SEED = 11
# Goals (DESIGN.md, "Budgets"; issue 14)
DRAWN_P99, DRAWN_P50 = 0.100, 0.033
LAG_P99 = 0.050


@dataclass(frozen=True)
class Setting:
    name: str
    ingest: bool
    prefill: int  # entries already on the incident
    size: tuple[int, int] = (160, 48)


SETTINGS = (
    Setting("no ingest", False, 0),
    Setting("5,000 lines/s", True, 0),
    Setting("5,000 lines/s, 1,000-entry timeline", True, 1_000),
    Setting("5,000 lines/s, 5,000-entry timeline", True, 5_000),
    Setting("5,000 lines/s, 1,000-entry timeline, 80x24", True, 1_000, (80, 24)),
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def config_for(directory: Path) -> Config:
    return Config(
        user=UserConfig(name="bench"),
        journal=JournalConfig(postmortem_dir=str(directory / "postmortems")),
        logs=LogsConfig(groups=tuple(LogGroupConfig(g) for g in GROUPS)),
    )


RECORDING = [True]  # --no-recorder: the console as before issue 20, to compare


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
    # The flight recorder sees every batch on the console's loop, as the feeds worker hands it
    # over, and writes to the journal every few seconds (issue 20): on, as in the console.
    recorder: Recorder | None = field(default_factory=lambda: Recorder() if RECORDING[0] else None)

    async def run(self) -> None:
        if self.recorder is None:
            return await self._run()
        writing = asyncio.create_task(keep_recording(self.recorder, lambda: self.app.room))
        try:
            await self._run()
        finally:
            writing.cancel()

    async def _run(self) -> None:
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
                    batch = source.batch(count)
                    if self.recorder is not None:
                        self.recorder.see(batch)
                    self.app.post_message(LogsArrived(batch))
            self.lines += due
            self.ticks += 1
        self.stopped = time.perf_counter()

    @property
    def rate(self) -> float:
        return self.lines / max(1e-9, self.stopped - self.started)


def entry_on_row(pane: TimelinePane, row: int) -> int | None:
    """The index of the timeline entry drawn on virtual row `row`. (The OptionList the timeline
    was before issue 14 keeps (option, line) pairs in `_lines`: the same script measures both.)"""
    entry_at = getattr(pane, "entry_at", None)
    if entry_at is not None:
        return entry_at(row)
    lines = getattr(pane, "_lines", ())
    return lines[row][0] if row < len(lines) else None


class Watch:
    """Timestamps (time.perf_counter) for one press, taken where they happen rather than by
    polling: the loop is busy for tens of ms at a time and a poller would see them late.

    - committed: the console's `room.log` call returned (commit done, synchronous=FULL);
    - listed: `TimelinePane.show` returned with the new entry in it;
    - drawn: the compositor pass that rendered the timeline row of the new entry ended (its
      frame handed to the driver, which writes it to the terminal).

    The wrappers only note the time and call through; nothing in the console is changed.
    """

    def __init__(self, app: WarRoomApp) -> None:
        assert app.room is not None
        self.pane = app.query_one(TimelinePane)
        self.index: int | None = None
        self.committed = self.listed = self.drawn = 0.0
        self._scheduled = False
        room_log, show, render_line = app.room.log, self.pane.show, self.pane.render_line
        display_frame = app._display

        async def log(*args, **kwargs):  # type: ignore[no-untyped-def]
            event = await room_log(*args, **kwargs)
            if self.index is not None and not self.committed:
                self.committed = time.perf_counter()
            return event

        def show_incident(incident):  # type: ignore[no-untyped-def]
            show(incident)
            if self.index is not None and not self.listed and self.entries > self.index:
                self.listed = time.perf_counter()

        def render(y: int):  # type: ignore[no-untyped-def]
            row = self.pane.scroll_offset.y + y
            if (
                self.index is not None
                and not self._scheduled
                and entry_on_row(self.pane, row) == self.index
            ):
                self._scheduled = True
            return render_line(y)

        def display(screen, update):  # type: ignore[no-untyped-def]
            # The end of the compositor pass: where a terminal is sent the frame. (Timing it
            # with call_soon instead also counted whatever the screen runs next in the same
            # step, such as its after-refresh callbacks.)
            display_frame(screen, update)
            if self._scheduled and not self.drawn:
                self.drawn = time.perf_counter()

        app.room.log = log  # type: ignore[method-assign]
        self.pane.show = show_incident  # type: ignore[method-assign]
        self.pane.render_line = render  # type: ignore[method-assign]
        app._display = display  # type: ignore[method-assign]

    @property
    def entries(self) -> int:
        return len(self.pane.event_ids)

    def expect(self, index: int) -> None:
        """The next entry will be entry `index` of the timeline."""
        self.index, self._scheduled = index, False
        self.committed = self.listed = self.drawn = 0.0

    @property
    def complete(self) -> bool:
        return bool(self.committed and self.listed and self.drawn)


@dataclass
class Run:
    """One console, one series of presses."""

    committed: list[float] = field(default_factory=list)
    listed: list[float] = field(default_factory=list)
    drawn: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)
    timeouts: int = 0
    cut_short: bool = False
    wall: float = 0.0
    ingest_rate: float = 0.0
    ticks: int = 0
    late_ticks: int = 0
    written: int = 0
    behind: list[int] = field(default_factory=list)  # per pane: newest line on screen, behind
    shutdown_error: str = ""

    def p(self, series: str, q: float) -> float:
        values = getattr(self, series)
        return percentile(values, q) if values else float("nan")


@dataclass
class Scenario:
    setting: Setting
    runs: list[Run] = field(default_factory=list)
    watch: LoopWatch | None = None
    wall: float = 0.0  # seconds the watch was counting, over all runs

    def median(self, series: str, q: float) -> float:
        return statistics.median(r.p(series, q) for r in self.runs)

    def spread(self, series: str, q: float) -> str:
        return " / ".join(f"{r.p(series, q) * 1000:.0f}" for r in self.runs)


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
    result: Run,
    keep: bool,
    clock: SkippingClock,
) -> None:
    rows_before = reader.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    watch.expect(watch.entries)
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
    watch.index = None
    # Close the "add a short text?" prompt before the next press.
    bar = app.query_one(PromptBar)
    await wait_until(lambda: bar.asking)
    post_key(app, "escape", None)
    await wait_until(lambda: not bar.asking)


async def run_once(setting: Setting, db: Path, config: Config, loop: LoopWatch | None) -> Run:
    result = Run()
    rng = random.Random(SEED)
    pool = messages(4_000)
    clock = SkippingClock()
    app = WarRoomApp(config, db, start_feeds=False, clock=clock)
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    done = False
    try:
        async with app.run_test(size=setting.size) as pilot:
            await pilot.pause()
            await wait_until(lambda: app.incident is not None, timeout=30)
            watch = Watch(app)
            sources = [LineSource(g, pool, tag) for g, tag in zip(GROUPS, "ab", strict=True)]
            feeder = Feeder(app, sources)
            task = asyncio.create_task(feeder.run()) if setting.ingest else None
            if task is not None:
                await asyncio.sleep(1.0)  # panes full and scrolling before the first press
            lag = asyncio.create_task(loop_lag(result.lag))
            started = time.perf_counter()
            if loop is not None:
                loop.start()
            deadline = started + TIME_LIMIT
            for n in range(WARMUP + SAMPLES):
                if n > WARMUP and time.perf_counter() > deadline:
                    result.cut_short = True
                    break
                await asyncio.sleep(rng.uniform(*GAP))
                await press_and_time(app, reader, watch, result, n >= WARMUP, clock)
            if loop is not None:
                loop.stop()
            result.wall = time.perf_counter() - started
            lag.cancel()
            if task is not None:
                feeder.stop.set()
                await task
                result.ingest_rate = feeder.rate
                result.late_ticks = feeder.late_ticks
                result.ticks = feeder.ticks
                result.written = sum(len(p.view.lines) for p in app.query("LogPane"))
                await pilot.pause()
                shown = shown_on_screen(app.export_screenshot())
                result.behind = [s.sent - 1 - shown.get(s.tag, -1) for s in sources]
            done = True
    except Exception as exc:
        if not done:
            raise
        # The figures are in; only the console's own shutdown failed.
        result.shutdown_error = f"{type(exc).__name__}: {exc}"
    finally:
        reader.close()
    return result


def loop_watch() -> LoopWatch:
    """Labels for the loop's time: Textual's own passes, each widget's drawing, the console's
    handlers and timers. Names that a version of the console lacks are skipped."""
    from textual._compositor import Compositor
    from textual.css.stylesheet import Stylesheet
    from textual.screen import Screen
    from textual.widget import Widget

    import warroom.store.rows as store_rows
    from warroom.ui import logpane, panels, panes, promptbar

    watch = LoopWatch()
    watch.install()
    watch.watch_gc()
    watch.label(Screen, "_refresh_layout", "Textual: layout")
    watch.label(Screen, "_compositor_refresh", "Textual: compositor")
    watch.label(Compositor, "render_full_update", "Textual: paint the whole screen")
    watch.label(Compositor, "render_partial_update", "Textual: paint what changed")
    watch.label(Stylesheet, "update_nodes", "Textual: CSS restyle")
    watch.label(Screen, "_update_focus_styles", "Textual: focus restyle")
    watch.label(Widget, "render_lines", lambda w: f"draw {type(w).__name__}")
    watch.label(panels.TimelinePane, "show", "timeline: show")
    watch.label(panels.ChecklistPane, "show", "checklist: show")
    watch.label(panels.IncidentHeader, "redraw", "header: redraw")
    watch.label(WarRoomApp, "_redraw", "console: redraw")
    watch.label(WarRoomApp, "on_logs_arrived", "log panes: hand a batch over")
    watch.label(logpane.LogPane, "add_batch", "log panes: hand a batch over")
    watch.label(logpane.LogPane, "flush", "log panes: write lines")
    watch.label(logpane.LogPane, "refresh_title", "log panes: titles")
    watch.label(panes.PaneLayout, "_save_layout", "layout save")
    watch.label(WarRoomApp, "_evidence", "evidence capture")
    watch.label(promptbar.KeyBar, "_bindings_changed", "key bar")
    watch.label(getattr(store_rows, "EventRows", None), "events", "journal: rows to entries")
    return watch


async def run(
    setting: Setting, directory: Path, runs: int, breakdown: bool, say: Callable[[str], None]
) -> Scenario:
    name = setting.name.replace(" ", "-").replace(",", "")
    template = directory / f"{name}.db"
    config = config_for(directory)
    await prepare(template, config, setting.prefill)
    scenario = Scenario(setting)
    watch = loop_watch() if breakdown else None
    try:
        for n in range(runs):
            db = directory / f"{name}-{n}.db"
            shutil.copyfile(template, db)
            db.chmod(0o600)  # a copy takes the umask's mode; a journal open to all is refused
            result = await run_once(setting, db, config, watch)
            scenario.runs.append(result)
            scenario.wall += result.wall
            say(
                f"    run {n + 1}: {len(result.drawn)} presses"
                f"{' (time limit)' if result.cut_short else ''}, {result.timeouts} timed out;"
                f" drawn p50 {result.p('drawn', 0.5) * 1000:.1f} p99"
                f" {result.p('drawn', 0.99) * 1000:.1f}; lag p99"
                f" {result.p('lag', 0.99) * 1000:.1f} ms"
                + (
                    f"; ingest {result.ingest_rate:,.0f} lines/s, panes"
                    f" {' and '.join(f'{b:,}' for b in result.behind)} lines behind"
                    if setting.ingest
                    else ""
                )
                + (f"; shutdown: {result.shutdown_error}" if result.shutdown_error else "")
            )
    finally:
        if watch is not None:
            watch.uninstall()
    scenario.watch = watch
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


def report(scenario: Scenario) -> None:
    runs = scenario.runs
    print(f"    all runs together ({sum(len(r.drawn) for r in runs)} presses), ms:")
    print(f"    {'':<22} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for label, series in (
        ("event loop lag", "lag"),
        ("committed", "committed"),
        ("listed", "listed"),
        ("drawn", "drawn"),
    ):
        values = [v * 1000 for r in runs for v in getattr(r, series)]
        if values:
            print(row(label, values))
    if scenario.watch is not None and scenario.wall:
        print("    where the loop's time went (all runs):")
        for line in scenario.watch.rows(scenario.wall):
            print(f"      {line}")


def verdict(met: bool, goal: str, figure: str) -> str:
    return f"  {'met    ' if met else 'NOT MET'}  {goal}: {figure}"


def verdicts(scenarios: list[Scenario]) -> list[str]:
    lines = []
    for s in scenarios:
        p50, p99 = s.median("drawn", 0.5), s.median("drawn", 0.99)
        lines.append(
            verdict(
                p99 < DRAWN_P99 and p50 < DRAWN_P50,
                f"drawn p99 < {DRAWN_P99 * 1000:.0f} ms and p50 < {DRAWN_P50 * 1000:.0f} ms,"
                f" {s.setting.name}",
                f"p99 {p99 * 1000:.1f} ms, p50 {p50 * 1000:.1f} ms"
                f" (runs: p99 {s.spread('drawn', 0.99)}, p50 {s.spread('drawn', 0.5)})",
            )
        )
    for s in scenarios:
        if s.setting.ingest:
            lag = s.median("lag", 0.99)
            lines.append(
                verdict(
                    lag < LAG_P99,
                    f"event-loop lag p99 < {LAG_P99 * 1000:.0f} ms, {s.setting.name}",
                    f"{lag * 1000:.1f} ms (runs: {s.spread('lag', 0.99)})",
                )
            )
    return lines


def table(scenarios: list[Scenario]) -> list[str]:
    out = [
        "| scenario | committed p99 | drawn p50 | drawn p99 | event-loop lag p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        figures = [
            s.median("committed", 0.99),
            s.median("drawn", 0.5),
            s.median("drawn", 0.99),
            s.median("lag", 0.99),
        ]
        out.append(
            f"| {s.setting.name} | " + " | ".join(f"{f * 1000:.0f} ms" for f in figures) + " |"
        )
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per scenario (default 3)")
    parser.add_argument("--only", default="", help="scenarios whose name contains this text")
    parser.add_argument("--no-breakdown", action="store_true", help="no loop-time breakdown")
    parser.add_argument("--no-export", action="store_true", help="skip the export stall check")
    parser.add_argument("--no-recorder", action="store_true", help="the flight recorder off")
    args = parser.parse_args()
    RECORDING[0] = not args.no_recorder
    started = time.perf_counter()
    print(
        f"key `m` to entry committed and drawn, headless, {args.runs} runs per scenario of up to"
        f" {SAMPLES} presses or {TIME_LIMIT:.0f}s; medians of the runs' percentiles"
    )
    scenarios: list[Scenario] = []
    with tempfile.TemporaryDirectory(prefix="warroom-keys-") as tmp:
        for setting in SETTINGS:
            if args.only not in setting.name:
                continue
            size = f"{setting.size[0]}x{setting.size[1]}"
            print(f"  {setting.name} ({size}):", flush=True)
            scenario = await run(
                setting,
                Path(tmp),
                args.runs,
                not args.no_breakdown,
                lambda line: print(line, flush=True),
            )
            scenarios.append(scenario)
            report(scenario)
        stalls = [] if args.no_export else [s * 1000 for s in await export_stalls(Path(tmp))]
    if stalls:
        print(
            f"  x on a {EXPORT_TIMELINE:,}-entry incident, longest event-loop stall per export:"
            f" median {statistics.median(stalls):.1f} ms, max {max(stalls):.1f} ms"
            f" ({EXPORTS} exports)"
        )
    print()
    for line in table(scenarios):
        print(line)
    print()
    for line in verdicts(scenarios):
        print(line)
    print(f"  (benchmark wall time {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    asyncio.run(main())
