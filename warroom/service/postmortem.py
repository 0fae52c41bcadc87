"""Two people, one post-mortem: a field's save carries the version it was based on; when someone
else saved the field meanwhile, theirs stays and the caller gets it back to merge (the text
refused is kept in the journal too). A mixin of `WarRoom`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.errors import UserError
from warroom.model import POSTMORTEM_FIELDS
from warroom.postmortem_versions import FieldSave, FieldVersion
from warroom.service.cleaning import clean_text

if TYPE_CHECKING:
    from warroom.service.room import WarRoom

    _Base = WarRoom
else:
    _Base = object


class PostmortemFields(_Base):
    async def save_postmortem_field(
        self, incident_id: int, name: str, value: str, *, based_on: int
    ) -> FieldSave:
        if name not in POSTMORTEM_FIELDS:
            known = ", ".join(POSTMORTEM_FIELDS)
            raise UserError(f"unknown post-mortem field {name!r}; use one of: {known}")
        return await self.journal.save_postmortem_field(
            incident_id,
            name,
            clean_text(value, name, required=False),
            based_on=based_on,
            author=self.author,
            at=self.now(),
        )

    async def postmortem_versions(self, incident_id: int) -> dict[str, FieldVersion]:
        """Each stored field's text, version, and who saved it when (absent: version 0)."""
        return await self.journal.postmortem_versions(incident_id)
