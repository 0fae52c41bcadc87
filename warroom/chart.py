"""What an incident's chart shows, for the SVG (chart_svg.py) and the text (chart_text.py) alike:
the recorded points, and the journal's markers (deploys, and detected / acknowledged /
mitigated / resolved) on one time axis. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.model import EcsChange, Incident, Kind
from warroom.telemetry import Point, Telemetry, downsample

MILESTONE_MARKS = (
    ("detected", "detected"),
    ("acknowledged", "acknowledged"),
    ("mitigated", "mitigated"),
    ("resolved", "resolved"),
)
DEPLOY_KEYS = (EcsChange.DEPLOYMENT_STARTED.value, EcsChange.TASK_DEFINITION_CHANGED.value)
# Tick steps for the time axis, in seconds: the smallest giving at most MAX_TICKS.
TICK_STEPS = tuple(
    [10, 15, 30] + [60 * m for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)]
)
MAX_TICKS = 8


@dataclass(frozen=True)
class Marker:
    at: datetime
    kind: str  # "deploy", "action" (a mitigation run) or a milestone's name
    label: str


@dataclass(frozen=True)
class ChartData:
    start: datetime
    end: datetime
    points: tuple[Point, ...]
    markers: tuple[Marker, ...]

    def tick_step(self) -> int:
        span = (self.end - self.start).total_seconds()
        return next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])

    def ticks(self) -> list[datetime]:
        width = timedelta(seconds=self.tick_step())
        stamp = self.start.timestamp()
        first = self.start + timedelta(seconds=-stamp % width.total_seconds())
        found = []
        while first <= self.end:
            found.append(first)
            first += width
        return found


def markers(incident: Incident) -> list[Marker]:
    """The journal's deploys (what the ECS feed observed, and the mitigations run) and the
    milestones in force, in time order."""
    found = []
    for event in incident.counted_events:
        key = str(event.data.get("key", ""))
        if event.auto and key.split(":", 1)[0] in DEPLOY_KEYS:
            found.append(Marker(event.at, "deploy", event.text))
        elif event.kind is Kind.ACTION and event.data.get("ok"):  # one refused changed nothing
            found.append(Marker(event.at, "action", event.text))
    milestones = incident.milestones
    for name, label in MILESTONE_MARKS:
        at = getattr(milestones, name)
        if at is not None:
            found.append(Marker(at, name, label))
    # A deploy is observed twice in one poll (a new task definition, a deployment started).
    found.sort(key=lambda m: (m.at, m.kind, m.label))
    kept: list[Marker] = []
    for marker in found:
        if not any(_same_deploy(k, marker) for k in kept):
            kept.append(marker)
    return kept


def _same_deploy(kept: Marker, marker: Marker) -> bool:
    return kept.kind == marker.kind == "deploy" and marker.at - kept.at < timedelta(seconds=1)


def chart_data(incident: Incident, telemetry: Telemetry, *, most: int) -> ChartData | None:
    """The chart of the incident, None when nothing was recorded."""
    points = telemetry.points()
    if not points:
        return None
    marks = markers(incident)
    start = min([points[0].start, *(m.at for m in marks)])
    end = max([points[-1].start + points[-1].width, *(m.at for m in marks)])
    return ChartData(start, end, tuple(downsample(points, most)), tuple(marks))
