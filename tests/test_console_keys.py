"""Keys as the README documents them, at the sizes the console is used at (Textual Pilot)."""

from __future__ import annotations

from pathlib import Path

from warroom.config import Config, JournalConfig, LogGroupConfig, LogsConfig, UserConfig
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.ui.app import WarRoomApp
from warroom.ui.logpane import LogPane

from .conftest import declare, declared_before, eventually, opened_on_incident, rows, seed_ecs


def logs_config(tmp_path: Path) -> Config:
    return Config(
        user=UserConfig(name="ana"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "postmortems")),
        logs=LogsConfig(groups=(LogGroupConfig("/prod/backend"),)),
    )


def batch(clock, first: int, count: int) -> LogBatch:
    lines = tuple(
        LogLine("/prod/backend", f"e{n}", clock.now, "s", f"ERROR line {n}", "ERROR")
        for n in range(first, first + count)
    )
    return LogBatch("/prod/backend", "ERROR", lines, SourceStatus("x").succeeded(clock.now, 0.1))


async def test_end_in_a_log_pane_follows_again(tmp_path, db, clock):
    await declared_before(db, clock, "Follow")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        pane = app.query_one(LogPane)
        pane.add_batch(batch(clock, 0, 200))
        pane.flush()
        pane.view.focus()
        await pilot.pause()

        for pause in ("e", "pageup"):  # a selected line, or scrolled up: both pause
            await pilot.press(pause)
            await pilot.pause()
            assert "paused" in str(pane.border_title), pause
            await pilot.press("end")
            await pilot.pause()
            assert "following" in str(pane.border_title), pause
            assert pane.selected().event_id == f"e{len(pane.shown) - 1}"  # no line held
            # New lines come into view again.
            pane.add_batch(batch(clock, len(pane.shown), 5))
            pane.flush()
            await pilot.pause()
            assert pane.view.is_vertical_scroll_end, pause


async def palette_rows(pilot, query: str, expect: str) -> list[str]:
    """Open the palette, type `query`, and wait for a row holding `expect`: the rows' text."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    if query:
        await pilot.press(*query)
    commands = pilot.app.screen.query_one(CommandList)

    def texts() -> list[str]:
        return [commands.get_option_at_index(n).prompt.plain for n in range(commands.option_count)]

    await eventually(lambda: any(expect in text for text in texts()), expect, pilot=pilot)
    return texts()


async def test_the_palette_names_every_key_and_every_mitigation(tmp_path, db, clock):
    from warroom.ui import keys
    from warroom.ui.mitigation_dialogs import ActionMenu

    await declared_before(db, clock, "Palette")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)

        listed = await palette_rows(pilot, "", "Mitigation: rollback")
        names = [row.split("\n")[0] for row in listed]
        # Every key by its description, as written ("(config [runbook])" included).
        for key in keys.palette_commands():
            assert key.description[:1].upper() + key.description[1:] in names, key.id
        assert "Keys" not in names and "Quit" not in names  # ? and q stand for Textual's
        await pilot.press("escape")

        # A mitigation by its name, or by the situation it answers: the menu opens on it.
        for query, name in (("rollback", "rollback"), ("redis", "failover")):
            await palette_rows(pilot, query, f"Mitigation: {name}")
            await pilot.press("enter")
            await eventually(lambda: isinstance(app.screen, ActionMenu), "the menu", pilot=pilot)
            menu = app.screen
            assert menu.rows[menu.query_one("#actions").highlighted].name == name
            await pilot.press("escape")
            await pilot.pause()

        # The focused pane's keys too, run on that pane.
        pane = app.query_one(LogPane)
        pane.view.focus()
        await pilot.pause()
        await palette_rows(pilot, "zoom", "Zoom the pane to full screen and back")
        await pilot.press("enter")
        await eventually(lambda: pane.has_class("-zoomed"), "the zoomed pane", pilot=pilot)


async def test_the_declare_form_shows_the_chosen_severity_without_colour(tmp_path, db, clock):
    from warroom.severity import Severity
    from warroom.ui.dialogs import DeclareScreen
    from warroom.ui.severity_choice import SeverityButton

    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        form = app.screen

        def marks() -> list[str]:
            """Each row's button, as plain text: the dot marks the choice."""
            return [b.render().plain[:3] for b in form.query(SeverityButton)]

        assert marks() == ["▐ ▌", "▐●▌", "▐ ▌"]  # SEV-2 by default
        await pilot.press(*"Orders down", "tab")  # to the severity rows
        await pilot.press("up")
        assert marks() == ["▐●▌", "▐ ▌", "▐ ▌"]
        await pilot.press("up")  # stays on SEV-1: no wrap to SEV-3
        assert marks() == ["▐●▌", "▐ ▌", "▐ ▌"]
        await pilot.press("down", "down", "down")  # and stops at SEV-3
        assert marks() == ["▐ ▌", "▐ ▌", "▐●▌"]
        await pilot.press("up")
        await pilot.press("ctrl+s")  # the hint's other way to declare
        await pilot.pause()
        assert app.incident is not None and app.incident.severity is Severity.SEV2


def moto_config(tmp_path: Path, url: str) -> Config:
    from warroom.config import AwsConfig, EcsConfig

    return Config(
        user=UserConfig(name="ana"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "postmortems")),
        aws=AwsConfig(region="me-south-1", endpoint_url=url),
        ecs=EcsConfig(cluster="saas-prod", services=("saas-backend", "saas-worker")),
    )


def on_screen(app, widget) -> bool:
    """Drawn where the user can see it: the topmost widget at its first cell."""
    from textual.errors import NoWidget

    region = widget.region
    try:
        return bool(region) and app.screen.get_widget_at(region.x, region.y)[0] is widget
    except NoWidget:  # off the screen
        return False


