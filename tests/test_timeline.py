"""The main screen's panes as drawn: the timeline and the checklist (Textual's Line API), what
they show and where the highlight goes; and that a new entry, a tick of the clock or a feed's
snapshot repaints what changed, not the whole screen (what the key-latency budget rests on:
benchmarks/bench_key_latency.py)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from textual._styles_cache import StylesCache

from warroom.config import LogGroupConfig, LogsConfig
from warroom.model import Kind, Severity
from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.ui.dialogs import TextPrompt
from warroom.ui.panels import ChecklistPane, HealthPanel, TimelinePane
from warroom.ui.promptbar import KeyBar, PromptBar
from warroom.ui.write_frames import HOLD_MAX, WriteFrames

from .conftest import (
    app_for,
    console_config,
    declare,
    declared_before,
    eventually,
    opened_on_incident,
    typed_fast,
)


def drawn(timeline: TimelinePane) -> list[str]:
    """The timeline's lines as they are drawn now (the rows in view, wrapped)."""
    height = timeline.scrollable_content_region.height
    return [timeline.render_line(y).text.rstrip() for y in range(height)]


class Painted:
    """From now on: the lines each widget drew again (its own rows, border included: those
    not taken from Textual's cache of drawn lines), and the layouts of the screen."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, app) -> None:
        self.lines: dict[str, set[int]] = {}
        self.layouts = 0
        render_line, refresh_layout = StylesCache.render_line, app.screen._refresh_layout

        def render(cache, styles, y, *args, **kwargs):  # type: ignore[no-untyped-def]
            widget = args[5].__self__  # the widget's own render_line
            self.lines.setdefault(type(widget).__name__, set()).add(y)
            return render_line(cache, styles, y, *args, **kwargs)

        def layout(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.layouts += 1
            return refresh_layout(*args, **kwargs)

        monkeypatch.setattr(StylesCache, "render_line", render)
        monkeypatch.setattr(app.screen, "_refresh_layout", layout)


def backend_console(tmp_path, db, clock):  # type: ignore[no-untyped-def]
    """The console with one log pane, /prod/backend."""
    logs = LogsConfig(groups=(LogGroupConfig("/prod/backend"),))
    return app_for(tmp_path, db, clock, config=replace(console_config(tmp_path), logs=logs))


async def writes_on_a_clock(app, pilot, clock):  # type: ignore[no-untyped-def]
    """The incident shown (declared before); the log pane, a status for its batches, and the
    console's WriteFrames on a clock the test moves (now[0], seconds)."""
    await opened_on_incident(pilot)
    status = SourceStatus("/prod/backend").succeeded(clock.now, 0.01)
    now = [100.0]
    app.write_frames = WriteFrames(now=lambda: now[0])
    return app.query_one("LogPane"), status, now, app.write_frames


async def test_long_entries_wrap_and_the_newest_stays_in_sight(tmp_path, db, clock, room):
    # Logged before the console opens, so that it reads them at once (read in several goes,
    # as on a busy box, each go that passes the bottom jumps, and the rows read next fill
    # the room it left).
    await room.declare("Queue backs up", Severity.SEV1)
    long = "consumers stalled on partition 7 " * 6
    for n in range(40):
        clock.advance(seconds=30)
        await room.log(Kind.NOTE, long if n == 20 else f"note {n}", incident_id=1)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        timeline = app.query_one(TimelinePane)
        await eventually(lambda: timeline.row_count == 41, "the 40 notes", pilot=pilot)
        await pilot.pause()
        lines = drawn(timeline)
        # Followed: the newest entry in view and highlighted, with room below it for the next
        # ones (a quarter of the view), so that they draw a row each instead of scrolling.
        newest = next(n for n, line in enumerate(lines) if "note 39 (ana)" in line)
        assert timeline.highlighted == 40
        assert lines[newest + 1 :] == [""] * (len(lines) - newest - 1)
        assert len(lines) - newest - 1 >= len(lines) // 4 - 1
        top = timeline.scroll_offset.y
        clock.advance(seconds=30)
        await room.log(Kind.NOTE, "note 40", incident_id=1)
        await eventually(lambda: timeline.row_count == 42, "one more", pilot=pilot)
        await pilot.pause()
        assert timeline.scroll_offset.y == top
        assert "note 40 (ana)" in drawn(timeline)[newest + 1]
        assert timeline.highlighted == 41
        # The long one, read by moving up to it: on several lines, every word on screen.
        timeline.focus()
        await pilot.press(*["up"] * 20)
        assert timeline.rows()[timeline.highlighted].endswith(f"{long.strip()} (ana)")
        lines = drawn(timeline)
        wrapped = [n for n, line in enumerate(lines) if "consumers" in line]
        assert len(wrapped) > 1
        assert " ".join(lines[wrapped[0] : wrapped[-1] + 2]).split().count("consumers") == 6


