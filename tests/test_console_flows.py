"""The console's flows as a responder meets them: checklist steps that are milestones, clocks
that stop at resolution, evidence on every entry (Textual Pilot against a real journal file)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timedelta

from warroom.config import CommandAction, MitigationsConfig
from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState
from warroom.ui.feeds import HealthArrived
from warroom.ui.panels import ChecklistPane, IncidentHeader
from warroom.ui.promptbar import PromptBar

from .conftest import (
    app_for,
    console_config,
    declare,
    declared_before,
    eventually,
    opened_on_incident,
    rows,
)


async def test_ticking_acknowledge_the_alert_acknowledges(tmp_path, db, clock, notices):
    await declared_before(db, clock, "API returns 500s")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        header = app.query_one(IncidentHeader)
        assert "ack due 00:15:00" in str(header.render())
        clock.advance(minutes=3)
        app.query_one(ChecklistPane).focus()
        await pilot.press("space")  # step 1, "Acknowledge the alert"
        await pilot.pause()
        header.redraw()
        assert "acked +00:03:00" in str(header.render())
        said = "On-call acknowledged logged at 03:04:00 UTC"
        assert any(n.message.startswith(said) for n in notices), notices
        # The incident moved on to Mitigate; the list stays on the steps being worked through.
        assert "Detect & Triage" in str(app.query_one(ChecklistPane).border_title)
        assert any("the incident is in Mitigate now" in n.message for n in notices)
        # Unticked and ticked again: the checklist says so, the milestone stays one entry.
        await pilot.press("space", "space")
        await pilot.pause()
    assert rows(db, "SELECT kind, text, auto, author FROM events WHERE kind = 'acknowledged'") == [
        ("acknowledged", "On-call acknowledged (checklist 1. Acknowledge the alert)", 0, "ana")
    ]
    assert rows(db, "SELECT done FROM checklist WHERE item_id = '1'") == [(1,)]


async def test_clocks_stop_at_resolution_even_unacknowledged(tmp_path, db, clock):
    await declared_before(db, clock, "Gone by itself")
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        clock.advance(minutes=10)
        await pilot.press("r", "y")
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


def health(state: HealthState, at: datetime, name: str = "api") -> HealthSnapshot:
    """What the health feed's worker posts for one endpoint."""
    ok = state is HealthState.OK
    check = Check(at, ok, 0.05, 200 if ok else 500, None, "" if ok else "HTTP 500")
    endpoint = EndpointHealth(name, "http://x", state, check.reason, check, 0.05, 100.0, 3, at, ())
    return HealthSnapshot(at, (endpoint,))


async def test_every_console_entry_carries_evidence(tmp_path, db, clock):
    from warroom.ui.dialogs import SeverityScreen
    from warroom.ui.mitigation_dialogs import ActionMenu, ConfirmAction

    config = replace(
        console_config(tmp_path),
        mitigations=MitigationsConfig(
            commands=(
                CommandAction("flush-cache", (sys.executable, "-c", "print('ok')"), confirm="yes"),
            )
        ),
    )
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.post_message(HealthArrived(health(HealthState.DOWN, clock.now)))  # shown, then declared
        await pilot.pause()
        await declare(pilot, "API down")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SeverityScreen)
        await pilot.press("down", "enter", *"only checkout", "enter")
        await pilot.pause()
        app.query_one(ChecklistPane).focus()
        await pilot.press("space")  # step 1: the checklist entry and the acknowledgement
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("end", "enter")  # the team's command, the menu's last row
        await eventually(lambda: isinstance(app.screen, ConfirmAction), "the preview", pilot=pilot)
        await pilot.press("y")
        await eventually(
            lambda: rows(db, "SELECT 1 FROM events WHERE kind = 'action'"),
            "the action",
            pilot=pilot,
        )
    logged = rows(
        db,
        "SELECT kind, json_extract(data, '$.evidence.health.api.state') FROM events ORDER BY id",
    )
    assert logged == [
        ("detected", "down"),
        ("severity", "down"),
        ("checklist", "down"),
        ("acknowledged", "down"),
        ("action", "down"),
    ]


