"""Keys typed fast, as one terminal read hands them over, go where the key before them left the
focus: into the field it opened, never onto the main screen as commands (Textual Pilot)."""

from __future__ import annotations

from warroom.ui.dialogs import TextPrompt
from warroom.ui.panels import TimelinePane

from .conftest import (
    app_for,
    declared_before,
    opened_on_incident,
    rows,
    settle,
    typed_fast,
)


async def test_a_note_typed_fast_is_a_note(tmp_path, db, clock):
    await declared_before(db, clock, "Typed fast")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        # r, o, d, a, m: resolve, outbox, runbooks, acknowledge, mitigate, had they fallen through.
        typed_fast(app, "nrolled back; dashboards ok, outbox empty, all calm\n")
        await settle(pilot)
        assert app.screen is app.screen_stack[0]
    assert rows(db, "SELECT kind, text FROM events ORDER BY id") == [
        ("detected", "Incident declared, SEV-1"),
        ("note", "rolled back; dashboards ok, outbox empty, all calm"),
    ]


async def test_an_entry_edit_typed_fast_goes_into_its_field(tmp_path, db, clock):
    await declared_before(db, clock, "Typed fast")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        timeline = app.query_one(TimelinePane)
        timeline.focus()
        timeline.highlighted = 0
        await pilot.pause()
        typed_fast(app, "\nPaged by the alarm")  # enter opens the edit dialog
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        # What was typed replaced the selected text, as it does when typed slowly.
        assert app.screen.query_one("#text").value == "Paged by the alarm"
        await pilot.press("escape")
    assert rows(db, "SELECT kind, text FROM events ORDER BY id") == [
        ("detected", "Incident declared, SEV-1"),
    ]


async def test_keys_typed_after_q_wait_for_the_export_question(tmp_path, db, clock):
    from warroom.ui.dialogs import ConfirmScreen

    await declared_before(db, clock, "Quit fast")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("r", "y", "escape")
        await pilot.pause()
        typed_fast(app, "qxa")  # x would export, a would be refused: both reach the question
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Export the post-mortem before quitting?"
        assert not (tmp_path / "postmortems").exists()
        await pilot.press("escape")
    assert [k for (k,) in rows(db, "SELECT kind FROM events ORDER BY id")] == [
        "detected",
        "resolved",
    ]
