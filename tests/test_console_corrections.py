"""Mistakes at 3 a.m. in the console: retract an entry, undo the last key, reopen, milestones
that make sense, and nothing offered on its own that takes the keys being typed (Textual Pilot
against a real journal file; two consoles on one file where it takes two)."""

from __future__ import annotations

import json

from warroom.sources.health import HealthState
from warroom.ui.feeds import HealthArrived
from warroom.ui.panels import IncidentHeader, TimelinePane
from warroom.ui.promptbar import KeyBar, PromptBar

from .conftest import (
    app_for,
    declare,
    declared_before,
    eventually,
    opened_on_incident,
    rows,
    settle,
    typed_fast,
)
from .test_console_flows import health


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
    await declared_before(db, clock, "Wrong key")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
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


async def test_ctrl_z_undoes_a_milestone_key_for_a_few_seconds(tmp_path, db, clock, notices):
    await declared_before(db, clock, "Undo")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        bar = app.query_one(PromptBar)
        # While its short text is asked for: ctrl+z takes the entry back and closes the question.
        await pilot.press("f")
        await pilot.pause()
        assert "ctrl+z undoes" in bar.placeholder
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert not bar.asking
        assert app.incident.milestones.fix_deployed is None
        # After it: the bar offers it for a few seconds, on the console's clock.
        await pilot.press("c", "escape")
        await pilot.pause()
        assert bar.placeholder.startswith("ctrl+z undoes root cause identified (03:01:00)")
        assert not bar.has_focus
        clock.advance(seconds=11)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert notices[-1].message.startswith("Nothing to undo now")
        assert app.incident.milestones.root_cause is not None
    assert rows(db, "SELECT kind, text FROM events WHERE kind = 'retracted'") == [
        ("retracted", "undone")
    ]
    assert rows(db, "SELECT kind FROM events WHERE id = 2") == [("fix_deployed",)]


async def test_resolve_asks_first_and_a_fast_typist_cannot_answer_it_by_accident(
    tmp_path, db, clock
):
    await declared_before(db, clock, "Careful")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("r")
        await pilot.pause()
        bar = app.query_one(PromptBar)
        assert bar.placeholder.startswith("Resolve INC-1? (y yes · n or esc no) Not mitigated yet")
        typed_fast(app, "rolled back\n")  # words, enter: none of it is the one key
        await settle(pilot)
        assert bar.asking and bar.value == ""
        await pilot.press("n")
        await pilot.pause()
        assert not bar.asking
    assert entries(db) == [("detected", "Incident declared, SEV-1")]


async def test_a_resolved_incident_refuses_milestones_and_R_reopens_it(
    tmp_path, db, clock, notices
):
    await declared_before(db, clock, "Comes back")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await pilot.press("a", "enter")
        clock.advance(minutes=5)
        await pilot.press("m", "enter", "r", "y", "enter")
        await pilot.pause()
        assert app.incident.milestones.resolved is not None
        keys = app.query_one(KeyBar)
        assert "R Reopen" in keys.render().plain  # in the key bar while it is resolved
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
        assert "R Reopen" not in keys.render().plain
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
    await declared_before(db, clock, "Acked once")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
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


async def recovered(app, pilot, clock) -> None:
    """Health down, then back: what makes the console offer to mark the incident mitigated."""
    app.post_message(HealthArrived(health(HealthState.OK, clock.now)))
    await pilot.pause()
    app.post_message(HealthArrived(health(HealthState.DOWN, clock.advance(minutes=1))))
    await pilot.pause()
    app.post_message(HealthArrived(health(HealthState.OK, clock.advance(minutes=2))))
    await pilot.pause()


async def test_the_offer_takes_no_key_a_note_typed_fast_is_a_note(tmp_path, db, clock):
    await declared_before(db, clock, "Typing while it recovers")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await recovered(app, pilot, clock)
        bar = app.query_one(PromptBar)
        assert bar.placeholder.startswith("Health recovered at 03:04:00 UTC. Mark mitigated")
        assert app.screen is app.screen_stack[0] and not bar.has_focus
        typed_fast(app, "nrolled back: dashboards ok, outbox empty\n")
        await settle(pilot)
        # The note is in; the offer is still there, waiting.
        assert not bar.asking
        assert bar.placeholder.startswith("Health recovered at 03:04:00 UTC")
    assert entries(db) == [
        ("detected", "Incident declared, SEV-1"),
        ("note", "rolled back: dashboards ok, outbox empty"),
    ]


async def test_an_offer_answered_in_one_console_is_withdrawn_in_the_other(tmp_path, db, clock):
    first = app_for(tmp_path, db, clock, user="ana")
    second = app_for(tmp_path, db, clock, user="bo")
    async with first.run_test(size=(160, 48)) as one:
        await one.pause()
        await declare(one, "Both see it recover")
        async with second.run_test(size=(160, 48)) as two:
            await two.pause()
            await recovered(first, one, clock)
            await recovered(second, two, clock)
            bar_one, bar_two = first.query_one(PromptBar), second.query_one(PromptBar)
            assert "Mark mitigated" in bar_one.placeholder
            assert "Mark mitigated" in bar_two.placeholder
            await one.press("y")
            await one.pause()
            # The change poll (twice a second) brings the mitigation to bo's console.
            await eventually(
                lambda: "Mark mitigated" not in bar_two.placeholder,
                "the offer withdrawn",
                pilot=two,
            )
            assert second.incident.milestones.mitigated is not None
    assert rows(db, "SELECT author FROM events WHERE kind = 'mitigated'") == [("ana",)]


async def test_the_same_milestone_from_two_consoles_is_logged_once(tmp_path, db, clock, notices):
    first = app_for(tmp_path, db, clock, user="ana")
    second = app_for(tmp_path, db, clock, user="bo")
    async with first.run_test(size=(160, 48)) as one:
        await one.pause()
        await declare(one, "One alarm, two responders")
        async with second.run_test(size=(160, 48)) as two:
            await two.pause()
            clock.advance(minutes=3)
            await one.press("m")
            clock.advance(seconds=2)
            await two.press("m")
            await two.pause()
            assert not second.query_one(PromptBar).asking  # nothing logged, nothing to add to
            # A retraction in one console shows in the other within a second, struck through.
            await one.press("escape")
            first.query_one(TimelinePane).focus()
            first.query_one(TimelinePane).highlighted = 1
            await one.press("delete", *"two of us", "enter")
            await one.pause()
            await eventually(
                lambda: any(strike for _, strike in drawn_timeline(second)),
                "ana's retraction in bo's timeline",
                pilot=two,
            )
            assert second.incident.milestones.mitigated is None
    said = [n for n in notices if n.title == "Already logged"]
    assert len(said) == 1
    assert said[0].message.startswith(
        "mitigated was just logged on INC-1 by ana at 2026-11-26 03:04:00 UTC"
    )
    assert rows(db, "SELECT author FROM events WHERE kind = 'mitigated'") == [("ana",)]
