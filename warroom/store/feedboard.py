"""The feed board in SQLite: a file beside the journal (`warroom.db.feeds`) holding the feed
lease of each set of sources, the log lines its leader published, the tails' positions and the
latest health and ECS snapshots.

Apart from the journal on purpose: every commit to the journal moves its data_version, which
every console reads as "someone wrote, reload the incident" (the change poll), and every journal
commit is fsynced. The board commits several times a second and is a cache: WAL with
synchronous=NORMAL (no fsync per commit), rebuilt by the pollers if it is lost. It stays bounded:
KEEP_LINES per group (and the lines a new leader needs for de-duplication), one row per snapshot,
and the sets of sources nobody has held for a day are dropped.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from warroom.errors import JournalError
from warroom.feedboard import (
    BoardLine,
    Holder,
    Lease,
    Publication,
    Published,
    Reading,
    TailPosition,
)
from warroom.fileaccess import PRIVATE, Access, check_open, companion_access, create_file, settle
from warroom.sanitize import redact_secrets
from warroom.store.schema import statements
from warroom.store.sqlite import BUSY_TIMEOUT_MS

KEEP_LINES = 5_000  # per group: as many as a log pane shows
PRUNE_EVERY = 500  # lines added to a group between two prunings
FORGET_AFTER = 24 * 3600.0  # seconds: sources nobody held for this long are dropped
WAL_LIMIT = 4 * 1024 * 1024  # bytes the WAL is cut back to after a checkpoint

# Forward migrations of the board, like the journal's (warroom.store.schema): never edit one.
BOARD_MIGRATIONS: tuple[str, ...] = (
    # 1: the lease, the lines, the tails' positions, the snapshots.
    """
    CREATE TABLE lease (
        fingerprint TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        user TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        term INTEGER NOT NULL,
        until REAL NOT NULL
    );
    CREATE TABLE lines (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        grp TEXT NOT NULL,
        event_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        stream TEXT NOT NULL,
        message TEXT NOT NULL,
        level TEXT NOT NULL,
        UNIQUE (fingerprint, grp, event_id)
    );
    CREATE INDEX lines_by_seq ON lines(fingerprint, seq);
    CREATE INDEX lines_by_group ON lines(fingerprint, grp, seq);
    CREATE TABLE positions (
        fingerprint TEXT NOT NULL,
        grp TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        newest_ms INTEGER NOT NULL,
        initial INTEGER NOT NULL,
        PRIMARY KEY (fingerprint, grp)
    );
    CREATE TABLE snapshots (
        fingerprint TEXT NOT NULL,
        name TEXT NOT NULL,
        stamp INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (fingerprint, name)
    );
    """,
)


def board_path(journal: Path) -> Path:
    """The board beside a journal: `warroom.db` -> `warroom.db.feeds`."""
    return journal.with_name(journal.name + ".feeds")


class SqliteFeedBoard:
    """The board of one set of sources. One connection, used from any thread, one call at a
    time."""

    def __init__(self, conn: sqlite3.Connection, path: Path, fingerprint: str) -> None:
        self._conn = conn
        self.path = path
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._released: set[int] = set()  # terms this console gave up
        self._added: dict[str, int] = {}  # lines added per group since its last pruning
        self._version: int | None = None  # data_version at the last read that found nothing
        self._empty_at: tuple[int, int] | None = None  # the cursors that read found nothing at

    @classmethod
    def open(cls, path: Path, fingerprint: str, access: Access = PRIVATE) -> SqliteFeedBoard:
        """`access`: the journal's (warroom.fileaccess), so a team shares its board too."""
        try:
            check_open(path, "feed board")
            create_file(path, access)
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the feed board {path}: {exc}") from None
        board = cls(conn, path, fingerprint)
        try:
            with board._errors():
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
                with board._transaction():
                    board._migrate()
            settle(path, access)
        except JournalError:
            conn.close()
            raise
        return board

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._conn.close()

    # The lease ----------------------------------------------------------------------------

    def lease(self) -> Lease | None:
        with self._lock, self._errors():
            return self._lease()

    def claim(self, holder: Holder, *, expect_term: int, now: float, ttl: float) -> Lease | None:
        with self._transaction():
            current = self._lease()
            if (current.term if current else 0) != expect_term:
                return None
            lease = Lease(holder, expect_term + 1, now + ttl)
            self._conn.execute(
                "INSERT INTO lease (fingerprint, holder, user, host, pid, term, until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET"
                " holder = excluded.holder, user = excluded.user, host = excluded.host,"
                " pid = excluded.pid, term = excluded.term, until = excluded.until",
                (
                    self.fingerprint,
                    holder.id,
                    holder.user,
                    holder.host,
                    holder.pid,
                    lease.term,
                    lease.until,
                ),
            )
            self._forget_abandoned(now)
            return lease

    def renew(self, lease: Lease, *, now: float, ttl: float) -> Lease | None:
        with self._transaction():
            return self._extend(lease, now + ttl)

    def release(self, lease: Lease, *, now: float) -> None:
        with self._transaction():
            self._extend(lease, now)
            # A publish or renewal still on its way in a thread must not take it back.
            self._released.add(lease.term)

    # Publishing and reading ---------------------------------------------------------------

    def publish(
        self, lease: Lease, publication: Publication, *, now: float, ttl: float
    ) -> Published | None:
        with self._transaction():
            if self._extend(lease, now + ttl) is None:
                return None
            added = [line for line in publication.lines if self._insert(line)]
            for position in publication.positions:
                self._conn.execute(
                    "INSERT INTO positions (fingerprint, grp, start_ms, newest_ms, initial)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (fingerprint, grp) DO UPDATE SET"
                    " start_ms = excluded.start_ms, newest_ms = excluded.newest_ms,"
                    " initial = excluded.initial",
                    (
                        self.fingerprint,
                        position.group,
                        position.start_ms,
                        position.newest_ms,
                        int(position.initial),
                    ),
                )
            for name, body in publication.snapshots.items():
                body = redact_secrets(body)  # what is stored holds no secret the process knows
                self._conn.execute(
                    "INSERT INTO snapshots (fingerprint, name, stamp, body) VALUES"
                    " (?, ?, (SELECT COALESCE(MAX(stamp), 0) + 1 FROM snapshots), ?)"
                    " ON CONFLICT (fingerprint, name) DO UPDATE SET stamp = excluded.stamp,"
                    " body = excluded.body",
                    (self.fingerprint, name, body),
                )
            for line in added:
                self._added[line.group] = self._added.get(line.group, 0) + 1
            for group, count in list(self._added.items()):
                if count >= PRUNE_EVERY:
                    self._prune(group)
            return Published(tuple(added), *self._cursors())

    def read(self, line_cursor: int, stamp_cursor: int, *, since_ms: int = 0) -> Reading:
        with self._lock, self._errors():
            # Nothing committed by anyone since a read that found nothing: skip the queries
            # (a follower asks several times a second).
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version and (line_cursor, stamp_cursor) == self._empty_at:
                return Reading((), {}, line_cursor, stamp_cursor)
            self._conn.execute("BEGIN")
            try:
                rows = self._conn.execute(
                    "SELECT grp, event_id, at_ms, stream, message, level FROM lines"
                    " WHERE fingerprint = ? AND seq > ? AND at_ms >= ? ORDER BY seq",
                    (self.fingerprint, line_cursor, since_ms),
                ).fetchall()
                snapshots = self._conn.execute(
                    "SELECT name, body FROM snapshots WHERE fingerprint = ? AND stamp > ?"
                    " ORDER BY stamp",
                    (self.fingerprint, stamp_cursor),
                ).fetchall()
                lines, stamps = self._cursors()
            finally:
                self._conn.execute("COMMIT")
            reading = Reading(
                tuple(BoardLine(*row) for row in rows),
                dict(snapshots),
                max(line_cursor, lines),
                max(stamp_cursor, stamps),
            )
            if not reading.lines and not reading.snapshots:
                self._version, self._empty_at = version, (reading.line_cursor, reading.stamp_cursor)
            return reading

    def seen_since(self, group: str, start_ms: int) -> dict[str, int]:
        with self._lock, self._errors():
            return dict(
                self._conn.execute(
                    "SELECT event_id, at_ms FROM lines WHERE fingerprint = ? AND grp = ?"
                    " AND at_ms >= ?",
                    (self.fingerprint, group, start_ms),
                ).fetchall()
            )

    def positions(self) -> dict[str, TailPosition]:
        with self._lock, self._errors():
            rows = self._conn.execute(
                "SELECT grp, start_ms, newest_ms, initial FROM positions WHERE fingerprint = ?",
                (self.fingerprint,),
            ).fetchall()
        return {g: TailPosition(g, start, newest, bool(first)) for g, start, newest, first in rows}

    # Inside ---------------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise JournalError(f"the feed board {self.path} failed: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction, the write lock taken up front (no "database is locked" half way
        through a read-then-write)."""
        with self._lock, self._errors():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        latest = len(BOARD_MIGRATIONS)
        if version > latest:
            raise JournalError(
                f"the feed board {self.path} is at version {version}, newer than this warroom"
                f" knows ({latest})"
            )
        for step in range(version, latest):
            for statement in statements(BOARD_MIGRATIONS[step]):
                self._conn.execute(statement)
        if version != latest:
            self._conn.execute(f"PRAGMA user_version = {latest}")

    def _lease(self) -> Lease | None:
        row = self._conn.execute(
            "SELECT holder, user, host, pid, term, until FROM lease WHERE fingerprint = ?",
            (self.fingerprint,),
        ).fetchone()
        if row is None:
            return None
        holder, user, host, pid, term, until = row
        return Lease(Holder(holder, user, host, pid), term, until)

    def _extend(self, lease: Lease, until: float) -> Lease | None:
        if lease.term in self._released:
            return None
        cursor = self._conn.execute(
            "UPDATE lease SET until = ? WHERE fingerprint = ? AND holder = ? AND term = ?",
            (until, self.fingerprint, lease.holder.id, lease.term),
        )
        return Lease(lease.holder, lease.term, until) if cursor.rowcount == 1 else None

    def _insert(self, line: BoardLine) -> bool:
        # Made safe by the feed already (sanitize.safe_line); by value again, as the journal is.
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO lines (fingerprint, grp, event_id, at_ms, stream, message,"
            " level) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.fingerprint,
                line.group,
                line.event_id,
                line.at_ms,
                redact_secrets(line.stream),
                redact_secrets(line.message),
                line.level,
            ),
        )
        return cursor.rowcount == 1

    def _cursors(self) -> tuple[int, int]:
        lines = self._scalar("SELECT MAX(seq) FROM lines WHERE fingerprint = ?")
        stamps = self._scalar("SELECT MAX(stamp) FROM snapshots WHERE fingerprint = ?")
        return lines, stamps

    def _scalar(self, sql: str) -> int:
        row = self._conn.execute(sql, (self.fingerprint,)).fetchone()
        return int(row[0] or 0) if row else 0

    def _prune(self, group: str) -> None:
        """Keep the group's newest KEEP_LINES, and every line a new leader's de-duplication
        needs (from its tail's start on)."""
        self._added[group] = 0
        start = self._conn.execute(
            "SELECT start_ms FROM positions WHERE fingerprint = ? AND grp = ?",
            (self.fingerprint, group),
        ).fetchone()
        self._conn.execute(
            "DELETE FROM lines WHERE fingerprint = ? AND grp = ? AND at_ms < ? AND seq <="
            " (SELECT seq FROM lines WHERE fingerprint = ? AND grp = ?"
            " ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (
                self.fingerprint,
                group,
                start[0] if start else 0,
                self.fingerprint,
                group,
                KEEP_LINES,
            ),
        )

    def _forget_abandoned(self, now: float) -> None:
        """Sources nobody has held for a day (a config that changed): their lines go."""
        stale = [
            fp
            for (fp,) in self._conn.execute(
                "SELECT fingerprint FROM lease WHERE until < ? AND fingerprint != ?",
                (now - FORGET_AFTER, self.fingerprint),
            ).fetchall()
        ]
        for fingerprint in stale:
            for table in ("lines", "positions", "snapshots", "lease"):
                self._conn.execute(f"DELETE FROM {table} WHERE fingerprint = ?", (fingerprint,))


def open_feed_board(journal: Path, fingerprint: str) -> SqliteFeedBoard:
    return SqliteFeedBoard.open(board_path(journal), fingerprint, companion_access(journal))