async def test_the_mitigation_menu_at_80x24_keeps_its_fields_and_asks_for_a_value(
    tmp_path, db, clock, aws
):
    from textual.widgets import Input

    from warroom.ui.mitigation_dialogs import ActionMenu, ConfirmAction

    seed_ecs(aws)
    await declared_before(db, clock, "Database overloaded")
    app = WarRoomApp(moto_config(tmp_path, aws), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        target, value = menu.query_one("#target", Input), menu.query_one("#value", Input)
        assert on_screen(app, target) and on_screen(app, value)

        await pilot.press("down", "enter")  # scale, saas-backend suggested, no value
        status = menu.query_one("#action-status")
        await eventually(lambda: "needs a value" in status.render().plain, "why", pilot=pilot)
        assert app.screen is menu and app.focused is value
        assert status.render().plain.startswith("scale needs a value: the new desired count")
        assert "--value" not in status.render().plain  # the CLI's word for it

        await pilot.press("1", "enter")
        await eventually(lambda: isinstance(app.screen, ConfirmAction), "preview", pilot=pilot)
        assert "desired count: 3 -> 1" in app.screen.preview


async def test_a_mistyped_confirmation_can_be_typed_again(tmp_path, db, clock, aws):
    from warroom.ui.mitigation_dialogs import ConfirmAction

    seed_ecs(aws)
    await declared_before(db, clock, "Bad deploy")
    app = WarRoomApp(moto_config(tmp_path, aws), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("enter")  # rollback saas-backend: the name is typed to confirm
        await eventually(lambda: isinstance(app.screen, ConfirmAction), "preview", pilot=pilot)
        confirm = app.screen
        await pilot.press(*"saas-backedn", "enter")
        await pilot.pause()
        assert app.screen is confirm  # still asking
        assert (
            "'saas-backedn' is not saas-backend" in confirm.query_one("#word-error").render().plain
        )
        assert confirm.query_one("#word").value == ""
        await pilot.press(*"saas-backend", "enter")
        await eventually(
            lambda: rows(db, "SELECT json_extract(data, '$.ok') FROM events WHERE kind = 'action'"),
            "the rollback journaled",
            pilot=pilot,
        )
    assert rows(db, "SELECT json_extract(data, '$.ok') FROM events WHERE kind = 'action'") == [(1,)]


async def test_every_dialog_fits_or_scrolls_at_80x24(tmp_path, db, clock):
    from textual.widgets import Button

    from warroom.ui.dialogs import DeclareScreen

    def fits_or_scrolls() -> bool:
        dialog = app.screen.query_one(".dialog")
        fits = dialog.virtual_size.height <= dialog.scrollable_content_region.height
        return fits or dialog.allow_vertical_scroll

    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DeclareScreen) and fits_or_scrolls()
        declare_button = form.query_one("#ok", Button)
        while app.focused is not declare_button:  # tab down the form to its button
            await pilot.press("tab")
            await pilot.pause()
        assert on_screen(app, declare_button)
        form.query_one("#title").focus()
        await pilot.press(*"Small screen", "enter")
        await pilot.pause()
        assert app.incident is not None

        for key in ("s", "u", "question_mark", "o", "exclamation_mark", "ctrl+n"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is not app.screen_stack[0], key
            assert fits_or_scrolls(), key
            await pilot.press("escape")
            await pilot.pause()


async def test_at_80_columns_the_key_bar_keeps_the_keys_that_matter(tmp_path, db, clock):
    from warroom.ui.promptbar import KeyBar

    await declared_before(db, clock, "Narrow")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened_on_incident(pilot)
        bar = app.query_one(KeyBar)
        text = bar.render().plain
        assert len(text) <= 80
        for shown in ("q Quit", "! Mitigate", "u Update", "a Ack", "? help", "^p palette"):
            assert shown in text, (shown, text)
        assert "…" not in text  # whole keys, none cut in half
        assert text.index("a Ack") < text.index("! Mitigate") < text.index("q Quit")

    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:  # wide: every key, in its place
        await pilot.pause()
        text = app.query_one(KeyBar).render().plain
        assert "p Post-mortem  q Quit" in text and "s Sev  ! Mitigate" in text


async def test_a_resize_under_a_dialog_lays_out_the_main_screen(tmp_path, db, clock):
    from textual.widgets import Tabs

    await declared_before(db, clock, "Resized")
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)  # an SSH window made smaller, help still open
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#pane-tabs", Tabs).display  # the narrow layout: one pane, tabs
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not app.query_one("#pane-tabs", Tabs).display


async def test_watching_the_key_bar_offers_declare_and_dims_the_incident_keys(tmp_path, db, clock):
    from warroom.ui.promptbar import KeyBar

    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.incident is None  # nothing declared yet: watching
        bar = app.query_one(KeyBar).render()
        assert bar.plain.startswith("^n Declare"), bar.plain
        ack = bar.plain.index("a Ack")
        assert all("dim" in str(s.style) for s in bar.spans if s.start <= ack < s.end)
        await pilot.press("a")  # does nothing, says nothing: there is no incident
        await pilot.pause()
        assert app.incident is None and app.screen is app.screen_stack[0]

        await declare(pilot, "Now there is one")
        await eventually(
            lambda: "Declare" not in app.query_one(KeyBar).render().plain,
            "the key bar without ctrl+n",
            pilot=pilot,
        )
        bar = app.query_one(KeyBar).render()
        ack = bar.plain.index("a Ack")
        assert not any("dim" in str(s.style) for s in bar.spans if s.start <= ack < s.end)
