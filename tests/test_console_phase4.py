"""Phase 4 in the console (Textual Pilot on a real journal, loopback receivers): the steps
that act, each ticked with who and when once its work is done."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from warroom.config import GithubConfig, RunbookConfig
from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal
from warroom.ui.panels import ChecklistPane
from warroom.ui.postmortem import PostmortemScreen

from .conftest import app_for, console_config, eventually
from .helpers.github import REPO, GithubStub

TOKEN_ENV = "WARROOM_TEST_GITHUB_TOKEN"


@pytest.fixture
def github() -> Iterator[GithubStub]:
    stub = GithubStub().start()
    yield stub
    stub.stop()


async def resolved_with_items(db: Path, clock) -> int:
    """A SEV-1 resolved at 03:20 with two open action items, the first already linked."""
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
        first = await room.add_action_item(incident, "Alarm on 5xx", owner="bo")
        await room.add_action_item(incident, "Canary deploys", owner="cy")
        await room.link_action_item(first.id, f"https://github.com/{REPO}/issues/7")
        clock.advance(minutes=19)
        await room.log(Kind.RESOLVED, "rolled back", incident_id=incident)
    return incident


async def open_resolved(pilot, incident: int) -> None:
    """The console lists the post-mortem to write; enter opens it."""
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    app = pilot.app
    assert app.incident is not None and app.incident.id == incident


def step_row(app, step_id: str) -> str:
    [row] = [r for r in app.query_one(ChecklistPane).rows() if f" {step_id}. " in r]
    return row


async def test_ctrl_g_in_the_editor_backlogs_the_items_and_ticks_step_12(
    tmp_path, db, clock, github, monkeypatch
):
    incident = await resolved_with_items(db, clock)
    monkeypatch.setenv(TOKEN_ENV, "ghp_test_token_0123456789")
    config = console_config(tmp_path)
    config = replace(
        config, github=GithubConfig(token_env=TOKEN_ENV, api_url=github.base, repo=REPO)
    )
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_resolved(pilot, incident)
        assert step_row(app, "12").endswith("Create action items  1 of 2 in the backlog")

        assert app.room is not None
        app.push_screen(PostmortemScreen(app.room, incident, directory=tmp_path / "pm"))
        await pilot.pause()
        await pilot.press("ctrl+g")
        await eventually(lambda: github.posts, "the issue sent", pilot=pilot)
        assert [p.json()["title"] for p in github.posts] == ["Canary deploys"]
        await pilot.press("escape")
        row = await eventually(
            lambda: "[x]" in step_row(app, "12") and step_row(app, "12"),
            "step 12 ticked",
            pilot=pilot,
        )
        assert row.startswith("[x] 12. Create action items  ana")


async def test_step_13_names_the_runbook_gap_and_d_drafts_the_scenario(
    tmp_path, db, clock, monkeypatch
):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    reference = tmp_path / "runbook-prod.md"
    reference.write_text("# Production runbook\n\n## Redis down\nFail over.\n")
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
        clock.advance(minutes=5)
        await room.log(Kind.ROOT_CAUSE, "rev 9 drops a column #bad-deploy", incident_id=incident)
        clock.advance(minutes=30)
        await room.log(Kind.RESOLVED, "rolled back", incident_id=incident)
    config = replace(console_config(tmp_path), runbook=RunbookConfig(reference=str(reference)))
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_resolved(pilot, incident)
        row = await eventually(
            lambda: "not in" in step_row(app, "13") and step_row(app, "13"),
            "step 13's note",
            pilot=pilot,
        )
        assert row.endswith("Update runbooks  #bad-deploy is not in runbook-prod.md")
        await pilot.press("D")
        draft = tmp_path / "runbook-prod.INC-1-draft.md"
        await eventually(draft.exists, "the drafted scenario", pilot=pilot)
        assert "## Scenario: API returns 500s after deploy (#bad-deploy)" in draft.read_text()
        assert reference.read_text() == "# Production runbook\n\n## Redis down\nFail over.\n"
