"""SqliteJournal: the file created private, opened with its pragmas and brought up to the
current schema; the journal the connection, incidents and outbox parts make up."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from warroom.errors import JournalError
from warroom.fileaccess import PRIVATE, check_open, create_file, journal_access, settle
from warroom.store.incidents import IncidentsMixin
from warroom.store.leases import LeasesMixin
from warroom.store.outbox import OutboxMixin
from warroom.store.postmortem import PostmortemMixin
from warroom.store.retractions import RetractionsMixin
from warroom.store.schema import migrate
from warroom.store.telemetry import TelemetryMixin

if TYPE_CHECKING:
    from warroom.store.feedboard import SqliteFeedBoard

BUSY_TIMEOUT_MS = 15_000


def create_private_file(path: Path) -> None:
    """Create the database file 0600 in a directory created 0700 (existing ones are left be)."""
    create_file(path, PRIVATE)


class SqliteJournal(
    IncidentsMixin, RetractionsMixin, OutboxMixin, LeasesMixin, PostmortemMixin, TelemetryMixin
):
    @classmethod
    async def open(cls, path: Path, *, synchronous: str = "FULL", group: str = "") -> SqliteJournal:
        """`group`: share the journal with that Unix group (warroom.fileaccess).

        Cancelled (Ctrl+C) while opening, the open is finished and closed before the
        cancellation goes on: the connection's thread would otherwise answer its last call after
        the event loop has closed, and print a traceback on the way out."""
        opening = asyncio.ensure_future(cls._open(path, synchronous, group))
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            with suppress(Exception):  # an open that failed left nothing open
                await (await opening).close()
            raise

    @classmethod
    async def _open(cls, path: Path, synchronous: str, group: str) -> SqliteJournal:
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
        access = journal_access(path, group)
        check_open(path)
        try:
            create_file(path, access)
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
            # After the first write: SQLite has made its -wal and -shm by now.
            await asyncio.to_thread(settle, path, access)
        except Exception as exc:
            await db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal {path}: {exc}") from None
        return journal

    async def close(self) -> None:
        """After the transaction under way, if any: a write begun is a write finished. A
        caller still at work (a feed's observation as the console quits) gets a JournalError."""
        async with self._lock:
            self._closed = True
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
