"""Corrections from the console: retract the highlighted timeline entry (delete / backspace, then
a reason), reopen a resolved incident (R, then why). Nothing is deleted: each is a new entry of
the journal, and the rules (what may be retracted, what a reopen needs) are the room's. A mixin
of the console app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.corrections import refuse_retraction
from warroom.errors import Refused
from warroom.model import Status
from warroom.ui.dialogs import EntryEdit
from warroom.ui.panels import TimelinePane
from warroom.ui.promptbar import PromptBar

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object

QUOTED = 40  # characters of an entry's text quoted in the question


class CorrectionFlow(_Base):
    def on_timeline_pane_retract(self, message: TimelinePane.Retract) -> None:
        incident = self.incident
        if incident is None:
            return
        event = next((e for e in incident.events if e.id == message.event_id), None)
        try:  # said at once, before asking why: a retraction stands, and once is enough
            refuse_retraction(
                incident.events,
                event,
                incident_id=incident.id,
                ref=incident.ref,
                entry=message.event_id,
            )
        except Refused as exc:
            self.notify(str(exc), title="Not retracted", severity="warning", timeout=6)
            return
        assert event is not None
        quoted = event.text if len(event.text) <= QUOTED else event.text[: QUOTED - 1] + "…"
        what = f'{event.kind.value.replace("_", " ")} {event.at:%H:%M:%S} "{quoted}"'

        async def retract(edit: EntryEdit | None) -> None:
            if edit is None or self.room is None:
                return
            done = await self._guard(
                self.room.retract(event.id, edit.text, incident_id=incident.id)
            )
            if done is not None:
                self.notify(
                    f"{what} retracted: it stays on the timeline, struck through, and no longer "
                    "counts",
                    timeout=6,
                )

        self.query_one(PromptBar).ask(f"Retract {what}? Why:", retract, required=True)

    def action_reopen(self) -> None:
        """`R` on a resolved incident: why, then a `reopened` entry; it is open again."""
        incident = self.incident
        if incident is None or incident.status is Status.OPEN:
            return
        resolved = incident.milestones.resolved

        async def reopen(edit: EntryEdit | None) -> None:
            if edit is None or self.room is None:
                return
            done = await self._guard(self.room.reopen(edit.text, incident_id=incident.id))
            if done is not None and self.incident is not None:
                phase = self.runbook.current_phase(self.incident.milestones).name
                self.notify(
                    f"{incident.ref} reopened: back in {phase}, its clocks running; "
                    "a acknowledges it again",
                    timeout=8,
                )

        at = f" (resolved {resolved:%H:%M} UTC)" if resolved else ""
        self.query_one(PromptBar).ask(
            f"Reopen {incident.ref}{at}? Why (it came back, the fix did not hold):",
            reopen,
            required=True,
        )
