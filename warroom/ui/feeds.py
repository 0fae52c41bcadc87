"""The live feeds reach the console as Messages: each feed runs in a worker of its own and posts
what it sees; a feed that breaks is restarted, never taking the console down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from textual.app import App
from textual.message import Message

from warroom.config import Config
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsFeed, EcsSnapshot
from warroom.sources.health import HealthFeed, HealthSnapshot
from warroom.sources.logs import LogBatch, LogTailer

RESTART_AFTER = 5.0  # seconds before a feed that raised is started again


class HealthArrived(Message):
    def __init__(self, snapshot: HealthSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class EcsArrived(Message):
    def __init__(self, snapshot: EcsSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class LogsArrived(Message):
    def __init__(self, batch: LogBatch) -> None:
        super().__init__()
        self.batch = batch


def start_feeds(app: App[Any], config: Config) -> None:
    """A worker per configured source: health endpoints, the ECS cluster, the log groups."""
    clients = AwsClients(config)
    if config.health.endpoints:
        endpoints, sla = config.health.endpoints, config.sla
        _follow(app, "health", lambda: HealthFeed(endpoints, sla).updates(), HealthArrived)
    if config.ecs is not None:
        ecs = config.ecs
        _follow(app, "ecs", lambda: EcsFeed(ecs, clients).updates(), EcsArrived)
    if config.logs.groups:
        logs = config.logs
        _follow(app, "logs", lambda: LogTailer(logs, clients).updates(), LogsArrived)


def _follow(
    app: App[Any],
    name: str,
    updates: Callable[[], AsyncIterator[Any]],
    message: Callable[[Any], Message],
) -> None:
    async def run() -> None:
        while True:
            try:
                async for snapshot in updates():
                    app.post_message(message(snapshot))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the war room up whatever a feed does
                app.notify(f"{name} feed stopped: {exc}; restarting", severity="error")
                await asyncio.sleep(RESTART_AFTER)

    app.run_worker(run(), name=f"{name} feed", group="feeds", exit_on_error=False)
