"""Step 12, "Create action items as backlog tasks": the GitHub export (CLI) ticks it once every
open item has an issue, and the checklist row counts them until then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.model import Kind
from warroom.phase4.notes import step_note
from warroom.runbook import load_runbook
from warroom.severity import Severity

from .helpers.github import REPO, GithubStub

TOKEN_ENV = "WARROOM_TEST_GITHUB_TOKEN"
STEP_12 = load_runbook().step("12")[1]


@pytest.fixture
def github() -> Iterator[GithubStub]:
    stub = GithubStub().start()
    yield stub
    stub.stop()


def env_for(tmp_path: Path, github: GithubStub) -> dict[str, str]:
    config = tmp_path / "warroom.toml"
    config.write_text(f'[github]\ntoken_env = "{TOKEN_ENV}"\napi_url = "{github.base}"\n')
    return {"WARROOM_CONFIG": str(config), TOKEN_ENV: "ghp_test_token_0123456789"}


async def test_export_ticks_step_12_once_every_open_item_has_an_issue(cli, room, github, tmp_path):
    incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
    for text in ("Alarm on 5xx", "Canary deploys"):
        await room.add_action_item(incident, text, owner="bo")
    finished = await room.add_action_item(incident, "Add rollback to runbook", owner="cy")
    await room.update_action_item(finished.id, done=True)  # done: needs no issue
    await room.log(Kind.RESOLVED, "rolled back", incident_id=incident)
    assert step_note(STEP_12, await room.incident(incident), {}) == "0 of 2 in the backlog"

    env = env_for(tmp_path, github)
    github.fail = {2: (500, {"message": "Server Error"})}
    half = cli("action-items", "export", "--github", REPO, env=env)
    assert half.returncode == 1
    after_half = await room.incident(incident)
    assert "12" not in after_half.checklist
    assert step_note(STEP_12, after_half, {}) == "1 of 2 in the backlog"

    rest = cli("action-items", "export", "--github", REPO, env=env)
    assert rest.returncode == 0, rest.stderr
    assert "INC-1: every open action item is in the backlog" in rest.stdout
    done = await room.incident(incident)
    assert done.checklist["12"].done and done.checklist["12"].by == "ana"
    [tick] = [e for e in done.events if e.kind is Kind.CHECKLIST]
    assert tick.text == "[x] Post-Mortem 12. Create action items" and tick.author == "ana"

    again = cli("action-items", "export", "--github", REPO, env=env)
    assert again.returncode == 0 and "in the backlog" not in again.stdout
    assert len([e for e in (await room.incident(incident)).events if e.kind is Kind.CHECKLIST]) == 1


async def test_no_open_items_is_no_tick_and_says_so(room):
    incident = await room.declare("Orders not saving", Severity.SEV2)
    assert step_note(STEP_12, await room.incident(incident), {}) == "no open action items yet"
    assert await room.tick_backlog([incident]) == []
    item = await room.add_action_item(incident, "Retry order writes")
    await room.link_action_item(item.id, "https://tracker.example/T-9")
    [tick] = await room.tick_backlog([incident])
    assert tick.author == "ana"
    assert (await room.incident(incident)).checklist["12"].done
