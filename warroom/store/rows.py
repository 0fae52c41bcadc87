"""Rows to models: the columns each table is read with, and the model built from a row."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from warroom.followups import ActionItem, OutboxMessage, PostState
from warroom.model import (
    ChecklistMark,
    Event,
    Incident,
    IncidentSummary,
    Kind,
    Milestones,
    Scope,
    Status,
)
from warroom.severity import Severity
from warroom.timeutil import from_db

EVENT_COLUMNS = (
    "id, incident_id, at, recorded_at, kind, text, author, auto, data, edited_at, edited_by"
)
ACTION_ITEM_COLUMNS = "id, incident_id, text, owner, deadline, done, label, external_url"
ACTION_ITEM_EDITABLE = {"text", "owner", "deadline", "done", "label", "external_url"}
OUTBOX_COLUMNS = (
    "id, incident_id, channel, text, created_at, created_by, state, attempts, next_attempt_at,"
    " last_error, closed_at, closed_by"
)
INCIDENT_COLUMNS = "id, title, severity, scope, created_at, created_by, postmortem_exported_at"
SUMMARY_COLUMNS = "id, title, severity, created_at, created_by, postmortem_exported_at"
CHECKLIST_COLUMNS = "item_id, done, by, at"


def maybe_time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def incident_from_row(
    row: Any,
    *,
    events: tuple[Event, ...],
    checklist: dict[str, ChecklistMark],
    action_items: tuple[ActionItem, ...],
    postmortem: dict[str, str],
) -> Incident:
    return Incident(
        id=row[0],
        title=row[1],
        severity=Severity(row[2]),
        scope=Scope.from_dict(json.loads(row[3])),
        created_at=from_db(row[4]),
        created_by=row[5],
        events=events,
        checklist=checklist,
        action_items=action_items,
        postmortem=postmortem,
        postmortem_exported_at=maybe_time(row[6]),
    )


def summary_from_row(row: Any, milestones: Milestones) -> IncidentSummary:
    """An incident's SUMMARY_COLUMNS and the milestones its timeline reached."""
    return IncidentSummary(
        id=row[0],
        title=row[1],
        severity=Severity(row[2]),
        status=Status.RESOLVED if milestones.resolved else Status.OPEN,
        created_at=from_db(row[3]),
        created_by=row[4],
        detected_at=milestones.detected,
        acknowledged_at=milestones.acknowledged,
        resolved_at=milestones.resolved,
        postmortem_exported_at=maybe_time(row[5]),
        resolution_recorded_at=milestones.resolution_recorded,
    )


def checklist_mark_from_row(row: Any) -> ChecklistMark:
    return ChecklistMark(row[0], bool(row[1]), row[2], from_db(row[3]))


def event_from_row(row: Any) -> Event:
    return Event(
        id=row[0],
        incident_id=row[1],
        at=from_db(row[2]),
        recorded_at=from_db(row[3]),
        kind=Kind(row[4]),
        text=row[5],
        author=row[6],
        auto=bool(row[7]),
        data=json.loads(row[8]) if row[8] != "{}" else {},
        edited_at=maybe_time(row[9]),
        edited_by=row[10],
    )


class EventRows:
    """One incident's timeline as last read, so that reading it again fetches only what can
    have changed: entries added since (ids only grow) and entries ever edited (an edit is the
    one change a row can take, and it sets edited_at). The console rereads the timeline after
    every write; rebuilding 5,000 entries each time held its event loop for 30-50 ms (2-core
    box). A row read again unchanged gives the same Event object, so the screen can tell
    at a glance what changed."""

    def __init__(self) -> None:
        self._incident: int | None = None
        self._rows: dict[int, tuple[Any, Event]] = {}  # id -> (row as read, its Event)
        self._events: tuple[Event, ...] = ()
        self.newest = 0  # the highest id read; 0: read everything

    def since(self, incident_id: int) -> int:
        """Read the rows with an id above this, and the edited ones."""
        if incident_id != self._incident:
            self._incident, self._rows, self._events, self.newest = incident_id, {}, (), 0
        return self.newest

    def events(self, rows: Iterable[Any]) -> tuple[Event, ...]:
        """The timeline in order (at, id), from the rows read since `since()`."""
        changed: list[Event] = []
        for row in rows:
            known = self._rows.get(row[0])
            if known is not None and known[0] == row:
                continue
            event = event_from_row(row)
            self._rows[event.id] = (row, event)
            self.newest = max(self.newest, event.id)
            changed.append(event)
        if changed:
            replaced = {e.id for e in changed}
            kept = [e for e in self._events if e.id not in replaced]
            in_order = kept and min((e.at, e.id) for e in changed) >= (kept[-1].at, kept[-1].id)
            events = kept + changed if in_order else sorted([*kept, *changed], key=_when)
            self._events = tuple(events)
        return self._events


def _when(event: Event) -> tuple[datetime, int]:
    return event.at, event.id


def action_item_from_row(row: Any) -> ActionItem:
    return ActionItem(
        id=row[0],
        incident_id=row[1],
        text=row[2],
        owner=row[3],
        deadline=date.fromisoformat(row[4]) if row[4] else None,
        done=bool(row[5]),
        label=row[6],
        external_url=row[7],
    )


def outbox_message_from_row(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row[0],
        incident_id=row[1],
        channel=row[2],
        text=row[3],
        created_at=from_db(row[4]),
        created_by=row[5],
        state=PostState(row[6]),
        attempts=row[7],
        next_attempt_at=from_db(row[8]),
        last_error=row[9],
        closed_at=maybe_time(row[10]),
        closed_by=row[11],
    )
