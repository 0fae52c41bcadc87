"""A console without a terminal, for bench_shared_feeds.py: the console's feed layer exactly as
`warroom` runs it (warroom.sharing.console_feeds on its journal: its own pollers, or the shared
ones), without Textual. Prints one JSON object a line on stdout, stamped with time.time():
{"t", "role"} when it starts leading, following or polling alone, {"t", "ids"} for the bench's
marked log lines of each batch (`id=...` in the message).

Usage: python benchmarks/_feed_console.py CONFIG DB
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.config import load_config
from warroom.service import open_war_room
from warroom.sharing import SharingChanged, console_feeds
from warroom.sources.logs import LogBatch

MARK = re.compile(r"\bid=(\S+)")


def say(**what: object) -> None:
    sys.stdout.write(json.dumps({"t": time.time(), **what}) + "\n")
    sys.stdout.flush()


async def main(config_path: str, db: str) -> None:
    config = load_config(config_path)
    room = await open_war_room(config, Path(db))
    feeds = await console_feeds(config, room)
    async for item in feeds.updates():
        if isinstance(item, SharingChanged):
            say(role=item.role)
        elif isinstance(item, LogBatch):
            ids = [m.group(1) for line in item.lines if (m := MARK.search(line.message))]
            if ids:
                say(ids=ids)


if __name__ == "__main__":
    # The bench stops a console with SIGINT, as `q` would: the lease is released.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(sys.argv[1], sys.argv[2]))
