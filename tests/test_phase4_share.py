"""Step 11, "Share the post-mortem with the team": once the post-mortem is exported, the update
is the share message drafted from it, posted through the outbox to a loopback Slack receiver,
and posting it ticks step 11 with who and when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from warroom.config import Config, JournalConfig, NotifyConfig, PostmortemConfig
from warroom.model import Kind, PostmortemField
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .test_comms import SlackReceiver


@pytest.fixture
def slack(monkeypatch) -> AsyncIterator[SlackReceiver]:
    receiver = SlackReceiver()
    monkeypatch.setenv("WARROOM_SLACK_WEBHOOK_URL", receiver.url)
    yield receiver
    receiver.stop()


async def open_room(db: Path, clock, tmp_path: Path, url_base: str = "") -> WarRoom:
    config = Config(
        notify=NotifyConfig(channel="slack"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "pm")),
        postmortem=PostmortemConfig(url_base=url_base),
    )
    journal = await SqliteJournal.open(db)
    return WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock, config=config)


async def resolved(room: WarRoom, clock) -> int:
    """Detected 03:01, root cause and rollback, resolved 04:09; summary typed, two items."""
    incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
    for minutes, kind, text in [
        (4, Kind.ACKNOWLEDGED, "on it"),
        (6, Kind.ROOT_CAUSE, "rev 9 drops a column #bad-deploy"),
        (3, Kind.MITIGATED, "rolled back to rev 8"),
        (55, Kind.RESOLVED, "green for 15 min"),
    ]:
        clock.advance(minutes=minutes)
        await room.log(kind, text, incident_id=incident)
    await room.set_postmortem_field(
        incident, PostmortemField.SUMMARY, "A bad deploy broke\nthe API for 13 minutes."
    )
    await room.add_action_item(incident, "Alarm on 5xx", owner="bo", deadline=date(2026, 12, 10))
    await room.add_action_item(incident, "Canary deploys")
    return incident


async def test_u_shares_the_post_mortem_once_exported_and_ticks_step_11(db, clock, tmp_path, slack):
    async with await open_room(db, clock, tmp_path) as room:
        incident = await resolved(room, clock)
        assert (await room.draft_update(incident)).kind == "resolved"  # nothing to share yet

        path = await room.export_postmortem(incident, directory=tmp_path / "pm")
        draft = await room.draft_update(incident)
        assert draft.kind == "share" and draft.complete
        assert draft.text.splitlines() == [
            "[INC-1 SEV-1] Post-mortem: API returns 500s after deploy",
            "Severity SEV-1, duration 01:08 (detection to resolution).",
            "Summary: A bad deploy broke the API for 13 minutes.",
            "Root cause: rev 9 drops a column",
            "Action items:",
            "- Alarm on 5xx (owner: bo, deadline: 2026-12-10)",
            "- Canary deploys (owner: unassigned, deadline: none)",
            f"Post-mortem: {path}",
        ]

        clock.advance(minutes=30)
        [delivery] = await room.post_update(draft.text, incident_id=incident)
        assert delivery.ok
        assert [b["text"] for b in slack.bodies] == [draft.text]
        done = await room.incident(incident)
        mark = done.checklist["11"]
        assert (mark.done, mark.by, mark.at) == (True, "ana", clock())
        assert any(
            e.kind is Kind.CHECKLIST and e.text == "[x] Post-Mortem 11. Share with the team"
            for e in done.events
        )
        assert [e.text for e in done.events if e.kind is Kind.COMMS] == [draft.text]


async def test_the_share_links_the_url_and_fills_in_what_is_missing(db, clock, tmp_path, slack):
    async with await open_room(db, clock, tmp_path, "https://wiki.example/pm/") as room:
        incident = await room.declare("Orders not saving", Severity.SEV2)
        clock.advance(minutes=20)
        await room.log(Kind.RESOLVED, "fixed", incident_id=incident)
        # Before the export, posting is the resolution update: step 11 stays open.
        await room.post_update("Resolved.", incident_id=incident)
        assert "11" not in (await room.incident(incident)).checklist

        await room.export_postmortem(incident, directory=tmp_path / "pm")
        draft = await room.draft_update(incident)
        assert draft.missing == ("[summary]", "[root cause]")
        lines = draft.text.splitlines()
        assert "Action items: none" in lines
        assert lines[-1] == (
            "Post-mortem: https://wiki.example/pm/2026-11-26-INC-1-orders-not-saving.md"
        )
