"""The History screen over the console: the quarterly review of a generated history, sorted by
keys and header clicks, the weekly bars, reloading, and the empty state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.ui.history import HistoryScreen, WeeklyChart, chart_lines

from .conftest import app_for, rows
from .test_report import Spec, at, create

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

HISTORY = [
    # INC-1: before the 90-day window (from 2026-08-28 12:00).
    Spec("Login outage in July", Severity.SEV1, at("2026-07-01T09:00"), ack=5, resolve=60),
    # INC-2: SEV-2, post-mortem exported 10 h after resolution: on time.
    Spec(
        "Orders not saving",
        Severity.SEV2,
        at("2026-11-02T10:00"),
        ack=20,
        mitigate=45,
        resolve=180,
        exported_after_resolve=timedelta(hours=10),
    ),
    # INC-3: SEV-1 resolved on the 16th, never exported: overdue.
    Spec(
        "API 500s after deploy",
        Severity.SEV1,
        at("2026-11-16T03:00"),
        ack=5,
        mitigate=25,
        resolve=90,
    ),
    # INC-4: SEV-3, acknowledged late (target 4 h): no post-mortem needed.
    Spec("Dashboard slow", Severity.SEV3, at("2026-11-17T09:00"), ack=300, resolve=400),
    # INC-5: open SEV-1.
    Spec("Worker crash loop", Severity.SEV1, at("2026-11-25T22:00"), ack=12),
]


@pytest.fixture
async def history(room: WarRoom, clock, tmp_path: Path) -> None:
    for spec in HISTORY:
        await create(room, clock, spec, tmp_path)
    clock.now = NOW


async def open_history(pilot, **kwargs) -> HistoryScreen:
    app = pilot.app
    await pilot.pause()
    screen = HistoryScreen(app.room, **kwargs)
    app.push_screen(screen)
    await settle(pilot)
    return screen


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def order(screen: HistoryScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.get_row_at(n)[0].plain for n in range(table.row_count)]


def cells(screen: HistoryScreen, ref: str) -> dict[str, str]:
    table = screen.query_one(DataTable)
    row = table.get_row(ref.removeprefix("INC-"))
    return {
        str(column.key.value): cell.plain
        for column, cell in zip(table.ordered_columns, row, strict=True)
    }


def text_of(screen: HistoryScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_rows_summary_and_weekly_bars(tmp_path, db, clock, history):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_history(pilot)
        # The window's incidents, newest first; INC-1 is older than 90 days.
        assert order(screen) == ["INC-5", "INC-4", "INC-3", "INC-2"]
        assert cells(screen, "INC-3") == {
            "id": "INC-3",
            "severity": "SEV-1",
            "title": "API 500s after deploy",
            "detected": "2026-11-16 03:00",
            "ack": "5m",
            "mitigate": "25m",
            "resolve": "1h30m",
            "postmortem": "OVERDUE",
        }
        assert cells(screen, "INC-2")["postmortem"] == "on time"
        assert cells(screen, "INC-4")["postmortem"] == "—"  # SEV-3: not required
        assert cells(screen, "INC-5")["resolve"] == "open"
        assert cells(screen, "INC-5")["postmortem"] == "open"

        title = text_of(screen, "#history-title")
        assert "last 90 days" in title and "sorted by Detected ▼" in title
        summary = text_of(screen, "#history-summary")
        assert "4 incidents, 1 open: SEV-1 2 · SEV-2 1 · SEV-3 1" in summary
        assert "ack in target 75 % (3/4)" in summary  # INC-4 took 5 h against 4 h
        assert "post-mortems on time 50 % (1/2) · 1 open · 1 overdue: INC-3" in summary

        chart = screen.query_one(WeeklyChart)
        weeks = dict(chart.weekly)
        assert len(weeks) == 14  # Monday 2026-08-24 to Monday 2026-11-23
        assert {w: n for w, n in weeks.items() if n} == {
            date(2026, 11, 2): 1,
            date(2026, 11, 16): 2,
            date(2026, 11, 23): 1,
        }
        lines = [line.plain for line in chart.lines()]
        labels = lines[-1]
        assert "08-24" in labels and "11-16" in labels
        # The week of 11-16 (two incidents) has the tallest bar, full to the top row.
        column = labels.index("11-16")
        assert lines[0][column : column + 5].strip() == "2"
        assert lines[1][column] == "█"
        assert lines[1][labels.index("11-02")] == " "  # half as tall


async def test_sorting_by_key_and_by_header_click(tmp_path, db, clock, history):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_history(pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=order(screen).index("INC-2"))

        await pilot.press("s")  # the next column after Detected: Ack, shortest first
        await pilot.pause()
        assert order(screen) == ["INC-3", "INC-5", "INC-2", "INC-4"]
        assert "sorted by Ack ▲" in text_of(screen, "#history-title")
        assert str(table.ordered_columns[4].label) == "Ack ▲"
        # The cursor stays on the incident it was on.
        assert order(screen)[table.cursor_row] == "INC-2"

        await pilot.press("S")  # reversed
        await pilot.pause()
        assert order(screen) == ["INC-4", "INC-2", "INC-5", "INC-3"]

        await pilot.press("s")  # Mitigate: the never mitigated last, whichever the direction
        await pilot.pause()
        assert order(screen) == ["INC-3", "INC-2", "INC-4", "INC-5"]
        await pilot.press("S")
        await pilot.pause()
        assert order(screen) == ["INC-2", "INC-3", "INC-4", "INC-5"]

        # A click on the Sev header sorts by severity; a second click reverses it.
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:1]) + 1
        await pilot.click(DataTable, offset=(x, 0))
        await pilot.pause()
        assert order(screen) == ["INC-3", "INC-5", "INC-2", "INC-4"]
        assert "sorted by Sev ▲" in text_of(screen, "#history-title")
        await pilot.click(DataTable, offset=(x, 0))
        await pilot.pause()
        assert order(screen) == ["INC-4", "INC-2", "INC-5", "INC-3"]
        assert "sorted by Sev ▼" in text_of(screen, "#history-title")

        # Post-mortem: worst first.
        for _ in range(6):
            await pilot.press("s")
        await pilot.pause()
        assert "sorted by Post-mortem ▲" in text_of(screen, "#history-title")
        assert order(screen) == ["INC-3", "INC-2", "INC-5", "INC-4"]


async def test_keys_reload_and_close(tmp_path, db, clock, room: WarRoom, history):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        assert order(screen) == ["INC-5", "INC-4", "INC-3", "INC-2"]
        # The console's one-key milestones do not reach the open incident from here.
        await pilot.press("a", "m", "f", "c", "n", "x", "q")
        await settle(pilot)
        assert app.screen is screen

        clock.now = NOW + timedelta(minutes=5)
        await room.declare("Search is slow", Severity.SEV3)
        await pilot.press("r")
        await settle(pilot)
        assert order(screen)[0] == "INC-6"
        assert "5 incidents, 2 open" in text_of(screen, "#history-summary")

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
    assert rows(db, "SELECT kind FROM events WHERE at >= '2026-11-26T12'") == [("detected",)]


async def test_empty_journal(tmp_path, db, clock, room: WarRoom):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        empty = screen.query_one("#history-empty", Static)
        assert empty.display
        assert not screen.query_one(DataTable).display
        assert not screen.query_one("#history-chart-box").display
        assert str(empty.render()).startswith("No incidents in the last 90 days.")
        assert "The journal is empty." in str(empty.render())
        await pilot.press("s", "S", "r")  # nothing to sort, nothing breaks
        await settle(pilot)
        assert app.screen is screen


async def test_nothing_in_a_short_window(tmp_path, db, clock, room: WarRoom):
    clock.now = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    await room.declare("An old one", Severity.SEV2)
    clock.now = NOW
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, since=timedelta(days=14))
        text = str(screen.query_one("#history-empty", Static).render())
        assert text.startswith("No incidents in the last 14 days.")
        assert "1 older incident; the latest was detected 2026-05-01 08:00 UTC" in text


def test_chart_lines_fit_the_width():
    weeks = [(date(2026, 11, 2), 0), (date(2026, 11, 9), 2), (date(2026, 11, 16), 1)]
    lines = [line.plain for line in chart_lines(weeks, 18, bar_rows=2)]
    assert lines == [
        "        2     1   ",
        "      █████       ",
        "      █████ █████ ",
        "─" * 18,
        "11-02 11-09 11-16 ",
    ]
    # Narrow: one cell per week, a label every sixth week, "+" for a count that does not fit.
    many = [(date(2026, 1, 5) + timedelta(weeks=n), n % 3) for n in range(13)]
    many[1] = (many[1][0], 12)
    narrow = [line.plain for line in chart_lines(many, 13, bar_rows=1)]
    assert narrow == [
        " +2 12 12 12 ",
        " █▁ ▁▁ ▁▁ ▁▁ ",
        "─" * 13,
        "01-05 02-16  ",
    ]
    # More weeks than cells: the latest ones.
    latest = [line.plain for line in chart_lines(many, 4, bar_rows=1)]
    assert latest[:2] == [" 12 ", " ▄█ "]  # weeks 10 to 13: 0, 1, 2, 0
    assert chart_lines([], 80) == []
