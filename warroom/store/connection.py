"""One connection to the journal: its transactions, its errors, the redacting write path and
the helpers every part of the journal shares (a row by id, a timeline entry inserted)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from warroom.corrections import RULE_KINDS
from warroom.errors import JournalError, NotFound
from warroom.model import Event, Kind, format_id
from warroom.sanitize import redact_data, redact_secrets
from warroom.store.rows import EVENT_COLUMNS, EventRows, event_from_row
from warroom.timeutil import from_db, to_db


class JournalConnection:
    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._lock = asyncio.Lock()
        self._closed = False
        self._own_writes = 0
        self._event_rows = EventRows()  # the timeline last read, to read it again quickly

    @asynccontextmanager
    async def _transaction(self, mode: str = "IMMEDIATE") -> AsyncIterator[None]:
        """One transaction at a time on this connection; IMMEDIATE takes the write lock up front
        so a read-then-write never fails half way with "database is locked"."""
        async with self._lock:
            with self._journal_errors():
                await self._db.execute(f"BEGIN {mode}")
                try:
                    yield
                    await self._db.execute("COMMIT")
                except BaseException:
                    with suppress(sqlite3.Error):  # a broken connection cannot roll back
                        await self._db.execute("ROLLBACK")
                    raise
            if mode == "IMMEDIATE":
                self._own_writes += 1

    @asynccontextmanager
    async def _reading(self, sql: str, params: tuple[Any, ...] = ()) -> AsyncIterator[Any]:
        with self._journal_errors():
            async with self._db.execute(sql, params) as cursor:
                yield cursor

    @contextmanager
    def _journal_errors(self) -> Iterator[None]:
        """A full disk, a read-only or vanished file: one clear JournalError, which the console
        shows and survives, instead of a bare sqlite3 error."""
        try:
            yield
        except sqlite3.Error as exc:
            raise JournalError(f"the journal {self.path} failed: {exc}") from None
        except ValueError:  # aiosqlite's "no active connection": used after close()
            if not self._closed:
                raise
            raise JournalError(f"the journal {self.path} is closed") from None

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """Every INSERT and UPDATE goes through here, so no secret the process knows is ever
        stored, whoever the caller (typed text, a server's answer, an issue's URL)."""
        return await self._db.execute(
            sql, tuple(redact_secrets(p) if isinstance(p, str) else p for p in params)
        )

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Every row of a query, in one trip to the connection's thread. (A cursor's execute,
        fetch and close are a trip each, and a trip back waits for the event loop: behind
        whatever it is drawing when the log panes are busy.)"""
        return list(await self._db.execute_fetchall(sql, params))

    async def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = await self._rows(sql, params)
        return rows[0][0] if rows else None

    async def _by_id(self, table: str, columns: str, row_id: int, missing: str) -> Any:
        """The columns of row `row_id` of `table`, or NotFound(missing) when there is none."""
        rows = await self._rows(f"SELECT {columns} FROM {table} WHERE id = ?", (row_id,))
        if not rows:
            raise NotFound(missing)
        return rows[0]

    async def _require_incident(self, incident_id: int) -> None:
        await self._by_id("incidents", "1", incident_id, no_incident(incident_id))

    async def _events(self, where: str, params: tuple[Any, ...]) -> list[Event]:
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE {where} ORDER BY at, id"
        return [event_from_row(r) for r in await self._rows(sql, params)]

    async def _rule_events(self, incident_id: int) -> list[Event]:
        """The incident's entries the correction rules read (warroom.corrections), in the
        caller's transaction: only milestones, reopens and retractions, so a long timeline
        does not slow a key press down."""
        marks = ", ".join("?" * len(RULE_KINDS))
        return await self._events(
            f"incident_id = ? AND kind IN ({marks})", (incident_id, *(k.value for k in RULE_KINDS))
        )

    async def _insert_event(
        self,
        incident_id: int,
        *,
        kind: Kind,
        text: str,
        author: str,
        at: datetime,
        recorded_at: datetime,
        auto: bool = False,
        data: dict[str, Any] | None = None,
    ) -> Event:
        # Redacted here too, not only in _write, so the Event returned is the one stored; the
        # data before it is JSON, so an escaped form cannot leave the JSON half-replaced.
        text = redact_secrets(text)
        payload = json.dumps(redact_data(data or {}), sort_keys=True)
        cursor = await self._write(
            "INSERT INTO events (incident_id, at, recorded_at, kind, text, author, auto, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                incident_id,
                to_db(at),
                to_db(recorded_at),
                kind.value,
                text,
                author,
                int(auto),
                payload,
            ),
        )
        return Event(
            id=cursor.lastrowid or 0,
            incident_id=incident_id,
            at=from_db(to_db(at)),
            recorded_at=from_db(to_db(recorded_at)),
            kind=kind,
            text=text,
            author=author,
            auto=auto,
            data=json.loads(payload),
        )


def no_incident(incident_id: int) -> str:
    """The NotFound message for an incident id that names none."""
    return f"no incident {format_id(incident_id)}"
