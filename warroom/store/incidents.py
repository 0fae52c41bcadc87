"""Incidents and what is recorded on each: the timeline, checklist marks, action items and
post-mortem fields; and the reads that list and rebuild them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from warroom.errors import NotFound, UserError
from warroom.followups import ActionItem
from warroom.model import (
    POSTMORTEM_FIELDS,
    Event,
    Incident,
    IncidentSummary,
    Kind,
    Milestones,
    Scope,
    Status,
)
from warroom.sanitize import redact_data
from warroom.severity import Severity
from warroom.store.connection import JournalConnection, no_incident
from warroom.store.rows import (
    ACTION_ITEM_COLUMNS,
    ACTION_ITEM_EDITABLE,
    CHECKLIST_COLUMNS,
    EVENT_COLUMNS,
    INCIDENT_COLUMNS,
    SUMMARY_COLUMNS,
    action_item_from_row,
    checklist_mark_from_row,
    event_from_row,
    incident_from_row,
    summary_from_row,
)
from warroom.timeutil import to_db


class IncidentsMixin(JournalConnection):
    async def create_incident(
        self,
        *,
        title: str,
        severity: Severity,
        scope: Scope,
        author: str,
        detected_at: datetime,
        detected_text: str,
        recorded_at: datetime,
        data: dict[str, Any] | None = None,
    ) -> int:
        async with self._transaction():
            cursor = await self._write(
                "INSERT INTO incidents (title, severity, scope, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    title,
                    severity.value,
                    json.dumps(redact_data(scope.to_dict())),
                    to_db(recorded_at),
                    author,
                ),
            )
            incident_id = cursor.lastrowid
            assert incident_id is not None
            await self._insert_event(
                incident_id,
                kind=Kind.DETECTED,
                text=detected_text,
                author=author,
                at=detected_at,
                recorded_at=recorded_at,
                data={**(data or {}), "severity": severity.value, "scope": scope.to_dict()},
            )
        return incident_id

    async def append_event(
        self,
        incident_id: int,
        *,
        kind: Kind,
        text: str,
        author: str,
        at: datetime,
        recorded_at: datetime,
        auto: bool = False,
        data: dict[str, Any] | None = None,
        check: Callable[[Sequence[Event]], object] | None = None,
    ) -> Event:
        async with self._transaction():
            await self._require_incident(incident_id)
            if check is not None:  # in the write transaction: no other writer slips in between
                check(await self._rule_events(incident_id))
            return await self._insert_event(
                incident_id,
                kind=kind,
                text=text,
                author=author,
                at=at,
                recorded_at=recorded_at,
                auto=auto,
                data=data,
            )

    async def append_observation(
        self,
        incident_id: int,
        *,
        key: str,
        text: str,
        author: str,
        at: datetime,
        window: timedelta,
        data: dict[str, Any] | None = None,
        recorded_at: datetime | None = None,
    ) -> Event | None:
        async with self._transaction():
            await self._require_incident(incident_id)
            seen = await self._scalar(
                "SELECT 1 FROM events WHERE incident_id = ? AND kind = 'observation'"
                " AND json_extract(data, '$.key') = ? AND at >= ? LIMIT 1",
                (incident_id, key, to_db(at - window)),
            )
            if seen:
                return None
            return await self._insert_event(
                incident_id,
                kind=Kind.OBSERVATION,
                text=text,
                author=author,
                at=at,
                recorded_at=recorded_at or at,
                auto=True,
                data={**(data or {}), "key": key},
            )

    async def amend_event(
        self,
        event_id: int,
        *,
        author: str,
        edited_at: datetime,
        text: str | None = None,
        at: datetime | None = None,
        check: Callable[[Event, Sequence[Event]], object] | None = None,
    ) -> Event:
        async with self._transaction():
            old_at, old_text = await self._by_id(
                "events", "at, text", event_id, f"no timeline entry {event_id}"
            )
            if check is not None:
                old = await self._event(event_id)
                check(old, await self._rule_events(old.incident_id))
            await self._write(
                "INSERT INTO event_edits (event_id, edited_at, edited_by, old_at, old_text)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, to_db(edited_at), author, old_at, old_text),
            )
            # The only change a timeline row ever takes, and it sets edited_at: a console reads
            # again only the rows added since and those edited (store.rows.EventRows).
            await self._write(
                "UPDATE events SET at = ?, text = ?, edited_at = ?, edited_by = ? WHERE id = ?",
                (
                    to_db(at) if at else old_at,
                    old_text if text is None else text,
                    to_db(edited_at),
                    author,
                    event_id,
                ),
            )
            return await self._event(event_id)

    async def set_severity(
        self,
        incident_id: int,
        severity: Severity,
        *,
        author: str,
        at: datetime,
        reason: str,
        data: dict[str, Any] | None = None,
    ) -> Event | None:
        async with self._transaction():
            (current,) = await self._by_id(
                "incidents", "severity", incident_id, no_incident(incident_id)
            )
            if current == severity.value:
                return None
            await self._write(
                "UPDATE incidents SET severity = ? WHERE id = ?", (severity.value, incident_id)
            )
            text = f"{current} -> {severity.value}" + (f": {reason}" if reason else "")
            return await self._insert_event(
                incident_id,
                kind=Kind.SEVERITY,
                text=text,
                author=author,
                at=at,
                recorded_at=at,
                data={**(data or {}), "from": current, "to": severity.value},
            )

    async def set_scope(
        self, incident_id: int, scope: Scope, *, author: str, at: datetime
    ) -> Event | None:
        async with self._transaction():
            (current,) = await self._by_id(
                "incidents", "scope", incident_id, no_incident(incident_id)
            )
            if Scope.from_dict(json.loads(current)) == scope:
                return None
            await self._write(
                "UPDATE incidents SET scope = ? WHERE id = ?",
                (json.dumps(redact_data(scope.to_dict())), incident_id),
            )
            return await self._insert_event(
                incident_id,
                kind=Kind.SCOPE,
                text=scope.describe(),
                author=author,
                at=at,
                recorded_at=at,
                data=scope.to_dict(),
            )

    async def set_checklist(
        self,
        incident_id: int,
        item_id: str,
        *,
        done: bool,
        label: str,
        author: str,
        at: datetime,
        data: dict[str, Any] | None = None,
        milestone: Kind | None = None,
        milestone_text: str = "",
    ) -> Event:
        async with self._transaction():
            await self._require_incident(incident_id)
            await self._write(
                "INSERT INTO checklist (incident_id, item_id, done, by, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (incident_id, item_id) DO UPDATE SET"
                " done = excluded.done, by = excluded.by, at = excluded.at",
                (incident_id, item_id, int(done), author, to_db(at)),
            )
            mark = "[x]" if done else "[ ]"
            event = await self._insert_event(
                incident_id,
                kind=Kind.CHECKLIST,
                text=f"{mark} {label}",
                author=author,
                at=at,
                recorded_at=at,
                data={**(data or {}), "item": item_id, "done": done},
            )
            if milestone is not None and not await self._scalar(
                "SELECT 1 FROM events WHERE incident_id = ? AND kind = ? LIMIT 1",
                (incident_id, milestone.value),
            ):
                await self._insert_event(
                    incident_id,
                    kind=milestone,
                    text=milestone_text,
                    author=author,
                    at=at,
                    recorded_at=at,
                    data={**(data or {}), "checklist": item_id},
                )
            return event

    async def add_action_item(
        self,
        incident_id: int,
        *,
        text: str,
        owner: str,
        deadline: date | None,
        author: str,
        at: datetime,
    ) -> ActionItem:
        async with self._transaction():
            await self._require_incident(incident_id)
            cursor = await self._write(
                "INSERT INTO action_items (incident_id, text, owner, deadline, created_at,"
                " created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    text,
                    owner,
                    deadline.isoformat() if deadline else None,
                    to_db(at),
                    author,
                ),
            )
            item_id = cursor.lastrowid
            return await self._action_item(item_id or 0)

    async def update_action_item(self, item_id: int, **changes: Any) -> ActionItem:
        unknown = set(changes) - ACTION_ITEM_EDITABLE
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))} of an action item")
        values = {
            k: (v.isoformat() if isinstance(v, date) else int(v) if isinstance(v, bool) else v)
            for k, v in changes.items()
        }
        async with self._transaction():
            if not values:
                return await self._action_item(item_id)
            assignments = ", ".join(f"{name} = ?" for name in values)
            cursor = await self._write(
                f"UPDATE action_items SET {assignments} WHERE id = ?", (*values.values(), item_id)
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no action item {item_id}")
            return await self._action_item(item_id)

    async def set_postmortem_field(
        self, incident_id: int, name: str, value: str, *, author: str, at: datetime
    ) -> None:
        if name not in POSTMORTEM_FIELDS:
            raise UserError(f"unknown post-mortem field {name!r}")
        async with self._transaction():
            await self._require_incident(incident_id)
            await self._write(
                "INSERT INTO postmortem_fields (incident_id, name, value, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (incident_id, name) DO UPDATE SET"
                " value = excluded.value, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by, version = postmortem_fields.version + 1",
                (incident_id, name, value, to_db(at), author),
            )

    async def mark_exported(self, incident_id: int, at: datetime) -> None:
        async with self._transaction():
            cursor = await self._write(
                "UPDATE incidents SET postmortem_exported_at = ? WHERE id = ?",
                (to_db(at), incident_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(no_incident(incident_id))

    # Reads --------------------------------------------------------------------------------

    async def _event(self, event_id: int) -> Event:
        missing = f"no timeline entry {event_id}"
        return event_from_row(await self._by_id("events", EVENT_COLUMNS, event_id, missing))

    async def _action_item(self, item_id: int) -> ActionItem:
        missing = f"no action item {item_id}"
        row = await self._by_id("action_items", ACTION_ITEM_COLUMNS, item_id, missing)
        return action_item_from_row(row)

    async def get_incident(self, incident_id: int) -> Incident:
        async with self._transaction("DEFERRED"):
            row = await self._by_id(
                "incidents", INCIDENT_COLUMNS, incident_id, no_incident(incident_id)
            )
            since = self._event_rows.since(incident_id)
            events = self._event_rows.events(
                await self._rows(
                    f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ?"
                    " AND (id > ? OR edited_at IS NOT NULL) ORDER BY at, id",
                    (incident_id, since),
                )
            )
            marks = [
                checklist_mark_from_row(r)
                for r in await self._rows(
                    f"SELECT {CHECKLIST_COLUMNS} FROM checklist WHERE incident_id = ?",
                    (incident_id,),
                )
            ]
            items = tuple(
                action_item_from_row(r)
                for r in await self._rows(
                    f"SELECT {ACTION_ITEM_COLUMNS} FROM action_items WHERE incident_id = ?"
                    " ORDER BY id",
                    (incident_id,),
                )
            )
            fields = {
                r[0]: r[1]
                for r in await self._rows(
                    "SELECT name, value FROM postmortem_fields WHERE incident_id = ?",
                    (incident_id,),
                )
            }
        return incident_from_row(
            row,
            events=events,
            checklist={mark.item_id: mark for mark in marks},
            action_items=items,
            postmortem=fields,
        )

    async def last_action(self, action: str, target: str) -> dict[str, Any] | None:
        async with (
            self._lock,
            self._reading(
                "SELECT data FROM events WHERE kind = 'action'"
                " AND json_extract(data, '$.action') = ? AND json_extract(data, '$.target') = ?"
                " AND json_extract(data, '$.ok') = 1 ORDER BY at DESC, id DESC LIMIT 1",
                (action, target),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return json.loads(row[0]) if row else None

    async def list_incidents(self, status: Status | None = None) -> list[IncidentSummary]:
        """Every incident with its milestones, by the same rules as `Incident.milestones`
        (retracted entries do not count; a reopen undoes the resolution before it)."""
        kinds = (Kind.DETECTED, Kind.ACKNOWLEDGED, Kind.RESOLVED, Kind.REOPENED, Kind.RETRACTED)
        marks = ", ".join("?" * len(kinds))
        async with self._transaction("DEFERRED"):
            async with self._db.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM incidents ORDER BY id"
            ) as c:
                rows = await c.fetchall()
            by_incident: dict[int, list[Event]] = defaultdict(list)
            for event in await self._events(f"kind IN ({marks})", tuple(k.value for k in kinds)):
                by_incident[event.incident_id].append(event)
        summaries = [summary_from_row(r, Milestones.from_events(by_incident[r[0]])) for r in rows]
        if status is None:
            return summaries
        return [s for s in summaries if s.status is status]