async def test_the_highlight_stays_on_its_entry_when_an_earlier_one_comes_in(
    tmp_path, db, clock, room
):
    await declared_before(db, clock, "Checkout errors")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        for minutes, text in ((4, "first look"), (5, "second look")):
            clock.advance(minutes=minutes)
            await room.log(Kind.NOTE, text, incident_id=1)
        timeline = app.query_one(TimelinePane)
        await eventually(lambda: timeline.row_count == 3, "both notes", pilot=pilot)
        timeline.focus()
        await pilot.press("up")
        assert "first look" in timeline.rows()[timeline.highlighted]
        # Another responder writes down, after the fact, what happened before both.
        await room.log(Kind.NOTE, "pager fired", incident_id=1, at=clock.now - timedelta(minutes=8))
        await eventually(lambda: timeline.row_count == 4, "the backdated note", pilot=pilot)
        assert "pager fired" in timeline.rows()[1]
        assert "first look" in timeline.rows()[timeline.highlighted]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text").value == "first look"


async def test_keys_move_the_highlight_and_enter_edits_it(tmp_path, db, clock, room):
    await declared_before(db, clock, "Slow logins")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        for n in range(60):
            clock.advance(seconds=10)
            await room.log(Kind.NOTE, f"note {n}", incident_id=1)
        timeline = app.query_one(TimelinePane)
        await eventually(lambda: timeline.row_count == 61, "the notes", pilot=pilot)
        timeline.focus()
        await pilot.press("home")
        assert timeline.highlighted == 0
        assert "detected" in drawn(timeline)[0]
        await pilot.press("down", "down", "pagedown")
        page = timeline.scrollable_content_region.height
        assert timeline.highlighted == 2 + page
        await pilot.press("pageup", "up")
        assert timeline.highlighted == 1
        await pilot.press("end")
        assert timeline.highlighted == 60
        assert any("note 59" in line for line in drawn(timeline))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text").value == "note 59"


async def test_a_new_entry_repaints_its_rows_not_the_screen(tmp_path, db, clock, monkeypatch):
    await declared_before(db, clock, "Orders stuck")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        timeline = app.query_one(TimelinePane)
        for text in ("payments team paged", "customers on hold"):
            clock.advance(minutes=2)
            await pilot.press("n", *text)
            if text == "customers on hold":
                painted = Painted(monkeypatch, app)
            await pilot.press("enter")
            await pilot.pause()
        assert timeline.row_count == 3
        assert "note customers on hold (ana)" in drawn(timeline)[2]
        # Drawn without laying out the screen: the new row, the row the highlight left and the
        # count below the pane; not the first row, and the checklist, unchanged, not at all.
        # (Lines of the pane: 0 is its border, then one per entry.)
        assert painted.layouts == 0
        assert painted.lines["TimelinePane"] == {2, 3, timeline.outer_size.height - 1}
        assert "ChecklistPane" not in painted.lines


