"""The feed board's narrow interface: where consoles on one host share one set of feeds.

One console holds the lease of a set of sources (keyed by the fingerprint of their config) and
publishes what its pollers see; the others read it. SQLite implements it (warroom.store.feedboard,
a file beside the journal). Every method blocks on the file: callers run them in a thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Holder:
    """One console as a lease holder: `id` is unique per run; host and pid let a console on the
    same host see that the holder died without waiting for the lease to run out."""

    id: str
    user: str
    host: str
    pid: int


@dataclass(frozen=True)
class Lease:
    holder: Holder
    term: int  # one more at every change of holder: a publication names the term it was made in
    until: float  # seconds since the epoch; nobody holds it after that


@dataclass(frozen=True)
class BoardLine:
    """A log line as published: already made safe by the feed that read it."""

    group: str
    event_id: str
    at_ms: int
    stream: str
    message: str
    level: str


@dataclass(frozen=True)
class TailPosition:
    """Where a log group's tail stands after the last published poll: a new leader goes on from
    there (the lines it has seen since `start_ms` are on the board)."""

    group: str
    start_ms: int
    newest_ms: int
    initial: bool  # the initial window is still being read


@dataclass(frozen=True)
class Publication:
    lines: Sequence[BoardLine] = ()
    positions: Sequence[TailPosition] = ()
    snapshots: Mapping[str, str] = field(default_factory=dict)  # name -> JSON text


@dataclass(frozen=True)
class Published:
    """What a publication added: the lines that were new (a line already on the board is not
    added twice), and the board's cursors after it."""

    lines: tuple[BoardLine, ...]
    line_cursor: int
    stamp_cursor: int


@dataclass(frozen=True)
class Reading:
    """What was published after the reader's cursors (lines oldest first; the latest of each
    snapshot), and the cursors to read from next time."""

    lines: tuple[BoardLine, ...]
    snapshots: Mapping[str, str]
    line_cursor: int
    stamp_cursor: int


class FeedBoard(Protocol):
    """One set of sources (one fingerprint) on the board."""

    def lease(self) -> Lease | None: ...

    def claim(self, holder: Holder, *, expect_term: int, now: float, ttl: float) -> Lease | None:
        """Take the lease if its term is still `expect_term` (nobody took it meanwhile): the
        caller saw it free, run out or held by a console that died. None: another was faster."""
        ...

    def renew(self, lease: Lease, *, now: float, ttl: float) -> Lease | None:
        """Hold it longer; None when it is no longer ours."""
        ...

    def release(self, lease: Lease, *, now: float) -> None:
        """Give it up now (quitting): the next console need not wait for it to run out."""
        ...

    def publish(
        self, lease: Lease, publication: Publication, *, now: float, ttl: float
    ) -> Published | None:
        """Add it and hold the lease longer, in one transaction; None (nothing added) when the
        lease is no longer ours: a leader that lost it cannot publish past its successor."""
        ...

    def read(self, line_cursor: int, stamp_cursor: int, *, since_ms: int = 0) -> Reading:
        """What came after the cursors; lines older than `since_ms` are left out."""
        ...

    def seen_since(self, group: str, start_ms: int) -> dict[str, int]:
        """Event id -> timestamp of the group's lines from `start_ms` on (a new leader's
        de-duplication set)."""
        ...

    def positions(self) -> dict[str, TailPosition]: ...

    def close(self) -> None: ...
