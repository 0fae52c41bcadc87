"""A console without a terminal, for the tests that kill one: its feeds, run as the console runs
them (warroom.sharing.console_feeds on its journal), printed on stdout as they come, one JSON
object a line: {"role": ...} when it starts leading or following, {"line": ...} per log line.

Usage: python -m tests.helpers.feed_console CONFIG DB
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from warroom.config import load_config
from warroom.service import open_war_room
from warroom.sharing import SharingChanged, console_feeds
from warroom.sources.logs import LogBatch


def say(**what: str) -> None:
    sys.stdout.write(json.dumps(what) + "\n")
    sys.stdout.flush()


async def main(config_path: str, db: str) -> None:
    config = load_config(config_path)
    room = await open_war_room(config, Path(db))
    feeds = await console_feeds(config, room)
    async for item in feeds.updates():
        if isinstance(item, SharingChanged):
            say(role=item.role)
        elif isinstance(item, LogBatch):
            for line in item.lines:
                say(line=line.message)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
