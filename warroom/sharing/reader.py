"""A following console's side of the board: what was published since it last looked, as the
snapshots and batches its own pollers would have made, and what its leader's pollers publish."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from warroom.config import Config
from warroom.feedboard import Publication, Published, Reading
from warroom.sharing import codec
from warroom.sharing.items import (
    ALARMS,
    ECS,
    HEALTH,
    LOG_STATUS,
    FeedItem,
    HealthOnBoard,
    board_line,
    log_line,
    log_status_name,
)
from warroom.sharing.pollers import Pollers, since
from warroom.sources.alarms import AlarmSnapshot
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import HealthSnapshot
from warroom.sources.logs import BUFFER_LINES, LogBatch, LogLine
from warroom.sources.status import SourceStatus


class BoardReader:
    """Reads on from its cursors. The first reading is the console's initial window: the lines
    of the logs' window (`since`), the latest snapshots, and no ECS observation (those were
    journaled when they were new)."""

    def __init__(self, config: Config, clock: Callable[[], datetime]) -> None:
        self._config = config
        self._clock = clock
        self.line_cursor = 0
        self.stamp_cursor = 0
        self.first = True
        self._statuses: dict[str, SourceStatus] = {}
        self._patterns = {
            g.name: config.logs.filter_pattern if g.filter_pattern is None else g.filter_pattern
            for g in config.logs.groups
        }

    def since_ms(self) -> int:
        return since(self._config, self._clock) if self.first else 0

    def items(self, reading: Reading, *, snapshots: bool = True) -> list[FeedItem]:
        """The updates a reading holds; without `snapshots`, only its lines (the snapshots
        of a board nobody published on for long are no news)."""
        self.line_cursor = max(self.line_cursor, reading.line_cursor)
        self.stamp_cursor = max(self.stamp_cursor, reading.stamp_cursor)
        items: list[FeedItem] = []
        changed: set[str] = set()
        for name, body in reading.snapshots.items() if snapshots else ():
            try:
                if name == HEALTH:
                    items.append(codec.loads(body, HealthOnBoard).snapshot)
                elif name == ECS:
                    ecs = codec.loads(body, EcsSnapshot)
                    items.append(replace(ecs, observations=()) if self.first else ecs)
                elif name == ALARMS:
                    alarms = codec.loads(body, AlarmSnapshot)
                    items.append(replace(alarms, observations=()) if self.first else alarms)
                elif name.startswith(LOG_STATUS):
                    group = name.removeprefix(LOG_STATUS)
                    self._statuses[group] = codec.loads(body, SourceStatus)
                    changed.add(group)
            except ValueError:  # written by another version: its next snapshot may do
                continue
        lines: dict[str, list[LogLine]] = {}
        for line in reading.lines:
            lines.setdefault(line.group, []).append(log_line(line))
        for group, pattern in self._patterns.items():
            if group in lines or group in changed:
                items.append(
                    LogBatch(
                        group,
                        pattern,
                        tuple(lines.get(group, ())[-BUFFER_LINES:]),
                        self._statuses.get(group, SourceStatus(group)),
                        initial=self.first,
                    )
                )
        self.first = False
        return items

    def caught_up(self, published: Published) -> None:
        """A leader's own publication: it has shown those, and reads on after them if it
        steps down."""
        self.line_cursor = max(self.line_cursor, published.line_cursor)
        self.stamp_cursor = max(self.stamp_cursor, published.stamp_cursor)
        self.first = False


def publication(item: FeedItem, pollers: Pollers) -> Publication | None:
    """What a leader publishes of one of its pollers' updates (None: nothing to share)."""
    if isinstance(item, HealthSnapshot):
        return Publication(snapshots={HEALTH: codec.dumps(pollers.health_on_board(item))})
    if isinstance(item, EcsSnapshot):
        return Publication(snapshots={ECS: codec.dumps(item)})
    if isinstance(item, AlarmSnapshot):
        return Publication(snapshots={ALARMS: codec.dumps(item)})
    if isinstance(item, LogBatch):
        position = pollers.positions().get(item.group)
        return Publication(
            lines=tuple(board_line(line) for line in item.lines),
            positions=(position,) if position is not None else (),
            snapshots={log_status_name(item.group): codec.dumps(item.source)},
        )
    return None


def as_published(item: FeedItem, published: Published) -> FeedItem:
    """The update as the board took it: a log line already there is not shown again."""
    if not isinstance(item, LogBatch) or len(published.lines) == len(item.lines):
        return item
    added = {line.event_id for line in published.lines}
    return replace(item, lines=tuple(line for line in item.lines if line.event_id in added))
