"""Preview refreshes asked for while one runs: one more run, and every caller waits for it."""

from __future__ import annotations

import asyncio

from warroom.ui.postmortem.coalesce import Coalesced


async def test_calls_during_a_run_make_one_more_run_and_wait_for_it():
    started: list[int] = []
    release = asyncio.Event()

    async def job() -> None:
        started.append(len(started))
        await release.wait()

    refresh = Coalesced(job)
    first = asyncio.create_task(refresh())
    await asyncio.sleep(0)  # the first run is going
    later = [asyncio.create_task(refresh()) for _ in range(3)]
    await asyncio.sleep(0)
    assert started == [0] and not any(t.done() for t in later)
    release.set()
    await asyncio.gather(first, *later)
    assert started == [0, 1]  # three saves meanwhile: one more run, not three
    await refresh()
    assert started == [0, 1, 2]  # and afterwards a call runs again
