"""Step 13, "Update runbooks if a new scenario was encountered": the incident's root-cause tags
and the mitigation that worked (a real rollback on moto's ECS) are looked for in the team's
reference runbook, and a scenario section is drafted beside it, never into it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from warroom.config import RunbookConfig
from warroom.model import Kind
from warroom.phase4.notes import step_note
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import seed_ecs
from .test_actions import make_config

REFERENCE = """# Production runbook

## Redis down
ElastiCache fails over by itself; if not, `warroom mitigate run failover`.
"""
EVIDENCE = {
    "health": {"api": {"state": "down", "status": 500, "p95_ms": 2300, "uptime": 71.5}},
    "ecs": {"saas-backend": {"running": 3, "desired": 3, "task_definition": "saas-backend:3"}},
    "last_error": {"/prod/backend": "ERROR column users.plan does not exist"},
}


async def bad_deploy(db: Path, clock, aws: str, reference: Path) -> tuple[WarRoom, int]:
    """The demo's bad deploy, handled: root cause tagged, rolled back on moto, resolved."""
    seed_ecs(aws)
    config = replace(make_config(aws), runbook=RunbookConfig(reference=str(reference)))
    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock, config=config)
    incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
    clock.advance(minutes=4)
    await room.log(
        Kind.ROOT_CAUSE,
        "rev 3 drops a column #bad-deploy",
        incident_id=incident,
        data={"evidence": EVIDENCE},
    )
    clock.advance(minutes=2)
    action, plan = await room.plan_action("rollback", "saas-backend")
    outcome, _ = await room.run_action(action, plan, confirmation="saas-backend")
    assert outcome.ok
    clock.advance(minutes=1)
    await room.log(Kind.MITIGATED, "health back to 200", incident_id=incident)
    clock.advance(minutes=30)
    await room.log(Kind.RESOLVED, "green for 30 min", incident_id=incident)
    return room, incident


async def test_step_13_says_what_the_reference_runbook_lacks(db, clock, aws, tmp_path):
    reference = tmp_path / "runbook-prod.md"
    reference.write_text(REFERENCE)
    room, incident = await bad_deploy(db, clock, aws, reference)
    async with room:
        gap = await room.runbook_gap(incident)
        assert gap == "#bad-deploy and rollback are not in runbook-prod.md"
        step_13 = load_runbook().step("13")[1]
        assert step_note(step_13, await room.incident(incident), {"13": gap}) == gap

        reference.write_text(REFERENCE + "\n## Bad deploy\nRoll back: `warroom mitigate run`\n")
        assert await room.runbook_gap(incident) == "rollback is not in runbook-prod.md"
        reference.write_text(REFERENCE + "\n## Bad-deploy\nThe rollback of the service.\n")
        assert await room.runbook_gap(incident) == ""


async def test_the_drafted_scenario_is_a_new_file_beside_the_reference(db, clock, aws, tmp_path):
    reference = tmp_path / "runbooks" / "runbook-prod.md"
    reference.parent.mkdir()
    reference.write_text(REFERENCE)
    room, incident = await bad_deploy(db, clock, aws, reference)
    async with room:
        path = await room.draft_runbook_scenario(incident)
        assert path == reference.with_name("runbook-prod.INC-1-draft.md")
        assert reference.read_text() == REFERENCE  # the reference itself is never edited
        text = path.read_text()
        assert text.startswith(
            "## Scenario: API returns 500s after deploy (#bad-deploy, rollback)\n"
        )
        assert "merge what holds into runbook-prod.md by hand" in text
        assert "- Root cause: rev 3 drops a column" in text
        # What the panels showed, from the evidence the entry carried.
        assert (
            "- 03:05 Root cause identified: api down HTTP 500 p95 2300ms; "
            "saas-backend 3/3 saas-backend:3; /prod/backend: ERROR column users.plan"
        ) in text
        worked = text[text.index("### Mitigation that worked") :]
        assert "- 03:07 roll back saas-backend from saas-backend:3 to saas-backend:2\n" in worked
        change = "ECS service saas-backend task definition: saas-backend:3 -> saas-backend:2"
        assert change in worked
        assert "command: `warroom mitigate run rollback --target saas-backend`" in worked
        assert "- 03:08 Mitigation applied: health back to 200" in text  # the timeline

        again = await room.draft_runbook_scenario(incident)
        assert again.name == "runbook-prod.INC-1-draft-2.md"
        assert path.read_text() == text  # a draft under review is not overwritten
