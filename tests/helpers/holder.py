"""A child process that keeps the journal open (so SQLite's -wal and -shm stay) under a
hostile umask, until it is killed: the shared-journal tests look at the files it made."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from warroom.store import SqliteJournal


async def main(db: str, group: str) -> None:
    os.umask(0o077)  # a responder's own umask must not make the team's files private
    journal = await SqliteJournal.open(Path(db), group=group)
    await journal.list_incidents()
    sys.stdout.write("open\n")
    sys.stdout.flush()
    await asyncio.get_running_loop().run_in_executor(None, signal.pause)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
