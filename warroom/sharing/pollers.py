"""One console's own pollers, as the console always ran them: health endpoints, the ECS cluster
and the log groups, each in a task of its own, restarted when it raises, their updates merged
into one stream. `resume` sets them to go on from where another console's pollers stood."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from warroom.config import Config
from warroom.feedboard import TailPosition
from warroom.sharing.items import FeedItem, FeedStopped, HealthOnBoard
from warroom.sources.alarms import AlarmFeed, AlarmSnapshot
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsFeed, EcsSnapshot
from warroom.sources.health import HealthFeed, HealthSnapshot
from warroom.sources.logs import LogTailer
from warroom.sources.status import merged
from warroom.timeutil import utcnow

RESTART_AFTER = 5.0  # seconds before a feed that raised is started again
QUEUE = 100  # updates waiting for the console, at most (a slow reader slows the polls)


class Pollers:
    def __init__(
        self,
        config: Config,
        clients: AwsClients,
        *,
        clock: Callable[[], datetime] = utcnow,
        restart_after: float = RESTART_AFTER,
    ) -> None:
        self.config = config
        self._clock = clock
        self._restart_after = restart_after
        self.health = (
            HealthFeed(config.health.endpoints, config.sla, clock=clock)
            if config.health.endpoints
            else None
        )
        self.ecs = EcsFeed(config.ecs, clients, clock=clock) if config.ecs is not None else None
        self.logs = LogTailer(config.logs, clients, clock=clock) if config.logs.groups else None
        self.alarms = (
            AlarmFeed(config.alarms, clients, clock=clock) if config.alarms.watched else None
        )

    def resume(
        self,
        *,
        health: HealthOnBoard | None,
        ecs: EcsSnapshot | None,
        positions: Mapping[str, TailPosition],
        seen: Callable[[str, int], dict[str, int]],
        alarms: AlarmSnapshot | None = None,
    ) -> None:
        """Go on from the last published state: the health windows' checks, the ECS services
        (what changed since is observed, not taken as a new baseline), and each log group's
        tail from its published position, knowing the lines published since (so none is
        emitted twice). A position older than the logs' window is not gone back to."""
        if self.health is not None and health is not None:
            views = {e.name: e for e in health.snapshot.endpoints}
            for n, window in enumerate(self.health.windows):
                view = views.get(window.endpoint.name)
                if view is not None and n < len(health.checks):
                    window.restore(health.checks[n], view)
        if self.ecs is not None and ecs is not None:
            self.ecs.last = ecs
        if self.alarms is not None and alarms is not None:
            self.alarms.last = alarms  # a transition seen before is not news again
        if self.logs is None:
            return
        floor = since(self.config, self._clock)
        for tail in self.logs.groups:
            position = positions.get(tail.group)
            if position is not None and position.start_ms >= floor:
                tail.start_ms = position.start_ms
                tail.newest_ms = max(position.newest_ms, position.start_ms)
                tail.initial = position.initial
            tail.seen = seen(tail.group, tail.start_ms)

    def positions(self) -> dict[str, TailPosition]:
        if self.logs is None:
            return {}
        return {
            t.group: TailPosition(t.group, t.start_ms, t.newest_ms, t.initial)
            for t in self.logs.groups
        }

    def health_on_board(self, snapshot: HealthSnapshot) -> HealthOnBoard:
        windows = self.health.windows if self.health is not None else []
        return HealthOnBoard(snapshot, tuple(tuple(w.checks) for w in windows))

    def updates(self) -> AsyncIterator[FeedItem]:
        """Every feed's updates as they come, for as long as the caller iterates."""
        feeds: list[tuple[str, Callable[[], AsyncIterator[Any]]]] = []
        if self.health is not None:
            feeds.append(("health", self.health.updates))
        if self.ecs is not None:
            feeds.append(("ecs", self.ecs.updates))
        if self.logs is not None:
            feeds.append(("logs", self.logs.updates))
        if self.alarms is not None:
            feeds.append(("alarms", self.alarms.updates))

        async def follow(
            name: str, updates: Callable[[], AsyncIterator[Any]], queue: asyncio.Queue[FeedItem]
        ) -> None:
            while True:
                try:
                    async for item in updates():
                        await queue.put(item)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # keep the war room up whatever a feed does
                    await queue.put(FeedStopped(name, str(exc)))
                    await asyncio.sleep(self._restart_after)

        return merged((partial(follow, name, updates) for name, updates in feeds), maxsize=QUEUE)


def since(config: Config, clock: Callable[[], datetime]) -> int:
    """The start of the logs' window, in ms: a console joining shows lines from there on."""
    return int((clock() - config.logs.since).timestamp() * 1000)
