"""One job at a time, and no queue of them: calls while it runs make one more run at its end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Coalesced:
    """Saves come faster than the preview redraws on a loaded machine: each newer save only
    needs the latest text drawn once, not a redraw of its own. A call returns once a run that
    started after it has finished, so its caller sees what it asked for."""

    def __init__(self, job: Callable[[], Awaitable[None]]) -> None:
        self._job = job
        self._done: asyncio.Event | None = None  # set when the runs in progress are over
        self._again = False

    async def __call__(self) -> None:
        if self._done is not None:
            self._again = True  # the run in progress repeats once at its end
            await self._done.wait()
            return
        self._done = done = asyncio.Event()
        try:
            self._again = True
            while self._again:
                self._again = False
                await self._job()
        finally:
            self._done = None
            done.set()
