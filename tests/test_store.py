"""The SQLite journal on real files: permissions, migrations, change notices, edits."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from warroom.errors import JournalError, NotFound, UserError
from warroom.model import Kind, Scope, Status
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SCHEMA_VERSION, SqliteJournal

from .conftest import rows

FIXTURES = Path(__file__).parent / "fixtures"


async def test_new_journal_is_private(tmp_path: Path):
    before = stat.S_IMODE(tmp_path.stat().st_mode)
    db = tmp_path / "a" / "b" / "warroom.db"
    journal = await SqliteJournal.open(db)
    await journal.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.parent.parent.stat().st_mode) == 0o700
    # A directory that already existed keeps its mode.
    assert stat.S_IMODE(tmp_path.stat().st_mode) == before


async def test_wal_and_pragmas(db: Path, room: WarRoom):
    await room.declare("x", Severity.SEV3)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    wal = db.with_name(db.name + "-wal")
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


async def test_version_1_journal_migrates_and_keeps_its_data(tmp_path: Path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text())
    conn.close()
    db.chmod(0o600)  # as warroom made it: a journal open to everyone is refused

    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook())
    incident = await room.incident(1)
    assert incident.title == "Redis down"
    assert [e.kind for e in incident.events] == [Kind.DETECTED, Kind.ACKNOWLEDGED, Kind.RESOLVED]
    assert incident.status is Status.RESOLVED
    assert incident.milestones.time_to_acknowledge == timedelta(minutes=7)
    # What version 2 added works on the old incident.
    await room.check("10", incident_id=1)
    await room.add_action_item(1, "Alarm on replication lag", owner="bo")
    await room.set_postmortem_field(1, "summary", "Primary node died.")
    incident = await room.incident(1)
    assert incident.checklist["10"].done
    assert incident.action_items[0].text == "Alarm on replication lag"
    assert incident.postmortem["summary"] == "Primary node died."
    await room.close()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    # Opening again does not migrate twice.
    journal = await SqliteJournal.open(db)
    assert len((await journal.get_incident(1)).events) == 4
    await journal.close()


async def test_newer_schema_is_refused(tmp_path: Path):
    db = tmp_path / "future.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    db.chmod(0o600)
    with pytest.raises(JournalError, match="newer than this warroom knows"):
        await SqliteJournal.open(db)


async def test_not_a_database_is_a_clear_error(tmp_path: Path):
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not sqlite" * 100)
    db.chmod(0o600)
    with pytest.raises(JournalError, match="cannot open the journal"):
        await SqliteJournal.open(db)


async def test_second_connection_notices_changes(db: Path, room: WarRoom):
    other = await SqliteJournal.open(db)
    seen = await other.change_token()
    assert await other.change_token() == seen  # nothing changed: same token

    incident_id = await room.declare("Orders not saving", Severity.SEV2)
    after_declare = await other.change_token()
    assert after_declare != seen
    assert [i.title for i in await other.list_incidents()] == ["Orders not saving"]

    mine = await room.change_token()
    await room.log(Kind.NOTE, "still broken", incident_id=incident_id)
    assert await room.change_token() != mine  # own writes count too
    assert await other.change_token() != after_declare
    await other.close()


async def test_amend_corrects_time_and_keeps_history(db: Path, room: WarRoom, clock):
    incident_id = await room.declare("API down", Severity.SEV1)
    clock.advance(minutes=30)
    ack = await room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id)
    clock.advance(minutes=5)
    fixed = await room.amend(ack.id, at=clock.now - timedelta(minutes=27), text="on it (pager)")
    assert fixed.at == datetime(2026, 11, 26, 3, 9, tzinfo=UTC)
    assert fixed.text == "on it (pager)"
    assert fixed.edited_by == "ana"
    incident = await room.incident(incident_id)
    assert incident.milestones.time_to_acknowledge == timedelta(minutes=8)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT old_text, old_at FROM event_edits").fetchall()
    conn.close()
    assert rows == [("on it", "2026-11-26T03:31:00.000000Z")]
    with pytest.raises(NotFound):
        await room.amend(9999, text="x")


async def test_timeline_is_in_time_order_whatever_the_typing_order(room: WarRoom, clock):
    incident_id = await room.declare("API down", Severity.SEV1)
    clock.advance(hours=1)
    await room.log(Kind.MITIGATED, "rolled back", incident_id=incident_id)
    await room.log(
        Kind.ROOT_CAUSE, "rev 9", incident_id=incident_id, at=clock.now - timedelta(minutes=40)
    )
    await room.log(
        Kind.ACKNOWLEDGED, "late", incident_id=incident_id, at=clock.now - timedelta(minutes=55)
    )
    incident = await room.incident(incident_id)
    assert [e.kind for e in incident.events] == [
        Kind.DETECTED,
        Kind.ACKNOWLEDGED,
        Kind.ROOT_CAUSE,
        Kind.MITIGATED,
    ]
    assert incident.events[1].backdated


async def test_a_timeline_read_again_has_what_others_wrote_meanwhile(
    db: Path, room: WarRoom, clock
):
    """A console rereads its incident after every change: only new and edited entries are
    fetched again, and the timeline comes out as a fresh read would have it."""
    incident_id = await room.declare("Payments failing", Severity.SEV1)
    for minutes in (10, 20, 30):
        clock.advance(minutes=10)
        await room.log(Kind.NOTE, f"at +{minutes} min", incident_id=incident_id)
    console = await SqliteJournal.open(db)
    fresh = await SqliteJournal.open(db)
    try:
        await _read_again(console, fresh, room, clock, incident_id)
    finally:
        await console.close()
        await fresh.close()


async def _read_again(console, fresh, room: WarRoom, clock, incident_id: int) -> None:
    before = (await console.get_incident(incident_id)).events

    # Meanwhile, another responder: an edit, a new entry, one backdated before all the notes.
    note = before[1]
    await room.amend(note.id, text="at +10 min: payments team paged")
    clock.advance(minutes=5)
    await room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id)
    await room.log(Kind.NOTE, "alert fired", incident_id=incident_id, at=before[0].at)
    after = (await console.get_incident(incident_id)).events

    expected = (await fresh.get_incident(incident_id)).events
    assert after == expected
    assert [e.text for e in after] == [
        before[0].text,
        "alert fired",
        "at +10 min: payments team paged",
        "at +20 min",
        "at +30 min",
        "on it",
    ]
    # Entries nobody touched come back as they were read: the same objects.
    assert after[3] is before[2] and after[4] is before[3]
    assert after[2] is not note and after[2].edited_by == "ana"
    # Read again with nothing new: the same timeline, object for object.
    again = (await console.get_incident(incident_id)).events
    assert all(a is b for a, b in zip(again, after, strict=True))


async def test_ticking_a_milestone_step_logs_the_milestone_once(room: WarRoom, clock):
    incident_id = await room.declare("Alert", Severity.SEV1)
    clock.advance(minutes=4)
    await room.check("1", incident_id=incident_id)  # "Acknowledge the alert"
    await room.check("1", False, incident_id=incident_id)
    clock.advance(minutes=1)
    await room.check("1", incident_id=incident_id)
    incident = await room.incident(incident_id)
    [ack] = incident.events_of(Kind.ACKNOWLEDGED)
    assert ack.text == "On-call acknowledged (checklist 1. Acknowledge the alert)"
    assert ack.author == "ana" and ack.data == {"checklist": "1"}
    assert incident.milestones.time_to_acknowledge == timedelta(minutes=4)
    # A milestone already logged by hand is not logged again by its step.
    await room.log(Kind.ROOT_CAUSE, "pool exhausted", incident_id=incident_id)
    await room.check("6", incident_id=incident_id)
    await room.check("2", incident_id=incident_id)  # no milestone
    incident = await room.incident(incident_id)
    assert [e.text for e in incident.events_of(Kind.ROOT_CAUSE)] == ["pool exhausted"]
    assert [e.kind for e in incident.events].count(Kind.CHECKLIST) == 5


async def test_severity_scope_checklist_and_items(room: WarRoom, clock):
    incident_id = await room.declare(
        "Tenant data leak", Severity.SEV2, scope=Scope(tenants=("acme",))
    )
    assert await room.change_severity(Severity.SEV2, incident_id=incident_id) is None
    event = await room.change_severity(Severity.SEV1, incident_id=incident_id, reason="breach")
    assert event is not None and event.data == {"from": "SEV-2", "to": "SEV-1"}
    await room.change_scope(Scope(), incident_id=incident_id)
    await room.check("4", incident_id=incident_id)
    await room.check("4", False, incident_id=incident_id)
    with pytest.raises(UserError, match="no checklist step"):
        await room.check("99", incident_id=incident_id)
    item = await room.add_action_item(
        incident_id, "Add tenant isolation test", owner="bo", deadline=date(2026, 12, 3)
    )
    item = await room.update_action_item(item.id, done=True)
    incident = await room.incident(incident_id)
    assert incident.severity is Severity.SEV1
    assert incident.scope.is_all
    assert not incident.checklist["4"].done
    assert incident.action_items == (item,)
    assert item.done and item.label == "incident"
    texts = [e.text for e in incident.events]
    assert "SEV-2 -> SEV-1: breach" in texts
    assert "[x] Detect & Triage 4. Identify scope" in texts
    assert "[ ] Detect & Triage 4. Identify scope" in texts


async def test_unknown_incident_is_not_found(room: WarRoom):
    for call in (
        room.incident(5),
        room.log(Kind.NOTE, "x", incident_id=5),
        room.change_severity(Severity.SEV1, incident_id=5),
        room.add_action_item(5, "x"),
        room.set_postmortem_field(5, "summary", "x"),
    ):
        with pytest.raises(NotFound, match="INC-5"):
            await call


async def test_text_from_outside_is_stripped_of_terminal_controls(room: WarRoom):
    incident_id = await room.declare("x\x1b[31m red\x07", Severity.SEV3)
    event = await room.log(Kind.NOTE, "a\x1b]0;title\x07b\x00c\r\nd", incident_id=incident_id)
    assert event.text == "abc\nd"
    assert (await room.incident(incident_id)).title == "x red"


async def test_journal_file_that_cannot_be_created(tmp_path: Path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with pytest.raises(JournalError, match="cannot create the journal"):
        await SqliteJournal.open(not_a_dir / "warroom.db")


async def test_closing_finishes_the_write_under_way_and_refuses_later_ones(db, clock):
    """A console quitting while a feed's observation is being written: the write under way
    is kept, and one that comes after the close is a JournalError the console shows, not a
    crash (aiosqlite's "no active connection" failed a demo console test as it quit)."""
    import asyncio

    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock)
    incident_id = await room.declare("API 500s", Severity.SEV1)
    under_way = asyncio.create_task(room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id))
    await asyncio.sleep(0)  # the write has its transaction
    await journal.close()
    assert (await under_way).text == "on it"
    with pytest.raises(JournalError, match="is closed"):
        await room.log(Kind.NOTE, "too late", incident_id=incident_id)
    assert [k for (k,) in rows(db, "SELECT kind FROM events ORDER BY id")] == [
        "detected",
        "acknowledged",
    ]


def test_an_open_cancelled_while_connecting_is_finished_and_closed(tmp_path, monkeypatch):
    """Ctrl+C while the journal opens (asyncio.run cancels the command): the open finishes and
    closes before the cancellation goes on. Else the connection's thread answered its connect
    after the event loop had closed, and the process printed a traceback on its way out (seen as
    a rare failure of test_hostile_input.py's Ctrl+C test). The connect is held until 50 ms after
    the cancel, so that the loop would be gone by then."""
    import asyncio
    import threading

    gate = threading.Event()
    real_connect = sqlite3.connect

    def held_connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(10)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", held_connect)
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    before = set(threading.enumerate())

    async def interrupted() -> None:
        opening = asyncio.ensure_future(SqliteJournal.open(tmp_path / "j.db"))
        await asyncio.sleep(0)  # now waiting on the connection's thread
        opening.cancel()
        asyncio.get_running_loop().call_later(0.05, gate.set)
        with pytest.raises(asyncio.CancelledError):
            await opening

    try:
        asyncio.run(interrupted())  # the loop is closed when this returns
    finally:
        gate.set()
    for thread in set(threading.enumerate()) - before:
        thread.join(10)
        assert not thread.is_alive()
    assert failures == []
