"""The console's flows as a responder meets them: checklist steps that are milestones, clocks
that stop at resolution (Textual Pilot against a real journal file)."""

from __future__ import annotations

from warroom.ui.panels import ChecklistPane, IncidentHeader
from warroom.ui.promptbar import PromptBar

from .conftest import app_for, declare, rows


async def test_ticking_acknowledge_the_alert_acknowledges(tmp_path, db, clock, notices):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "API returns 500s")
        header = app.query_one(IncidentHeader)
        assert "ack due 00:15:00" in str(header.render())
        clock.advance(minutes=3)
        app.query_one(ChecklistPane).focus()
        await pilot.press("space")  # step 1, "Acknowledge the alert"
        await pilot.pause()
        header.redraw()
        assert "acked +00:03:00" in str(header.render())
        assert any(n.message == "On-call acknowledged logged at 03:04:00 UTC" for n in notices), (
            notices
        )
        # Unticked and ticked again: the checklist says so, the milestone stays one entry.
        await pilot.press("space", "space")
        await pilot.pause()
    assert rows(db, "SELECT kind, text, auto, author FROM events WHERE kind = 'acknowledged'") == [
        ("acknowledged", "On-call acknowledged (checklist 1. Acknowledge the alert)", 0, "ana")
    ]
    assert rows(db, "SELECT done FROM checklist WHERE item_id = '1'") == [(1,)]


async def test_clocks_stop_at_resolution_even_unacknowledged(tmp_path, db, clock):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Gone by itself")
        clock.advance(minutes=10)
        await pilot.press("r")
        await pilot.pause()
        assert app.query_one(PromptBar).asking
        await pilot.press("escape")
        clock.advance(hours=2)
        header = app.query_one(IncidentHeader)
        header.redraw()
        shown = str(header.render())
        # Resolved 10 minutes in: the incident clock stays there, no ack countdown runs on.
        assert "T+00:10:00" in shown
        assert "ack" not in shown and "update" not in shown
        assert "post-mortem due 46:00:00" in shown  # SEV-1: within 48 h of resolution
