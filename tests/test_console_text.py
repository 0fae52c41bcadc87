"""What the console's panes and dialogs say, read off the screen (Textual Pilot)."""

from __future__ import annotations

from warroom.ui.panels import ChecklistPane, TimelinePane

from .conftest import app_for, declare


def timeline_rows(app) -> list[str]:
    timeline = app.query_one(TimelinePane)
    return [str(timeline.get_option_at_index(n).prompt) for n in range(timeline.option_count)]


async def test_the_timeline_shows_seconds(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        clock.advance(seconds=50)
        await declare(pilot, "Seconds")
        for key in ("a", "n"):  # two entries in one minute, 03:02:05 and 03:02:40
            clock.advance(seconds=15 if key == "a" else 35)
            await pilot.press(key)
            await pilot.pause()
            if key == "n":
                await pilot.press(*"second one")
            await pilot.press("enter")
            await pilot.pause()
        rows = timeline_rows(app)
    assert [row[:8] for row in rows] == ["03:01:50", "03:02:05", "03:02:40"]


async def test_the_checklist_title_names_the_phase_not_a_fraction(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Phases")
        checklist = app.query_one(ChecklistPane)
        assert str(checklist.border_title) == "Checklist: Detect & Triage · phase 1 of 4"
        assert str(checklist.border_subtitle).startswith("0/")