async def test_a_written_entry_is_shown_before_the_incident_is_read_back(
    tmp_path, db, clock, monkeypatch
):
    """The entry a key writes is on screen once it is committed, not after the console has read
    the incident back (SQLite round trips, and a walk of a long timeline: a p50 of 39 ms from
    key to screen under a flood became 19, bench_key_latency.py). That read then finds the row
    as it is and leaves it alone."""
    await declared_before(db, clock, "Orders stuck")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        timeline = app.query_one(TimelinePane)
        header = app.query_one("#incident-header")
        assert app.room is not None
        read_back, reading, go = app.room.incident, asyncio.Event(), asyncio.Event()

        async def held(incident_id: int):  # type: ignore[no-untyped-def]
            reading.set()
            await go.wait()
            return await read_back(incident_id)

        monkeypatch.setattr(app.room, "incident", held)
        painted = Painted(monkeypatch, app)
        clock.advance(minutes=2)
        typed_fast(app, "m")  # pressed; not waited on (the console is busy with it)
        await asyncio.wait_for(reading.wait(), 30)
        try:  # committed and drawn (line 2 of the pane, under its border and the first entry),
            # while the header still waits for the read
            await eventually(lambda: 2 in painted.lines.get("TimelinePane", ()), "the row drawn")
            lines, head = drawn(timeline), str(header.render())
            painted.lines.clear()
        finally:
            go.set()
        assert timeline.row_count == 2
        assert "mitigated Mitigation applied (ana)" in lines[1], lines
        assert "Detect & Triage" in head, head  # the phase the mitigation moves on from
        await eventually(lambda: app.query_one(PromptBar).asking, "the text prompt", pilot=pilot)
        assert timeline.row_count == 2 and app.incident is not None
        assert [e.id for e in app.incident.events] == timeline.event_ids
        assert "TimelinePane" not in painted.lines  # the read changed nothing there
        assert "Detect & Triage" not in str(header.render())  # but it moved the phase on

        # Only a new entry at the end is shown ahead of the read.
        last = app.incident.events[-1]
        assert not timeline.add(replace(last, id=last.id + 1, at=last.at - timedelta(seconds=1)))
        assert not timeline.add(replace(last, id=last.id + 1, kind=Kind.RETRACTED))
        assert not timeline.add(replace(last, text="edited", edited_at=last.at))
        assert not timeline.add(replace(last, id=last.id + 1, incident_id=last.incident_id + 1))
        assert timeline.row_count == 2


