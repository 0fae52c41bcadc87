"""What the console's panes and dialogs say, read off the screen (Textual Pilot)."""

from __future__ import annotations

from warroom.ui.panels import ChecklistPane, TimelinePane

from .conftest import app_for, declare, eventually


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


def shown(widget) -> str:
    """A widget's text as it is drawn (markup already applied, or not)."""
    return widget.render().plain


def toasts(app) -> list[str]:
    from textual.widgets._toast import Toast

    return [shown(toast) for toast in app.screen.query(Toast)]


async def test_bracketed_words_are_shown_as_written(tmp_path, db, clock):
    """Config sections like `[notify]` in the console's own words are text, not markup."""
    from warroom.ui.dialogs import TextPrompt, UpdateEditor

    app = app_for(tmp_path, db, clock)  # no [notify] channel configured
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        await declare(pilot, "Brackets")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UpdateEditor)
        title = shown(app.screen.query_one(".dialog-title"))
        assert "to no channel ([notify] in config); fill in [alarm name / user report]" in title
        await pilot.press("ctrl+s")  # nowhere to send it: refused, said in a toast
        await eventually(
            lambda: any("([notify] channel or channels)" in toast for toast in toasts(app)),
            "the toast",
            pilot=pilot,
        )

        timeline = app.query_one(TimelinePane)
        timeline.focus()
        timeline.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one("#at").value = "[b]noon"
        app.screen.query_one("#text").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "'[b]noon'" in shown(app.screen.query_one("#prompt-error"))
