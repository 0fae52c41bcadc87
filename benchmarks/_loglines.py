"""Realistic CloudWatch error-log lines (about 120 characters) for the console benchmarks.

Every line a LineSource hands out carries its own request id (`req=` followed by one letter for
the source and its sequence number in hex), near the start of the line, where a log pane shows
it: `shown_on_screen` reads them back off the console's screen.
"""

from __future__ import annotations

import html
import random
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus

_TEMPLATES = (
    "{ts} ERROR [req={req}] checkout.api POST /v1/orders 500 in {ms}ms: psycopg.OperationalError:"
    " connection to 10.0.{a}.{b}:5432 timed out",
    "{ts} ERROR [req={req}] tenant={tenant} ai.provider call failed: HTTP 503 Service Unavailable"
    " after {ms}ms (retry {n}/3)",
    "{ts} ERROR [req={req}] worker.jobs task=invoice.render id={n}{b} raised KeyError: 'line_items'"
    " at render.py:{ms}",
    "{ts} WARN [req={req}] redis.cache GET session:{req} took {ms}ms (slow, threshold 200ms)"
    " pool=8/8 busy",
    "{ts} ERROR [req={req}] GET /v1/tenants/{tenant}/usage 502 upstream=usage-svc"
    " reset by peer after {ms}ms",
    "{ts} INFO [req={req}] health /healthz ok db={ms}ms redis={n}ms queue_depth={a}{b}"
    " version=2026.11.3",
)
_TENANTS = ("acme", "globex", "initech", "umbrella", "hooli", "stark")
_SLOT = "@@@@@@@@"  # where a line's own request id goes
_REQ = re.compile(r"req=([a-z])([0-9a-f]{7})")


def messages(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(message, level) pairs, mostly ERROR, each about 110-130 characters."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        at = start + timedelta(milliseconds=37 * n)
        template = rng.choice(_TEMPLATES).replace("{req}", _SLOT, 1)
        text = template.format(
            ts=f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
            req=f"{rng.getrandbits(32):08x}",
            ms=rng.randint(5, 9999),
            n=rng.randint(1, 3),
            a=rng.randint(0, 9),
            b=rng.randint(1, 254),
            tenant=rng.choice(_TENANTS),
        )
        level = next(w for w in ("ERROR", "WARN", "INFO") if f" {w} " in text)
        out.append((text, level))
    return out


class LineSource:
    """Endless LogLines for one group, cycling through a fixed pool of messages."""

    def __init__(self, group: str, pool: list[tuple[str, str]], tag: str = "a") -> None:
        self.group = group
        self.pool = pool
        self.tag = tag  # one letter, distinct per source
        self.sent = 0
        self.status = SourceStatus(name=group)

    def lines(self, count: int) -> Iterator[LogLine]:
        now = datetime.now(UTC)
        pool = self.pool
        for _ in range(count):
            message, level = pool[self.sent % len(pool)]
            message = message.replace(_SLOT, f"{self.tag}{self.sent % 0x10000000:07x}", 1)
            self.sent += 1
            yield LogLine(self.group, str(self.sent), now, "app/1", message, level)

    def batch(self, count: int) -> LogBatch:
        lines = tuple(self.lines(count))
        self.status = self.status.succeeded(datetime.now(UTC), 0.05)
        return LogBatch(self.group, "ERROR", lines, self.status)


def shown_on_screen(svg: str) -> dict[str, int]:
    """For each source tag, the newest sequence number on a screenshot (`App.export_screenshot`).
    The number of lines a pane shows behind: `source.sent - 1 - shown[source.tag]`."""
    text = html.unescape(re.sub(r"<[^>]+>", "", svg))
    newest: dict[str, int] = {}
    for tag, number in _REQ.findall(text):
        newest[tag] = max(newest.get(tag, -1), int(number, 16))
    return newest
