"""The live feeds reach the console as Messages. One worker runs them (warroom.sharing): this
console's own pollers, or whichever console on the journal holds the feed lease; a feed that
breaks is restarted, never taking the console down."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

from textual.app import App
from textual.message import Message

from warroom.config import Config
from warroom.recorder import Recorder, keep_recording
from warroom.sharing import FeedItem, FeedStopped, SharingChanged, console_feeds
from warroom.sharing.pollers import RESTART_AFTER
from warroom.sources.alarms import AlarmSnapshot
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import HealthSnapshot
from warroom.sources.logs import LogBatch
from warroom.timeutil import utcnow


class HealthArrived(Message):
    def __init__(self, snapshot: HealthSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class EcsArrived(Message):
    def __init__(self, snapshot: EcsSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class AlarmsArrived(Message):
    def __init__(self, snapshot: AlarmSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class LogsArrived(Message):
    def __init__(self, batch: LogBatch) -> None:
        super().__init__()
        self.batch = batch


def start_feeds(app: App[Any], config: Config) -> None:
    """Health endpoints, the ECS cluster and the log groups, shared with the other consoles of
    the app's journal that watch the same sources (`[console] share_feeds`)."""

    recorder = _recorder(app, config)

    async def run() -> None:
        while True:
            try:
                feeds = await console_feeds(config, getattr(app, "room", None))
                if recorder is not None:
                    feeds.polled = recorder.see
                # Closed here, when the console quits (this worker cancelled): the feed lease is
                # released then, not whenever the loop got round to finalizing the generator.
                async with aclosing(feeds.updates()) as updates:
                    async for item in updates:
                        _deliver(app, item)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the war room up whatever the feeds do
                app.notify(f"feeds stopped: {exc}; restarting", severity="error")
                await asyncio.sleep(RESTART_AFTER)

    app.run_worker(run(), name="feeds", group="feeds", exit_on_error=False)


def _recorder(app: App[Any], config: Config) -> Recorder | None:
    """The flight recorder (warroom.recorder), fed by this console's own pollers and written
    to the journal every few seconds by a worker of its own."""
    if not config.recorder.enabled:
        return None
    recorder = Recorder(
        lead_in=config.recorder.lead_in,
        tenant_pattern=config.recorder.tenant_pattern,
        clock=getattr(app, "clock", utcnow),
    )

    def failed(why: str) -> None:
        app.notify(f"telemetry not recorded: {why}", severity="warning", timeout=10)

    app.run_worker(
        keep_recording(recorder, lambda: getattr(app, "room", None), failed=failed),
        name="recorder",
        group="recorder",
        exit_on_error=False,
    )
    return recorder


def _deliver(app: App[Any], item: FeedItem) -> None:
    if isinstance(item, HealthSnapshot):
        app.post_message(HealthArrived(item))
    elif isinstance(item, EcsSnapshot):
        app.post_message(EcsArrived(item))
    elif isinstance(item, LogBatch):
        app.post_message(LogsArrived(item))
    elif isinstance(item, AlarmSnapshot):
        app.post_message(AlarmsArrived(item))
    elif isinstance(item, FeedStopped):
        app.notify(f"{item.name} feed stopped: {item.error}; restarting", severity="error")
    elif isinstance(item, SharingChanged) and item.role == "alone" and item.detail:
        app.notify(f"feeds not shared: {item.detail}", severity="warning", timeout=10)
