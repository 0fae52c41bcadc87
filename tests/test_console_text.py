"""What the console's panes and dialogs say, read off the screen (Textual Pilot)."""

from __future__ import annotations

from dataclasses import replace

from warroom.config import NotifyConfig
from warroom.ui.panels import ChecklistPane, TimelinePane

from .conftest import (
    app_for,
    console_config,
    declare,
    declared_before,
    eventually,
    opened_on_incident,
)


def timeline_rows(app) -> list[str]:
    return app.query_one(TimelinePane).rows()


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
    await declared_before(db, clock, "Phases")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
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
    """Brackets in the console's own words and in what people type are text, not markup."""
    from warroom.ui.dialogs import TextPrompt, UpdateEditor
    from warroom.ui.panels import IncidentHeader

    await declared_before(db, clock, "Deploy [b]prod[/b] broke")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await opened_on_incident(pilot)
        assert "Deploy [b]prod[/b] broke" in shown(app.query_one(IncidentHeader))
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UpdateEditor)
        title = shown(app.screen.query_one(".dialog-title"))
        assert "Status update (investigating) to no team channel" in title
        await pilot.press("escape")
        # Every toast is plain text, whatever its words: service errors quote config sections.
        app.notify("set [notify] channel or channels", title="[b]Not sent")
        await eventually(
            lambda: any("[notify] channel or channels" in t for t in toasts(app)),
            "the toast",
            pilot=pilot,
        )
        assert any("[b]Not sent" in t for t in toasts(app))

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


async def test_at_80_columns_the_header_keeps_the_title(tmp_path, db, clock):
    from warroom.ui.panels import IncidentHeader

    # A channel is configured: the header counts down to the next update.
    config = replace(console_config(tmp_path), notify=NotifyConfig(channel="slack"))
    await declared_before(db, clock, "API returns 500s after deploy")
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened_on_incident(pilot)
        header = app.query_one(IncidentHeader)
        clock.advance(minutes=3)
        header.redraw()
        # Not yet acknowledged: the deadline stays, the update due in 27 minutes gives way.
        assert shown(header) == (
            " INC-1  SEV-1  API returns 500s after deploy   T+00:03:00  ack due 00:12:00"
        )
        await pilot.press("a", "enter")
        clock.advance(minutes=9)
        header.redraw()
        # Acknowledged: how long that took gives way to the title.
        assert shown(header) == (
            " INC-1  SEV-1  API returns 500s after deploy   T+00:12:00  update in 00:18:00"
        )
        # A title longer than the room is cut only after every lesser part has gone; an update
        # due within 5 minutes is worth its room again.
        long = "Checkout fails for every tenant in eu-west after the 03:00 payments deploy"
        app.incident = replace(app.incident, title=long)
        header.show(app.incident)
        assert shown(header).startswith(" INC-1  SEV-1  Checkout fails for every tenant in")
        assert shown(header).endswith("…  T+00:12:00")
        clock.advance(minutes=14)
        header.redraw()
        assert shown(header).endswith("…  T+00:26:00  update in 00:04:00")
        assert len(shown(header)) <= 80


async def test_the_runbook_viewer_shows_where_links_go(tmp_path):
    from textual.app import App
    from textual.widgets.markdown import MarkdownBlock

    from warroom.ui.docs import RunbookScreen

    doc = tmp_path / "runbook-prod.md"
    doc.write_text(
        "# Latency\n\n"
        "See the [dashboard](https://grafana.example/d/api?orgId=1) for latency.\n\n"
        "Back to [the top](#latency); status at <https://status.example>.\n\n"
        "| panel | where |\n|---|---|\n| p95 | [graph](https://grafana.example/d/p95) |\n"
    )
    screen = RunbookScreen([doc])

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # Paragraphs are blocks; a table's cells are Statics inside its block.
        parts = [*screen.query(MarkdownBlock), *screen.query("MarkdownTable Static")]
        text = "\n".join(getattr(part.render(), "plain", "") for part in parts)
    assert "See the dashboard (https://grafana.example/d/api?orgId=1) for latency." in text
    assert "Back to the top; status at https://status.example." in text  # nothing to add
    assert "graph (https://grafana.example/d/p95)" in text
