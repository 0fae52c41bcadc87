"""Migrations: statements cut where SQLite ends them, applied in one transaction with the version
bump, and a journal left at any older version brought up to date with its data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from warroom.errors import JournalError
from warroom.model import Kind, Scope
from warroom.severity import Severity
from warroom.store import MIGRATIONS, SCHEMA_VERSION, SqliteJournal
from warroom.store.schema import migrate, statements

TRICKY = """
-- A comment; with a semicolon.
CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, "odd;name" TEXT);
CREATE TABLE note_log (note_id INTEGER, line TEXT);
/* a block comment; also */
CREATE TRIGGER note_logged AFTER INSERT ON notes BEGIN
    INSERT INTO note_log VALUES (new.id, 'added; ' || new.text);
    UPDATE notes SET "odd;name" = 'seen;' WHERE id = new.id;
END;
INSERT INTO notes (text) VALUES ('it''s; fine');
CREATE INDEX note_log_by_note ON note_log(note_id)
"""


def test_statements_are_cut_where_sqlite_ends_them():
    found = statements(TRICKY)
    assert len(found) == 5
    assert found[0].startswith("-- A comment; with a semicolon.\nCREATE TABLE notes (")
    assert found[0].endswith('"odd;name" TEXT);')
    assert found[1] == "CREATE TABLE note_log (note_id INTEGER, line TEXT);"
    assert found[2].startswith("/* a block comment; also */\nCREATE TRIGGER note_logged")
    assert found[2].endswith("WHERE id = new.id;\nEND;")
    assert found[3] == "INSERT INTO notes (text) VALUES ('it''s; fine');"
    assert found[4] == "CREATE INDEX note_log_by_note ON note_log(note_id)"  # no `;`: kept
    assert statements(" ;\n;; -- nothing\n") == ["-- nothing"]


def test_the_released_migrations_cut_as_before():
    # The steps released before this change; later ones are checked by their own tests.
    assert [len(statements(step)) for step in MIGRATIONS[:4]] == [3, 8, 2, 1]


async def _migrated(path: Path, migrations: tuple[str, ...]) -> None:
    """As SqliteJournal runs it: one IMMEDIATE transaction around migrate, rolled back on error."""
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await db.execute("BEGIN IMMEDIATE")
        try:
            await migrate(db, path, migrations)
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
    finally:
        await db.close()


async def test_a_migration_with_a_trigger_and_semicolons_in_strings_is_applied(tmp_path: Path):
    path = tmp_path / "tricky.db"
    await _migrated(path, (TRICKY,))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute('SELECT text, "odd;name" FROM notes').fetchall() == [
        ("it's; fine", "seen;")
    ]
    assert conn.execute("SELECT line FROM note_log").fetchall() == [("added; it's; fine",)]
    conn.execute("INSERT INTO notes (text) VALUES ('again')")  # the trigger is whole
    assert conn.execute("SELECT COUNT(*) FROM note_log").fetchone()[0] == 2
    conn.close()


async def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path):
    path = tmp_path / "half.db"
    good = "CREATE TABLE first (x INTEGER);"
    bad = "CREATE TABLE second (y INTEGER); INSERT INTO missing VALUES (1);"
    with pytest.raises(sqlite3.OperationalError, match="no such table: missing"):
        await _migrated(path, (good, bad))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
    conn.close()


async def test_an_unfinished_statement_is_refused_not_cut(tmp_path: Path):
    path = tmp_path / "unfinished.db"
    unfinished = "CREATE TABLE t (x); CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1;"
    with pytest.raises(sqlite3.OperationalError):
        await _migrated(path, (unfinished,))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def _journal_at(path: Path, version: int) -> None:
    """A journal as warroom left it at `version`, with what that version could hold; built by
    SQLite's own script runner, not by the code under test."""
    conn = sqlite3.connect(path)
    path.chmod(0o600)  # as warroom made it: a journal open to everyone is refused
    conn.executescript("".join(MIGRATIONS[:version]) + f"PRAGMA user_version = {version};")
    if version >= 1:
        conn.execute(
            "INSERT INTO incidents (id, title, severity, scope, created_at, created_by)"
            " VALUES (1, 'Redis down', 'SEV-2', '{}',"
            " '2026-10-01T10:00:00.000000Z', 'old-ana')"
        )
        conn.execute(
            "INSERT INTO events (incident_id, at, recorded_at, kind, text, author) VALUES"
            " (1, '2026-10-01T09:58:00.000000Z', '2026-10-01T10:00:00.000000Z', 'detected',"
            " 'alarm; redis', 'old-ana')"
        )
    if version >= 2:
        conn.execute(
            "INSERT INTO action_items (incident_id, text, created_at, created_by)"
            " VALUES (1, 'Alarm on lag', '2026-10-01T11:00:00.000000Z', 'old-bo')"
        )
    if version >= 3:
        conn.execute(
            "INSERT INTO outbox (incident_id, channel, text, created_at, created_by,"
            " next_attempt_at) VALUES (1, 'slack', 'Investigating', '2026-10-01T10:01:00.000000Z',"
            " 'old-ana', '2026-10-01T10:01:00.000000Z')"
        )
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
async def test_a_journal_at_any_older_version_migrates_and_keeps_its_data(
    tmp_path: Path, version: int
):
    path = tmp_path / f"v{version}.db"
    _journal_at(path, version)
    journal = await SqliteJournal.open(path)
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    if version == 0:
        await journal.create_incident(
            title="Redis down",
            severity=Severity.SEV2,
            scope=Scope(),
            author="ana",
            detected_at=now,
            detected_text="alarm; redis",
            recorded_at=now,
        )
    incident = await journal.get_incident(1)
    assert incident.title == "Redis down"
    assert [(e.kind, e.text) for e in incident.events] == [(Kind.DETECTED, "alarm; redis")]
    assert [i.text for i in incident.action_items] == (["Alarm on lag"] if version >= 2 else [])
    # What later versions added works on the old incident: checklist, fields, outbox leases.
    await journal.set_checklist(1, "10", done=True, label="Page", author="ana", at=now)
    await journal.set_postmortem_field(1, "summary", "Primary died.", author="ana", at=now)
    queued = await journal.queue_posts(
        1, ["slack"], "Mitigated", author="ana", at=now, lease_until=now + timedelta(minutes=1)
    )
    assert [m.text for m in queued] == ["Mitigated"]
    assert await journal.claim_post(queued[0].id, now=now, lease_until=now) is None  # leased
    # The old pending post (version 3) was superseded: only the new one is left.
    assert [m.text for m in await journal.outbox(incident_id=1)] == ["Mitigated"]
    await journal.close()

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_journal_newer_than_the_migrations_is_refused_by_migrate(tmp_path: Path):
    path = tmp_path / "newer.db"
    await _migrated(path, ("CREATE TABLE a (x);", "CREATE TABLE b (y);"))
    with pytest.raises(
        JournalError, match=r"schema version 2, newer than this warroom knows \(1\)"
    ):
        await _migrated(path, ("CREATE TABLE a (x);",))
