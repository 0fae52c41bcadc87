"""Only a post-mortem exported after resolution counts: the review's compliance, `warroom list`,
the History screen and the console's quit offer all agree (an export made while the incident
was open says "Duration: ongoing" and has no root cause)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from warroom.model import Kind, postmortem_pending
from warroom.report import build_report
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.textview import list_row
from warroom.ui.app import WarRoomApp
from warroom.ui.dialogs import ConfirmScreen
from warroom.ui.history import history_row

from .conftest import declare
from .test_console import logs_config

QUARTER = timedelta(days=90)


async def states(room: WarRoom, clock) -> tuple[str, str, str, bool]:
    """(review state, History's state, `warroom list` row, pending) of INC-1."""
    [incident] = await room.all_incidents()
    [summary] = await room.incidents()
    report = build_report([incident], now=clock.now, since=QUARTER)
    pm = report.postmortems
    review = "compliant" if pm.compliant else "due" if pm.due else "other"
    return (
        review,
        history_row(incident, clock.now).postmortem,
        list_row(summary, clock.now),
        postmortem_pending(summary),
    )


async def test_an_export_before_resolution_does_not_count(room: WarRoom, clock, tmp_path):
    incident_id = await room.declare("API down", Severity.SEV1)
    clock.advance(minutes=10)
    early = await room.export_postmortem(incident_id, directory=tmp_path)
    assert "**Duration**: _TODO: ongoing" in early.read_text()
    clock.advance(minutes=5)
    await room.log(Kind.RESOLVED, "green", incident_id=incident_id)
    clock.advance(hours=1)

    review, history, listed, pending = await states(room, clock)
    assert (review, history, pending) == ("due", "due", True)
    assert "[post-mortem due 2026-11-28 03:16]" in listed
    assert await room.postmortem_outdated(incident_id, tmp_path) == (
        "the last export was made before the incident was resolved"
    )

    clock.advance(minutes=1)
    await room.export_postmortem(incident_id, directory=tmp_path)
    review, history, listed, pending = await states(room, clock)
    assert (review, history, pending) == ("compliant", "compliant", False)
    assert "post-mortem" not in listed
    assert await room.postmortem_outdated(incident_id, tmp_path) == ""
    assert "**Duration**: 00:15 (from detection to resolution)" in early.read_text()


async def test_a_backdated_resolution_still_needs_an_export_after_it(
    room: WarRoom, clock, tmp_path
):
    incident_id = await room.declare("API down", Severity.SEV2)
    clock.advance(minutes=30)
    await room.export_postmortem(incident_id, directory=tmp_path)
    clock.advance(minutes=5)
    # Logged after the export, dated before it: the file still says "ongoing".
    await room.log(
        Kind.RESOLVED, "green", incident_id=incident_id, at=clock.now - timedelta(minutes=20)
    )
    review, history, _, pending = await states(room, clock)
    assert (review, history, pending) == ("due", "due", True)


async def test_a_change_after_the_export_makes_it_outdated(room: WarRoom, clock, tmp_path):
    incident_id = await room.declare("API down", Severity.SEV2)
    assert await room.postmortem_outdated(incident_id, tmp_path) == ""  # open: nothing yet
    clock.advance(minutes=30)
    await room.log(Kind.RESOLVED, "green", incident_id=incident_id)
    assert await room.postmortem_outdated(incident_id, tmp_path) == "not exported yet"
    await room.export_postmortem(incident_id, directory=tmp_path)
    assert await room.postmortem_outdated(incident_id, tmp_path) == ""
    await room.add_action_item(incident_id, "Alarm on 5xx", owner="bo")
    assert await room.postmortem_outdated(incident_id, tmp_path) == (
        "the journal changed since the last export"
    )
    # Still compliant: the export after resolution is the post-mortem; it is only not current.
    assert (await states(room, clock))[0] == "compliant"


async def test_quitting_offers_a_fresh_export_after_an_early_one(tmp_path, db, clock):
    """The issue's steps: `p`, ctrl+e while open, then `r`, then `q`."""
    postmortems = tmp_path / "postmortems"
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "Close me")
        await pilot.press("p")
        await pilot.pause(0.1)
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        [early] = list(postmortems.iterdir())
        assert "_TODO: ongoing" in early.read_text()
        clock.advance(minutes=20)
        await pilot.press("r", "y")
        await pilot.pause()
        await pilot.press("escape")  # no extra text
        await pilot.press("q")
        await pilot.pause()
        offer = app.screen
        assert isinstance(offer, ConfirmScreen)
        assert offer.question == "Export the post-mortem again before quitting?"
        assert "before the incident was resolved" in offer.detail
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert "**Duration**: 00:20 (from detection to resolution)" in early.read_text()


async def resolve_and_export(app: WarRoomApp, pilot, clock) -> Path:
    await pilot.pause()
    await declare(pilot, "Close me")
    clock.advance(minutes=20)
    await pilot.press("r", "y")
    await pilot.pause()
    await pilot.press("escape")  # no extra text
    await pilot.press("x")
    await pilot.pause()
    [path] = list(Path(app.config.journal.postmortem_dir).iterdir())
    return path


async def test_quitting_with_a_current_export_asks_nothing(tmp_path, db, clock):
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await resolve_and_export(app, pilot, clock)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert app._exit  # quitting, nothing asked
    assert app.return_code == 0


async def test_quitting_after_a_change_offers_the_export_and_n_quits(tmp_path, db, clock):
    app = WarRoomApp(logs_config(tmp_path), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        path = await resolve_and_export(app, pilot, clock)
        before = path.read_bytes()
        await pilot.press("n")  # a note after the export: the file is behind the journal
        await pilot.pause()
        await pilot.press(*"customers told", "enter")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        offer = app.screen
        assert isinstance(offer, ConfirmScreen)
        assert offer.question == "Export the post-mortem again before quitting?"
        assert offer.detail.startswith("The journal changed since the last export.")
        await pilot.press("n")
        await pilot.pause()
        assert app._exit
    assert path.read_bytes() == before  # n quits without exporting


async def test_a_sev3_never_exported_is_not_offered_once_exported_it_is(
    room: WarRoom, clock, tmp_path
):
    """The runbook asks no post-mortem of a SEV-3: quitting does not nag about one nobody
    started, but one that was exported is kept current like any other."""
    incident_id = await room.declare("Dashboard slow", Severity.SEV3)
    clock.advance(minutes=30)
    await room.log(Kind.RESOLVED, "fast again", incident_id=incident_id)
    assert await room.postmortem_outdated(incident_id, tmp_path) == ""
    await room.export_postmortem(incident_id, directory=tmp_path)
    await room.add_action_item(incident_id, "Cache the dashboard query", owner="bo")
    assert await room.postmortem_outdated(incident_id, tmp_path) == (
        "the journal changed since the last export"
    )
