"""What the shared feeds hand a console, and how feed data goes onto the board and back.

A console gets the same snapshots and batches whether its own pollers made them or it read them
from the board, plus a word when a feed stopped or sharing changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from warroom.feedboard import BoardLine
from warroom.sources.alarms import AlarmSnapshot
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import Check, HealthSnapshot
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus

HEALTH = "health"
ECS = "ecs"
ALARMS = "alarms"
LOG_STATUS = "logs:"  # + the group's name: how its last poll went


@dataclass(frozen=True)
class FeedStopped:
    """A feed raised; it is started again after a pause (the console says so)."""

    name: str
    error: str


@dataclass(frozen=True)
class SharingChanged:
    """This console began to poll for everyone (`leading`), to read another's polls
    (`following`), or to poll alone (`alone`: sharing is off or the board failed, `detail` why)."""

    role: str
    detail: str = ""


FeedItem = HealthSnapshot | EcsSnapshot | AlarmSnapshot | LogBatch | FeedStopped | SharingChanged


@dataclass(frozen=True)
class HealthOnBoard:
    """The health snapshot, and the checks behind it: a console that takes over the feeds
    judges the SLA over the same window instead of starting blind."""

    snapshot: HealthSnapshot
    checks: tuple[tuple[Check, ...], ...]  # per endpoint, in the snapshot's order


def board_line(line: LogLine) -> BoardLine:
    return BoardLine(
        line.group,
        line.event_id,
        round(line.at.timestamp() * 1000),
        line.stream,
        line.message,
        line.level,
    )


def log_line(line: BoardLine) -> LogLine:
    at = datetime.fromtimestamp(line.at_ms / 1000, UTC)
    return LogLine(line.group, line.event_id, at, line.stream, line.message, line.level)


def log_status_name(group: str) -> str:
    return LOG_STATUS + group


def empty_status(group: str) -> SourceStatus:
    return SourceStatus(group)
