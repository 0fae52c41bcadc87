"""The SQLite journal: WAL, busy_timeout, BEGIN IMMEDIATE, forward migrations.

Every write is one transaction committed before the call returns. With synchronous=FULL in WAL
mode each commit is fsynced, so an entry the caller was told about survives kill -9 and power loss.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Hashable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from warroom.errors import JournalError, NotFound, UserError
from warroom.model import (
    POSTMORTEM_FIELDS,
    ActionItem,
    ChecklistMark,
    Event,
    Incident,
    IncidentSummary,
    Kind,
    OutboxMessage,
    PostState,
    Scope,
    Severity,
    Status,
    format_id,
)
from warroom.sanitize import redact_data, redact_secrets
from warroom.timeutil import from_db, to_db

BUSY_TIMEOUT_MS = 15_000

# Forward migrations; MIGRATIONS[n] takes a database from version n to n + 1. Never edit a
# released step: add a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: incidents and their timeline.
    """
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        scope TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        auto INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_by_time ON events(incident_id, at, id);
    """,
    # 2: the runbook workflow: checklists, action items, post-mortem fields, edit history.
    """
    ALTER TABLE incidents ADD COLUMN postmortem_exported_at TEXT;
    ALTER TABLE events ADD COLUMN edited_at TEXT;
    ALTER TABLE events ADD COLUMN edited_by TEXT;
    CREATE INDEX events_by_kind ON events(incident_id, kind, at);
    CREATE TABLE event_edits (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        edited_at TEXT NOT NULL,
        edited_by TEXT NOT NULL,
        old_at TEXT NOT NULL,
        old_text TEXT NOT NULL
    );
    CREATE TABLE checklist (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        item_id TEXT NOT NULL,
        done INTEGER NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (incident_id, item_id)
    );
    CREATE TABLE action_items (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        text TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        deadline TEXT,
        done INTEGER NOT NULL DEFAULT 0,
        label TEXT NOT NULL DEFAULT 'incident',
        external_url TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE postmortem_fields (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (incident_id, name)
    );
    """,
    # 3: the outbox: status updates kept until sent or discarded, retried with backoff.
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        channel TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        closed_at TEXT,
        closed_by TEXT
    );
    CREATE INDEX outbox_pending ON outbox(state, next_attempt_at);
    """,
    # 4: the sender's lease apart from the backoff, so "retry now" cannot free a message that
    # another console is sending at that moment.
    """
    ALTER TABLE outbox ADD COLUMN leased_until TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_EVENT_COLUMNS = (
    "id, incident_id, at, recorded_at, kind, text, author, auto, data, edited_at, edited_by"
)
_ACTION_ITEM_COLUMNS = "id, incident_id, text, owner, deadline, done, label, external_url"
_ACTION_ITEM_EDITABLE = {"text", "owner", "deadline", "done", "label", "external_url"}
_OUTBOX_COLUMNS = (
    "id, incident_id, channel, text, created_at, created_by, state, attempts, next_attempt_at,"
    " last_error, closed_at, closed_by"
)


def create_private_file(path: Path) -> None:
    """Create the database file 0600 in a directory created 0700 (existing ones are left be)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        os.chmod(directory, 0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)
    os.close(fd)


class SqliteJournal:
    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._lock = asyncio.Lock()
        self._own_writes = 0

    @classmethod
    async def open(cls, path: Path, *, synchronous: str = "FULL") -> SqliteJournal:
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
        try:
            create_private_file(path)
        except OSError as exc:
            raise JournalError(f"cannot create the journal {path}: {exc.strerror}") from None
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except Exception as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from None
        journal = cls(db, path)
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute(f"PRAGMA synchronous = {synchronous}")
            await db.execute("PRAGMA foreign_keys = ON")
            await journal._migrate()
        except Exception as exc:
            await db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal {path}: {exc}") from None
        return journal

    async def close(self) -> None:
        await self._db.close()

    async def _migrate(self) -> None:
        async with self._transaction():
            version = await self._scalar("PRAGMA user_version")
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"the journal {self.path} is at schema version {version}, newer than this "
                    f"warroom knows ({SCHEMA_VERSION}); upgrade warroom"
                )
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    await self._db.execute(statement)
            if version != SCHEMA_VERSION:
                await self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """Every INSERT and UPDATE goes through here, so no secret the process knows is ever
        stored, whoever the caller (typed text, a server's answer, an issue's URL)."""
        return await self._db.execute(
            sql, tuple(redact_secrets(p) if isinstance(p, str) else p for p in params)
        )

    async def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def _by_id(self, table: str, columns: str, row_id: int, missing: str) -> Any:
        """The columns of row `row_id` of `table`, or NotFound(missing) when there is none."""
        sql = f"SELECT {columns} FROM {table} WHERE id = ?"
        async with self._db.execute(sql, (row_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise NotFound(missing)
        return row

    async def _require_incident(self, incident_id: int) -> None:
        await self._by_id("incidents", "1", incident_id, _no_incident(incident_id))

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

    # Writes -------------------------------------------------------------------------------

    async def create_incident(
        self,
        *,
        title: str,
        severity: Severity,
        scope: Scope,
        author: str,
        detected_at: datetime,
        detected_text: str,
        recorded_at: datetime,
    ) -> int:
        async with self._transaction():
            cursor = await self._write(
                "INSERT INTO incidents (title, severity, scope, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    title,
                    severity.value,
                    json.dumps(redact_data(scope.to_dict())),
                    to_db(recorded_at),
                    author,
                ),
            )
            incident_id = cursor.lastrowid
            assert incident_id is not None
            await self._insert_event(
                incident_id,
                kind=Kind.DETECTED,
                text=detected_text,
                author=author,
                at=detected_at,
                recorded_at=recorded_at,
                data={"severity": severity.value, "scope": scope.to_dict()},
            )
        return incident_id

    async def append_event(
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
        async with self._transaction():
            await self._require_incident(incident_id)
            return await self._insert_event(
                incident_id,
                kind=kind,
                text=text,
                author=author,
                at=at,
                recorded_at=recorded_at,
                auto=auto,
                data=data,
            )

    async def append_observation(
        self,
        incident_id: int,
        *,
        key: str,
        text: str,
        author: str,
        at: datetime,
        window: timedelta,
        data: dict[str, Any] | None = None,
    ) -> Event | None:
        async with self._transaction():
            await self._require_incident(incident_id)
            seen = await self._scalar(
                "SELECT 1 FROM events WHERE incident_id = ? AND kind = 'observation'"
                " AND json_extract(data, '$.key') = ? AND at >= ? LIMIT 1",
                (incident_id, key, to_db(at - window)),
            )
            if seen:
                return None
            return await self._insert_event(
                incident_id,
                kind=Kind.OBSERVATION,
                text=text,
                author=author,
                at=at,
                recorded_at=at,
                auto=True,
                data={**(data or {}), "key": key},
            )

    async def amend_event(
        self,
        event_id: int,
        *,
        author: str,
        edited_at: datetime,
        text: str | None = None,
        at: datetime | None = None,
    ) -> Event:
        async with self._transaction():
            old_at, old_text = await self._by_id(
                "events", "at, text", event_id, f"no timeline entry {event_id}"
            )
            await self._write(
                "INSERT INTO event_edits (event_id, edited_at, edited_by, old_at, old_text)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, to_db(edited_at), author, old_at, old_text),
            )
            await self._write(
                "UPDATE events SET at = ?, text = ?, edited_at = ?, edited_by = ? WHERE id = ?",
                (
                    to_db(at) if at else old_at,
                    old_text if text is None else text,
                    to_db(edited_at),
                    author,
                    event_id,
                ),
            )
            return await self._event(event_id)

    async def set_severity(
        self, incident_id: int, severity: Severity, *, author: str, at: datetime, reason: str
    ) -> Event | None:
        async with self._transaction():
            (current,) = await self._by_id(
                "incidents", "severity", incident_id, _no_incident(incident_id)
            )
            if current == severity.value:
                return None
            await self._write(
                "UPDATE incidents SET severity = ? WHERE id = ?", (severity.value, incident_id)
            )
            text = f"{current} -> {severity.value}" + (f": {reason}" if reason else "")
            return await self._insert_event(
                incident_id,
                kind=Kind.SEVERITY,
                text=text,
                author=author,
                at=at,
                recorded_at=at,
                data={"from": current, "to": severity.value},
            )

    async def set_scope(
        self, incident_id: int, scope: Scope, *, author: str, at: datetime
    ) -> Event | None:
        async with self._transaction():
            (current,) = await self._by_id(
                "incidents", "scope", incident_id, _no_incident(incident_id)
            )
            if Scope.from_dict(json.loads(current)) == scope:
                return None
            await self._write(
                "UPDATE incidents SET scope = ? WHERE id = ?",
                (json.dumps(redact_data(scope.to_dict())), incident_id),
            )
            return await self._insert_event(
                incident_id,
                kind=Kind.SCOPE,
                text=scope.describe(),
                author=author,
                at=at,
                recorded_at=at,
                data=scope.to_dict(),
            )

    async def set_checklist(
        self,
        incident_id: int,
        item_id: str,
        *,
        done: bool,
        label: str,
        author: str,
        at: datetime,
    ) -> Event:
        async with self._transaction():
            await self._require_incident(incident_id)
            await self._write(
                "INSERT INTO checklist (incident_id, item_id, done, by, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (incident_id, item_id) DO UPDATE SET"
                " done = excluded.done, by = excluded.by, at = excluded.at",
                (incident_id, item_id, int(done), author, to_db(at)),
            )
            mark = "[x]" if done else "[ ]"
            return await self._insert_event(
                incident_id,
                kind=Kind.CHECKLIST,
                text=f"{mark} {label}",
                author=author,
                at=at,
                recorded_at=at,
                data={"item": item_id, "done": done},
            )

    async def add_action_item(
        self,
        incident_id: int,
        *,
        text: str,
        owner: str,
        deadline: date | None,
        author: str,
        at: datetime,
    ) -> ActionItem:
        async with self._transaction():
            await self._require_incident(incident_id)
            cursor = await self._write(
                "INSERT INTO action_items (incident_id, text, owner, deadline, created_at,"
                " created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    text,
                    owner,
                    deadline.isoformat() if deadline else None,
                    to_db(at),
                    author,
                ),
            )
            item_id = cursor.lastrowid
            return await self._action_item(item_id or 0)

    async def update_action_item(self, item_id: int, **changes: Any) -> ActionItem:
        unknown = set(changes) - _ACTION_ITEM_EDITABLE
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))} of an action item")
        values = {
            k: (v.isoformat() if isinstance(v, date) else int(v) if isinstance(v, bool) else v)
            for k, v in changes.items()
        }
        async with self._transaction():
            if not values:
                return await self._action_item(item_id)
            assignments = ", ".join(f"{name} = ?" for name in values)
            cursor = await self._write(
                f"UPDATE action_items SET {assignments} WHERE id = ?", (*values.values(), item_id)
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no action item {item_id}")
            return await self._action_item(item_id)

    async def set_postmortem_field(
        self, incident_id: int, name: str, value: str, *, author: str, at: datetime
    ) -> None:
        if name not in POSTMORTEM_FIELDS:
            raise UserError(f"unknown post-mortem field {name!r}")
        async with self._transaction():
            await self._require_incident(incident_id)
            await self._write(
                "INSERT INTO postmortem_fields (incident_id, name, value, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (incident_id, name) DO UPDATE SET"
                " value = excluded.value, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by",
                (incident_id, name, value, to_db(at), author),
            )

    async def mark_exported(self, incident_id: int, at: datetime) -> None:
        async with self._transaction():
            cursor = await self._write(
                "UPDATE incidents SET postmortem_exported_at = ? WHERE id = ?",
                (to_db(at), incident_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(_no_incident(incident_id))

    # Outbox -------------------------------------------------------------------------------

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
        sql = f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending'"
        params: tuple[Any, ...] = ()
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params += (incident_id,)
        if due_by is not None:
            sql += " AND next_attempt_at <= ?"
            params += (to_db(due_by),)
        async with self._lock, self._reading(sql + " ORDER BY id", params) as cursor:
            return [_outbox_message(row) for row in await cursor.fetchall()]

    async def _post(self, post_id: int) -> OutboxMessage:
        missing = f"no message {post_id} in the outbox"
        return _outbox_message(await self._by_id("outbox", _OUTBOX_COLUMNS, post_id, missing))

    # Reads --------------------------------------------------------------------------------

    async def _event(self, event_id: int) -> Event:
        missing = f"no timeline entry {event_id}"
        return _event(await self._by_id("events", _EVENT_COLUMNS, event_id, missing))

    async def _action_item(self, item_id: int) -> ActionItem:
        missing = f"no action item {item_id}"
        return _action_item(
            await self._by_id("action_items", _ACTION_ITEM_COLUMNS, item_id, missing)
        )

    async def get_incident(self, incident_id: int) -> Incident:
        async with self._transaction("DEFERRED"):
            row = await self._by_id(
                "incidents",
                "id, title, severity, scope, created_at, created_by, postmortem_exported_at",
                incident_id,
                _no_incident(incident_id),
            )
            async with self._db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY at, id",
                (incident_id,),
            ) as cursor:
                events = tuple(_event(r) for r in await cursor.fetchall())
            async with self._db.execute(
                "SELECT item_id, done, by, at FROM checklist WHERE incident_id = ?", (incident_id,)
            ) as cursor:
                checklist = {
                    r[0]: ChecklistMark(r[0], bool(r[1]), r[2], from_db(r[3]))
                    for r in await cursor.fetchall()
                }
            async with self._db.execute(
                f"SELECT {_ACTION_ITEM_COLUMNS} FROM action_items WHERE incident_id = ?"
                " ORDER BY id",
                (incident_id,),
            ) as cursor:
                items = tuple(_action_item(r) for r in await cursor.fetchall())
            async with self._db.execute(
                "SELECT name, value FROM postmortem_fields WHERE incident_id = ?", (incident_id,)
            ) as cursor:
                fields = {r[0]: r[1] for r in await cursor.fetchall()}
        return Incident(
            id=row[0],
            title=row[1],
            severity=Severity(row[2]),
            scope=Scope.from_dict(json.loads(row[3])),
            created_at=from_db(row[4]),
            created_by=row[5],
            events=events,
            checklist=checklist,
            action_items=items,
            postmortem=fields,
            postmortem_exported_at=from_db(row[6]) if row[6] else None,
        )

    async def last_action(self, action: str, target: str) -> dict[str, Any] | None:
        async with (
            self._lock,
            self._reading(
                "SELECT data FROM events WHERE kind = 'action'"
                " AND json_extract(data, '$.action') = ? AND json_extract(data, '$.target') = ?"
                " AND json_extract(data, '$.ok') = 1 ORDER BY at DESC, id DESC LIMIT 1",
                (action, target),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return json.loads(row[0]) if row else None

    async def list_incidents(self, status: Status | None = None) -> list[IncidentSummary]:
        def first(kind: str) -> str:
            return (
                f"(SELECT MIN(at) FROM events e WHERE e.incident_id = i.id AND e.kind = '{kind}')"
            )

        sql = (
            "SELECT * FROM (SELECT i.id, i.title, i.severity, i.created_at, i.created_by,"
            f" {first('detected')}, {first('acknowledged')}, {first('resolved')} AS resolved,"
            " i.postmortem_exported_at FROM incidents i)"
        )
        if status is Status.OPEN:
            sql += " WHERE resolved IS NULL"
        elif status is Status.RESOLVED:
            sql += " WHERE resolved IS NOT NULL"
        sql += " ORDER BY id"
        async with self._lock, self._reading(sql) as cursor:
            rows = await cursor.fetchall()
        return [
            IncidentSummary(
                id=r[0],
                title=r[1],
                severity=Severity(r[2]),
                status=Status.RESOLVED if r[7] else Status.OPEN,
                created_at=from_db(r[3]),
                created_by=r[4],
                detected_at=_maybe_time(r[5]),
                acknowledged_at=_maybe_time(r[6]),
                resolved_at=_maybe_time(r[7]),
                postmortem_exported_at=_maybe_time(r[8]),
            )
            for r in rows
        ]

    async def change_token(self) -> Hashable:
        # data_version moves when another connection commits; our own commits are counted here.
        async with self._lock:
            with self._journal_errors():
                version = await self._scalar("PRAGMA data_version")
        return (version, self._own_writes)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _no_incident(incident_id: int) -> str:
    return f"no incident {format_id(incident_id)}"


def _maybe_time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _event(row: Any) -> Event:
    return Event(
        id=row[0],
        incident_id=row[1],
        at=from_db(row[2]),
        recorded_at=from_db(row[3]),
        kind=Kind(row[4]),
        text=row[5],
        author=row[6],
        auto=bool(row[7]),
        data=json.loads(row[8]) if row[8] != "{}" else {},
        edited_at=_maybe_time(row[9]),
        edited_by=row[10],
    )


def _action_item(row: Any) -> ActionItem:
    return ActionItem(
        id=row[0],
        incident_id=row[1],
        text=row[2],
        owner=row[3],
        deadline=date.fromisoformat(row[4]) if row[4] else None,
        done=bool(row[5]),
        label=row[6],
        external_url=row[7],
    )


def _outbox_message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row[0],
        incident_id=row[1],
        channel=row[2],
        text=row[3],
        created_at=from_db(row[4]),
        created_by=row[5],
        state=PostState(row[6]),
        attempts=row[7],
        next_attempt_at=from_db(row[8]),
        last_error=row[9],
        closed_at=_maybe_time(row[10]),
        closed_by=row[11],
    )
