"""While the console runs, what it made at start-up is out of the garbage collector's way and
full passes are rarer (warroom.ui.collector); once it exits, the process is as it was (a test
process runs many consoles one after another)."""

from __future__ import annotations

import gc

from warroom.ui.collector import FULL_PASS_EVERY

from .conftest import app_for, declare


async def test_the_collector_is_quiet_while_the_console_runs(tmp_path, db, clock):
    thresholds = gc.get_threshold()
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await declare(pilot, "Search is slow")
        assert gc.get_freeze_count() > 0
        young, middle, old = gc.get_threshold()
        assert (young, middle, old) == (
            thresholds[0],
            thresholds[1],
            thresholds[2] * FULL_PASS_EVERY,
        )
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
