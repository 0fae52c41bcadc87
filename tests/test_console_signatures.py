"""A log pane's signatures view (Textual Pilot against a real journal file): `g` shows one row
per error with its count and NEW mark, `s` sorts, `enter` shows the example, `y` logs it; a
signature first seen after a deployment is written to the timeline once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from warroom.config import LogGroupConfig, LogsConfig
from warroom.sources.ecs import Deployment, EcsSnapshot, ServiceStatus
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.ui.dialogs import SeverityScreen
from warroom.ui.example_screen import ExampleScreen
from warroom.ui.feeds import EcsArrived
from warroom.ui.logpane import LogPane

from .conftest import app_for, console_config, declare, rows

MISSING = (
    "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column "
    "orders.tenant_ref does not exist"
)


def ecs_at(at: datetime, revision: int, deployed_at: datetime) -> EcsArrived:
    task = f"saas-backend:{revision}"
    deployment = Deployment("ecs-svc/1", "PRIMARY", "COMPLETED", task, 3, 3, 0, 0, deployed_at)
    service = ServiceStatus("saas-backend", True, "ACTIVE", 3, 3, 0, task, (deployment,))
    source = SourceStatus("ECS saas-prod").succeeded(at, 0.1)
    return EcsArrived(EcsSnapshot(at, "saas-prod", (service,), source))


def arrive(pane: LogPane, at: datetime, messages: list[str]) -> None:
    lines = tuple(
        LogLine("/prod/backend", f"{at.timestamp()}-{n}", at, "app/1", m, "ERROR")
        for n, m in enumerate(messages)
    )
    pane.add_batch(LogBatch("/prod/backend", "ERROR", lines, SourceStatus("x").succeeded(at, 0.1)))
    pane.flush()


async def test_signatures_view_new_mark_sort_example_and_evidence(tmp_path, db, clock):
    logs = LogsConfig(groups=(LogGroupConfig("/prod/backend"),))
    app = app_for(tmp_path, db, clock, config=replace(console_config(tmp_path), logs=logs))
    async with app.run_test(size=(200, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "500s after deploy")
        pane = app.query_one(LogPane)
        start = clock.now
        app.post_message(ecs_at(start, 8, start - timedelta(days=2)))  # deployed long ago
        await pilot.pause()
        arrive(
            pane,
            start + timedelta(seconds=5),
            [f"ERROR redis timeout after {n}s" for n in range(20)],
        )
        clock.advance(seconds=30)
        deployed = clock.now  # the bad deploy, then its flood
        app.post_message(ecs_at(clock.now, 9, deployed))
        await pilot.pause()
        flood = [f"ERROR [req-{n:04x}] GET /api/v1/orders/{n} 500 {MISSING}" for n in range(12)]
        arrive(pane, deployed + timedelta(seconds=2), flood)
        for _ in range(2):  # the next readings of ECS: judged, and written once
            clock.advance(seconds=3)
            app.post_message(ecs_at(clock.now, 9, deployed))
            await pilot.pause()

        pane.view.focus()
        await pilot.press("g")
        await pilot.pause()
        shown = list(pane.view.lines)
        assert "signatures by count (2)" in str(pane.border_title)
        assert shown[0].startswith("    20 ") and "NEW" not in shown[0]
        assert shown[1].startswith("    12 ")
        assert f"NEW since saas-backend:9  {MISSING} · GET /api/v1/orders/11 500" in shown[1]
        new_entries = rows(db, "SELECT text FROM events WHERE text LIKE '%new error%'")
        seen = f"{deployed + timedelta(seconds=2):%H:%M:%S}"
        assert new_entries == [
            (
                f"1 new error on /prod/backend since saas-backend:9, first seen {seen}: "
                f"{MISSING} · GET /api/v1/orders/11 500",
            )
        ]

        await pilot.press("s")  # newest first sighting first
        await pilot.pause()
        assert "signatures by first seen" in str(pane.border_title)
        assert pane.view.lines[0].startswith("    12 ")

        await pilot.press("e", "enter")  # the first row, its latest example whole
        await pilot.pause()
        assert isinstance(app.screen, ExampleScreen)
        assert app.screen.example == flood[-1]
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("y")
        await pilot.pause()
        notes = rows(db, "SELECT text FROM events WHERE kind = 'note' AND text LIKE '/prod%'")
        assert notes == [
            (
                f"/prod/backend 12× {seen}-{seen} UTC, new since saas-backend:9: {MISSING} · "
                "GET /api/v1/orders/11 500",
            )
        ]

        counts = rows(
            db,
            "SELECT json_extract(data, '$.evidence.signatures') FROM events "
            "WHERE kind = 'note' AND text LIKE '/prod%'",
        )
        assert '"count":20' in counts[0][0].replace(" ", "")  # every entry's evidence

        await pilot.press("g")  # lines again; `s` is the severity there, as everywhere
        await pilot.pause()
        assert pane.view.lines[-1].endswith(flood[-1])
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SeverityScreen)


async def test_each_error_is_new_since_the_deploy_just_before_it(tmp_path, db, clock):
    # :8 deployed seconds before the console opened, inside the ten minutes a pane reads back
    # (the on-call opens the console after the deploy that broke things); an error then, and
    # another after :8 -> :9.
    logs = LogsConfig(groups=(LogGroupConfig("/prod/backend"),))
    app = app_for(tmp_path, db, clock, config=replace(console_config(tmp_path), logs=logs))
    async with app.run_test(size=(200, 48)) as pilot:
        await pilot.pause()
        await declare(pilot, "500s after deploy")
        pane = app.query_one(LogPane)
        start = clock.now
        app.post_message(ecs_at(start, 8, start - timedelta(seconds=2)))
        await pilot.pause()
        arrive(pane, start + timedelta(seconds=1), ["ERROR redis timeout after 30s"])
        clock.advance(seconds=2)
        app.post_message(ecs_at(clock.now, 8, start - timedelta(seconds=2)))
        await pilot.pause()
        deployed = clock.now + timedelta(seconds=1)
        arrive(pane, deployed + timedelta(seconds=1), [f"ERROR GET /api/v1/orders {MISSING}"])
        for _ in range(2):
            clock.advance(seconds=3)
            app.post_message(ecs_at(clock.now, 9, deployed))
            await pilot.pause()

        seen = f"{deployed + timedelta(seconds=1):%H:%M:%S}"
        entries = [t for (t,) in rows(db, "SELECT text FROM events WHERE text LIKE '%new error%'")]
        assert (
            f"1 new error on /prod/backend since saas-backend:9, first seen {seen}: "
            + (f"{MISSING} · GET /api/v1/orders")
            in entries
        )
        assert len(entries) == 2  # and the redis one, since :8
        pane.view.focus()
        await pilot.press("g")
        await pilot.pause()
        shown = [line for line in pane.view.lines if "redis timeout" in line]
        assert len(shown) == 1 and "NEW since saas-backend:8" in shown[0]
