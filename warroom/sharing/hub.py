"""Shared feeds: the consoles of one journal and one set of sources run one set of pollers.

Whoever holds the feed lease leads: its pollers (health, ECS, logs, within the one request
budget) run as a lone console's would, and each update is published on the board before its own
console shows it. The others follow: they read the board a few times a second and show the same
updates. When the leader goes (quits and releases the lease, dies and its pid is gone, or stops
renewing for LEASE_TTL) a follower takes the lease, reads what was published up to then, and its
pollers go on from the published positions, so no line is lost or shown twice. Publishing is
fenced by the lease's term: a leader that lost it cannot publish past its successor.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from warroom.config import Config
from warroom.errors import JournalError
from warroom.feedboard import FeedBoard, Holder, Lease, Reading
from warroom.sharing import codec
from warroom.sharing.items import ALARMS, ECS, HEALTH, FeedItem, HealthOnBoard, SharingChanged
from warroom.sharing.pollers import QUEUE, RESTART_AFTER, Pollers
from warroom.sharing.reader import BoardReader, as_published, publication
from warroom.sources.alarms import AlarmSnapshot
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsSnapshot
from warroom.timeutil import utcnow

# A leader that stops renewing (hung, or on another host) is replaced after this; one that
# quits releases the lease, and one that dies is seen gone by its pid, both at once.
LEASE_TTL = 3.0
RENEW_EVERY = 0.5  # seconds between renewals when there is nothing to publish
FOLLOW_EVERY = 0.1  # seconds between a follower's looks at the board (and at the lease)
# Snapshots published longer ago than this (no console ran meanwhile) are no baseline to
# observe changes against: a new leader starts afresh, as a lone console would.
FRESH_FOR = 60.0


def this_console(user: str) -> Holder:
    return Holder(uuid.uuid4().hex, user, socket.gethostname(), os.getpid())


def holder_alive(holder: Holder) -> bool:
    """False only when the holder surely is gone: a console on this host whose process has
    ended (kill -9, an SSH drop) or is a zombie. One on another host, or of another user, is
    taken to live until its lease runs out."""
    if holder.host != socket.gethostname():
        return True
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    try:
        stat = Path(f"/proc/{holder.pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


class SharedFeeds:
    """The feeds of one console; `updates()` yields what it should show, whoever polls."""

    def __init__(
        self,
        config: Config,
        board: FeedBoard | None,
        *,
        holder: Holder,
        clients: AwsClients | None = None,
        clock: Callable[[], datetime] = utcnow,
        now: Callable[[], float] = time.time,
        alive: Callable[[Holder], bool] = holder_alive,
        ttl: float = LEASE_TTL,
        renew_every: float = RENEW_EVERY,
        follow_every: float = FOLLOW_EVERY,
        restart_after: float = RESTART_AFTER,
        alone_because: str = "",
    ) -> None:
        self.config = config
        self.board = board
        self.holder = holder
        self.clients = clients or AwsClients(config)
        self.clock = clock
        self.now = now
        self.alive = alive
        self.ttl = ttl
        self.renew_every = renew_every
        self.follow_every = follow_every
        self.restart_after = restart_after
        self.alone_because = alone_because
        self.role = ""
        self.lease: Lease | None = None
        self.reader = BoardReader(config, clock)
        self._out: asyncio.Queue[FeedItem] = asyncio.Queue(maxsize=QUEUE)
        # Sees what this console's own pollers made (leading or alone), not what it read from
        # the board: the flight recorder runs in the console that polls (warroom.recorder).
        self.polled: Callable[[FeedItem], None] | None = None

    async def updates(self) -> AsyncIterator[FeedItem]:
        """For as long as the caller iterates; the lease is given up when it stops."""
        runner = asyncio.create_task(self._run())
        getting: asyncio.Future[FeedItem] | None = None
        try:
            while True:
                getting = asyncio.ensure_future(self._out.get())
                done, _ = await asyncio.wait({getting, runner}, return_when="FIRST_COMPLETED")
                if getting not in done:
                    runner.result()  # ended by raising: say what went wrong
                    return  # ended with nothing more to poll
                yield getting.result()
        finally:
            for task in (runner, getting):
                if task is not None:
                    task.cancel()
            try:
                await asyncio.gather(runner, return_exceptions=True)
            finally:  # released even when the wait itself is cancelled (the console quitting)
                self.close()

    def close(self) -> None:
        """Release the lease (the next console takes over at once) and close the board."""
        board, lease, self.board, self.lease = self.board, self.lease, None, None
        if board is None:
            return
        with suppress(JournalError):
            if lease is not None:
                board.release(lease, now=self.now())
        board.close()

    # Roles --------------------------------------------------------------------------------

    async def _run(self) -> None:
        if self.board is None:
            await self._become("alone", self.alone_because)
            await self._poll(Pollers(self.config, self.clients, clock=self.clock))
            return
        try:
            while True:
                taken = await self._take(await asyncio.to_thread(self._board().lease))
                if taken is None:
                    taken = await self._follow()
                await self._lead(*taken)
        except JournalError as exc:
            await self._go_alone(str(exc))

    async def _take(self, current: Lease | None) -> tuple[Lease, bool] | None:
        """The lease, unless a console that is alive holds it; with whether the board's
        snapshots are fresh enough to go on from."""
        now = self.now()
        if current is not None and current.until > now and self.alive(current.holder):
            return None
        board = self._board()
        lease = await asyncio.to_thread(
            board.claim,
            self.holder,
            expect_term=current.term if current else 0,
            now=now,
            ttl=self.ttl,
        )
        if lease is None:  # another console was quicker
            return None
        fresh = current is not None and current.until >= now - FRESH_FOR
        # What the last leader published before it went (and, starting, the logs' window).
        await self._show(await asyncio.to_thread(self._look_board), snapshots=fresh)
        return lease, fresh

    async def _follow(self) -> tuple[Lease, bool]:
        await self._become("following")
        warming: asyncio.Future[None] | None = None
        while True:
            reading, current = await asyncio.to_thread(self._look)
            await self._show(reading, snapshots=True)
            if warming is None:
                warming = asyncio.ensure_future(asyncio.to_thread(self._warm_up))
            taken = await self._take(current)
            if taken is not None:
                return taken
            await asyncio.sleep(self.follow_every)

    def _warm_up(self) -> None:
        """Ready to take over: boto3 and the logs client made while following, not once the
        leader is gone (half a second of a takeover, for some 25 MB of memory)."""
        if self.config.logs.groups:
            with suppress(Exception):  # the pollers will say what is wrong, if it is
                self.clients.client("logs", attempts=1)

    async def _lead(self, lease: Lease, fresh: bool) -> None:
        """Poll and publish until the lease is lost (then return, to follow again)."""
        board = self._board()
        self.lease = lease
        await self._become("leading")
        pollers = Pollers(
            self.config, self.clients, clock=self.clock, restart_after=self.restart_after
        )
        state = await asyncio.to_thread(board.read, self.reader.line_cursor, 0)
        health, ecs = _snapshots(state) if fresh else (None, None)
        alarms = _alarms(state) if fresh else None
        positions = await asyncio.to_thread(board.positions)
        await asyncio.to_thread(
            pollers.resume,
            health=health,
            ecs=ecs,
            positions=positions,
            seen=board.seen_since,
            alarms=alarms,
        )
        lost = asyncio.Event()
        tasks = [
            asyncio.create_task(self._publish(pollers, lost)),
            asyncio.create_task(self._renew(lost)),
        ]
        waiting = asyncio.create_task(lost.wait())
        try:
            pending: set[asyncio.Task[Any]] = {*tasks, waiting}
            while not lost.is_set():
                done, pending = await asyncio.wait(pending, return_when="FIRST_COMPLETED")
                for task in done:
                    task.result()  # an error in one of them is raised here
        finally:
            for task in (*tasks, waiting):
                task.cancel()
            await asyncio.gather(*tasks, waiting, return_exceptions=True)
        self.lease = None  # lost (when cancelled, close() still releases it)

    async def _publish(self, pollers: Pollers, lost: asyncio.Event) -> None:
        """Each update onto the board, then to this console: what it shows is what the others
        read. A lease gone (another console took it) stops it."""
        async with aclosing(pollers.updates()) as updates:
            async for item in updates:
                shared = publication(item, pollers)
                board, lease = self.board, self.lease
                if shared is not None and board is not None and lease is not None:
                    try:
                        published = await asyncio.to_thread(
                            board.publish, lease, shared, now=self.now(), ttl=self.ttl
                        )
                    except JournalError as exc:  # the pollers go on, for this console alone
                        await self._go_alone(str(exc), keep_polling=True)
                    else:
                        if published is None:
                            lost.set()
                            return
                        self.reader.caught_up(published)
                        item = as_published(item, published)
                self._saw(item)
                await self._out.put(item)

    async def _renew(self, lost: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            board, lease = self.board, self.lease
            if board is None or lease is None:
                return
            try:
                renewed = await asyncio.to_thread(board.renew, lease, now=self.now(), ttl=self.ttl)
            except JournalError as exc:
                await self._go_alone(str(exc), keep_polling=True)
                return
            if renewed is None:
                lost.set()
                return

    # Inside -------------------------------------------------------------------------------

    async def _poll(self, pollers: Pollers) -> None:
        async with aclosing(pollers.updates()) as updates:
            async for item in updates:
                self._saw(item)
                await self._out.put(item)

    def _saw(self, item: FeedItem) -> None:
        if self.polled is not None:
            self.polled(item)

    async def _go_alone(self, why: str, *, keep_polling: bool = False) -> None:
        """The board failed: this console polls for itself from now on (the others take the
        lease over once it runs out)."""
        board, self.board, self.lease = self.board, None, None
        if board is not None:
            with suppress(JournalError):
                board.close()
        await self._become("alone", f"the feed board failed: {why}")
        if not keep_polling:
            await self._poll(Pollers(self.config, self.clients, clock=self.clock))

    async def _become(self, role: str, detail: str = "") -> None:
        if role != self.role:
            self.role = role
            await self._out.put(SharingChanged(role, detail))

    def _look(self) -> tuple[Reading, Lease | None]:
        """Blocking: what was published since the cursors, and who holds the lease."""
        return self._look_board(), self._board().lease()

    def _look_board(self) -> Reading:
        reader = self.reader
        return self._board().read(
            reader.line_cursor, reader.stamp_cursor, since_ms=reader.since_ms()
        )

    async def _show(self, reading: Reading, *, snapshots: bool) -> None:
        for item in self.reader.items(reading, snapshots=snapshots):
            await self._out.put(item)

    def _board(self) -> FeedBoard:
        if self.board is None:
            raise JournalError("the feed board is closed")
        return self.board


def _snapshots(reading: Reading) -> tuple[HealthOnBoard | None, EcsSnapshot | None]:
    """The last published health and ECS state, for pollers taking over from it."""
    health = ecs = None
    with suppress(ValueError):
        if HEALTH in reading.snapshots:
            health = codec.loads(reading.snapshots[HEALTH], HealthOnBoard)
    with suppress(ValueError):
        if ECS in reading.snapshots:
            ecs = codec.loads(reading.snapshots[ECS], EcsSnapshot)
    return health, ecs


def _alarms(reading: Reading) -> AlarmSnapshot | None:
    """The last published alarms: transitions seen before the takeover are not news again."""
    with suppress(ValueError):
        if ALARMS in reading.snapshots:
            return codec.loads(reading.snapshots[ALARMS], AlarmSnapshot)
    return None
