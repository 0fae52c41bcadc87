"""Mistakes at 3 a.m. are cheap to correct and never dangerous: retracted entries stop counting
but stay in the journal, a resolved incident can be reopened, and milestones that make no sense
are refused with one line, also when two consoles write at the same moment (one real SQLite
file, several WarRoom instances)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warroom.corrections import response_clock_start, still_open
from warroom.errors import AlreadyLogged, IncidentResolved, NotFound, Refused
from warroom.jsonview import incident_dict
from warroom.model import Event, Kind, Milestones, Scope, Status, next_update_due
from warroom.report import root_cause_tags
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import Clock

RUNBOOK = load_runbook()


def phase(incident) -> str:
    return RUNBOOK.current_phase(incident.milestones).name


T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def entry(n: int, kind: Kind, minutes: float, **data: object) -> Event:
    at = T0 + timedelta(minutes=minutes)
    return Event(n, 1, at, at, kind, "", "ana", data=dict(data))


def test_a_reopen_undoes_the_resolutions_recorded_before_it():
    events = [
        entry(1, Kind.DETECTED, 0),
        entry(2, Kind.RESOLVED, 30),
        entry(3, Kind.REOPENED, 60),
        entry(4, Kind.RESOLVED, 45),  # typed after the reopen, timed before it (--at)
    ]
    m = Milestones.from_events(events)
    assert m.resolved == T0 + timedelta(minutes=45)
    assert m.reopened == T0 + timedelta(minutes=60) and m.times_reopened == 1
    assert Milestones.from_events(events[:3]).resolved is None
    # The reopen retracted: the first resolution holds again.
    undone = Milestones.from_events([*events[:3], entry(5, Kind.RETRACTED, 61, entry=3)])
    assert undone.resolved == T0 + timedelta(minutes=30) and undone.times_reopened == 0


async def test_a_retracted_mitigation_stops_counting_but_stays_on_record(room: WarRoom, clock):
    incident_id = await room.declare("API returns 500s", Severity.SEV1)
    clock.advance(minutes=4)
    await room.log(Kind.ACKNOWLEDGED, "mine", incident_id=incident_id)
    clock.advance(minutes=6)
    wrong = await room.log(Kind.MITIGATED, "rolled back (wrong service)", incident_id=incident_id)
    assert phase(await room.incident(incident_id)) == "Resolve"

    clock.advance(minutes=1)
    retraction = await room.retract(wrong.id, "rolled back the worker, not the API")
    incident = await room.incident(incident_id)
    assert incident.milestones.mitigated is None
    assert incident.milestones.time_to_mitigate is None
    assert phase(incident) == "Mitigate"
    # Nothing deleted: the entry and its retraction are both on the timeline.
    assert [e.kind for e in incident.events][-2:] == [Kind.MITIGATED, Kind.RETRACTED]
    assert retraction.data == {"entry": wrong.id, "kind": "mitigated"}
    shown = {e["id"]: e for e in incident_dict(incident, RUNBOOK)["events"]}
    assert shown[wrong.id]["retracted"] == {
        "at": "2026-11-26T03:12:00Z",
        "by": "ana",
        "reason": "rolled back the worker, not the API",
    }
    assert shown[retraction.id]["retracted"] is None

    clock.advance(minutes=9)
    await room.log(Kind.MITIGATED, "rolled back saas-backend", incident_id=incident_id)
    assert (await room.incident(incident_id)).milestones.time_to_mitigate == timedelta(minutes=20)


async def test_a_retracted_root_cause_tags_nothing(room: WarRoom, clock):
    incident_id = await room.declare("DB overload", Severity.SEV2)
    guess = await room.log(Kind.ROOT_CAUSE, "bad deploy #bad-deploy", incident_id=incident_id)
    clock.advance(minutes=20)
    await room.log(Kind.ROOT_CAUSE, "connection pool #db-overload", incident_id=incident_id)
    await room.retract(guess.id, "the deploy was fine")
    assert root_cause_tags(await room.incident(incident_id)) == {"db-overload"}


async def test_undoing_a_resolve_opens_the_incident_again(room: WarRoom, clock):
    incident_id = await room.declare("Orders not saving", Severity.SEV2)
    clock.advance(minutes=30)
    await room.log(Kind.RESOLVED, "Confirmed resolved", incident_id=incident_id)
    assert [i.id for i in await room.incidents(Status.RESOLVED)] == [incident_id]

    undone = await room.undo(incident_id)  # the console's ctrl+z
    assert undone.text == "undone"
    incident = await room.incident(incident_id)
    assert incident.status is Status.OPEN
    assert [i.id for i in await room.incidents(Status.OPEN)] == [incident_id]
    assert (await room.incidents())[0].resolved_at is None
    # The declaration is not undone: an incident is resolved, not taken back.
    with pytest.raises(Refused, match="nothing of yours to undo"):
        await room.undo(incident_id)


async def test_retracting_a_tick_a_severity_or_a_scope_change_puts_it_back(room: WarRoom, clock):
    incident_id = await room.declare("Checkout slow", Severity.SEV3, scope=Scope(("acme",)))
    tick = await room.check("1", incident_id=incident_id)
    raised = await room.change_severity(Severity.SEV2, incident_id=incident_id)
    again = await room.change_severity(Severity.SEV1, incident_id=incident_id)
    widened = await room.change_scope(Scope(), incident_id=incident_id)
    assert tick and raised and again and widened

    await room.retract(tick.id, "wrong step")
    await room.retract(again.id, "misread the dashboard")
    await room.retract(widened.id, "only acme")
    incident = await room.incident(incident_id)
    assert "1" not in incident.checklist
    assert incident.severity is Severity.SEV2
    assert incident.scope == Scope(("acme",))
    await room.retract(raised.id, "SEV-3 after all")
    assert (await room.incident(incident_id)).severity is Severity.SEV3


async def test_what_a_retraction_may_not_do(room: WarRoom, clock):
    first = await room.declare("One", Severity.SEV2)
    note = await room.log(Kind.NOTE, "a note", incident_id=first)
    clock.advance(minutes=1)
    retraction = await room.retract(note.id, "typo", incident_id=first)
    second = await room.declare("Two", Severity.SEV3)
    other = await room.log(Kind.NOTE, "on two", incident_id=second)

    with pytest.raises(NotFound, match="no timeline entry 999"):
        await room.retract(999, "x", incident_id=first)
    with pytest.raises(Refused, match=f"entry {other.id} is on INC-{second}, not INC-{first}"):
        await room.retract(other.id, "x", incident_id=first)
    with pytest.raises(Refused, match="is itself a retraction"):
        await room.retract(retraction.id, "x", incident_id=first)
    with pytest.raises(Refused, match="already retracted by ana at 2026-11-26 03:02:00 UTC: typo"):
        await room.retract(note.id, "again", incident_id=first)
    with pytest.raises(Refused, match="stays as it was"):
        await room.amend(note.id, text="better words")


async def test_reopen_runs_the_clocks_again_and_durations_count_to_the_final_resolution(
    room: WarRoom, clock
):
    incident_id = await room.declare("AI chat down", Severity.SEV2)
    clock.advance(minutes=5)
    await room.log(Kind.ACKNOWLEDGED, "mine", incident_id=incident_id)
    clock.advance(minutes=10)
    await room.log(Kind.MITIGATED, "switched provider", incident_id=incident_id)
    clock.advance(minutes=15)
    await room.log(Kind.RESOLVED, "Confirmed resolved", incident_id=incident_id)
    with pytest.raises(Refused, match="is open; nothing to reopen"):
        await room.reopen("x", incident_id=await room.declare("Other", Severity.SEV3))

    clock.advance(hours=2)
    reopened = await room.reopen("errors are back")  # the incident resolved last
    incident = await room.incident(incident_id)
    assert reopened.kind is Kind.REOPENED and reopened.incident_id == incident_id
    assert incident.status is Status.OPEN
    assert phase(incident) == "Resolve"  # it was mitigated: that still holds
    assert next_update_due(incident, timedelta(hours=1)) == clock.now + timedelta(hours=1)
    with pytest.raises(Refused, match=f"INC-{incident_id} is open; nothing to reopen"):
        await room.reopen("again", incident_id=incident_id)
    # Taken again after the reopen: a second acknowledgement is allowed, a third is not.
    await room.log(Kind.ACKNOWLEDGED, "on it again", incident_id=incident_id)
    with pytest.raises(AlreadyLogged):
        await room.log(Kind.ACKNOWLEDGED, "me too", incident_id=incident_id)

    clock.advance(minutes=30)
    await room.log(Kind.RESOLVED, "really fixed", incident_id=incident_id)
    m = (await room.incident(incident_id)).milestones
    assert m.time_to_acknowledge == timedelta(minutes=5)  # the first, not the second
    assert m.time_to_resolve == timedelta(hours=3)
    assert m.times_reopened == 1


async def test_a_resolved_incident_takes_notes_and_post_mortem_work_only(room: WarRoom, clock):
    incident_id = await room.declare("Redis failover", Severity.SEV1)
    clock.advance(minutes=20)
    await room.log(Kind.RESOLVED, "Confirmed resolved", incident_id=incident_id)
    clock.advance(minutes=1)
    for kind in (Kind.ACKNOWLEDGED, Kind.MITIGATED, Kind.ROOT_CAUSE, Kind.RESOLVED):
        with pytest.raises(IncidentResolved) as refused:
            await room.log(kind, "late", incident_id=incident_id)
        message = str(refused.value)
        assert "\n" not in message
        assert "resolved at 2026-11-26 03:21:00 UTC" in message
        assert f"warroom reopen --incident INC-{incident_id} REASON" in message
    await room.log(Kind.NOTE, "customer confirmed", incident_id=incident_id)
    await room.set_postmortem_field(incident_id, "summary", "Primary died.")
    await room.add_action_item(incident_id, "Alarm on failover", owner="bo")
    assert [e.kind for e in (await room.incident(incident_id)).events][-1] is Kind.NOTE


async def test_acknowledged_once_and_several_mitigations(room: WarRoom, clock):
    incident_id = await room.declare("Notifications not sending", Severity.SEV2)
    clock.advance(minutes=3)
    ack = await room.log(Kind.ACKNOWLEDGED, "mine", incident_id=incident_id)
    clock.advance(minutes=5)
    with pytest.raises(AlreadyLogged) as refused:
        await room.log(Kind.ACKNOWLEDGED, "mine too", incident_id=incident_id)
    assert refused.value.by == "ana" and refused.value.entry == ack.id
    assert "already acknowledged by ana at 2026-11-26 03:04:00 UTC" in str(refused.value)
    await room.log(Kind.MITIGATED, "restarted the worker", incident_id=incident_id)
    await room.log(Kind.MITIGATED, "drained the queue", incident_id=incident_id)
    with pytest.raises(AlreadyLogged, match="just logged"):  # the same key pressed twice
        await room.log(Kind.MITIGATED, "drained the queue", incident_id=incident_id)
    clock.advance(minutes=30)
    await room.log(Kind.MITIGATED, "drained the queue", incident_id=incident_id)
    assert len((await room.incident(incident_id)).events_of(Kind.MITIGATED)) == 3
    # Retracted, the acknowledgement can be logged again.
    await room.retract(ack.id, "pressed by mistake", incident_id=incident_id)
    await room.log(Kind.ACKNOWLEDGED, "now really mine", incident_id=incident_id)


async def test_an_entry_cannot_be_moved_before_detection(room: WarRoom, clock):
    incident_id = await room.declare("API down", Severity.SEV1)
    clock.advance(minutes=10)
    note = await room.log(Kind.NOTE, "deploy 4711 went out", incident_id=incident_id)
    with pytest.raises(Refused, match="before the incident was detected"):
        await room.amend(note.id, at=clock.now - timedelta(minutes=30))
    with pytest.raises(Refused, match="before the incident was detected"):
        await room.log(Kind.NOTE, "x", incident_id=incident_id, at=clock.now - timedelta(hours=1))
    # The detection itself moves earlier (the alarm fired before anyone declared); then the
    # entry may move too.
    detected = (await room.incident(incident_id)).events[0]
    await room.amend(detected.id, at=clock.now - timedelta(hours=1))
    moved = await room.amend(note.id, at=clock.now - timedelta(minutes=30))
    assert moved.at == clock.now - timedelta(minutes=30)


async def test_the_same_milestone_from_several_consoles_is_logged_once(db: Path, clock: Clock):
    names = ["ana", "bo", "cy", "dee"]
    rooms = [
        WarRoom(await SqliteJournal.open(db), author=name, runbook=RUNBOOK, clock=clock)
        for name in names
    ]
    try:
        incident_id = await rooms[0].declare("API down", Severity.SEV1)
        clock.advance(minutes=12)
        results = await asyncio.gather(
            *(r.log(Kind.MITIGATED, "Mitigation applied", incident_id=incident_id) for r in rooms),
            return_exceptions=True,
        )
        logged = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(logged) == 1, results
        assert all(isinstance(r, AlreadyLogged) for r in refused), refused
        assert {r.by for r in refused} == {logged[0].author}
        assert f"by {logged[0].author} at 2026-11-26 03:13:00 UTC" in str(refused[0])
        incident = await rooms[1].incident(incident_id)
        assert len(incident.events_of(Kind.MITIGATED)) == 1
    finally:
        for r in rooms:
            await r.close()


async def test_what_is_still_open_when_resolving(room: WarRoom, clock):
    incident_id = await room.declare("API down", Severity.SEV1)
    assert await room.still_open(incident_id) == "not mitigated yet; 9 checklist steps open"
    for step in ("1", "2", "3", "4", "5", "6", "7"):
        await room.check(step, incident_id=incident_id)
    await room.log(Kind.MITIGATED, "rolled back", incident_id=incident_id)
    assert still_open(await room.incident(incident_id), RUNBOOK) == "2 checklist steps open"
    await room.check("8", incident_id=incident_id)
    await room.check("9", incident_id=incident_id)
    assert await room.still_open(incident_id) == ""


async def test_the_response_clock_runs_until_an_acknowledgement_in_force(room: WarRoom, clock):
    """Detection to acknowledgement; a retracted acknowledgement starts it again, a reopen
    too (counted from the reopen), until someone acknowledges again."""
    incident_id = await room.declare("Queue backs up", Severity.SEV1)
    detected = clock.now
    assert response_clock_start(await room.incident(incident_id)) == detected
    clock.advance(minutes=3)
    ack = await room.log(Kind.ACKNOWLEDGED, "mine", incident_id=incident_id)
    assert response_clock_start(await room.incident(incident_id)) is None
    await room.retract(ack.id, "pressed by mistake")
    incident = await room.incident(incident_id)
    assert response_clock_start(incident) == detected
    assert incident.events_of(Kind.ACKNOWLEDGED) == []
    clock.advance(minutes=2)
    await room.log(Kind.ACKNOWLEDGED, "mine, really", incident_id=incident_id)
    await room.log(Kind.RESOLVED, "fixed", incident_id=incident_id)
    assert response_clock_start(await room.incident(incident_id)) is None
    clock.advance(minutes=30)
    await room.reopen("came back", incident_id=incident_id)
    reopened = clock.now
    incident = await room.incident(incident_id)
    assert response_clock_start(incident) == reopened  # the earlier acknowledgement is spent
    assert [e.text for e in incident.events_of(Kind.ACKNOWLEDGED)] == ["mine, really"]
    assert [e.kind for e in incident.events_of(Kind.ACKNOWLEDGED, Kind.REOPENED)] == [
        Kind.ACKNOWLEDGED,
        Kind.REOPENED,
    ]
    clock.advance(minutes=1)
    await room.log(Kind.ACKNOWLEDGED, "on it again", incident_id=incident_id)
    assert response_clock_start(await room.incident(incident_id)) is None
