"""The people in the room: who else has a console open on the incident (presence, in the
header), who is in charge (`l` hands over incident commander or comms lead), and who is typing
when a login is shared (`[user] ask`). A mixin of the console app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from warroom.presence import HEARTBEAT
from warroom.roles import ROLE_SHORT, ROLES, parse_role, roles_of
from warroom.sanitize import clean_name
from warroom.ui.dialogs import EntryEdit
from warroom.ui.panels import IncidentHeader
from warroom.ui.promptbar import PromptBar

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object

LOOK_EVERY = 1.0  # seconds between looks at who is here (a directory of a few small files)


class PeopleFlow(_Base):
    def start_presence(self) -> None:
        self.set_interval(HEARTBEAT.total_seconds(), self._beat)
        self.set_interval(LOOK_EVERY, self._look_who_is_here)

    async def _beat(self) -> None:
        if self.room is not None:
            await self.room.heartbeat(self.incident.id if self.incident else None)
            await self._look_who_is_here()

    async def _look_who_is_here(self) -> None:
        if self.room is None or self.incident is None:
            return
        here = await self.room.here(self.incident.id)
        with suppress(NoMatches):  # a look can finish while the app shuts down
            self.query_one(IncidentHeader).show_people(here)

    def leave_presence(self) -> None:
        if self.room is not None:
            self.room.leave()

    def action_roles(self) -> None:
        """`l`: hand over incident commander or comms lead; a `role` entry on the timeline."""
        incident = self.incident
        if incident is None:
            return
        roles = roles_of(incident)
        now = ", ".join(f"{ROLE_SHORT[r]} {roles.holder(r) or 'nobody'}" for r in ROLES)

        async def hand_over(edit: EntryEdit | None) -> None:
            if edit is None or self.room is None:
                return
            role_word, _, name = edit.text.partition(" ")
            try:
                role = parse_role(role_word)
            except ValueError as exc:
                self.notify(f"{exc}: type commander NAME or comms NAME", severity="error")
                return
            if not name.strip():
                self.notify("Type the name after the role: commander bo", severity="error")
                return
            event = await self._guard(self.room.assign_role(role, name, incident_id=incident.id))
            if event is not None:
                self.notify(event.text, timeout=4)

        self.query_one(PromptBar).ask(
            f"Hand over ({now}): commander NAME or comms NAME", hand_over, text="commander "
        )

    def ask_who(self, then: Callable[[], Awaitable[None]]) -> None:
        """`[user] ask`: a shared login (ec2-user) says who is at the keyboard, once, before
        anything is logged; esc keeps the login's name."""

        async def named(edit: EntryEdit | None) -> None:
            name = clean_name(edit.text) if edit is not None else ""
            if name and self.room is not None:
                self.room.author = name
                with suppress(NoMatches):
                    self.query_one(IncidentHeader).set_author(name)
            await then()

        author = self.room.author if self.room is not None else ""
        self.query_one(PromptBar).ask(
            f"Who are you? This login ({author}) is shared: your name goes on every entry",
            named,
            required=True,
        )
