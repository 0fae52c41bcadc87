"""Entries survive kill -9, and several processes write one journal without "database is locked".

Real child processes (forked from a zygote that has imported warroom, so they start in
milliseconds) write a real SQLite file; see tests/helpers/writer.py.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import subprocess
from pathlib import Path

from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import REPO, isolated_env
from .helpers.forkserver import Child, ForkServer

TRIALS = 25


async def _declare(db: Path) -> int:
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="setup", runbook=load_runbook()) as room:
        return await room.declare("Burst", Severity.SEV1)


def _writer(
    forkserver: ForkServer, db: Path, incident_id: int, count: int, author: str, home: Path
) -> Child:
    return forkserver.spawn(
        "tests.helpers.writer",
        [str(db), str(incident_id), str(count), author],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=isolated_env(home),
    )


def _ids_in(db: Path) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM events WHERE kind = 'note'")}
    finally:
        conn.close()


def test_every_acknowledged_entry_survives_kill_9(
    tmp_path: Path, home: Path, forkserver: ForkServer
):
    db = tmp_path / "burst.db"
    incident_id = asyncio.run(_declare(db))
    rng = random.Random(7)
    acknowledged: set[int] = set()
    for trial in range(TRIALS):
        child = _writer(forkserver, db, incident_id, 100_000, f"writer{trial}", home)
        assert child.stdout is not None
        wanted = rng.randint(1, 60)
        seen = []
        for line in child.stdout:
            seen.append(int(line))
            if len(seen) >= wanted:
                break
        child.send_signal(signal.SIGKILL)  # mid-burst: it keeps writing until the signal lands
        # Lines printed after we stopped reading were acknowledged too.
        rest, _ = child.communicate(timeout=30)
        seen += [int(line) for line in rest.splitlines() if line.strip().isdigit()]
        assert child.returncode == -signal.SIGKILL
        acknowledged.update(seen)
        missing = set(seen) - _ids_in(db)
        assert not missing, f"trial {trial}: acknowledged but lost: {sorted(missing)[:10]}"
    assert len(acknowledged) >= TRIALS
    # The journal is still healthy after all those kills.
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_four_processes_write_at_once(tmp_path: Path, home: Path, forkserver: ForkServer):
    db = tmp_path / "shared.db"
    incident_id = asyncio.run(_declare(db))
    writers = [_writer(forkserver, db, incident_id, 500, f"responder{n}", home) for n in range(4)]
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err
        assert len(out.split()) == 500
    conn = sqlite3.connect(db)
    per_author = dict(
        conn.execute("SELECT author, COUNT(*) FROM events WHERE kind = 'note' GROUP BY author")
    )
    conn.close()
    assert per_author == {f"responder{n}": 500 for n in range(4)}
    printed = {int(i) for out, _ in outputs for i in out.split()}
    assert printed == _ids_in(db)
