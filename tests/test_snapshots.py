"""Snapshots of the main screens (pytest-textual-snapshot). Update after a deliberate change with
`pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs before committing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import Input

from warroom.config import (
    Config,
    EcsConfig,
    JournalConfig,
    LogGroupConfig,
    LogsConfig,
    UserConfig,
)
from warroom.sources.ecs import Deployment, EcsSnapshot, ServiceStatus
from warroom.sources.health import Check, EndpointHealth, HealthSnapshot, HealthState
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.ui.app import WarRoomApp
from warroom.ui.logpane import LogPane
from warroom.ui.panels import EcsPanel, HealthPanel

NOW = datetime(2026, 11, 26, 3, 13, 31, tzinfo=UTC)
T0 = datetime(2026, 11, 26, 3, 1, tzinfo=UTC)


class FixedClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def config(tmp_path: Path) -> Config:
    return Config(
        user=UserConfig(name="ana"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "pm")),
        ecs=EcsConfig(cluster="saas-prod", services=("saas-backend", "saas-worker")),
        logs=LogsConfig(groups=(LogGroupConfig("/prod/backend"), LogGroupConfig("/prod/worker"))),
    )


def make_app(tmp_path: Path) -> tuple[WarRoomApp, FixedClock]:
    clock = FixedClock()
    app = WarRoomApp(config(tmp_path), tmp_path / "w.db", start_feeds=False, clock=clock)
    return app, clock


def feeds(now: datetime) -> tuple[HealthSnapshot, EcsSnapshot, list[LogBatch]]:
    history = (0.04, 0.05, 0.04, 1.2, None, 1.9, None, 1.84)
    check = Check(now, False, 1.84, 500, "error", "HTTP 500 (error)")
    health = HealthSnapshot(
        now,
        (
            EndpointHealth(
                "api",
                "https://api.example/api/v1/health",
                HealthState.DOWN,
                "HTTP 500 (error)",
                check,
                1.9,
                62.5,
                8,
                now - timedelta(seconds=40),
                history,
            ),
        ),
    )
    ok = SourceStatus("ECS saas-prod").succeeded(now, 0.04)
    ecs = EcsSnapshot(
        now,
        "saas-prod",
        (
            ServiceStatus(
                "saas-backend",
                True,
                "ACTIVE",
                3,
                2,
                1,
                "saas-backend:9",
                (Deployment("d1", "PRIMARY", "IN_PROGRESS", "saas-backend:9", 3, 2, 1, 0, now),),
                (),
                "saas-backend:8",
            ),
            ServiceStatus(
                "saas-worker",
                True,
                "ACTIVE",
                2,
                2,
                0,
                "saas-worker:4",
                (Deployment("d2", "PRIMARY", "COMPLETED", "saas-worker:4", 2, 2, 0, 0, now),),
                (),
                "saas-worker:3",
            ),
        ),
        ok,
    )
    lines = [
        LogLine(
            "/prod/backend",
            str(n),
            now - timedelta(seconds=30 - n),
            "app/1",
            f"ERROR [req-{n:04x}] POST /api/v1/orders 500 sqlalchemy.exc.ProgrammingError: "
            "column orders.tenant_ref does not exist",
            "ERROR",
        )
        for n in range(12)
    ]
    lines.append(
        LogLine(
            "/prod/backend",
            "99",
            now,
            "app/1",
            "ERROR [bold red]not markup[/] \u241b]0;owned",
            "ERROR",
        )
    )
    worker_status = SourceStatus("/prod/worker").succeeded(now - timedelta(minutes=3), 0.02)
    worker_status = worker_status.failed(now, "throttled by AWS")
    batches = [
        LogBatch(
            "/prod/backend",
            "ERROR",
            tuple(lines),
            SourceStatus("/prod/backend").succeeded(now, 0.03),
        ),
        LogBatch("/prod/worker", "ERROR", (), worker_status),
    ]
    return health, ecs, batches


def stable(app: WarRoomApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False
    app.clear_notifications()


async def declared(pilot, clock: FixedClock) -> None:
    app = pilot.app
    await pilot.pause()
    await pilot.press("ctrl+n")  # watching, with no incident open
    await pilot.pause()
    title = app.screen.query_one("#title", Input)
    title.value = "API returns 500s after deploy"
    await pilot.click("#sev1")
    await pilot.click("#title")
    await pilot.press("enter")
    await pilot.pause()
    clock.now = T0 + timedelta(minutes=3)
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*"on it, rolling back", "enter")
    await pilot.pause()
    clock.now = NOW
    health, ecs, batches = feeds(NOW)
    app.health, app.ecs = health, ecs
    app.query_one(HealthPanel).show(health)
    app.query_one(EcsPanel).show(ecs)
    for batch in batches:
        for pane in app.query(LogPane):
            if pane.group == batch.group:
                pane.add_batch(batch)
    for pane in app.query(LogPane):
        pane.flush()  # now, not when the pane's timer says: the snapshot must not race it
        pane.refresh_title(NOW)
    app.query_one("#incident-header").redraw(NOW)
    app.recheck_offers()  # minutes later: the prompt bar no longer offers to undo the `a`
    stable(app)
    await pilot.pause()


def test_main_screen_wide(snap_compare, tmp_path):
    app, clock = make_app(tmp_path)
    assert snap_compare(app, terminal_size=(160, 48), run_before=lambda p: declared(p, clock))


def test_main_screen_narrow(snap_compare, tmp_path):
    app, clock = make_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda p: declared(p, clock))


def test_declare_form(snap_compare, tmp_path):
    app, _ = make_app(tmp_path)

    async def ready(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        stable(pilot.app)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ready)


def test_help(snap_compare, tmp_path):
    app, clock = make_app(tmp_path)

    async def help_open(pilot) -> None:
        await declared(pilot, clock)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=help_open)
