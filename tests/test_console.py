"""The console driven by keys (Textual Pilot) against a real journal file."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from warroom.config import Config, JournalConfig, UserConfig
from warroom.model import Kind
from warroom.severity import Severity
from warroom.ui.app import WarRoomApp
from warroom.ui.dialogs import DeclareScreen, SeverityScreen, TextPrompt
from warroom.ui.feeds import HealthArrived
from warroom.ui.panels import ChecklistPane, HealthPanel, TimelinePane
from warroom.ui.promptbar import PromptBar

from .conftest import app_for, declare, declared_before, eventually, opened_on_incident, rows


async def test_declare_then_every_milestone_key(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, key_by_key=True)
        assert app.incident is not None and app.incident.severity is Severity.SEV1
        assert "INC-1" in str(app.query_one("#incident-header").render())

        for key, kind, text in [
            ("a", Kind.ACKNOWLEDGED, "on it"),
            ("c", Kind.ROOT_CAUSE, "rev 9 drops a column"),
            ("m", Kind.MITIGATED, "rolled back to rev 8"),
            ("f", Kind.FIX_DEPLOYED, ""),
            ("r", Kind.RESOLVED, "green for 15 min"),
        ]:
            clock.advance(minutes=2)
            await pilot.press(key)
            await pilot.pause()
            if key == "r":  # resolving asks first, one key, saying what is still open
                bar = app.query_one(PromptBar)
                assert bar.placeholder.startswith("Resolve INC-1? (y yes")
                assert (
                    "9 checklist steps open; resolving stops the clocks, starts the 48 h"
                    in bar.placeholder
                )
                assert rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'resolved'") == [(0,)]
                await pilot.press("y")
                await pilot.pause()
            # The prompt is a bar under the panels, which stay on screen.
            assert app.query_one(PromptBar).asking and app.screen is app.screen_stack[0]
            # The entry is already in the journal before any text is typed.
            assert rows(db, f"SELECT COUNT(*) FROM events WHERE kind = '{kind.value}'") == [(1,)]
            if text:
                await pilot.press(*text)
            await pilot.press("enter")
            await pilot.pause()

        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"[bold]literal[/]")
        await pilot.press("enter")
        await pilot.pause()

    events = rows(db, "SELECT kind, text, author FROM events ORDER BY at, id")
    assert events == [
        ("detected", "Incident declared, SEV-1", "ana"),
        ("acknowledged", "on it", "ana"),
        ("root_cause", "rev 9 drops a column", "ana"),
        ("mitigated", "rolled back to rev 8", "ana"),
        ("fix_deployed", "Fix deployed", "ana"),
        ("resolved", "green for 15 min", "ana"),
        ("note", "[bold]literal[/]", "ana"),
    ]


async def test_empty_title_is_refused_in_place(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.click("#ok")
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        assert "title is needed" in str(app.screen.query_one("#declare-error").render())
    assert rows(db, "SELECT COUNT(*) FROM incidents") == [(0,)]


async def test_severity_checklist_edit_and_resume(tmp_path, db, clock):
    await declared_before(db, clock, "Orders not saving")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        # s: severity, logged
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SeverityScreen)
        await pilot.press("down", "down", "enter")
        await pilot.press(*"cosmetic only", "enter")
        await pilot.pause()
        assert app.incident.severity is Severity.SEV3

        # Checklist: tab to it, tick the first step of the current phase.
        app.query_one(ChecklistPane).focus()
        await pilot.press("space")
        await pilot.pause()
        assert rows(db, "SELECT item_id, done, by FROM checklist") == [("1", 1, "ana")]
        await pilot.press("right_square_bracket")  # every phase is reachable
        await pilot.pause()
        assert "Mitigate" in str(app.query_one(ChecklistPane).border_title)

        # Edit the first timeline entry: correct its time to 02:55.
        timeline = app.query_one(TimelinePane)
        timeline.focus()
        timeline.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        at = app.screen.query_one("#at", Input)
        at.value = "02:55"
        app.screen.query_one("#text", Input).focus()
        await pilot.press("enter")
        await pilot.pause()

    detected = rows(db, "SELECT at, edited_by FROM events WHERE kind = 'detected'")
    assert detected == [("2026-11-26T02:55:00.000000Z", "ana")]
    assert rows(db, "SELECT text FROM events WHERE kind = 'severity'") == [
        ("SEV-1 -> SEV-3: cosmetic only",)
    ]

    # Quit and come back: the same incident, as it was.
    again = app_for(tmp_path, db, clock)
    async with again.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert again.incident is not None and again.incident.title == "Orders not saving"
        assert again.incident.checklist["1"].done
        assert not isinstance(again.screen, DeclareScreen)


async def test_export_key_writes_the_post_mortem(tmp_path, db, clock):
    await declared_before(db, clock, "Redis down")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("x")
        await pilot.pause()
    (path,) = (tmp_path / "postmortems").iterdir()
    assert path.name == "2026-11-26-INC-1-redis-down.md"
    assert path.read_text().startswith("# Incident Post-Mortem: Redis down\n")


async def test_two_consoles_see_each_other(tmp_path, db, clock):
    first = app_for(tmp_path, db, clock, user="ana")
    second = app_for(tmp_path, db, clock, user="bo")
    async with first.run_test(size=(160, 48)) as one:
        await one.pause()
        await declare(one, "Shared incident")
        async with second.run_test(size=(160, 48)) as two:
            await two.pause()
            assert second.incident is not None and second.incident.title == "Shared incident"
            await two.press("n")
            await two.press(*"bo here", "enter")
            await two.pause()
            # The change poll (twice a second) brings it to the first console.
            await eventually(
                lambda: first.query_one(TimelinePane).row_count == 2,
                "bo's note in ana's timeline",
                pilot=one,
            )
            texts = [e.text for e in first.incident.events]
            assert "bo here" in texts
            app_one_timeline = first.query_one(TimelinePane)
            assert app_one_timeline.row_count == 2


async def test_several_open_incidents_ask_which(tmp_path, db, clock):
    from warroom.runbook import load_runbook
    from warroom.service import WarRoom
    from warroom.store import SqliteJournal

    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        await room.declare("First", Severity.SEV2)
        await room.declare("Second", Severity.SEV1)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.incident is not None and app.incident.title == "Second"


async def test_start_screen_offers_post_mortems_still_to_write(tmp_path, db, clock):
    from textual.widgets import OptionList

    from warroom.runbook import load_runbook
    from warroom.service import WarRoom
    from warroom.store import SqliteJournal
    from warroom.ui.incidents import IncidentsScreen
    from warroom.ui.postmortem import PostmortemScreen

    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        done = await room.declare("Exported already", Severity.SEV1)
        await room.log(Kind.RESOLVED, "ok", incident_id=done)
        await room.export_postmortem(done, directory=tmp_path)
        minor = await room.declare("SEV-3, optional", Severity.SEV3)
        await room.log(Kind.RESOLVED, "ok", incident_id=minor)
        late = await room.declare("Checkout down", Severity.SEV2)
        await room.log(Kind.RESOLVED, "ok", incident_id=late)
    clock.advance(hours=49)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        # Nothing is open, but a SEV-2 post-mortem is overdue: offered, not the declare form.
        assert isinstance(app.screen, IncidentsScreen)
        choices = app.screen.query_one(OptionList)
        assert choices.option_count == 1
        assert "post-mortem OVERDUE" in str(choices.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.incident is not None and app.incident.title == "Checkout down"
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PostmortemScreen)


async def test_narrow_terminal_collapses_into_tabs(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Watching, the live panels first (the timeline is empty until an incident is declared).
        await eventually(
            lambda: (
                [type(p) for p in app.panes if p.display and p.has_class("-active")]
                == [HealthPanel]
            ),
            "health shown while watching",
            pilot=pilot,
        )
        await declare(pilot, "Small screen")
        assert app.narrow
        assert app.query_one("#pane-tabs").display
        visible = [p.id for p in app.panes if p.display and p.has_class("-active")]
        assert visible == ["timeline"]
        await pilot.press("tab")
        await pilot.pause()
        assert app.query_one(ChecklistPane).has_class("-active")


def logs_config(tmp_path: Path, user: str = "ana", **console) -> Config:
    from warroom.config import ConsoleConfig, LogGroupConfig, LogsConfig

    return Config(
        user=UserConfig(name=user),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "postmortems")),
        logs=LogsConfig(groups=(LogGroupConfig("/prod/backend"),)),
        console=ConsoleConfig(**console),
    )


async def test_resume_keeps_the_pane_layout(tmp_path, db, clock):
    from warroom.ui.layout_state import load_layout
    from warroom.ui.logpane import LogPane

    await declared_before(db, clock, "Layout")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        pane = app.query_one(LogPane)
        pane.set_filter("timeout")
        pane.action_zoom()
        await pilot.pause()
        app.focus_pane(4)
        # Saved on the console's one-second tick.
        await eventually(
            lambda: load_layout(db, "ana").active_pane == 4, "the layout saved", pilot=pilot
        )
    again = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with again.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        pane = again.query_one(LogPane)
        assert pane.filter_text == "timeout"
        assert pane.has_class("-zoomed")
        # Focused after the first refresh, so as to land on a laid-out pane.
        await eventually(lambda: again.current_pane() == 4, "pane 4 focused", pilot=pilot)


async def test_each_person_comes_back_to_their_own_pane_on_a_shared_journal(tmp_path, db, clock):
    """Two people's consoles on one journal: each is reopened as that person left it, not as
    whoever saved last. A layout an older warroom kept for everyone is still read."""
    await declared_before(db, clock, "Layout")
    db.with_name(db.name + ".console.json").write_text('{"incident": 1, "active_pane": 3}')

    async def console(user: str, opens_on: int, move_to: int | None = None) -> None:
        app = WarRoomApp(logs_config(tmp_path, user=user), db, start_feeds=False, clock=clock)
        async with app.run_test(size=(160, 48)) as pilot:
            await opened_on_incident(pilot)
            seen = f"{user}'s console on pane {opens_on}"
            await eventually(lambda: app.current_pane() == opens_on, seen, pilot=pilot)
            if move_to is not None:
                app.focus_pane(move_to)
                await pilot.press("q")

    await console("ana", opens_on=3, move_to=4)  # the older file's pane, then her own
    await console("bo", opens_on=3, move_to=2)
    await console("ana", opens_on=4)
    await console("bo", opens_on=2)


def test_a_layout_is_kept_for_any_name_and_never_half_written(db):
    from warroom.ui.layout_state import LayoutState, load_layout, save_layout, state_path

    db.parent.mkdir()
    # Everyone's file from an older warroom: where to pick up, but not someone else's drafts.
    db.with_name(db.name + ".console.json").write_text(
        '{"incident": 2, "active_pane": 1, "drafts": {"2": ["initial", "bo wrote this"]}}'
    )
    inherited = load_layout(db, "cy")
    assert (inherited.incident, inherited.active_pane, inherited.drafts) == (2, 1, {})

    long_name = "Юлия Александровна Константинопольская-Щербакова"  # 9 bytes a letter, quoted
    save_layout(db, long_name, LayoutState(incident=1, drafts={1: ("initial", "typed")}))
    assert load_layout(db, long_name).drafts == {1: ("initial", "typed")}
    assert state_path(db, "ana/../bo").parent == db.parent  # a name is never a path

    state_path(db, "dee").mkdir()  # where the file should go, something that is not a file
    save_layout(db, "dee", LayoutState(incident=1))
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")) == []


async def test_keys_typed_as_the_console_opens_answer_the_question_they_opened(tmp_path, db, clock):
    """The saved pane gets the focus a frame after the start; a note key typed before that
    keeps the keyboard for its text instead of the pane taking the rest of the keys."""
    from warroom.ui.layout_state import LayoutState, save_layout

    incident_id = await declared_before(db, clock, "Typed early")
    save_layout(db, "ana", LayoutState(incident=incident_id, active_pane=4))
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n", *"db failover")
        await pilot.pause()
        assert app.query_one("#prompt-bar").value == "db failover"
        await pilot.press("enter")
        await eventually(
            lambda: app.incident and app.incident.events[-1].text == "db failover", "the note"
        )
        # The saved pane has the focus once the note is in.
        await eventually(lambda: app.focused and app.current_pane() == 4, "pane 4", pilot=pilot)


async def test_quitting_a_resolved_incident_offers_the_export(tmp_path, db, clock):
    await declared_before(db, clock, "Close me")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("r", "y")
        await pilot.pause()
        await pilot.press("escape")  # no extra text
        await pilot.press("q")
        await pilot.pause()
        from warroom.ui.dialogs import ConfirmScreen

        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert [p.name for p in (tmp_path / "postmortems").iterdir()] == [
        "2026-11-26-INC-1-close-me.md"
    ]
    assert rows(db, "SELECT postmortem_exported_at IS NOT NULL FROM incidents") == [(1,)]


async def test_health_recovery_offers_to_mark_mitigated(tmp_path, db, clock):
    from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState

    def snapshot(state: HealthState, at) -> HealthSnapshot:
        ok = state is HealthState.OK
        check = Check(at, ok, 0.05, 200 if ok else 500, None, "" if ok else "HTTP 500")
        return HealthSnapshot(
            at,
            (
                EndpointHealth(
                    "api", "http://x", state, check.reason, check, 0.05, 100.0, 3, at, ()
                ),
            ),
        )

    await declared_before(db, clock, "Recovers")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        # What the health feed's worker posts.
        app.post_message(HealthArrived(snapshot(HealthState.OK, clock.now)))
        await pilot.pause()
        app.post_message(HealthArrived(snapshot(HealthState.DOWN, clock.advance(minutes=1))))
        await pilot.pause()
        recovered_at = clock.advance(minutes=9)
        clock.advance(seconds=20)
        app.post_message(HealthArrived(snapshot(HealthState.OK, recovered_at)))
        await pilot.pause()
        # Offered in the prompt bar, without a dialog or the focus.
        bar = app.query_one(PromptBar)
        assert app.screen is app.screen_stack[0] and not bar.has_focus
        assert bar.placeholder.startswith("Health recovered at 03:11:00 UTC. Mark mitigated")
        await pilot.press("y")
        await pilot.pause()
        assert bar.placeholder.startswith("ctrl+z undoes mitigation applied")
    kinds = rows(db, "SELECT kind, text, auto, at FROM events ORDER BY at, id")
    assert kinds[1][:3] == ("observation", "health api down: HTTP 500", 1)
    assert ("observation", "health api recovered", 1) in [k[:3] for k in kinds]
    mitigated = [k for k in kinds if k[0] == "mitigated"]
    assert mitigated == [
        ("mitigated", "Service restored (health recovered)", 0, "2026-11-26T03:11:00.000000Z")
    ]


async def test_feed_news_arriving_while_the_console_closes_is_dropped(tmp_path, db, clock):
    """The feeds post until their worker is stopped, and that is after the panels are gone:
    news handled in between is dropped, not an error on the way out."""
    import asyncio

    from warroom.sources.alarms import AlarmSnapshot
    from warroom.sources.ecs import EcsSnapshot
    from warroom.sources.health import HealthSnapshot
    from warroom.sources.logs import LogBatch
    from warroom.sources.status import SourceStatus
    from warroom.ui.feeds import AlarmsArrived, EcsArrived, LogsArrived

    def news():
        ok = SourceStatus("x").succeeded(clock.now, 0.1)
        yield HealthArrived(HealthSnapshot(clock.now, ()))
        yield EcsArrived(EcsSnapshot(clock.now, "prod", (), ok))
        yield AlarmsArrived(AlarmSnapshot(clock.now, (), ok))
        yield LogsArrived(LogBatch("/prod/backend", "", (), ok))

    async def post_through_the_shutdown() -> int:
        while app.is_running:
            await asyncio.sleep(0)
        posted = 0
        while all([app.post_message(message) for message in news()]):  # until the queue closes
            posted += 1
            await asyncio.sleep(0)
        return posted

    await declared_before(db, clock, "Closing")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        poster = asyncio.create_task(post_through_the_shutdown())
    assert await poster > 0  # news did arrive while it closed, and raised nothing


async def test_every_other_key_of_the_contract(tmp_path, db, clock):
    from textual.command import CommandList, CommandPalette

    from warroom.ui.dialogs import HelpScreen
    from warroom.ui.mitigation_dialogs import ActionMenu

    await declared_before(db, clock, "Keys")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ActionMenu)
        assert app.screen.rows[0][:2] == ("rollback", "Bad deploy causing errors")
        await pilot.press("escape")
        await pilot.press("x")
        await pilot.pause()
        assert list((tmp_path / "postmortems").iterdir())
        before = app.current_pane()
        await pilot.press("tab")
        await pilot.pause()
        assert app.current_pane() == (before + 1) % len(app.panes)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Log acknowledged")
        # The palette searches in the background; enter runs what is highlighted by then.
        commands = app.screen.query_one(CommandList)
        await eventually(
            lambda: (
                commands.highlighted is not None
                and "acknowledged" in str(commands.get_option_at_index(commands.highlighted).prompt)
            ),
            "the palette's match",
            pilot=pilot,
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(PromptBar).asking  # the palette ran the same action as `a`
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
    assert rows(db, "SELECT kind FROM events WHERE kind = 'acknowledged'") == [("acknowledged",)]
    assert app.return_code == 0


async def test_log_pane_wraps_long_lines_and_keeps_the_selection(tmp_path, db, clock):
    from warroom.sources.logs import LogBatch, LogLine
    from warroom.sources.status import SourceStatus
    from warroom.ui.logpane import LogPane

    def line(n: int, level: str, message: str) -> LogLine:
        return LogLine("/prod/backend", f"e{n}", clock.now, "s", message, level)

    long = "ERROR db timeout " + " ".join(f"tenant-{n:03d}" for n in range(40))
    batch = LogBatch(
        "/prod/backend",
        "ERROR",
        (line(1, "INFO", "INFO start"), line(2, "ERROR", long), line(3, "INFO", "INFO done")),
        SourceStatus("/prod/backend").succeeded(clock.now, 0.1),
    )
    await declared_before(db, clock, "Wrap")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        pane = app.query_one(LogPane)
        pane.add_batch(batch)
        pane.flush()
        view = pane.view
        assert view.line_count == 3 and len(view.lines[1]) == len(long) + 9  # cut at the edge

        view.focus()
        await pilot.press("e")  # the ERROR line, before wrapping
        assert pane.selected() is not None and pane.selected().event_id == "e2"
        await pilot.press("w")
        await pilot.pause()
        width = view.scrollable_content_region.width
        rows = list(view.lines)
        assert len(rows) > 3 and all(len(row) <= width for row in rows)
        assert rows[2].startswith(" " * 9)  # continuation rows sit under the message
        assert "".join(r.strip() for r in rows[1:-1]).replace(" ", "") == (
            f"{clock.now:%H:%M:%S}{long}".replace(" ", "")
        )
        # The selection is still the ERROR line, now all of its rows.
        assert pane.selected().event_id == "e2"
        assert list(view.cursor_rows) == list(range(1, len(rows) - 1))
        assert "wrap" in str(pane.border_title)

        pane.add_batch(
            batch.__class__(batch.group, batch.pattern, (line(4, "ERROR", long),), batch.source)
        )
        pane.flush()
        assert view.line_count == 1 + 2 * (len(rows) - 2) + 1
        await pilot.press("e")
        assert pane.selected().event_id == "e4"
        assert view.cursor_rows.stop == view.line_count

        await pilot.press("w")
        await pilot.pause()
        assert view.line_count == 4 and "wrap" not in str(pane.border_title)
        assert pane.selected().event_id == "e4" and list(view.cursor_rows) == [3]


async def test_a_journal_that_refuses_writes_is_shown_and_the_console_carries_on(
    tmp_path, db, clock, notices
):
    await declared_before(db, clock, "Disk trouble")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        # SQLite itself refuses (as on a full disk or a read-only file system).
        await app.room.journal._db.execute("PRAGMA query_only = 1")
        await pilot.press("a")
        await eventually(
            lambda: any(n.title == "Journal error" for n in notices),
            "the journal error shown",
            pilot=pilot,
        )
        assert app.is_running and not app.query_one(PromptBar).asking
        assert rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'acknowledged'") == [(0,)]

        await app.room.journal._db.execute("PRAGMA query_only = 0")
        await pilot.press("a")
        await pilot.pause()
        assert rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'acknowledged'") == [(1,)]


async def test_wrapping_a_long_pane_keeps_the_selected_line(tmp_path, db, clock):
    from warroom.sources.logs import LogBatch, LogLine
    from warroom.sources.status import SourceStatus
    from warroom.ui.logpane import WRAP_MAX_LINES, LogPane

    count = WRAP_MAX_LINES + 200  # wrapping keeps only the last WRAP_MAX_LINES
    lines = tuple(
        LogLine("/prod/backend", f"e{n}", clock.now, "s", f"{level} line {n}", level)
        for n in range(count)
        for level in ["ERROR" if n == count - 50 else "INFO"]
    )
    await declared_before(db, clock, "Wrap a long pane")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        pane = app.query_one(LogPane)
        pane.add_batch(
            LogBatch("/prod/backend", "", lines, SourceStatus("x").succeeded(clock.now, 0.1))
        )
        pane.flush()
        pane.view.focus()
        await pilot.press("e")
        assert pane.selected().event_id == f"e{count - 50}"
        await pilot.press("w")
        await pilot.pause()
        assert len(pane.shown) == WRAP_MAX_LINES
        assert pane.selected().event_id == f"e{count - 50}"
        assert list(pane.view.cursor_rows) == [WRAP_MAX_LINES - 50]
