"""SqliteJournal: the file created private, opened with its pragmas and brought up to the
current schema; the journal the connection, incidents and outbox parts make up."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from warroom.errors import JournalError
from warroom.store.incidents import IncidentsMixin
from warroom.store.outbox import OutboxMixin
from warroom.store.retractions import RetractionsMixin
from warroom.store.schema import migrate
from warroom.store.telemetry import TelemetryMixin

if TYPE_CHECKING:
    from warroom.store.feedboard import SqliteFeedBoard

BUSY_TIMEOUT_MS = 15_000


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


class SqliteJournal(IncidentsMixin, RetractionsMixin, OutboxMixin, TelemetryMixin):
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
            await migrate(self._db, self.path)

    async def feed_board(self, fingerprint: str) -> SqliteFeedBoard:
        """The feed board beside this file (warroom.store.feedboard), opened off the loop."""
        from warroom.store.feedboard import open_feed_board

        return await asyncio.to_thread(open_feed_board, self.path, fingerprint)

    async def change_token(self) -> Hashable:
        # data_version moves when another connection commits; our own commits are counted here.
        async with self._lock:
            with self._journal_errors():
                version = await self._scalar("PRAGMA data_version")
        return (version, self._own_writes)
