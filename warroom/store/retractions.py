"""Retractions: an entry withdrawn by a new entry, never deleted. A retracted checklist tick,
severity or scope change also stops holding: the state goes back to what the entries that still
count say, in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from warroom.model import Event, Kind, Scope, counted
from warroom.sanitize import redact_data
from warroom.store.connection import JournalConnection
from warroom.timeutil import to_db

# Entries that changed a state kept beside the timeline (the checklist, the incident's row).
_STATEFUL = (Kind.CHECKLIST, Kind.SEVERITY, Kind.SCOPE)


class RetractionsMixin(JournalConnection):
    async def retract_event(
        self,
        incident_id: int,
        entry_id: int,
        *,
        reason: str,
        author: str,
        at: datetime,
        check: Callable[[Event | None, Sequence[Event]], Event],
    ) -> Event:
        async with self._transaction():
            await self._require_incident(incident_id)
            found = await self._events("id = ?", (entry_id,))
            target = check(found[0] if found else None, await self._rule_events(incident_id))
            event = await self._insert_event(
                incident_id,
                kind=Kind.RETRACTED,
                text=reason,
                author=author,
                at=at,
                recorded_at=at,
                data={"entry": target.id, "kind": target.kind.value},
            )
            if target.kind in _STATEFUL:
                await self._restate(target)
            return event

    async def _restate(self, target: Event) -> None:
        incident_id = target.incident_id
        kinds = (target.kind.value, Kind.DETECTED.value, Kind.RETRACTED.value)
        entries = await self._events("incident_id = ? AND kind IN (?, ?, ?)", (incident_id, *kinds))
        same = [e for e in counted(entries) if e.kind is target.kind]
        # The declaration (the first detected entry, retracted or not) holds the severity and
        # scope declared.
        declared = min(
            (e for e in entries if e.kind is Kind.DETECTED and "severity" in e.data),
            key=lambda e: e.id,
            default=None,
        )
        if target.kind is Kind.CHECKLIST:
            item = target.data.get("item")
            ticks = [e for e in same if e.data.get("item") == item]
            if not ticks:
                await self._write(
                    "DELETE FROM checklist WHERE incident_id = ? AND item_id = ?",
                    (incident_id, item),
                )
                return
            last = ticks[-1]
            await self._write(
                "INSERT INTO checklist (incident_id, item_id, done, by, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (incident_id, item_id) DO UPDATE SET"
                " done = excluded.done, by = excluded.by, at = excluded.at",
                (incident_id, item, int(bool(last.data.get("done"))), last.author, to_db(last.at)),
            )
        elif target.kind is Kind.SEVERITY:
            if same:
                severity = same[-1].data.get("to")
            elif declared is not None:
                severity = declared.data.get("severity")
            else:
                severity = target.data.get("from")
            if isinstance(severity, str):
                await self._write(
                    "UPDATE incidents SET severity = ? WHERE id = ?", (severity, incident_id)
                )
        else:
            if same:
                scope = Scope.from_dict(same[-1].data)
            elif declared is not None and isinstance(declared.data.get("scope"), dict):
                scope = Scope.from_dict(declared.data["scope"])
            else:
                scope = Scope()
            await self._write(
                "UPDATE incidents SET scope = ? WHERE id = ?",
                (json.dumps(redact_data(scope.to_dict())), incident_id),
            )
