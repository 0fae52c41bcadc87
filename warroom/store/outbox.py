"""The outbox: status updates kept until sent or discarded, each attempt under a lease so two
consoles never send the same message at once, failures retried with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warroom.followups import OutboxMessage
from warroom.model import Event, Kind
from warroom.store.connection import JournalConnection
from warroom.store.rows import OUTBOX_COLUMNS, outbox_message_from_row
from warroom.timeutil import to_db


class OutboxMixin(JournalConnection):
    async def queue_posts(
        self,
        incident_id: int,
        channels: Sequence[str],
        text: str,
        *,
        author: str,
        at: datetime,
        lease_until: datetime,
    ) -> list[OutboxMessage]:
        """Keep the message for each channel, already claimed (first attempt) by the caller.
        An older unsent update of the incident to the same channel is superseded (discarded):
        a late "Investigating" after "Mitigated" would mislead the channel."""
        async with self._transaction():
            await self._require_incident(incident_id)
            ids = []
            for channel in channels:
                await self._write(
                    "UPDATE outbox SET state = 'discarded', closed_at = ?, closed_by = ?"
                    " WHERE incident_id = ? AND channel = ? AND state = 'pending'"
                    " AND (leased_until IS NULL OR leased_until <= ?)",
                    (to_db(at), f"{author} (superseded)", incident_id, channel, to_db(at)),
                )
                cursor = await self._write(
                    "INSERT INTO outbox (incident_id, channel, text, created_at, created_by,"
                    " next_attempt_at, attempts, leased_until) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                    (incident_id, channel, text, to_db(at), author, to_db(at), to_db(lease_until)),
                )
                ids.append(cursor.lastrowid or 0)
            return [await self._post(i) for i in ids]

    async def claim_post(
        self, post_id: int, *, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        """Take a pending, due message for one attempt: its next attempt moves to the end of the
        lease, so no other process sends it meanwhile. None: not pending, not due, or taken."""
        async with self._transaction():
            cursor = await self._write(
                "UPDATE outbox SET attempts = attempts + 1, leased_until = ?"
                " WHERE id = ? AND state = 'pending' AND next_attempt_at <= ?"
                " AND (leased_until IS NULL OR leased_until <= ?)",
                (to_db(lease_until), post_id, to_db(now), to_db(now)),
            )
            return await self._post(post_id) if cursor.rowcount == 1 else None

    async def post_sent(
        self, post_id: int, *, at: datetime, data: dict[str, Any] | None = None
    ) -> Event | None:
        """Mark it sent and journal the text as a `comms` entry, in one transaction. None: it
        was already marked sent (a sender whose lease ran out, then both got through)."""
        async with self._transaction():
            message = await self._post(post_id)
            cursor = await self._write(
                "UPDATE outbox SET state = 'sent', closed_at = ?, last_error = '',"
                " leased_until = NULL WHERE id = ? AND state != 'sent'",
                (to_db(at), post_id),
            )
            if cursor.rowcount == 0:
                return None
            return await self._insert_event(
                message.incident_id,
                kind=Kind.COMMS,
                text=message.text,
                author=message.created_by,
                at=at,
                recorded_at=at,
                data={"channel": message.channel, "attempts": message.attempts, **(data or {})},
            )

    async def post_failed(
        self, post_id: int, *, attempt: int, error: str, retry_at: datetime
    ) -> None:
        """Record a failed attempt, if it is still the latest one (its lease may have run out
        and another sender taken over)."""
        async with self._transaction():
            await self._write(
                "UPDATE outbox SET last_error = ?, next_attempt_at = ?, leased_until = NULL"
                " WHERE id = ? AND state = 'pending' AND attempts = ?",
                (error, to_db(retry_at), post_id, attempt),
            )

    async def discard_post(self, post_id: int, *, by: str, at: datetime) -> OutboxMessage:
        async with self._transaction():
            await self._write(
                "UPDATE outbox SET state = 'discarded', closed_at = ?, closed_by = ?"
                " WHERE id = ? AND state = 'pending'",
                (to_db(at), by, post_id),
            )
            return await self._post(post_id)

    async def retry_posts_now(self, at: datetime, incident_id: int | None = None) -> int:
        """Make every pending message due now (a person asked to retry); one being sent keeps
        its lease."""
        sql = "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'"
        params: tuple[Any, ...] = (to_db(at),)
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params += (incident_id,)
        async with self._transaction():
            cursor = await self._write(sql, params)
            return cursor.rowcount

    async def outbox(
        self, *, incident_id: int | None = None, due_by: datetime | None = None
    ) -> list[OutboxMessage]:
        """Pending messages, oldest first (only those due by `due_by` when given)."""
        sql = f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending'"
        params: tuple[Any, ...] = ()
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params += (incident_id,)
        if due_by is not None:
            sql += " AND next_attempt_at <= ?"
            params += (to_db(due_by),)
        async with self._lock, self._reading(sql + " ORDER BY id", params) as cursor:
            return [outbox_message_from_row(row) for row in await cursor.fetchall()]

    async def _post(self, post_id: int) -> OutboxMessage:
        missing = f"no message {post_id} in the outbox"
        return outbox_message_from_row(
            await self._by_id("outbox", OUTBOX_COLUMNS, post_id, missing)
        )
