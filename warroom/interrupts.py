"""Ctrl+C in a CLI command: asyncio cancels the command, which closes the journal on its way
out, and the command ends with status 130. No terminal, no journal of its own."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_HELD = {signal.SIGINT}
_CAN_HOLD = hasattr(signal, "pthread_sigmask")  # not on Windows


def run_command(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`asyncio.run(make())`, with Ctrl+C held back until asyncio's own handler is in place.

    Before that, a KeyboardInterrupt could land half-way through making the event loop, and
    Python then printed the half-made loop failing to close ("Exception ignored in
    BaseEventLoop.__del__") and a coroutine never awaited. Held, it is delivered as the command
    starts, and cancels it like any later Ctrl+C."""
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)

    async def command() -> T:
        if _CAN_HOLD:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
        return await make()

    try:
        return asyncio.run(command())
    finally:
        if _CAN_HOLD:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
