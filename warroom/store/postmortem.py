"""Versioned saves of the post-mortem's fields: a save names the version it was based on, and a
save based on an older one (someone else saved meanwhile) does not replace it. Every save, taken
or not, is kept in postmortem_saves, so nothing anyone typed is lost."""

from __future__ import annotations

from datetime import datetime

from warroom.errors import UserError
from warroom.model import POSTMORTEM_FIELDS
from warroom.postmortem_versions import FieldSave, FieldVersion
from warroom.store.connection import JournalConnection
from warroom.timeutil import from_db, to_db


class PostmortemMixin(JournalConnection):
    async def save_postmortem_field(
        self,
        incident_id: int,
        name: str,
        value: str,
        *,
        based_on: int,
        author: str,
        at: datetime,
    ) -> FieldSave:
        if name not in POSTMORTEM_FIELDS:
            raise UserError(f"unknown post-mortem field {name!r}")
        async with self._transaction():
            await self._require_incident(incident_id)
            current = await self._field(incident_id, name)
            # The same text saved twice is no conflict, whatever it was based on.
            conflict = current.version != based_on and current.value != value
            version = current.version + 1
            await self._write(
                "INSERT INTO postmortem_saves"
                " (incident_id, name, value, based_on, version, saved_at, saved_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    name,
                    value,
                    based_on,
                    None if conflict else version,
                    to_db(at),
                    author,
                ),
            )
            if conflict:
                return FieldSave(current.version, current)
            await self._write(
                "INSERT INTO postmortem_fields"
                " (incident_id, name, value, updated_at, updated_by, version)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, name) DO UPDATE SET"
                " value = excluded.value, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by, version = excluded.version",
                (incident_id, name, value, to_db(at), author, version),
            )
        return FieldSave(version)

    async def postmortem_versions(self, incident_id: int) -> dict[str, FieldVersion]:
        """Every stored field with its version (a field not in it is at version 0)."""
        async with self._lock:
            with self._journal_errors():
                rows = await self._rows(
                    "SELECT name, value, version, updated_by, updated_at FROM postmortem_fields"
                    " WHERE incident_id = ?",
                    (incident_id,),
                )
        return {r[0]: FieldVersion(r[1], r[2], r[3], from_db(r[4])) for r in rows}

    async def _field(self, incident_id: int, name: str) -> FieldVersion:
        rows = await self._rows(
            "SELECT value, version, updated_by, updated_at FROM postmortem_fields"
            " WHERE incident_id = ? AND name = ?",
            (incident_id, name),
        )
        if not rows:
            return FieldVersion("", 0, "", None)
        value, version, by, at = rows[0]
        return FieldVersion(value, version, by, from_db(at))
