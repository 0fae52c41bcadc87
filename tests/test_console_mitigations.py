"""The console's `!` menu against moto: read-only shows a preview and nothing to confirm; an
attempt the resource refuses is on the timeline, as from `warroom mitigate run`; the preview
names the last mitigation on the target, and a target another console holds is not run."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label

from warroom.config import AwsConfig, Config, EcsConfig, JournalConfig, UserConfig
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal
from warroom.ui.app import WarRoomApp
from warroom.ui.mitigation_dialogs import ActionMenu, ConfirmAction

from .conftest import declared_before, eventually, opened_on_incident, rows, seed_ecs
from .test_actions import backend_task_definition


def moto_config(tmp_path: Path, aws: str, *, read_only: bool = False) -> Config:
    return Config(
        user=UserConfig(name="ana"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "postmortems")),
        aws=AwsConfig(region="me-south-1", endpoint_url=aws),
        ecs=EcsConfig(cluster="saas-prod", services=("saas-backend",)),
        read_only=read_only,
    )


def actions(db: Path) -> list[tuple]:
    return rows(
        db,
        "SELECT json_extract(data, '$.action'), json_extract(data, '$.refused'), text"
        " FROM events WHERE kind = 'action' ORDER BY id",
    )


async def open_rollback(app: WarRoomApp, pilot) -> None:
    await pilot.press("exclamation_mark")
    await pilot.pause()
    assert isinstance(app.screen, ActionMenu)
    await pilot.press("enter")  # rollback, target saas-backend prefilled


async def test_read_only_preview_says_so_first_and_offers_nothing_to_run(tmp_path, db, clock, aws):
    seed_ecs(aws)
    await declared_before(db, clock)
    app = WarRoomApp(moto_config(tmp_path, aws, read_only=True), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await open_rollback(app, pilot)
        dialog = await eventually(
            lambda: isinstance(app.screen, ConfirmAction) and app.screen, "the preview", pilot=pilot
        )
        said = [str(label.render()) for label in dialog.query(Label)]
        assert said[0] == "Read-only mode: preview only, nothing will change"
        assert "saas-backend:3 -> saas-backend:2" in dialog.preview
        assert not any("runs" in line or "confirm" in line for line in said), said
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is dialog  # y runs nothing and keeps the preview up
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
    assert backend_task_definition(aws) == "saas-backend:3"
    assert actions(db) == []  # a preview is not an attempt


async def test_a_refused_mitigation_is_on_the_timeline(tmp_path, db, clock, aws):
    seed_ecs(aws, revisions=1)  # nothing earlier to roll back to
    await declared_before(db, clock)
    app = WarRoomApp(moto_config(tmp_path, aws), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        await open_rollback(app, pilot)
        await eventually(lambda: actions(db), "the refusal journaled", pilot=pilot)
        # Said in the menu, which stays up so another row can be picked.
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        said = await eventually(
            lambda: "refused" in (text := str(menu.query_one("#action-status").render())) and text,
            "the refusal said",
            pilot=pilot,
        )
        assert said.startswith("rollback: refused, saas-backend:1 has no earlier ACTIVE")
    [(action, refused, text)] = actions(db)
    assert action == "rollback"
    assert refused == "saas-backend:1 has no earlier ACTIVE revision to roll back to"
    assert text == f"roll back saas-backend: refused: {refused}"


async def test_the_preview_names_the_last_mitigation_and_a_held_target_refuses(
    tmp_path, db, clock, aws, notices
):
    seed_ecs(aws)
    await declared_before(db, clock)
    app = WarRoomApp(moto_config(tmp_path, aws), db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await opened_on_incident(pilot)
        # bob, in another console on the same journal, rolled back a minute ago and is on
        # saas-backend again right now.
        bob = WarRoom(
            await SqliteJournal.open(db),
            author="bob",
            runbook=load_runbook(),
            clock=clock,
            config=moto_config(tmp_path, aws),
        )
        try:
            action, plan = await bob.plan_action("rollback", "saas-backend")
            await bob.run_action(action, plan, confirmation="saas-backend")
            clock.advance(minutes=1)
            async with bob.holding_target(action, plan):
                await open_rollback(app, pilot)
                dialog = await eventually(
                    lambda: isinstance(app.screen, ConfirmAction) and app.screen,
                    "the preview",
                    pilot=pilot,
                )
                assert dialog.preview.splitlines()[-1] == (
                    "  last on saas-backend: bob rolled back saas-backend 1m ago: "
                    "saas-backend:3 -> saas-backend:2"
                )
                await pilot.press(*"saas-backend", "enter")
                said = await eventually(
                    lambda: [n for n in notices if n.title == "rollback: not run"],
                    "the refusal",
                    pilot=pilot,
                )
        finally:
            await bob.close()
    assert said[0].message == (
        "refused: bob is running rollback on saas-backend since 03:02:00 UTC (0s ago)"
    )
    assert backend_task_definition(aws) == "saas-backend:2"  # bob's, and no more
