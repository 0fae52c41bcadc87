"""Shared feeds: one set of pollers for every console of a journal watching the same sources
(see hub.py). The console starts them with `console_feeds` and shows what `updates()` yields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from warroom.config import Config, whoami
from warroom.errors import JournalError
from warroom.sharing.fingerprint import sources_fingerprint
from warroom.sharing.hub import SharedFeeds, this_console
from warroom.sharing.items import FeedItem, FeedStopped, SharingChanged
from warroom.timeutil import utcnow

if TYPE_CHECKING:
    from warroom.service import WarRoom


async def console_feeds(
    config: Config, room: WarRoom | None, *, clock: Callable[[], datetime] = utcnow
) -> SharedFeeds:
    """A console's feeds: shared through the board beside its journal unless the config says
    `[console] share_feeds = false` or names no source (or the board cannot be opened: then
    alone, saying why)."""
    holder = this_console(whoami(config))
    polled = (
        config.health.endpoints
        or config.ecs is not None
        or config.logs.groups
        or config.alarms.watched
    )
    if room is None or not config.console.share_feeds or not polled:
        return SharedFeeds(config, None, holder=holder, clock=clock)
    try:
        board = await room.feed_board(sources_fingerprint(config))
    except JournalError as exc:
        return SharedFeeds(config, None, holder=holder, clock=clock, alone_because=str(exc))
    return SharedFeeds(config, board, holder=holder, clock=clock)


__all__ = [
    "FeedItem",
    "FeedStopped",
    "SharedFeeds",
    "SharingChanged",
    "console_feeds",
    "sources_fingerprint",
]
