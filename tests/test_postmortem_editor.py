"""The post-mortem editor driven by keys (Textual Pilot) against a real journal file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from markdown_it import MarkdownIt
from textual.geometry import Region
from textual.widgets import Input, Label

from warroom.errors import JournalError
from warroom.model import Kind, Scope
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal
from warroom.timeutil import to_db
from warroom.ui.app import WarRoomApp
from warroom.ui.postmortem import (
    ActionItemForm,
    ActionItemsTable,
    FieldArea,
    PostmortemScreen,
    parse_deadline,
)
from warroom.ui.postmortem.preview import ExportPreview
from warroom.ui.promptbar import KeyBar

from .conftest import app_for as console_app
from .conftest import console_config, eventually, rows, typed_fast

TITLE = "API returns 500s after deploy"
PM_DIR = "console-postmortems"  # the console's own; the editor writes where the test says
HEADINGS = [
    f"# Incident Post-Mortem: {TITLE}",
    "## Summary",
    "## Timeline (UTC)",
    "## Root Cause",
    "## Impact",
    "## Mitigation",
    "## Fix",
    "## Action Items",
    "## Lessons Learned",
]


def app_for(tmp_path: Path, db: Path, clock) -> WarRoomApp:
    return console_app(tmp_path, db, clock, config=console_config(tmp_path, postmortems=PM_DIR))


async def declare_and_resolve(db: Path, clock, *, resolve: bool = False) -> int:
    """SEV-1 detected 03:01, mitigated 03:14 (13 minutes of impact), fix deployed 03:54 and,
    with `resolve`, resolved 04:09 (the console then has no open incident to show)."""
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        incident = await room.declare(TITLE, Severity.SEV1, scope=Scope(("acme",), ()))
        for minutes, kind, text in [
            (4, Kind.ACKNOWLEDGED, "on it"),
            (6, Kind.ROOT_CAUSE, "rev 9 drops a column"),
            (3, Kind.MITIGATED, "rolled back to rev 8"),
            (40, Kind.FIX_DEPLOYED, "migration made backwards compatible"),
            (15, Kind.RESOLVED, "green for 15 min"),
        ]:
            if kind is Kind.RESOLVED and not resolve:
                break
            clock.advance(minutes=minutes)
            await room.log(kind, text, incident_id=incident)
    return incident


async def open_editor(app: WarRoomApp, pilot, incident: int, directory: Path) -> PostmortemScreen:
    await pilot.pause()
    assert app.room is not None and app.incident is not None and app.incident.id == incident
    screen = PostmortemScreen(app.room, incident, directory=directory)
    app.push_screen(screen)
    await pilot.pause()
    await pilot.pause(0.1)
    assert app.screen is screen
    return screen


def area(screen: PostmortemScreen, name: str) -> FieldArea:
    return screen.query_one(f"#pm-{name.replace('_', '-')}", FieldArea)


async def type_into(pilot, screen: PostmortemScreen, name: str, text: str) -> None:
    """Typed fast (one burst of keys): what is tested is what the editor does with the text."""
    field = area(screen, name)
    field.focus()
    await pilot.pause()
    before = field.text
    typed_fast(pilot.app, text)  # the cursor starts at the end of what is there
    await eventually(lambda: field.text == before + text, f"{text!r} typed", pilot=pilot)


async def add_item(pilot, text: str, owner: str = "", deadline: str = "") -> None:
    """Fill in the form, each field typed fast, then enter to go on to the next (and save)."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, ActionItemForm)
    for value, field in (
        (text, "#item-text"),
        (owner, "#item-owner"),
        (deadline, "#item-deadline"),
    ):
        box = form.query_one(field, Input)
        typed_fast(pilot.app, value)
        await eventually(lambda box=box, value=value: box.value == value, field, pilot=pilot)
        await pilot.press("enter")
    await pilot.pause()


def stored_fields(db: Path) -> dict[str, str]:
    return dict(rows(db, "SELECT name, value FROM postmortem_fields"))


