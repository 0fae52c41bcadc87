"""Feed snapshots and incidents as Rich Text: outside text is never parsed as markup."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from warroom.model import Event, Incident, Kind
from warroom.severity import Severity
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import (
    MIN_CHECKS_FOR_P95,
    EndpointHealth,
    HealthSnapshot,
    HealthState,
    gathering,
)
from warroom.sources.status import SourceStatus
from warroom.timeutil import short_duration

BARS = "▁▂▃▄▅▆▇█"
SEVERITY_STYLE = {
    Severity.SEV1: "bold white on red",
    Severity.SEV2: "bold black on dark_orange",
    Severity.SEV3: "bold black on yellow",
}
STATE_STYLE = {
    HealthState.OK: "green",
    HealthState.DEGRADED: "yellow",
    HealthState.DOWN: "bold red",
    HealthState.UNKNOWN: "dim",
}


def sparkline(history: tuple[float | None, ...], width: int = 12) -> Text:
    values = history[-width:]
    known = [v for v in values if v is not None]
    top = max(known) if known else 1.0
    text = Text()
    for value in values:
        if value is None:
            text.append("✗", "red")
        else:
            text.append(BARS[min(len(BARS) - 1, int(value / top * (len(BARS) - 1)))], "cyan")
    return text


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.1f}s"


def source_line(status: SourceStatus, now: datetime) -> Text | None:
    """Why a source fails, and how old its last good data is; None while it is fine."""
    if status.ok is not False:
        return None
    age = status.age(now)
    when = f"last good {short_duration(age)} ago" if age is not None else "no data yet"
    return Text(f"✗ {status.reason} ({when}; retrying)", "bold red")


def health_text(snapshot: HealthSnapshot | None, now: datetime) -> Text:
    if snapshot is None or not snapshot.endpoints:
        return Text(
            "no health endpoints configured" if snapshot else "waiting for first check…", "dim"
        )
    text = Text()
    for n, health in enumerate(snapshot.endpoints):
        if n:
            text.append("\n")
        text.append_text(_endpoint(health, now))
    return text


def _endpoint(health: EndpointHealth, now: datetime) -> Text:
    """api  down  500 1.9s  p95 1.9s  up 36.4%
    ▁▃█✗✗  HTTP 500 (error) (last ok 16s ago)"""
    last = health.last
    text = Text()
    text.append(f"{health.name} ", "bold")
    text.append(f"{health.state.value:<8}", STATE_STYLE[health.state])
    code = str(last.status_code) if last and last.status_code else "---"
    text.append(f" {code} {ms(last.latency if last else None):>6}")
    text.append(f"  p95 {ms(health.p95)}")
    uptime = "-" if health.uptime is None else f"{health.uptime:.1f}%"
    text.append(f"  up {uptime}")
    text.append("\n  ")
    text.append_text(sparkline(health.history))
    if health.reason:
        text.append("  ")
        text.append(health.reason, STATE_STYLE[health.state])
        if health.state is HealthState.DOWN and health.last_ok_at:
            text.append(f" (last ok {short_duration(now - health.last_ok_at)} ago)", "dim")
    elif health.last is not None and gathering(health):
        text.append(f"  p95: gathering {health.checks}/{MIN_CHECKS_FOR_P95} checks", "dim")
    return text


def ecs_text(snapshot: EcsSnapshot | None, now: datetime) -> Text:
    if snapshot is None:
        return Text("waiting for first poll…", "dim")
    text = Text()
    problem = source_line(snapshot.source, now)
    if problem is not None:
        text.append_text(problem)
        if snapshot.services:
            text.append("\n")
    for n, service in enumerate(snapshot.services):
        if n:
            text.append("\n")
        if not service.found:
            text.append(f"{service.name} ", "bold")
            text.append(f"{service.status.lower() or 'missing'}", "bold red")
            continue
        short = service.desired - service.running
        text.append(f"{service.name} ", "bold")
        text.append(f"{service.running}/{service.desired}", "red" if short > 0 else "green")
        text.append(f" ↓{short}" if short > 0 else "   ", "red")
        if service.pending:
            text.append(f" +{service.pending}p", "yellow")
        text.append(f"  rev {service.revision if service.revision is not None else '?'}")
        rollout = service.rollout
        if rollout:
            text.append(
                f"  {rollout}",
                "yellow" if rollout == "IN_PROGRESS" else "red" if rollout == "FAILED" else "green",
            )
        if service.rollback_target:
            text.append(f"  ⟲{service.rollback_target.rpartition(':')[2]}", "dim")
    if not snapshot.services and problem is None:
        text.append("no services configured", "dim")
    return text


def event_text(event: Event, *, selected: bool = False, retracted: Event | None = None) -> Text:
    """One timeline row: HH:MM:SS kind text (author), automatic entries marked. Seconds, so
    that two entries of one minute read in their order. `retracted`: the retraction that
    withdrew this entry; the row stays, struck through and dimmed, and says who, when and why
    (its number, which the retraction's own row names)."""
    text = Text(no_wrap=False, overflow="fold")
    text.append(f"{event.at:%H:%M:%S} ", "bold" if not event.auto else "dim")
    style = {
        "detected": "red",
        "acknowledged": "cyan",
        "root_cause": "magenta",
        "mitigated": "green",
        "fix_deployed": "green",
        "resolved": "bold green",
        "severity": "yellow",
        "action": "blue",
        "observation": "dim",
        "retracted": "yellow",
        "reopened": "bold yellow",
    }.get(event.kind.value, "")
    text.append(event.kind.value.replace("_", " "), style)
    if event.kind is Kind.RETRACTED:
        text.append(f" #{event.data.get('entry')}:")
    if event.text:
        text.append(" " + event.text.replace("\n", " ⏎ "))
    who = "auto" if event.auto else event.author
    text.append(f" ({who})", "dim")
    if event.edited_at:
        text.append(" ✎", "dim")
    if event.data.get("evidence"):
        text.append(" ◆", "dim")
    if retracted is not None:
        text.stylize("strike dim")
        reason = retracted.text.replace("\n", " ⏎ ")
        text.append(
            f"  ✗ #{event.id} retracted by {retracted.author} {retracted.at:%H:%M:%S}: {reason}",
            "yellow",
        )
    if selected:
        text.stylize("reverse")
    return text


def incident_title(incident: Incident) -> Text:
    text = Text()
    text.append(f" {incident.ref} ", "bold")
    text.append(f" {incident.severity.value} ", SEVERITY_STYLE[incident.severity])
    text.append(f" {incident.title} ")
    return text
