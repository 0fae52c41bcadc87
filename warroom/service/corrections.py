"""The war room's corrections: retract an entry, undo one's last entry, reopen a resolved
incident, and what resolving would leave open. A mixin of `WarRoom`; the rules themselves are
in warroom.corrections and run inside the journal's write transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from warroom.corrections import last_undoable, refuse_reopen, refuse_retraction, still_open
from warroom.errors import Refused, UserError
from warroom.model import Event, Kind, Status, format_id
from warroom.service.cleaning import clean_text

if TYPE_CHECKING:
    from warroom.service.room import WarRoom

    _Base = WarRoom
else:
    _Base = object

UNDO_REASON = "undone"


class Corrections(_Base):
    async def retract(self, entry_id: int, reason: str, *, incident_id: int | None = None) -> Event:
        """Withdraw an entry of the incident with a reason: it stays in the journal, marked, and
        no longer counts. Returns the `retracted` entry."""
        reason = clean_text(reason, "reason")
        target = await self.target(incident_id)
        ref = format_id(target)

        def check(entry: Event | None, events: Sequence[Event]) -> Event:
            return refuse_retraction(events, entry, incident_id=target, ref=ref, entry=entry_id)

        return await self.journal.retract_event(
            target, entry_id, reason=reason, author=self.author, at=self.now(), check=check
        )

    async def undo(self, incident_id: int) -> Event:
        """Retract the last entry this author wrote by hand on the incident ("undone")."""
        entry = last_undoable(await self.incident(incident_id), self.author)
        if entry is None:
            raise Refused(f"nothing of yours to undo on {format_id(incident_id)}")
        return await self.retract(entry.id, UNDO_REASON, incident_id=incident_id)

    async def reopen(self, reason: str, *, incident_id: int | None = None) -> Event:
        """Open a resolved incident again (it came back): a `reopened` entry; the phase follows
        the milestones, the clocks run again. Without an id: the incident resolved last."""
        reason = clean_text(reason, "reason")
        target = incident_id if incident_id is not None else await self._last_resolved()
        ref = format_id(target)
        return await self.journal.append_event(
            target,
            kind=Kind.REOPENED,
            text=reason,
            author=self.author,
            at=self.now(),
            recorded_at=self.now(),
            check=lambda events: refuse_reopen(events, ref=ref),
        )

    async def _last_resolved(self) -> int:
        resolved = await self.journal.list_incidents(Status.RESOLVED)
        if not resolved:
            raise UserError("no resolved incident to reopen")
        return max(resolved, key=lambda i: (i.resolved_at, i.id)).id

    async def still_open(self, incident_id: int) -> str:
        """What resolving now would leave undone ("not mitigated yet; 2 checklist steps
        open"), "" when nothing: for the resolve confirmation."""
        return still_open(await self.incident(incident_id), self.runbook)