def test_parse_deadline():
    assert parse_deadline("2026-12-01") == date(2026, 12, 1)
    assert parse_deadline("  ") is None
    for bad in ("2026-13-01", "2026-02-30", "20261201", "01/12/2026", "2026-12-1", "soon"):
        try:
            parse_deadline(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


async def test_prefilled_from_the_timeline_and_nothing_stored_until_changed(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        assert area(screen, "summary").text == ""
        assert area(screen, "root_cause").text == "rev 9 drops a column"
        assert area(screen, "users_affected").text == "single tenant (acme)"
        assert area(screen, "impact_duration").text == "13 minutes"
        assert area(screen, "data_loss").text == ""
        assert area(screen, "mitigation").text == "rolled back to rev 8"
        assert area(screen, "fix").text == "migration made backwards compatible"
        assert area(screen, "mitigation").border_subtitle == "from the timeline"
        # The preview is the export, rendered from the journal.
        assert screen.preview_text.startswith(f"# Incident Post-Mortem: {TITLE}\n")
        assert screen.query_one("#pm-preview", ExportPreview).display
        # Its own keys in the key bar; `?` is text here, so no help key is offered.
        keys = screen.query_one(KeyBar).render().plain
        assert "^e Export" in keys and "^g To backlog" in keys and "esc Close" in keys
        assert keys.rstrip().endswith("^p palette") and "? help" not in keys
        # Walking through the fields changes nothing: a prefill is not a value.
        for name in ("root_cause", "mitigation", "fix", "lessons_learned"):
            area(screen, name).focus()
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
    assert stored_fields(db) == {}


async def test_fields_and_items_survive_quitting_without_export(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    out = tmp_path / "out"
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, out)

        # Debounced: saved a second after the last keystroke, with the focus still there.
        await type_into(pilot, screen, "summary", "Rev 9 took the API down")
        await pilot.pause()
        assert stored_fields(db).get("summary") != "Rev 9 took the API down"  # not per keystroke
        assert screen.saved_label == "editing…"
        await eventually(
            lambda: (
                stored_fields(db).get("summary") == "Rev 9 took the API down"
                and screen.saved_label != "editing…"
            ),
            "the summary saved a second after the last keystroke",
            pilot=pilot,
        )
        assert screen.saved_label.startswith("saved ") and screen.saved_label.endswith(" UTC")

        # On blur: saved when the focus leaves the field, not a debounce later (an hour here,
        # so that only the blur can have saved it).
        debounce, screen.autosave.delay = screen.autosave.delay, 3600.0
        await type_into(pilot, screen, "data_loss", "none")
        area(screen, "root_cause").focus()
        await eventually(
            lambda: stored_fields(db).get("data_loss") == "none", "on blur", pilot=pilot
        )

        # A prefilled field edited keeps the timeline's text and adds to it.
        await pilot.press(*" #bad-deploy")
        area(screen, "lessons_learned").focus()
        await eventually(
            lambda: stored_fields(db).get("root_cause") == "rev 9 drops a column #bad-deploy",
            "the prefilled field on blur",
            pilot=pilot,
        )
        screen.autosave.delay = debounce
        await pilot.press(*"Test it", "enter", *"in CI")
        await eventually(
            lambda: stored_fields(db).get("lessons_learned") == "Test it\nin CI",
            "the lessons saved a second after the last keystroke",
            pilot=pilot,
        )

        await add_item(pilot, "CI migration check", "bo", "2026-12-01")
        assert app.screen is screen
        await add_item(pilot, "5xx alert")
        assert [i.text for i in screen.items] == [
            "CI migration check",
            "5xx alert",
        ]
        table = screen.query_one(ActionItemsTable)
        assert app.focused is table and table.row_count == 2

        # Edit the second one (enter), then tick the first done (space).
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ActionItemForm)
        assert app.screen.query_one("#item-text", Input).value == "5xx alert"
        app.screen.query_one("#item-owner", Input).focus()
        await pilot.press(*"ana", "ctrl+s")
        await pilot.pause()
        await pilot.press("up", "space")
        await pilot.pause()
        assert [(i.owner, i.done) for i in screen.items] == [("bo", True), ("ana", False)]
        # Quit the whole console here: no export, no esc.
    assert not out.exists()
    assert rows(db, "SELECT postmortem_exported_at FROM incidents") == [(None,)]

    again = app_for(tmp_path, db, clock)
    async with again.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(again, pilot, incident, out)
        assert area(screen, "summary").text == "Rev 9 took the API down"
        assert area(screen, "root_cause").text == "rev 9 drops a column #bad-deploy"
        assert area(screen, "data_loss").text == "none"
        assert area(screen, "lessons_learned").text == "Test it\nin CI"
        assert area(screen, "impact_duration").text == "13 minutes"
        assert [(i.text, i.owner, i.deadline, i.done, i.label) for i in screen.items] == [
            ("CI migration check", "bo", date(2026, 12, 1), True, "incident"),
            ("5xx alert", "ana", None, False, "incident"),
        ]
        assert screen.query_one(ActionItemsTable).row_count == 2


async def test_export_follows_the_runbook_template_and_is_byte_identical(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    out = tmp_path / "out"
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, out)
        await add_item(pilot, "CI migration check", "bo", "2026-12-01")
        await type_into(pilot, screen, "summary", "Rev 9 broke the API")
        await type_into(pilot, screen, "lessons_learned", "Migrate first")
        # Exported straight from the field being typed in: it is saved first.
        await pilot.press("ctrl+e")
        await pilot.pause()
        first = screen.last_export
        assert first is not None and first.parent == out
        assert first.name == "2026-11-26-INC-1-api-returns-500s-after-deploy.md"
        text = first.read_text(encoding="utf-8")

        clock.advance(hours=2)
        await pilot.press("ctrl+e")
        await eventually(
            lambda: (
                rows(db, "SELECT postmortem_exported_at FROM incidents") == [(to_db(clock.now),)]
            ),
            "the second export",
            pilot=pilot,
        )
        assert screen.last_export == first
        assert first.read_bytes() == text.encode("utf-8")
        assert [p.name for p in out.iterdir()] == [first.name]
        assert screen.preview_text == text

    lines = text.splitlines()
    positions = [lines.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert "Rev 9 broke the API" in text
    assert "Migrate first" in text
    assert "- [ ] CI migration check — owner: bo, deadline: 2026-12-01" in lines
    impact = "- Duration of impact: 13 minutes (from detection to mitigation on the timeline)"
    assert impact in lines
    assert "- Users affected: single tenant (acme) (from the incident's scope)" in lines
    assert "rolled back to rev 8" in lines
    assert "- 03:14 — Mitigation applied: rolled back to rev 8 (ana)" in lines
    assert "_TODO" in text  # data loss: nobody said
    assert rows(db, "SELECT postmortem_exported_at IS NOT NULL FROM incidents") == [(1,)]


async def test_a_bad_deadline_is_refused_in_place(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await add_item(pilot, "Add an alert", "bo", "2026-13-45")
        form = app.screen
        assert isinstance(form, ActionItemForm)
        error = str(form.query_one("#item-error", Label).render())
        assert "not a real date" in error
        assert app.focused is form.query_one("#item-deadline", Input)

        await pilot.press(*["backspace"] * 10, *"1/12/2026", "enter")
        await pilot.pause()
        assert app.screen is form
        assert "not YYYY-MM-DD" in str(form.query_one("#item-error", Label).render())
        assert rows(db, "SELECT COUNT(*) FROM action_items") == [(0,)]

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.items == []
    assert rows(db, "SELECT COUNT(*) FROM action_items") == [(0,)]


async def test_no_owner_and_a_past_deadline_are_warned_about_and_saved(
    tmp_path, db, clock, notices
):
    incident = await declare_and_resolve(db, clock)  # today is 2026-11-26
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActionItemForm)
        await pilot.press(*"Add an alert", "enter", "enter", *"2020-01-01")
        await pilot.pause()
        warning = str(form.query_one("#item-warning", Label).render())
        assert "no owner" in warning and "2020-01-01 is already past" in warning
        assert "saved anyway" in warning

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert rows(db, "SELECT text, owner, deadline FROM action_items") == [
            ("Add an alert", "", "2020-01-01")
        ]
        [notice] = [n for n in notices if n.severity == "warning"]
        assert "no owner" in notice.message and "2020-01-01 is already past" in notice.message

        # Given an owner and a deadline ahead, the edit saves without a word.
        await pilot.press("enter")  # edit the highlighted item
        await pilot.pause()
        assert isinstance(app.screen, ActionItemForm)
        assert "no owner" in str(app.screen.query_one("#item-warning", Label).render())
        await pilot.press("enter", *"bo", "enter", *["backspace"] * 10, *"2026-12-10", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert [n.severity for n in notices].count("warning") == 1
    assert rows(db, "SELECT owner, deadline FROM action_items") == [("bo", "2026-12-10")]


async def test_escape_saves_the_focused_field_then_closes(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await type_into(pilot, screen, "fix", " (PR 1234)")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        assert stored_fields(db) == {"fix": "migration made backwards compatible (PR 1234)"}
        # The console's keys are back once the editor is closed.
        assert app.screen is app.screen_stack[0]


async def test_quitting_the_console_mid_sentence_keeps_the_text(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await type_into(pilot, screen, "data_loss", "none, every write was retried")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert stored_fields(db) == {"data_loss": "none, every write was retried"}


async def test_a_journal_error_is_shown_not_raised(tmp_path, db, clock, monkeypatch, notices):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")

        async def broken(*args, **kwargs):
            raise JournalError("disk I/O error")

        monkeypatch.setattr(app.room, "save_postmortem_field", broken)
        await type_into(pilot, screen, "summary", "lost?")
        area(screen, "fix").focus()
        await pilot.pause()
        assert "Summary NOT saved" in screen.saved_label
        assert any("disk I/O error" in n.message for n in notices)

        # Export refuses rather than write a file without the text on screen.
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.last_export is None

        # esc warns once, then closes anyway.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        assert app.is_running
    assert stored_fields(db) == {}


async def test_narrow_terminal_toggles_between_fields_and_preview(tmp_path, db, clock):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        editor = screen.query_one("#pm-editor")
        preview = screen.query_one("#pm-preview-pane")
        assert editor.display and not preview.display
        assert app.focused is area(screen, "summary")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert preview.display and not editor.display
        assert app.focused is preview
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert editor.display and not preview.display
        assert app.focused is area(screen, "summary")
        await add_item(pilot, "Small screens work too", "bo", "2026-12-01")
        assert app.screen is screen and len(screen.items) == 1


def drawn(screen: PostmortemScreen) -> list[str]:
    """The preview's lines as the terminal shows them, scrolled out of sight or not."""
    preview = screen.query_one("#pm-preview", ExportPreview)
    width, height = preview.size
    return [strip.text.rstrip() for strip in preview.render_lines(Region(0, 0, width, height))]


def export_blocks(text: str) -> list[str]:
    """The source of each top-level block of the export, as a fresh parse finds them."""
    lines = text.splitlines(keepends=True)
    return [
        "".join(lines[token.map[0] : token.map[1]])
        for token in MarkdownIt("gfm-like").parse(text)
        if token.level == 0 and token.map is not None and not token.type.endswith("_close")
    ]


async def test_a_hidden_preview_is_up_to_date_when_shown(tmp_path, db, clock):
    """A narrow terminal shows the fields, not the preview: what is saved meanwhile is in the
    preview when ctrl+t shows it."""
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await eventually(lambda: screen.preview_text, "the first preview", pilot=pilot)
        await type_into(pilot, screen, "summary", "Rev 9 broke the API")
        await pilot.press("ctrl+s")
        await eventually(
            lambda: "Rev 9 broke the API" in screen.preview_text, "the save", pilot=pilot
        )
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.query_one("#pm-preview-pane").display
        assert "Rev 9 broke the API" in "\n".join(drawn(screen))
        preview = screen.query_one("#pm-preview", ExportPreview)
        assert preview.blocks == export_blocks(screen.preview_text)


async def test_the_preview_redrawn_in_part_shows_the_whole_export(tmp_path, db, clock):
    """Only the blocks whose text changed are drawn again: the preview still shows what one
    drawn afresh shows, after changes at its start, middle and end."""
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(app, pilot, incident, tmp_path / "out")
        await eventually(lambda: screen.preview_text, "the first preview", pilot=pilot)
        preview = screen.query_one("#pm-preview", ExportPreview)
        timeline = next(b for b in preview.blocks if "— Mitigation applied" in b)
        await eventually(lambda: preview.rendered(timeline), "the timeline drawn", pilot=pilot)
        timeline_lines = preview.rendered(timeline)
        for name, text in [
            ("summary", "Rev 9 broke the API\n\nTwo paragraphs now"),
            ("mitigation", " and drained the queue"),
            ("lessons_learned", "Migrate first"),
        ]:
            await type_into(pilot, screen, name, text)
            await pilot.press("ctrl+s")
            await eventually(
                lambda text=text: text.split("\n")[-1] in "\n".join(drawn(screen)),
                f"the preview after {name}",
                pilot=pilot,
            )
        assert preview.blocks == export_blocks(screen.preview_text)
        assert preview.rendered(timeline) is timeline_lines  # not drawn again for a field
        shown = drawn(screen)
        await pilot.press("escape")  # closed, and opened again: drawn afresh
        await pilot.pause()
        again = await open_editor(app, pilot, incident, tmp_path / "out")
        await eventually(lambda: drawn(again) == shown, "the same preview afresh", pilot=pilot)
    text = "\n".join(shown)
    assert "Rev 9 broke the API\n\nTwo paragraphs now" in text
    assert "rolled back to rev 8 and drained the queue" in text
    assert "Migrate first" in text
