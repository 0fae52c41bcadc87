"""Mitigation leases: the row a running mitigation holds on its target, so that two consoles or
CLI calls on one journal never run two mitigations on one target at once; and the last
mitigation done on a target, which the preview names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.mitigation_lease import MitigationLease
from warroom.model import Event
from warroom.store.connection import JournalConnection
from warroom.timeutil import from_db, to_db

_COLUMNS = "target, action, holder, token, since, expires"


class LeasesMixin(JournalConnection):
    async def take_mitigation_lease(
        self, key: str, *, action: str, holder: str, token: str, now: datetime, until: datetime
    ) -> MitigationLease:
        """Take the lease on `key` in one write transaction (BEGIN IMMEDIATE: of two processes,
        the second reads the first's row). Returns the lease held: ours (same token), or the
        live one someone else holds. An expired lease (its process died) is taken over."""
        async with self._transaction():
            rows = await self._rows(
                f"SELECT {_COLUMNS} FROM mitigation_leases WHERE target = ?", (key,)
            )
            if rows:
                held = _lease(rows[0])
                if held.token != token and held.expires > now:
                    return held
            await self._write(
                f"INSERT OR REPLACE INTO mitigation_leases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (key, action, holder, token, to_db(now), to_db(until)),
            )
        return MitigationLease(key, action, holder, token, from_db(to_db(now)), until)

    async def release_mitigation_lease(self, key: str, token: str) -> None:
        async with self._transaction():
            await self._write(
                "DELETE FROM mitigation_leases WHERE target = ? AND token = ?", (key, token)
            )

    async def last_mitigation(self, target: str, actions: Sequence[str]) -> Event | None:
        """The latest successful action among `actions` on `target`, in any incident."""
        if not actions:
            return None
        marks = ", ".join("?" * len(actions))
        async with self._lock:
            with self._journal_errors():
                found = await self._events(
                    "kind = 'action' AND json_extract(data, '$.ok') = 1"
                    " AND json_extract(data, '$.target') = ?"
                    f" AND json_extract(data, '$.action') IN ({marks})",
                    (target, *actions),
                )
        return found[-1] if found else None


def _lease(row: tuple[str, ...]) -> MitigationLease:
    key, action, holder, token, since, expires = row
    return MitigationLease(key, action, holder, token, from_db(since), from_db(expires))
