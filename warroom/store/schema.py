"""The journal's schema: forward migrations, the version they reach, and applying them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from warroom.errors import JournalError

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
    # 5: mitigation leases on targets, and versioned post-mortem fields with every save kept,
    # a conflicting one too (issue 16)
    """
    CREATE TABLE mitigation_leases (
        target TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        holder TEXT NOT NULL,
        token TEXT NOT NULL,
        since TEXT NOT NULL,
        expires TEXT NOT NULL
    );
    ALTER TABLE postmortem_fields ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE postmortem_saves (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        based_on INTEGER NOT NULL,
        version INTEGER,
        saved_at TEXT NOT NULL,
        saved_by TEXT NOT NULL
    );
    """,
    # 6: the flight recorder's telemetry buckets (issue 20): one row per series and bucket,
    # written once (whichever console records it first), never changed.
    """
    CREATE TABLE telemetry (
        kind TEXT NOT NULL,
        series TEXT NOT NULL,
        start TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        data TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (start, kind, series)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


async def migrate(
    db: aiosqlite.Connection, path: Path, migrations: Sequence[str] = MIGRATIONS
) -> None:
    """Bring the database up to the last of `migrations`, inside the caller's write transaction:
    every step and the user_version bump commit together or not at all. Statements go one at a
    time through execute (executescript would COMMIT first, ending that transaction)."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = row[0] if row else 0
    latest = len(migrations)
    if version > latest:
        raise JournalError(
            f"the journal {path} is at schema version {version}, newer than this "
            f"warroom knows ({latest}); upgrade warroom"
        )
    for step in range(version, latest):
        for statement in statements(migrations[step]):
            await db.execute(statement)
    if version != latest:
        await db.execute(f"PRAGMA user_version = {latest}")


def statements(script: str) -> list[str]:
    """The statements of a migration script, cut where SQLite itself ends one: a `;` in a string
    literal, a quoted name, a comment or a trigger's body does not end a statement. What follows
    the last `;` (a statement without one, or an unfinished one) is kept for SQLite to judge."""
    found = []
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            found.append(script[start : end + 1].strip())
            start = end + 1
    found.append(script[start:].strip())
    return [s for s in found if s.rstrip(";").strip()]
