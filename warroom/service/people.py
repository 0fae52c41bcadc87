"""The war room's people: who is in charge (roles, handed over on the timeline) and who is here
(presence, heartbeats beside the journal, never on the timeline). A mixin of `WarRoom`."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import TYPE_CHECKING

from warroom.errors import Refused, UserError
from warroom.model import Event, Kind, format_id
from warroom.roles import ROLE_NAMES, handover_text, roles_of
from warroom.sanitize import clean_name

if TYPE_CHECKING:
    from warroom.presence import Presence
    from warroom.service.room import WarRoom

    _Base = WarRoom
else:
    _Base = object


class People(_Base):
    presence: Presence | None = None  # set by open_war_room; None: nobody else is seen

    async def assign_role(self, role: str, name: str, *, incident_id: int | None = None) -> Event:
        """Hand `role` (warroom.roles: commander or comms) to `name`: a `role` entry saying who
        took over from whom. Refused when `name` holds it already."""
        if role not in ROLE_NAMES:
            raise UserError(f"unknown role {role!r}; use commander or comms")
        cleaned = clean_name(name)
        if not cleaned:
            raise UserError("name the person who takes the role")
        target = await self.target(incident_id)
        was = roles_of(await self.incident(target)).holder(role)
        if was == cleaned:
            raise Refused(f"{cleaned} is already the {ROLE_NAMES[role]} of {format_id(target)}")
        now = self.now()
        return await self.journal.append_event(
            target,
            kind=Kind.ROLE,
            text=handover_text(role, cleaned, was),
            author=self.author,
            at=now,
            recorded_at=now,
            data={"role": role, "name": cleaned, "was": was},
        )

    async def heartbeat(self, incident_id: int | None) -> None:
        """Say that this console is open on `incident_id` (a file write: off the loop)."""
        if self.presence is None:
            return
        # A directory we may not write: we are not seen, and nothing else breaks.
        with suppress(OSError):
            await asyncio.to_thread(self.presence.beat, self.author, incident_id)

    async def here(self, incident_id: int) -> list[str]:
        """Who has a console open on the incident now (this one included, once beating)."""
        if self.presence is None:
            return []
        return await asyncio.to_thread(self.presence.here, incident_id)

    def leave(self) -> None:
        if self.presence is not None:
            self.presence.leave()
