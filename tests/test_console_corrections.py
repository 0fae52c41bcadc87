"""Mistakes at 3 a.m. in the console: retract an entry, reopen, milestones that make sense
(Textual Pilot against a real journal file)."""

from __future__ import annotations

import json

from warroom.ui.panels import IncidentHeader, TimelinePane
from warroom.ui.promptbar import PromptBar

from .conftest import app_for, declare, rows


def drawn_timeline(app) -> list[tuple[str, bool]]:
    """The timeline as drawn: each screen line's text, and whether any of it is struck through."""
    pane = app.query_one(TimelinePane)
    lines = []
    for y in range(pane.content_region.height):
        strip = pane.render_line(y)
        text = "".join(segment.text for segment in strip).rstrip()
        if text:
            lines.append((text, any(s.style is not None and s.style.strike for s in strip)))
    return lines


def entries(db, *, hand_only: bool = True) -> list[tuple[str, str]]:
    where = "WHERE auto = 0" if hand_only else ""
    return rows(db, f"SELECT kind, text FROM events {where} ORDER BY id")


async def test_delete_retracts_the_highlighted_entry_with_a_reason(tmp_path, db, clock, notices):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Wrong key")
        clock.advance(seconds=30)
        await pilot.press("m", "enter")  # meant to acknowledge
        await pilot.pause()
        timeline = app.query_one(TimelinePane)
        timeline.focus()
        timeline.highlighted = 1
        await pilot.press("delete")
        await pilot.pause()
        bar = app.query_one(PromptBar)
        assert bar.asking and bar.placeholder.startswith(
            'Retract mitigated 03:01:30 "Mitigation applied"? Why:'
        )
        await pilot.press(*"wrong key, meant a", "enter")
        await pilot.pause()
        assert app.incident.milestones.mitigated is None  # no longer counts
        lines = drawn_timeline(app)
        drawn = " ".join(text for text, _ in lines)  # rows wrap in the pane
        struck = [text for text, strike in lines if strike]
        assert any("mitigated Mitigation applied (ana)" in text for text in struck), lines
        assert "✗ #2 retracted by ana 03:01:30: wrong key, meant a" in drawn
        assert "03:01:30 retracted #2: wrong key, meant a (ana)" in drawn
        # A retraction stands: delete on it says so, asks nothing, logs nothing.
        timeline.highlighted = 2
        await pilot.press("backspace")
        await pilot.pause()
        assert not bar.asking
        assert notices[-1].title == "Not retracted"
        assert "is itself a retraction" in notices[-1].message
    retraction = rows(db, "SELECT kind, text, data FROM events WHERE kind = 'retracted'")
    assert [(k, t, json.loads(d)["entry"]) for k, t, d in retraction] == [
        ("retracted", "wrong key, meant a", 2)
    ]


async def test_a_resolved_incident_refuses_milestones_and_R_reopens_it(
    tmp_path, db, clock, notices
):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Comes back")
        await pilot.press("a", "enter")
        clock.advance(minutes=5)
        await pilot.press("m", "enter", "r", "enter")
        await pilot.pause()
        assert app.incident.milestones.resolved is not None
        clock.advance(minutes=30)
        await pilot.press("a")
        await pilot.pause()
        assert not app.query_one(PromptBar).asking
        assert notices[-1].message == (
            "INC-1 is resolved: it takes notes and post-mortem work, not milestones. "
            "R reopens it (you say why)."
        )
        await pilot.press("R")
        await pilot.pause()
        assert app.query_one(PromptBar).placeholder.startswith(
            "Reopen INC-1 (resolved 03:06 UTC)? Why"
        )
        await pilot.press(*"errors are back", "enter")
        await pilot.pause()
        assert notices[-1].message.startswith("INC-1 reopened: back in Resolve, its clocks")
        # Open again: the response clock counts from the reopen, the update cadence too.
        header = app.query_one(IncidentHeader)
        header.redraw()
        assert "ack due 00:15:00" in str(header.render())
        assert "T+00:35:00" in str(header.render())
        await pilot.press("a", "enter")  # someone takes it again
        await pilot.pause()
    assert entries(db) == [
        ("detected", "Incident declared, SEV-1"),
        ("acknowledged", "On-call acknowledged"),
        ("mitigated", "Mitigation applied"),
        ("resolved", "Confirmed resolved"),
        ("reopened", "errors are back"),
        ("acknowledged", "On-call acknowledged"),
    ]


async def test_a_second_acknowledgement_is_refused_naming_who(tmp_path, db, clock, notices):
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Acked once")
        await pilot.press("a", "enter")
        clock.advance(minutes=1)
        await pilot.press("a")
        await pilot.pause()
        assert not app.query_one(PromptBar).asking
    assert notices[-1].title == "Already logged"
    assert notices[-1].message.startswith(
        "INC-1 was already acknowledged by ana at 2026-11-26 03:01:00 UTC"
    )
    assert rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'acknowledged'") == [(1,)]
