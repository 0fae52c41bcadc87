"""A child process for the durability and concurrency tests: logs notes to one incident and
prints each entry's id only after the journal call (and so its commit) has returned."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal


async def main(db: str, incident_id: int, count: int, author: str) -> None:
    journal = await SqliteJournal.open(Path(db))
    room = WarRoom(journal, author=author, runbook=load_runbook())
    for n in range(count):
        event = await room.log(Kind.NOTE, f"{author} note {n}", incident_id=incident_id)
        sys.stdout.write(f"{event.id}\n")
        sys.stdout.flush()
    await room.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
