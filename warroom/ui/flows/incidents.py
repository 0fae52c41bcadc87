"""Which incident the console shows: at start (the one it left, the only open one, the chooser,
or watching); one declared here; `i` (and the palette) switches between the open ones and
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
from warroom.model import IncidentSummary, Status, postmortem_pending, switchable
from warroom.ui.dialogs import Declaration, DeclareScreen
from warroom.ui.incidents import DECLARE, IncidentsScreen
from warroom.ui.layout_state import load_layout
from warroom.ui.panels import IncidentHeader
from warroom.ui.panes import HEALTH_PANE, TIMELINE_PANE

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

    # Which incident to show at start, and one declared here ---------------------------------

    async def _choose_incident(self) -> None:
        assert self.room is not None
        everything = await self.room.incidents()
        self._known_incidents = {i.id for i in everything}
        self._listed = switchable(everything, self.clock())
        open_ones = [i for i in everything if i.status is Status.OPEN]
        writing = [i for i in everything if postmortem_pending(i)]
        self.layout_state = load_layout(self.db, self.room.author)
        self.update_drafts = dict(self.layout_state.drafts)
        remembered = self.layout_state.incident
        # An open incident first: the one this console left, else the only one; a post-mortem
        # to write after that; with a choice to make, the list; with nothing, the live panels,
        # watching (the on-call looks before declaring: is it real, how bad, what scope?).
        if remembered is not None and any(i.id == remembered for i in open_ones):
            await self.show_incident(remembered)
            self._restore_layout()
        elif len(open_ones) == 1:
            await self.show_incident(open_ones[0].id)
        elif not open_ones and remembered is not None and any(i.id == remembered for i in writing):
            await self.show_incident(remembered)
            self._restore_layout()
        elif open_ones or writing:
            self.push_screen(IncidentsScreen(open_ones + writing, self.clock()), self._chosen)
        else:
            self.sub_title = "watching: no incident open (ctrl+n declares)"
            # Narrow, one pane shows at a time: with no incident the timeline is empty, and the
            # live panels are what the on-call looks at before declaring.
            self.call_after_refresh(self._watch_first)

    def _watch_first(self) -> None:
        if self.narrow and self.incident is None:
            self.focus_pane_unless_asked(HEALTH_PANE)

    async def _chosen(self, choice: int | None) -> None:
        if choice is None:  # with nothing shown, back to watching
            return
        if choice == DECLARE:
            self.push_screen(DeclareScreen(can_cancel=True), self._declared)
            return
        await self.show_incident(choice)

    async def _declared(self, declaration: Declaration | None) -> None:
        if declaration is None:
            if self.incident is None and any(i.status is Status.OPEN for i in self._listed):
                await self.action_switch_incident()  # one was declared elsewhere meanwhile
            return
        assert self.room is not None
        incident_id = await self._guard(
            self.room.declare(
                declaration.title,
                declaration.severity,
                scope=declaration.scope,
                detected_at=declaration.detected_at,
                note=declaration.note,
                evidence=self._evidence(),
            )
        )
        if incident_id is not None:
            # Before anything else awaits: the change poll may read the list meanwhile.
            self._declared_here.add(incident_id)
            taken = await self._take_in_recent(incident_id)
            await self.show_incident(incident_id)
            if self.narrow:  # one pane at a time: the new incident's timeline (from Health,
                self.focus_pane(TIMELINE_PANE)  # or Alarms when declared from an alarm row)
            earlier = f"; {taken} earlier observation{'s' * (taken != 1)} added" if taken else ""
            self.notify(f"INC-{incident_id} declared{earlier}", timeout=6 if taken else 3)

    async def _take_in_recent(self, incident_id: int) -> int:
        """What the feeds saw in the lookback before declaring, as automatic entries at their
        own times (written once, even when another console has them too)."""
        assert self.room is not None
        taken = 0
        for seen in self.recent.take(self.clock()):
            observed = self.room.observe(incident_id, seen.key, seen.text, at=seen.at)
            if await self._guard(observed) is not None:
                taken += 1
        return taken
