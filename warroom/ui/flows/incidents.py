"""Which incident the console shows: `i` (and the palette) switches between the open ones and
those resolved lately; the header says when another is open, and an incident declared
elsewhere (another console, the CLI) is said once. A mixin of the console app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.css.query import NoMatches

from warroom.errors import JournalError
from warroom.model import IncidentSummary, Status, switchable
from warroom.ui.dialogs import DeclareScreen
from warroom.ui.incidents import IncidentsScreen
from warroom.ui.panels import IncidentHeader

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


class IncidentSwitch(_Base):
    # Every incident id seen so far (None: not read yet), and what `i` offered last.
    _known_incidents: set[int] | None
    _declared_here: set[int]
    _listed: list[IncidentSummary]

    async def action_switch_incident(self) -> None:
        """`i`: the open incidents and those resolved lately; enter shows one."""
        if self.room is None or isinstance(self.screen, IncidentsScreen):
            return
        listed = await self._refresh_incidents()
        if listed is None:
            return
        current = self.incident.id if self.incident is not None else None
        self.push_screen(IncidentsScreen(listed, self.clock(), current=current), self._chosen)

    async def _refresh_incidents(self) -> list[IncidentSummary] | None:
        """Read the incident list again: what `i` offers, which others are open (the header
        says so), and any incident declared since the last look (said once)."""
        if self.room is None:
            return None
        try:
            everything = await self.room.incidents()
        except JournalError:
            return None  # the change poll says so
        shown = self.incident.id if self.incident is not None else None
        known, self._known_incidents = self._known_incidents, {i.id for i in everything}
        for item in everything:
            if known is None or item.id in known or item.id in (shown, *self._declared_here):
                continue
            if item.status is Status.OPEN:
                self._declared_elsewhere(item)
        self._listed = switchable(everything, self.clock())
        with suppress(NoMatches):  # a poll can finish while the app is shutting down
            header = self.query_one(IncidentHeader)
            header.others_open = [
                i.ref for i in everything if i.status is Status.OPEN and i.id != shown
            ]
            header.redraw()
        return self._listed

    def _declared_elsewhere(self, item: IncidentSummary) -> None:
        how = "i switches to it"
        form = self.screen
        if self.incident is None and isinstance(form, DeclareScreen):
            form.can_cancel = True  # the start's form: esc leads to the list, with this one
            how = "esc leaves this form to open it"
        self.notify(
            f"{item.ref} {item.severity.value} declared by {item.created_by}: {item.title}; {how}",
            title="another incident",
            timeout=20,
        )

    def incident_commands(self) -> Iterator[SystemCommand]:
        """The palette's "Switch to INC-n" for each incident `i` would offer."""
        for item in self._listed:
            if self.incident is not None and item.id == self.incident.id:
                continue
            state = "open" if item.status is Status.OPEN else "resolved"
            yield SystemCommand(
                f"Switch to {item.ref}: {item.title}",
                f"{state}, {item.severity.value}",
                partial(self.show_incident, item.id),
            )
