"""Keys as the README documents them, at the sizes the console is used at (Textual Pilot)."""

from __future__ import annotations

from pathlib import Path

from warroom.config import Config, JournalConfig, LogGroupConfig, LogsConfig, UserConfig
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.ui.app import WarRoomApp
from warroom.ui.logpane import LogPane

from .conftest import declare


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
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Follow")
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