async def test_a_tick_of_the_clock_repaints_the_clock(tmp_path, db, clock, monkeypatch):
    await declared_before(db, clock, "Disk full")
    app = backend_console(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        pane = app.query_one("LogPane")
        line = LogLine("/prod/backend", "1", clock.now, "app/1", "ERROR disk full", "ERROR")
        status = SourceStatus("/prod/backend").succeeded(clock.now, 0.01)
        pane.add_batch(LogBatch("/prod/backend", "ERROR", (line,), status))
        pane.flush()
        await pilot.pause()
        painted = Painted(monkeypatch, app)
        clock.advance(seconds=1)
        header = app.query_one("#incident-header")
        header.redraw()
        app._tick()  # the console's own second: the log panes' "polled 1s ago"
        await pilot.pause()
        assert "T+00:00:01" in header.render().plain
        assert "polled 1s ago" in str(pane.border_subtitle)
        # The header's line and the pane's bottom border, nothing inside the pane or beside it.
        assert set(painted.lines) == {"IncidentHeader", "LogPane"}, painted.lines
        assert painted.lines["LogPane"] == {pane.outer_size.height - 1}
        assert painted.layouts == 0


async def test_a_log_pane_lets_a_new_entrys_frame_go_first(tmp_path, db, clock):
    """Lines due on screen while an entry is written and drawn wait for its frame, then go at
    once: the entry's frame does not carry a flooding pane's repaint. Every write, not only the
    first of a run; and a write slower than HOLD_MAX holds nothing."""
    await declared_before(db, clock, "Disk full")
    app = backend_console(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        pane, status, now, frames = await writes_on_a_clock(app, pilot, clock)

        def arrive(n: int) -> None:
            line = LogLine("/prod/backend", str(n), clock.now, "app/1", f"ERROR {n}", "ERROR")
            pane.add_batch(LogBatch("/prod/backend", "ERROR", (line,), status))

        # What the pane's flush timer does when it fires (the test does not wait for it).
        arrive(1)
        pane._flush_due()
        assert pane.view.line_count == 1  # no write in flight: at once
        for n in (2, 3):  # two writes in a row: each one's frame first
            written = frames.started()  # as the console's write path does
            arrive(n)
            pane._flush_due()
            assert pane.view.line_count == n - 1  # held while the entry is written and drawn
            frames.drawn(written)  # its frame is drawn (the app's call_after_refresh)
            await pilot.pause()
            assert pane.view.line_count == n  # and at once after it
        frames.started()  # a write that takes longer (a mitigation waiting on AWS)
        now[0] += HOLD_MAX
        arrive(4)
        pane._flush_due()
        assert pane.view.line_count == 4  # holds nothing
        # The console's own write path: a note, its frame, the held lines after it.
        app.write_frames = WriteFrames()
        await pilot.press("n", *"db failover started", "enter")
        await pilot.pause()
        assert not app.write_frames.pending()


async def test_error_grouping_waits_while_an_entry_is_written(tmp_path, db, clock):
    """Grouping a flood's lines into signatures takes slices of the loop that a key's SQLite
    round trips and frame would wait behind: while a write is in flight (HOLD_MAX at most) the
    lines wait, then are all grouped."""
    await declared_before(db, clock, "Disk full")
    app = backend_console(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        pane, status, now, frames = await writes_on_a_clock(app, pilot, clock)
        lines = tuple(
            LogLine("/prod/backend", str(n), clock.now, "app/1", f"ERROR disk {n} full", "ERROR")
            for n in range(300)
        )
        written = frames.started()
        pane.add_batch(LogBatch("/prod/backend", "ERROR", lines, status))
        for _ in range(3):
            await pilot.pause()
        assert len(pane.signatures) == 0  # held while the entry is written and drawn
        frames.drawn(written)
        await eventually(lambda: pane.signatures.rows(), "the lines grouped", pilot=pilot)
        assert [s.count for s in pane.signatures.rows()] == [300]
        written = frames.started()  # a write that takes longer (a mitigation waiting on AWS)
        now[0] += HOLD_MAX
        pane.add_batch(LogBatch("/prod/backend", "ERROR", lines[:10], status))
        await eventually(
            lambda: pane.signatures.rows()[0].count == 310, "grouped anyway", pilot=pilot
        )


async def test_a_milestone_key_restyles_the_prompt_bar_once(tmp_path, db, clock, monkeypatch):
    """`m` with an undo offer up withdraws it, makes its own, opens its question and focuses the
    bar: four changes of its look, one restyle (each is 2-3 ms before the entry's frame); and
    four changes of the keys that work, the key bar worked out at most twice (1-2 ms each), the
    ones before a frame as one. What the bars show after each step is what a full pass gives."""
    await declared_before(db, clock, "Orders stuck")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        bar = app.query_one(PromptBar)
        await pilot.press("m", "escape")  # mitigation applied, then the undo offer stays up
        await pilot.pause()
        assert bar.has_class("-offer") and not bar.has_focus
        restyled: list[object] = []
        update_nodes = app.stylesheet.update_nodes

        def counted(nodes, animate=False):  # type: ignore[no-untyped-def]
            nodes = list(nodes)
            restyled.extend(n for n in nodes if n is bar)
            return update_nodes(nodes, animate)

        monkeypatch.setattr(app.stylesheet, "update_nodes", counted)
        keys = app.query_one(KeyBar)
        worked_out: list[object] = []
        redraw_keys = KeyBar._redraw_keys

        def keys_counted(self):  # type: ignore[no-untyped-def]
            worked_out.append(self)
            return redraw_keys(self)

        monkeypatch.setattr(KeyBar, "_redraw_keys", keys_counted)
        clock.advance(seconds=30)  # past the undo window and the same-milestone one
        await pilot.press("m")
        await pilot.pause()
        assert bar.asking and bar.has_focus and not bar.has_class("-offer")
        assert len(restyled) == 1  # was 4
        # was 4; once when all four changes land before the same frame
        assert 1 <= len(worked_out) <= 2
        assert "esc Skip" in keys.render().plain
        looks = bar.styles.background, bar.get_component_rich_style("input--placeholder")
        update_nodes([bar])
        assert (bar.styles.background, bar.get_component_rich_style("input--placeholder")) == looks
        await pilot.press("escape")  # the new undo offer back in the bar, the focus gone
        await pilot.pause()
        assert bar.has_class("-offer") and not bar.has_focus
        assert len(restyled) == 2
        assert "esc Skip" not in keys.render().plain
        looks = bar.styles.background, bar.get_component_rich_style("input--placeholder")
        update_nodes([bar])
        assert (bar.styles.background, bar.get_component_rich_style("input--placeholder")) == looks


async def test_narrow_the_tabs_look_unfocused_after_the_entrys_frame(
    tmp_path, db, clock, monkeypatch
):
    """80x24, the tabs focused: `m` moves the focus to its question. The tabs' unfocused look
    (a restyle of every tab, 5-8 ms) comes just after the frame that draws the new entry, not
    before it; and it comes."""
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await declare(pilot, "Orders stuck")
        tabs = app.query_one("#pane-tabs")
        tabs.focus()
        await pilot.pause()
        timeline = app.query_one(TimelinePane)
        happened: list[str] = []
        update_nodes, render_line = app.stylesheet.update_nodes, timeline.render_line

        def restyle(nodes, animate=False):  # type: ignore[no-untyped-def]
            nodes = list(nodes)
            if tabs in nodes:
                happened.append("tabs restyled")
            return update_nodes(nodes, animate)

        def render(y: int):  # type: ignore[no-untyped-def]
            if timeline.entry_at(timeline.scroll_offset.y + y) == 1:
                happened.append("entry drawn")
            return render_line(y)

        monkeypatch.setattr(app.stylesheet, "update_nodes", restyle)
        monkeypatch.setattr(timeline, "render_line", render)
        await pilot.press("m")
        await pilot.pause()
        assert app.query_one(PromptBar).has_focus
        assert happened.index("entry drawn") < happened.index("tabs restyled")
        looks = [t.styles.color for t in tabs.query("Tab")]
        update_nodes(tabs.walk_children(with_self=True))
        assert [t.styles.color for t in tabs.query("Tab")] == looks


def checked(at, latency: float, *names: str) -> HealthSnapshot:
    """What the health feed posts: every endpoint up, answering in `latency` seconds."""
    check = Check(at, True, latency, 200, "ok", "")
    return HealthSnapshot(
        at,
        tuple(
            EndpointHealth(name, "http://x", HealthState.OK, "", check, latency, 100.0, 3, at, ())
            for name in names
        ),
    )


async def test_a_health_snapshot_lays_out_only_when_the_panel_grows(
    tmp_path, db, clock, monkeypatch
):
    await declared_before(db, clock, "Login slow")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        panel = app.query_one(HealthPanel)
        panel.show(checked(clock.now, 0.05, "api"))
        await pilot.pause()
        painted = Painted(monkeypatch, app)
        panel.show(checked(clock.now, 0.9, "api"))  # a slower answer: the same two lines
        await pilot.pause()
        assert "900ms" in panel.render().plain
        assert painted.layouts == 0
        assert set(painted.lines) == {"HealthPanel"}
        height = panel.outer_size.height
        panel.show(checked(clock.now, 0.9, "api", "auth"))  # one more endpoint: taller
        await pilot.pause()
        assert painted.layouts >= 1
        assert panel.outer_size.height == height + 2


async def test_the_checklist_moves_and_ticks(tmp_path, db, clock):
    await declared_before(db, clock, "Redis down")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        checklist = app.query_one(ChecklistPane)
        checklist.focus()
        await pilot.press("down", "space")
        await pilot.pause()
        second = checklist.rows()[1]
        assert second.startswith("[x] ") and second.endswith("ana 03:01")
        assert checklist.rows()[0].startswith("[ ] ")
        assert checklist.highlighted == 1
