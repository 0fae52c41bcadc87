"""How long to wait after failures in a row: doubling from a base up to a cap. One rule for the
feeds' polls and the outbox's retries."""

from __future__ import annotations

import random


def backoff(failures: int, base: float, cap: float = 60.0, *, jitter: bool = True) -> float:
    """Seconds to wait after `failures` failures in a row: `base` with none, doubling up to
    `cap`. With `jitter` the wait is spread between base and that ceiling, so several consoles
    do not hammer a recovering source in step."""
    if failures <= 0:
        return base
    ceiling = min(cap, base * 2 ** min(failures, 16))
    return base + random.uniform(0, ceiling - base) if jitter else ceiling
