"""The post-mortem export: the runbook's template heading for heading, byte-for-byte stable."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from warroom.export import postmortem_filename
from warroom.model import Kind, Scope
from warroom.service import WarRoom
from warroom.severity import Severity

# The runbook's post-mortem template, in order.
SEED_HEADINGS = [
    "# Incident Post-Mortem: ",
    "**Date**: ",
    "**Severity**: ",
    "**Duration**: ",
    "**Author**: ",
    "## Summary",
    "## Timeline (UTC)",
    "## Root Cause",
    "## Impact",
    "- Users affected: ",
    "- Duration of impact: ",
    "- Data loss: ",
    "## Mitigation",
    "## Fix",
    "## Action Items",
    "## Lessons Learned",
]

THREE_EVENTS = """\
# Incident Post-Mortem: API returns 500s after deploy

**Date**: 2026-11-26\\
**Severity**: SEV-1\\
**Duration**: 00:47 (from detection to resolution)\\
**Author**: ana\\
**Incident commander**: ana\\
**Communications lead**: none named

## Summary
_TODO: One-paragraph description of what happened._

## Timeline (UTC)
- 03:01 — Alert fired / user reported: alarm saas-backend-5xx (ana)
- 03:04 — On-call acknowledged: investigating (ana)
- 03:48 — Confirmed resolved: health green for 15 minutes (ana)

## Root Cause
_TODO: What actually broke and why._

