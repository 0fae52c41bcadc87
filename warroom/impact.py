"""The post-mortem's impact figures and where each comes from: what a person typed, else the
recorded telemetry (first to last failing health check; tenants named in ERROR lines), else the
timeline's milestones and the incident's scope. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.model import Incident, PostmortemField
from warroom.telemetry import Telemetry

TYPED = ""  # typed in the post-mortem: the person's own words need no note


@dataclass(frozen=True)
class Figure:
    value: str | None
    source: str  # where the value comes from, in words ("" when there is none)


def _minutes(seconds: float) -> str:
    if seconds < 60:  # one failing check, or a blip: "0 minutes" would say none
        return f"{seconds:.0f} seconds"
    minutes = int(seconds // 60)
    return f"{minutes} minute{'s' * (minutes != 1)}"


def impact_duration(incident: Incident, telemetry: Telemetry | None) -> Figure:
    typed = incident.postmortem.get(PostmortemField.IMPACT_DURATION)
    if typed:
        return Figure(typed, TYPED)
    window = telemetry.impact() if telemetry else None
    if window is not None:
        span = f"{window.first_failing:%H:%M:%S} to {window.last_failing:%H:%M:%S} UTC"
        return Figure(
            _minutes(window.duration.total_seconds()),
            f"first to last failing health check, {span}, recorded telemetry",
        )
    impact = incident.milestones.impact
    if impact is None:
        return Figure(None, "")
    ended = "mitigation" if incident.milestones.mitigated else "resolution"
    return Figure(_minutes(impact.total_seconds()), f"detection to {ended} on the timeline")


def users_affected(incident: Incident, telemetry: Telemetry | None) -> Figure:
    typed = incident.postmortem.get(PostmortemField.USERS_AFFECTED)
    if typed:
        return Figure(typed, TYPED)
    tenants, more = telemetry.tenants() if telemetry else (set(), 0)
    if tenants:
        names = sorted(tenants)
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        count = f"{len(names)}{'+' if more else ''}"
        word = "tenant" if len(names) == 1 and not more else "tenants"
        return Figure(
            f"{count} {word} ({shown})", "tenants named in ERROR lines, recorded telemetry"
        )
    return Figure(incident.scope.users_affected(), "the incident's scope")
