"""The flight recorder's buckets in the journal: written once each, read by time window."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.sanitize import redact_secrets
from warroom.store.connection import JournalConnection
from warroom.telemetry import Bucket
from warroom.timeutil import from_db, to_db


class TelemetryMixin(JournalConnection):
    async def record_telemetry(self, buckets: Sequence[Bucket], *, recorded_at: datetime) -> None:
        """Every bucket in one transaction; one already there (another console recorded it,
        before a takeover) stays as it was: the journal is append-only."""
        rows = [
            (
                b.kind,
                b.series,
                to_db(b.start),
                int(b.width.total_seconds()),
                redact_secrets(json.dumps(b.values, sort_keys=True)),
                to_db(recorded_at),
            )
            for b in buckets
        ]
        if not rows:
            return
        async with self._transaction():
            await self._db.executemany(
                "INSERT OR IGNORE INTO telemetry (kind, series, start, seconds, data, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    async def telemetry(self, since: datetime, until: datetime) -> list[Bucket]:
        """The buckets starting from `since` and before `until`, in time order."""
        rows = await self._rows(
            "SELECT kind, series, start, seconds, data FROM telemetry"
            " WHERE start >= ? AND start < ? ORDER BY start, kind, series",
            (to_db(since), to_db(until)),
        )
        return [
            Bucket(kind, series, from_db(start), timedelta(seconds=seconds), json.loads(data))
            for kind, series, start, seconds, data in rows
        ]