## Impact
- Users affected: all tenants (from the incident's scope)
- Duration of impact: 47 minutes (from detection to resolution on the timeline)
- Data loss: _TODO: none / describe_

## Mitigation
_TODO: What was done to restore service before the full fix._

## Fix
_TODO: What code/config change resolved the root cause._

## Action Items
_TODO: No action items yet._

## Lessons Learned
_TODO: What we'd do differently next time._
"""


async def three_event_incident(room: WarRoom, clock) -> int:
    incident_id = await room.declare(
        "API returns 500s after deploy", Severity.SEV1, note="alarm saas-backend-5xx"
    )
    clock.advance(minutes=3)
    await room.log(Kind.ACKNOWLEDGED, "investigating", incident_id=incident_id)
    clock.advance(minutes=44)
    await room.log(Kind.RESOLVED, "health green for 15 minutes", incident_id=incident_id)
    return incident_id


async def test_three_event_incident_renders_the_known_document(room: WarRoom, clock):
    incident_id = await three_event_incident(room, clock)
    assert await room.render_postmortem(incident_id) == THREE_EVENTS


async def test_header_lines_render_on_separate_lines(room: WarRoom, clock):
    # GitHub reads the file with gfm-like rules (markdown-it's), and the console's preview cuts
    # it into blocks with them: the four lines must not run together into one paragraph line.
    incident_id = await three_event_incident(room, clock)
    tokens = MarkdownIt("gfm-like").parse(await room.render_postmortem(incident_id))
    header = next(t for t in tokens if t.type == "inline" and "Date" in t.content)
    lines = [""]
    for child in header.children or []:
        if child.type == "hardbreak":
            lines.append("")
        elif child.type == "text":
            lines[-1] += child.content
    assert lines == [
        "Date: 2026-11-26",
        "Severity: SEV-1",
        "Duration: 00:47 (from detection to resolution)",
        "Author: ana",
        "Incident commander: ana",
        "Communications lead: none named",
    ]


async def test_a_team_template_edited_between_two_exports_is_read_again(
    room: WarRoom, clock, tmp_path
):
    """Templates are compiled once per process, and again when their file changes."""
    incident_id = await three_event_incident(room, clock)
    template = tmp_path / "ours.md.j2"
    template.write_text("{{ id }} {{ severity }}\n")
    assert await room.render_postmortem(incident_id, template) == "INC-1 SEV-1\n"
    assert await room.render_postmortem(incident_id, template) == "INC-1 SEV-1\n"
    template.write_text("{{ title }}\n")
    edited_later = template.stat().st_mtime + 1  # an edit made within the same clock tick
    os.utime(template, (edited_later, edited_later))  # would share its time with the first
    assert await room.render_postmortem(incident_id, template) == (
        "API returns 500s after deploy\n"
    )
    # The built-in one is unchanged by a team's template in another directory.
    assert (await room.render_postmortem(incident_id)).startswith("# Incident Post-Mortem: ")


async def test_headings_follow_the_runbook_template_in_order(room: WarRoom, clock):
    incident_id = await three_event_incident(room, clock)
    text = await room.render_postmortem(incident_id)
    positions = [text.find(heading) for heading in SEED_HEADINGS]
    assert [h for h in SEED_HEADINGS if h not in text] == []
    assert positions == sorted(positions)
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Incident Post-Mortem: API returns 500s after deploy",
        *(h for h in SEED_HEADINGS if h.startswith("## ")),
    ]


async def test_filled_incident(room: WarRoom, clock):
    incident_id = await room.declare(
        "Tenant sees another tenant's orders",
        Severity.SEV2,
        scope=Scope(tenants=("acme",), endpoints=("/api/v1/orders",)),
    )
    clock.advance(minutes=5)
    await room.log(Kind.ACKNOWLEDGED, "mine", incident_id=incident_id)
    await room.change_severity(Severity.SEV1, incident_id=incident_id, reason="data exposure")
    await room.check("1", incident_id=incident_id)
    clock.advance(minutes=10)
    await room.log(Kind.ROOT_CAUSE, "cache key lacked tenant id", incident_id=incident_id)
    await room.log(Kind.MITIGATED, "suspended tenant acme", incident_id=incident_id)
    await room.log(Kind.MITIGATED, "flushed the cache", incident_id=incident_id)
    clock.advance(hours=23)
    await room.log(
        Kind.FIX_DEPLOYED, "v2.4.1 keys cache by tenant\nand adds a test", incident_id=incident_id
    )
    clock.advance(hours=2)
    await room.log(Kind.RESOLVED, "verified with QA checklist", incident_id=incident_id)
    await room.set_postmortem_field(incident_id, "summary", "Orders leaked across tenants.")
    await room.set_postmortem_field(incident_id, "data_loss", "none")
    await room.set_postmortem_field(incident_id, "lessons_learned", "Test tenant isolation.")
    await room.set_postmortem_field(incident_id, "author", "bo")
    await room.add_action_item(
        incident_id, "Tenant isolation test", owner="bo", deadline=date(2026, 12, 3)
    )
    item = await room.add_action_item(incident_id, "Alert on cross-tenant reads")
    await room.update_action_item(item.id, done=True)

    text = await room.render_postmortem(incident_id)
    assert "**Severity**: SEV-1" in text
    assert "**Duration**: 25:15 (from detection to resolution)" in text
    assert "**Author**: bo" in text
    assert "Orders leaked across tenants." in text
    assert "- 03:06 — Severity changed: SEV-2 -> SEV-1: data exposure (ana)" in text
    assert "Checklist" not in text  # ticks are working notes, not the story
    # Past the first day, timeline times carry their date.
    assert (
        "- 2026-11-27 02:16 — Fix deployed: v2.4.1 keys cache by tenant\n  and adds a test" in text
    )
    assert "## Root Cause\ncache key lacked tenant id\n" in text
    assert "## Mitigation\n- suspended tenant acme\n- flushed the cache\n" in text
    assert "- Users affected: single tenant (acme)" in text
    assert "- Duration of impact: 15 minutes" in text
    assert "- Data loss: none" in text
    assert "- [ ] Tenant isolation test — owner: bo, deadline: 2026-12-03" in text
    assert (
        "- [x] Alert on cross-tenant reads — owner: _TODO: unassigned_, deadline: _TODO: none set_"
        in text
    )
    assert "Test tenant isolation." in text
    assert "_TODO: What actually broke" not in text


async def test_open_incident_shows_duration_placeholder(room: WarRoom, clock):
    incident_id = await room.declare("Dashboard slow", Severity.SEV3)
    text = await room.render_postmortem(incident_id)
    assert "**Duration**: _TODO: ongoing, not resolved yet_ (from detection to resolution)" in text
    assert "- Duration of impact: _TODO: minutes_" in text


async def test_export_writes_a_stable_file_and_is_byte_identical(room: WarRoom, clock, tmp_path):
    incident_id = await three_event_incident(room, clock)
    first = await room.export_postmortem(incident_id, directory=tmp_path / "postmortems")
    assert first.name == "2026-11-26-INC-1-api-returns-500s-after-deploy.md"
    before = first.read_bytes()
    clock.advance(hours=3)
    second = await room.export_postmortem(incident_id, directory=tmp_path / "postmortems")
    assert second == first
    assert second.read_bytes() == before
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]  # no temp files left
    assert (await room.incident(incident_id)).postmortem_exported_at == clock.now


async def test_filename_slug(room: WarRoom, clock):
    incident_id = await room.declare("Ünïcode / & $$ symbols!!", Severity.SEV3)
    name = postmortem_filename(await room.incident(incident_id))
    assert re.fullmatch(r"2026-11-26-INC-1-[a-z0-9-]+\.md", name)


async def test_many_events_stay_in_time_order(room: WarRoom, clock):
    incident_id = await room.declare("Flood", Severity.SEV2)
    for n in range(300):
        clock.advance(seconds=1)
        await room.journal.append_event(
            incident_id,
            kind=Kind.NOTE,
            text=f"note {n}",
            author="ana",
            at=clock.now,
            recorded_at=clock.now,
        )
    text = await room.render_postmortem(incident_id)
    assert text.count("— Note: note ") == 300
    assert text.index("note 9 ") < text.index("note 10 ") < text.index("note 299 ")


def test_templates_dir_is_the_repo_one_in_a_checkout():
    from warroom.export import TEMPLATES_DIR

    assert (TEMPLATES_DIR / "postmortem.md.j2").is_file()
    assert Path(__file__).resolve().parent.parent / "templates" == TEMPLATES_DIR


async def test_console_evidence_is_shown_under_its_entry(room: WarRoom, clock):
    incident_id = await room.declare("API down", Severity.SEV1)
    evidence = {
        "health": {"api": {"state": "down", "status": 500, "p95_ms": 1900, "uptime": 62.5}},
        "ecs": {"saas-backend": {"running": 2, "desired": 3, "task_definition": "saas-backend:9"}},
        "last_error": {"/prod/backend": "ERROR column orders.tenant_ref does not exist"},
    }
    await room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id, data={"evidence": evidence})
    text = await room.render_postmortem(incident_id)
    assert (
        "- 03:01 — On-call acknowledged: on it (ana)\n"
        "  - evidence: api down HTTP 500 p95 1900ms; saas-backend 2/3 saas-backend:9; "
        "/prod/backend: ERROR column orders.tenant_ref does not exist\n"
    ) in text


async def test_evidence_names_the_top_signatures_per_group_in_the_postmortem(room: WarRoom):
    from warroom.evidence import capture
    from warroom.signatures import SignatureTable

    table = SignatureTable()
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    missing = (
        "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column "
        "orders.tenant_ref does not exist"
    )
    for i in range(12):
        table.add(f"ERROR [req-{i:04x}] GET /api/v1/orders/{i} 500 {missing}", at)
    for i in range(3):
        table.add(f"ERROR [req-{i:04x}] queue poll failed: redis refused {i}", at)
    long_line = "ERROR " + "word " * 80
    evidence = capture(None, None, {"/prod/worker": None}, {"/prod/backend": table.rows()})
    assert [r["count"] for r in evidence["signatures"]["/prod/backend"]] == [12, 3]
    incident_id = await room.declare("API down", Severity.SEV1)
    await room.log(Kind.NOTE, "flood", incident_id=incident_id, data={"evidence": evidence})
    text = await room.render_postmortem(incident_id)
    assert (
        f"  - evidence: /prod/backend: 12× {missing} · GET /api/v1/orders/11 500, "
        "3× queue poll failed: redis refused 2\n"
    ) in text

    from warroom.evidence import shorten

    assert shorten(long_line, 40) == "ERROR word word word word word word…"  # no "wor"
