"""The feed board (warroom.store.feedboard): the feed lease, fenced publishing, reading on from
a cursor, de-duplication and bounds, on a real SQLite file beside a real journal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from warroom.errors import JournalError
from warroom.feedboard import BoardLine, Holder, Publication, TailPosition
from warroom.store import feedboard
from warroom.store.feedboard import SqliteFeedBoard, board_path

TTL = 3.0
ANA = Holder("ana-console", "ana", "bastion", 101)
BOB = Holder("bob-console", "bob", "bastion", 102)


def line(n: int, group: str = "/prod/backend", at_ms: int | None = None) -> BoardLine:
    return BoardLine(group, f"e{n}", 1_000 * n if at_ms is None else at_ms, "s", f"ERROR {n}", "")


def board(db: Path, fingerprint: str = "same-sources") -> SqliteFeedBoard:
    return SqliteFeedBoard.open(board_path(db), fingerprint)


def test_one_console_holds_the_lease_until_it_runs_out_or_is_released(db):
    one, two = board(db), board(db)
    lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None and lease.term == 1
    # Bob saw it free too, but Ana was quicker: the term he expected is gone.
    assert two.claim(BOB, expect_term=0, now=100.0, ttl=TTL) is None
    assert two.lease() == lease
    renewed = one.renew(lease, now=102.0, ttl=TTL)
    assert renewed is not None and renewed.until == 105.0
    one.release(lease, now=103.0)
    assert two.lease().until == 103.0  # free from now on, and when it was let go
    taken = two.claim(BOB, expect_term=1, now=103.5, ttl=TTL)
    assert taken is not None and taken.term == 2 and taken.holder == BOB
    assert one.renew(lease, now=104.0, ttl=TTL) is None  # Ana's is gone


def test_a_released_lease_stays_released_whatever_was_still_on_its_way(db):
    # A console quitting releases its lease while a publish or renewal it started may still be
    # running in a thread: arriving after the release, they must not take the lease back.
    one, two = board(db), board(db)
    lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    one.release(lease, now=101.0)
    assert one.publish(lease, Publication(lines=[line(1)]), now=100.5, ttl=TTL) is None
    assert one.renew(lease, now=100.5, ttl=TTL) is None
    assert two.lease().until == 101.0
    assert two.read(0, 0).lines == ()


def test_a_leader_that_lost_the_lease_cannot_publish(db):
    one, two = board(db), board(db)
    old = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert old is not None
    assert one.publish(old, Publication(lines=[line(1)]), now=101.0, ttl=TTL) is not None
    # Ana stalled past her lease; Bob took over.
    new = two.claim(BOB, expect_term=1, now=105.0, ttl=TTL)
    assert new is not None
    assert one.publish(old, Publication(lines=[line(2)]), now=105.5, ttl=TTL) is None
    reading = two.read(0, 0)
    assert [x.event_id for x in reading.lines] == ["e1"]


def test_readers_go_on_from_their_cursor_and_a_line_is_on_the_board_once(db):
    leader, follower = board(db), board(db)
    lease = leader.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    first = leader.publish(
        lease,
        Publication(lines=[line(1), line(2)], snapshots={"health": '{"a": 1}'}),
        now=100.0,
        ttl=TTL,
    )
    assert first is not None and [x.event_id for x in first.lines] == ["e1", "e2"]
    reading = follower.read(0, 0)
    assert [x.event_id for x in reading.lines] == ["e1", "e2"]
    assert reading.snapshots == {"health": '{"a": 1}'}
    # Polls overlap: a line seen again is not added again.
    again = leader.publish(lease, Publication(lines=[line(2), line(3)]), now=101.0, ttl=TTL)
    assert again is not None and [x.event_id for x in again.lines] == ["e3"]
    later = follower.read(reading.line_cursor, reading.stamp_cursor)
    assert [x.event_id for x in later.lines] == ["e3"] and later.snapshots == {}
    assert follower.read(later.line_cursor, later.stamp_cursor).lines == ()


def test_a_console_joining_reads_the_logs_window_only(db):
    leader = board(db)
    lease = leader.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    leader.publish(lease, Publication(lines=[line(1), line(50)]), now=100.0, ttl=TTL)
    reading = board(db).read(0, 0, since_ms=10_000)
    assert [x.event_id for x in reading.lines] == ["e50"]
    assert reading.line_cursor == 2  # the older line is not read later either


def test_other_sources_are_kept_apart(db):
    mine, theirs = board(db, "mine"), board(db, "theirs")
    lease = mine.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    assert theirs.claim(BOB, expect_term=0, now=100.0, ttl=TTL) is not None  # a lease of its own
    mine.publish(lease, Publication(lines=[line(1)]), now=100.0, ttl=TTL)
    assert theirs.read(0, 0).lines == ()


def test_positions_and_what_a_new_leader_has_seen(db):
    one = board(db)
    lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    position = TailPosition("/prod/backend", 2_000, 12_000, False)
    one.publish(
        lease,
        Publication(lines=[line(1), line(2), line(12)], positions=[position]),
        now=100.0,
        ttl=TTL,
    )
    other = board(db)
    assert other.positions() == {"/prod/backend": position}
    assert other.seen_since("/prod/backend", 2_000) == {"e2": 2_000, "e12": 12_000}


def test_the_board_stays_bounded(db, monkeypatch):
    monkeypatch.setattr(feedboard, "KEEP_LINES", 10)
    monkeypatch.setattr(feedboard, "PRUNE_EVERY", 5)
    one = board(db)
    lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    for n in range(0, 40, 4):
        batch = [line(k, at_ms=k) for k in range(n, n + 4)]
        position = TailPosition("/prod/backend", n - 2, n + 3, False)
        one.publish(lease, Publication(lines=batch, positions=[position]), now=100.0, ttl=TTL)
    kept = [int(x.event_id[1:]) for x in board(db).read(0, 0).lines]
    assert len(kept) <= 10 + 5 and kept[-1] == 39
    assert kept == sorted(kept)


def test_the_board_is_private_and_beside_the_journal(db):
    board(db)
    path = board_path(db)
    assert path == db.with_name("warroom.db.feeds")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_the_board_does_not_wake_the_consoles_change_poll(room, db):
    """Every console polls the journal's change token to redraw another's entries: the feeds'
    publishing, several times a second, must not look like a write."""
    before = await room.change_token()
    one = await room.feed_board("same-sources")
    lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
    assert lease is not None
    one.publish(lease, Publication(lines=[line(1)]), now=100.0, ttl=TTL)
    one.renew(lease, now=101.0, ttl=TTL)
    assert await room.change_token() == before
    one.close()


def test_a_board_newer_than_this_warroom_is_refused(db):
    board(db).close()
    import sqlite3

    conn = sqlite3.connect(board_path(db))
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(JournalError, match="newer than this warroom"):
        board(db)


def test_no_secret_the_process_knows_is_stored(db):
    from warroom import sanitize

    secret = "hunter2-Xq9Lw7Rk5Vz8"
    sanitize.register_secret(secret)
    try:
        one = board(db)
        lease = one.claim(ANA, expect_term=0, now=100.0, ttl=TTL)
        assert lease is not None
        leaked = BoardLine("/prod/backend", "e1", 1, "s", f"ERROR login {secret} refused", "")
        snapshot = f'{{"reason": "upstream said {secret}"}}'
        one.publish(
            lease, Publication(lines=[leaked], snapshots={"health": snapshot}), now=1.0, ttl=TTL
        )
        one.close()
        stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if ".feeds" in p.name)
        assert secret.encode() not in stored
        reading = board(db).read(0, 0)
        assert reading.lines[0].message == "ERROR login [redacted] refused"
    finally:
        sanitize.forget_secrets()
