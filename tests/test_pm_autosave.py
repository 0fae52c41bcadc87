"""The post-mortem editor's autosave on its own: timers and a clock given by hand, no terminal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from warroom.errors import JournalError
from warroom.ui.postmortem.autosave import FieldAutosave


class FakeTimer:
    def __init__(self, delay: float, callback: Callable[[], Awaitable[None]]) -> None:
        self.delay = delay
        self.callback = callback
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class Harness:
    def __init__(self) -> None:
        self.now = 100.0
        self.timers: list[FakeTimer] = []
        self.written: list[tuple[str, str]] = []
        self.events: list[str] = []
        self.refuse = False
        self.autosave = FieldAutosave(
            ("summary", "fix"),
            write=self.write,
            set_timer=self.set_timer,
            on_state=lambda: self.events.append("state"),
            on_saved=lambda name: self.events.append(f"saved {name}"),
            on_failed=lambda name, exc: self.events.append(f"failed {name}: {exc}"),
            delay=1.0,
            clock=lambda: self.now,
        )

    async def write(self, name: str, text: str) -> None:
        if self.refuse:
            raise JournalError("disk I/O error")
        self.written.append((name, text))

    def set_timer(self, delay: float, callback: Callable[[], Awaitable[None]]) -> FakeTimer:
        timer = FakeTimer(delay, callback)
        self.timers.append(timer)
        return timer

    def live(self) -> list[FakeTimer]:
        return [t for t in self.timers if not t.stopped]

    async def fire(self, timer: FakeTimer) -> None:
        timer.stopped = True
        await timer.callback()


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    harness.autosave.set_baseline("summary", "from the timeline")
    return harness


async def test_one_save_a_second_after_the_last_keystroke(h: Harness):
    h.autosave.typed("summary", "from the timeline.")
    h.now += 0.6
    h.autosave.typed("summary", "from the timeline..")
    assert len(h.timers) == 1  # one timer per burst of typing, not per key
    assert h.autosave.dirty and h.events == ["state"]

    h.now += 0.4
    await h.fire(h.timers[0])  # 1 s after the first key, 0.4 s after the last: wait on
    assert h.written == []
    assert [t.delay for t in h.live()] == [pytest.approx(0.6)]

    h.now += 0.6
    await h.fire(h.live()[0])
    assert h.written == [("summary", "from the timeline..")]
    assert not h.autosave.dirty and h.autosave.baseline("summary") == "from the timeline.."
    assert h.events == ["state", "saved summary"]


async def test_typing_back_to_what_is_stored_cancels_the_save(h: Harness):
    h.autosave.typed("summary", "from the timeline!")
    h.autosave.typed("summary", "from the timeline")
    assert not h.autosave.dirty and h.live() == []
    assert await h.autosave.flush()
    assert h.written == []


async def test_a_refused_write_stays_pending_and_flush_says_so(h: Harness):
    h.refuse = True
    h.autosave.typed("fix", "rolled back")
    assert not await h.autosave.flush()
    assert h.events[-1] == "failed fix: disk I/O error"
    assert h.autosave.is_dirty("fix")

    h.refuse = False
    assert await h.autosave.save("fix")
    assert h.written == [("fix", "rolled back")] and not h.autosave.dirty


async def test_flush_writes_every_changed_field_in_order_and_discard_forgets(h: Harness):
    h.autosave.typed("fix", "b")
    h.autosave.typed("summary", "a")
    assert await h.autosave.flush()
    assert h.written == [("summary", "a"), ("fix", "b")]
    assert h.live() == []

    h.autosave.typed("fix", "c")
    h.autosave.discard()
    assert not h.autosave.dirty and h.live() == []
    assert await h.autosave.flush()
    assert h.written == [("summary", "a"), ("fix", "b")]
