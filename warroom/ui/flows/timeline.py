"""The keys that write the timeline: milestones, notes, severity, editing an entry, ticking a
step, a log line as evidence. A mixin of the console app; every write goes through the room."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.model import KIND_LABELS, Incident, Kind, Status
from warroom.ui.dialogs import EntryEdit, SeverityScreen, TextPrompt
from warroom.ui.logpane import LogPane
from warroom.ui.panels import ChecklistPane, TimelinePane
from warroom.ui.promptbar import PromptBar

# A milestone a tick logged names no cause, fix or mitigation yet: how to add it.
MILESTONE_TEXT_HINT = "; enter on its timeline entry adds what it was"

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


class TimelineKeys(_Base):
    async def action_milestone(self, kind_name: str) -> None:
        """Log at once; then offer a short text for the entry (esc keeps it as it is) and, for
        a few seconds, undo. Resolving asks first (y), saying what is still open."""
        if self.room is None or self.incident is None:
            return
        kind = Kind(kind_name)
        if kind is Kind.RESOLVED and self.incident.status is Status.OPEN:
            await self._confirm_resolve(self.incident)
            return
        await self._log_milestone(kind)

    async def _confirm_resolve(self, incident: Incident) -> None:
        """Resolving stops the clocks and starts the post-mortem deadline: one key (y) first."""
        if self.room is None:
            return
        left = await self._guard(self.room.still_open(incident.id))
        if left is None:
            return
        stops = "stops the clocks"
        if incident.level.postmortem_required:
            stops += ", starts the 48 h post-mortem deadline"
        detail = (
            f"{left[:1].upper()}{left[1:]}; resolving {stops}" if left else f"Resolving {stops}"
        )

        async def answer(yes: bool) -> None:
            if yes and self.incident is not None and self.incident.id == incident.id:
                await self._log_milestone(Kind.RESOLVED)

        self.query_one(PromptBar).confirm(f"Resolve {incident.ref}?", answer, f"{detail}.")

    async def _log_milestone(self, kind: Kind) -> None:
        if self.room is None or self.incident is None:
            return
        default = KIND_LABELS[kind]
        event = await self._guard(
            self.room.log(
                kind, default, incident_id=self.incident.id, data={"evidence": self._evidence()}
            )
        )
        if event is None:
            return
        self.offer_undo(event, timed=False)

        async def add_text(edit: EntryEdit | None) -> None:
            if edit and edit.text and edit.text != default and self.room is not None:
                await self._guard(self.room.amend(event.id, text=edit.text))
            self.offer_undo(event)  # a few seconds more, now that the bar is free

        self.query_one(PromptBar).ask(
            f"{default} logged at {event.at:%H:%M:%S} UTC. Add a short text?",
            add_text,
            extra=" · ctrl+z undoes",
            about=event.id,
        )

    def action_note(self) -> None:
        if self.incident is None:
            return

        async def log_note(edit: EntryEdit | None) -> None:
            if edit and self.room is not None and self.incident is not None:
                await self._guard(
                    self.room.log(
                        Kind.NOTE,
                        edit.text,
                        incident_id=self.incident.id,
                        data={"evidence": self._evidence()},
                    )
                )

        self.query_one(PromptBar).ask("Note:", log_note, required=True)

    def action_severity(self) -> None:
        if self.incident is None:
            return

        async def change(choice: tuple[Any, str] | None) -> None:
            if choice and self.room is not None and self.incident is not None:
                severity, reason = choice
                result = await self._guard(
                    self.room.change_severity(
                        severity,
                        incident_id=self.incident.id,
                        reason=reason,
                        evidence=self._evidence(),
                    )
                )
                if result is None:
                    self.notify(f"severity stays {severity.value}", timeout=2)

        self.push_screen(SeverityScreen(self.incident.severity), change)

    def on_timeline_pane_edit(self, message: TimelinePane.Edit) -> None:
        if self.incident is None:
            return
        event = next((e for e in self.incident.events if e.id == message.event_id), None)
        if event is None:
            return

        async def save(edit: EntryEdit | None) -> None:
            if edit is None or self.room is None:
                return
            text = edit.text if edit.text != event.text else None
            at = edit.at if edit.at and edit.at != event.at else None
            if text is not None or at is not None:
                await self._guard(self.room.amend(event.id, text=text, at=at))

        self.push_screen(
            TextPrompt(
                f"Edit {event.kind.value} entry", text=event.text, at=event.at, with_time=True
            ),
            save,
        )

    async def on_checklist_pane_toggle(self, message: ChecklistPane.Toggle) -> None:
        if self.room is None or self.incident is None:
            return
        before = {e.id for e in self.incident.events}
        phase = self.runbook.current_phase(self.incident.milestones)
        checklist = self.query_one(ChecklistPane)
        checklist.hold_phase = True
        try:
            event = await self._guard(
                self.room.check(
                    message.step_id,
                    message.done,
                    incident_id=self.incident.id,
                    evidence=self._evidence(),
                )
            )
        finally:
            checklist.hold_phase = False
        if event is None or self.incident is None:
            return
        # A step that reaches a milestone logged it (unless the timeline had it): say which.
        for logged in self.incident.events:
            if logged.id not in before and logged.data.get("checklist") == message.step_id:
                label = KIND_LABELS[logged.kind]
                bare = logged.kind in (Kind.ACKNOWLEDGED, Kind.RESOLVED)
                said = f"{label} logged at {logged.at:%H:%M:%S} UTC"
                said += "" if bare else MILESTONE_TEXT_HINT
                now = self.runbook.current_phase(self.incident.milestones)
                if now is not phase:
                    said += f"; the incident is in {now.name} now (] shows its steps)"
                self.notify(said, timeout=8)

    async def on_log_pane_evidence(self, message: LogPane.Evidence) -> None:
        if self.room is None or self.incident is None:
            return
        line = message.line
        await self._guard(
            self.room.log(
                Kind.NOTE,
                f"{line.group} {line.at:%H:%M:%S} {line.message}",
                incident_id=self.incident.id,
                data={
                    "evidence": self._evidence(),
                    "log_line": {"group": line.group, "event_id": line.event_id},
                },
            )
        )
        self.notify("log line added to the timeline", timeout=2)
