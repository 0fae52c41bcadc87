"""Which incident the console shows, and getting to the others: the start, `i`, the palette,
and an incident declared elsewhere while it runs (Textual Pilot against a real journal file)."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList

from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal
from warroom.ui.dialogs import DeclareScreen
from warroom.ui.incidents import IncidentsScreen
from warroom.ui.layout_state import LayoutState, save_layout
from warroom.ui.panels import IncidentHeader

from .conftest import app_for, declare, eventually


async def open_room(db, clock, author: str = "bo") -> WarRoom:
    """The journal as another console or a CLI call writes it."""
    return WarRoom(await SqliteJournal.open(db), author=author, runbook=load_runbook(), clock=clock)


def header(app) -> str:
    return str(app.query_one(IncidentHeader).render())


def choices(app) -> list[str]:
    listed = app.screen.query_one(OptionList)
    return [str(listed.get_option_at_index(n).prompt) for n in range(listed.option_count)]


async def test_a_newer_open_incident_wins_over_the_resolved_one_left_on_screen(tmp_path, db, clock):
    async with await open_room(db, clock) as room:
        await room.declare("Old outage", Severity.SEV3)
        await room.log(Kind.RESOLVED, "ok", incident_id=1)
        second = await room.declare("Checkout down", Severity.SEV1)
        await room.log(Kind.RESOLVED, "ok", incident_id=second)  # post-mortem not exported
        save_layout(db, "ana", LayoutState(incident=second))  # this console showed INC-2 last
        clock.advance(minutes=30)
        third = await room.declare("API 500s", Severity.SEV1)  # declared from the CLI
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.incident is not None and app.incident.id == third
        assert "also open" not in header(app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IncidentsScreen)
        rows = choices(app)
        # Open ones first, then those resolved lately (a SEV-3 needs no post-mortem).
        assert [r.split()[0] for r in rows] == ["INC-3", "INC-1", "INC-2"]
        assert "(shown)" in rows[0] and "post-mortem due" in rows[2]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.incident.id == second
        assert "⚑ INC-3 also open (i)" in header(app)


async def test_only_a_resolved_exported_incident_is_still_reachable(tmp_path, db, clock):
    async with await open_room(db, clock) as room:
        done = await room.declare("Redis down", Severity.SEV2)
        await room.log(Kind.RESOLVED, "ok", incident_id=done)
        await room.export_postmortem(done, directory=tmp_path)
    clock.advance(hours=3)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.incident is None  # watching
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IncidentsScreen)
        [row] = choices(app)
        assert row.startswith("INC-1") and "post-mortem exported" in row
        await pilot.press("enter")
        await pilot.pause()
        assert app.incident is not None and app.incident.title == "Redis down"


async def test_an_incident_declared_elsewhere_is_announced_and_one_palette_entry_away(
    tmp_path, db, clock, notices
):
    async with await open_room(db, clock, "ana") as room:
        await room.declare("API 500s", Severity.SEV1)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.incident is not None and app.incident.id == 1
        async with await open_room(db, clock) as room:  # bo, on another console
            await room.declare("Webhooks failing", Severity.SEV2)
        announced = "INC-2 SEV-2 declared by bo: Webhooks failing; i switches to it"
        await eventually(
            lambda: any(n.message == announced for n in notices), "the announcement", pilot=pilot
        )
        assert "⚑ INC-2 also open (i)" in header(app)
        assert app.incident.id == 1  # nothing switches by itself
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Switch to INC-2")
        commands = app.screen.query_one(CommandList)
        await eventually(
            lambda: (
                commands.highlighted is not None
                and "INC-2" in str(commands.get_option_at_index(commands.highlighted).prompt)
            ),
            "the palette's match",
            pilot=pilot,
        )
        await pilot.press("enter")
        await eventually(lambda: app.incident.id == 2, "INC-2 shown", pilot=pilot)
        assert "⚑ INC-1 also open (i)" in header(app)


async def test_the_start_form_hears_of_an_incident_declared_meanwhile(tmp_path, db, clock, notices):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")  # watching, then the form
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        async with await open_room(db, clock) as room:
            await room.declare("API 500s", Severity.SEV1)
        await eventually(
            lambda: any("esc leaves this form to open it" in n.message for n in notices),
            "the announcement",
            pilot=pilot,
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, IncidentsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.incident is not None and app.incident.title == "API 500s"


async def test_an_incident_declared_here_is_not_news_to_the_change_poll(
    tmp_path, db, clock, notices, monkeypatch
):
    app = app_for(tmp_path, db, clock)
    original = WarRoom.incident
    polled: list[int] = []

    async def poll_then_read(room: WarRoom, incident_id: int):
        # The console's change poll (twice a second) runs while the console reads the incident
        # it just declared, before it shows it.
        if not polled:
            polled.append(incident_id)
            await app._poll_changes()
        return await original(room, incident_id)

    monkeypatch.setattr(WarRoom, "incident", poll_then_read)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "API 500s")
        assert app.incident is not None and app.incident.id == 1 and polled == [1]
    assert [n.message for n in notices] == ["INC-1 declared"]
