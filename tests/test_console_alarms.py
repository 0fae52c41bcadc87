"""The console with CloudWatch alarms: watching before declaring, the Alarms panel, declaring
from an alarm row with its detection time and severity, transitions on the timeline once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import Input, RadioSet

from warroom.config import AlarmsConfig
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.sources.alarms import Alarm, AlarmSnapshot, observe_alarms, ordered
from warroom.sources.status import SourceStatus
from warroom.store import SqliteJournal
from warroom.ui.alarms import AlarmsPanel
from warroom.ui.dialogs import DeclareScreen
from warroom.ui.feeds import AlarmsArrived

from .conftest import app_for, console_config, eventually, rows

REASON = "Threshold Crossed: 1 datapoint [25.0] was greater than the threshold (10.0)."


def snapshot(at, previous: AlarmSnapshot | None, *alarms: Alarm) -> AlarmSnapshot:
    """What the alarms feed hands the console: its observations worked out as the feed does."""
    status = SourceStatus("CloudWatch alarms").succeeded(at, 0.05)
    current = AlarmSnapshot(at, ordered(list(alarms)), status)
    return replace(current, observations=observe_alarms(previous, current))


async def test_an_alarms_age_counts_on_between_two_polls(tmp_path, db, clock):
    config = replace(console_config(tmp_path), alarms=AlarmsConfig(prefix="saas-prod-"))
    app = app_for(tmp_path, db, clock, config=config)
    api = Alarm("saas-prod-api-5xx", "ALARM", clock.now - timedelta(minutes=7), REASON)
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(AlarmsArrived(snapshot(clock.now, None, api)))
        panel = app.query_one(AlarmsPanel)
        await eventually(lambda: "(7m ago)" in "".join(panel.rows()), "the alarm", pilot=pilot)
        # The alarms are polled a minute apart (by default); meanwhile the age counts on.
        clock.advance(minutes=3)
        await eventually(
            lambda: "(10m ago)" in "".join(panel.rows()), "the age counted", pilot=pilot
        )


async def test_watch_then_declare_from_the_alarm_that_fired(tmp_path, db, clock):
    config = replace(
        console_config(tmp_path),
        alarms=AlarmsConfig(prefix="saas-prod-", severity={"saas-prod-api-": "SEV-1"}),
    )
    app = app_for(tmp_path, db, clock, config=config)
    redis = Alarm("saas-prod-redis-cpu", "OK", clock.now - timedelta(days=2), "fine")
    calm = snapshot(clock.now - timedelta(minutes=8), None, redis)
    fired_at = clock.now - timedelta(minutes=7)
    api = Alarm("saas-prod-api-5xx", "ALARM", fired_at, REASON, "API returns 5xx", values=(0, 4))
    fired = snapshot(clock.now, calm, redis, api)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        # No incident open: the live panels, watching; the form is one key away, esc closes it.
        assert app.screen is app.screen_stack[0] and app.incident is None
        assert "watching" in str(app.query_one("#incident-header").render())
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.incident is None

        app.post_message(AlarmsArrived(calm))
        app.post_message(AlarmsArrived(fired))
        await pilot.pause()
        panel = app.query_one(AlarmsPanel)
        shown = panel.rows()
        assert shown[0].startswith("saas-prod-api-5xx  ALARM  since 02:54:00 (7m ago)  ▁█")
        assert REASON in shown[0] and shown[1].startswith("saas-prod-redis-cpu  OK")
        assert panel.has_class("-failing")  # red while one is in ALARM

        panel.focus()
        panel.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DeclareScreen)
        assert form.query_one("#title", Input).value == "API returns 5xx"
        assert form.query_one("#detected-at", Input).value == "2026-11-26 02:54:00"
        assert form.query_one("#severity", RadioSet).pressed_button.id == "sev1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.incident is not None and app.incident.severity.value == "SEV-1"

        # Another console sees the same transition: it is on the timeline once.
        journal = await SqliteJournal.open(db)
        other = WarRoom(journal, author="bo", runbook=load_runbook(), clock=clock)
        (seen,) = fired.observations
        again = await other.observe(
            app.incident.id, f"{seen.kind}:{seen.subject}", seen.text, at=seen.at
        )
        await other.close()
        assert again is None
        app.post_message(AlarmsArrived(fired))
        await pilot.pause()

        cleared_at = clock.advance(minutes=5)
        back = Alarm("saas-prod-api-5xx", "OK", cleared_at, "back", "API returns 5xx")
        clock.advance(seconds=40)  # seen a poll later: the entry keeps the alarm's own time
        app.post_message(AlarmsArrived(snapshot(cleared_at, fired, redis, back)))
        await pilot.pause()
        assert not panel.has_class("-failing")
        await pilot.press("q")
        await pilot.pause()
    events = rows(db, "SELECT kind, at, text FROM events ORDER BY at, id")
    assert events == [
        ("detected", "2026-11-26T02:54:00.000000Z", "CloudWatch alarm saas-prod-api-5xx"),
        (
            "observation",
            "2026-11-26T02:54:00.000000Z",
            f"alarm saas-prod-api-5xx ALARM: {REASON}",
        ),
        ("observation", "2026-11-26T03:06:00.000000Z", "alarm saas-prod-api-5xx back to OK"),
    ]
    assert app.return_code == 0