async def test_an_update_no_channel_can_take_is_kept_and_said(tmp_path, db, clock, notices):
    from textual.widgets import Label, TextArea

    from warroom.ui.dialogs import UpdateEditor
    from warroom.ui.outbox import OutboxScreen

    await declared_before(db, clock, "API down")
    app = app_for(tmp_path, db, clock)  # no [notify] channel
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        header = str(app.query_one(IncidentHeader).render())
        assert "no update channel" in header and "update in" not in header
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UpdateEditor)
        # Prefilled from the journal: the title stands for the alarm nobody named.
        assert (
            app.screen.query_one(TextArea).text == "[INC-1 SEV-1] API down\nInvestigating API down."
        )
        assert "no team channel is configured" in str(app.screen.prompt_title)
        await pilot.press(*" ETA 10 min", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(
            n.title == "update NOT sent" and "No team channel is configured" in n.message
            for n in notices
        ), notices
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text.endswith("Investigating API down. ETA 10 min")
        await pilot.press("escape", "o")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        said = " ".join(str(label.render()) for label in app.screen.query(Label))
        assert "Updates cannot be sent: no team channel is configured" in said
        assert "your update text for INC-1" in said and "Every status update was sent" not in said
        await pilot.press("escape", "q")
        await pilot.pause()
    assert rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'comms'") == [(0,)]

    again = app_for(tmp_path, db, clock)  # an SSH drop later: the text is still there
    async with again.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert again.screen.query_one(TextArea).text.endswith("ETA 10 min")


async def test_declaring_takes_in_what_the_feeds_saw_just_before(tmp_path, db, clock, notices):
    from warroom.sources.ecs import EcsSnapshot, Observation
    from warroom.sources.status import SourceStatus
    from warroom.ui.feeds import EcsArrived

    def deploy(at: datetime, text: str) -> EcsArrived:
        seen = Observation(at, "ecs", "saas-backend", "deployment_started", text)
        source = SourceStatus("ECS saas-prod").succeeded(at, 0.1)
        return EcsArrived(EcsSnapshot(at, "saas-prod", (), source, (seen,)))

    declared_at = clock.now  # 03:01
    clock.now = declared_at - timedelta(minutes=25)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        feeds = [
            deploy(clock.now, "saas-backend deployment started: saas-backend:8"),  # 02:36
            HealthArrived(health(HealthState.OK, declared_at - timedelta(minutes=8))),
            deploy(declared_at - timedelta(minutes=7), "saas-backend deployment started: :9"),
            HealthArrived(health(HealthState.DOWN, declared_at - timedelta(minutes=6))),
        ]
        for message in feeds:
            app.post_message(message)
            await pilot.pause()
        clock.now = declared_at
        await declare(pilot, "API 500s after deploy")
        assert any(n.message == "INC-1 declared; 2 earlier observations added" for n in notices)
        header = str(app.query_one(IncidentHeader).render())
        assert "T+00:00:00" in header  # detection is when it was declared
        await pilot.press("x")
        await pilot.pause()
    assert rows(db, "SELECT at, recorded_at, kind, text, auto FROM events ORDER BY at, id") == [
        (
            "2026-11-26T02:54:00.000000Z",
            "2026-11-26T03:01:00.000000Z",
            "observation",
            "saas-backend deployment started: :9",
            1,
        ),
        (
            "2026-11-26T02:55:00.000000Z",
            "2026-11-26T03:01:00.000000Z",
            "observation",
            "health api down: HTTP 500",
            1,
        ),
        (
            "2026-11-26T03:01:00.000000Z",
            "2026-11-26T03:01:00.000000Z",
            "detected",
            "Incident declared, SEV-1",
            0,
        ),
    ]
    (exported,) = (tmp_path / "postmortems").iterdir()
    timeline = exported.read_text().split("## Timeline (UTC)\n")[1].split("\n## ")[0]
    assert timeline.strip().splitlines()[:3] == [
        "- 02:54 — Observed: saas-backend deployment started: :9 (auto)",
        "- 02:55 — Observed: health api down: HTTP 500 (auto)",
        "- 03:01 — Alert fired / user reported: Incident declared, SEV-1 (ana)",
    ]
