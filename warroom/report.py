"""The quarterly review (`warroom report`): what the incident history says, computed from
`Incident` objects (the war room reads them: `WarRoom.report`). Pure: no I/O, no terminal.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value at
rank ceil(p/100 * n), so every figure is a time that actually happened. The median is the
nearest-rank p50: with an even count, the lower of the two middle values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from warroom.model import (
    ROOT_CAUSE_TAG,
    EcsChange,
    Incident,
    IncidentSummary,
    Kind,
    PostmortemField,
    acknowledged_in_time,
    response_due,
)
from warroom.severity import SEVERITY_LEVELS, Severity
from warroom.stats import percentile
from warroom.timeutil import iso, parse_duration

PERCENTILE_METHOD = "nearest-rank"
DEFAULT_SINCE = "90d"

# `#tag` words (the syntax is the model's: the team channel's drafts strip the same tags).
_TAG = ROOT_CAUSE_TAG

# The ECS feed's observation keys are `<change>:<service>`; the health feed's are
# `<kind>:<endpoint>`, and an endpoint is not a service.
_ECS_OBSERVATIONS = frozenset(EcsChange)

PATTERN_KINDS: tuple[tuple[str, str], ...] = (
    ("services", "Services"),
    ("log_groups", "Log groups"),
    ("mitigations", "Mitigations"),
    ("root_cause_tags", "Root-cause tags"),
)


def parse_since(text: str) -> timedelta:
    """`90d`, `48h`, `2w`: the window, which must be longer than nothing."""
    window = parse_duration(text)
    if window <= timedelta(0):
        raise ValueError(f"bad window {text!r}; use a positive duration such as 90d or 48h")
    return window


def started_at(incident: Incident | IncidentSummary) -> datetime:
    """When the incident began: its detection, else when it was declared."""
    if isinstance(incident, Incident):
        return incident.milestones.detected or incident.created_at
    return incident.detected_at or incident.created_at


def week_start(value: datetime | date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    return day - timedelta(days=day.weekday())


def weekly_counts(
    incidents: Iterable[Incident | IncidentSummary],
    *,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
) -> list[tuple[date, int]]:
    """Incidents per week (weeks start on Monday, by detection time, UTC), every week from
    `start` to `end` included, empty ones as 0: a bar chart's data. Without bounds, from the
    first incident's week to the last one's; weeks outside the bounds are left out."""
    counts: dict[date, int] = {}
    for incident in incidents:
        week = week_start(started_at(incident))
        counts[week] = counts.get(week, 0) + 1
    bounds = [week_start(b) for b in (start, end) if b is not None]
    if not counts and not bounds:
        return []
    first = week_start(start) if start is not None else min([*counts, *bounds])
    last = week_start(end) if end is not None else max([*counts, first])
    weeks: list[tuple[date, int]] = []
    week = first
    while week <= last:
        weeks.append((week, counts.get(week, 0)))
        week += timedelta(weeks=1)
    return weeks


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class DurationStats:
    count: int
    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, values: Iterable[timedelta | None]) -> DurationStats:
        present = [v for v in values if v is not None]
        return cls(len(present), percentile(present, 50), percentile(present, 90))

    def to_dict(self) -> dict[str, int | None]:
        return {
            "count": self.count,
            "median_s": _seconds(self.median),
            "p90_s": _seconds(self.p90),
        }


@dataclass(frozen=True)
class SeverityStats:
    """One row of the review: a severity's incidents, or all of them (`severity` None)."""

    severity: Severity | None
    incidents: int
    open: int
    acknowledge: DurationStats
    mitigate: DurationStats
    resolve: DurationStats
    acknowledged_within_target: int
    acknowledgement_measured: int  # acknowledged, or not acknowledged when the target ran out

    @property
    def label(self) -> str:
        return self.severity.value if self.severity else "All"

    @property
    def response_target(self) -> timedelta | None:
        return SEVERITY_LEVELS[self.severity].response_target if self.severity else None

    @property
    def within_target_share(self) -> float | None:
        return _share(self.acknowledged_within_target, self.acknowledgement_measured)

    def to_dict(self) -> dict[str, Any]:
        return {
            "incidents": self.incidents,
            "open": self.open,
            "response_target_s": _seconds(self.response_target),
            "time_to_acknowledge": self.acknowledge.to_dict(),
            "time_to_mitigate": self.mitigate.to_dict(),
            "time_to_resolve": self.resolve.to_dict(),
            "acknowledged_within_target": {
                "within": self.acknowledged_within_target,
                "of": self.acknowledgement_measured,
                "share": self.within_target_share,
            },
        }


def _severity_stats(
    severity: Severity | None, incidents: list[Incident], now: datetime
) -> SeverityStats:
    within = measured = 0
    for incident in incidents:
        milestones = incident.milestones
        in_time = acknowledged_in_time(incident.severity, milestones)
        if in_time is None:
            # Never acknowledged: a miss once the target has run out, undecided before.
            if now <= response_due(incident.severity, started_at(incident)):
                continue
            in_time = False
        measured += 1
        within += in_time
    return SeverityStats(
        severity=severity,
        incidents=len(incidents),
        open=sum(1 for i in incidents if i.milestones.resolved is None),
        acknowledge=DurationStats.of(i.milestones.time_to_acknowledge for i in incidents),
        mitigate=DurationStats.of(i.milestones.time_to_mitigate for i in incidents),
        resolve=DurationStats.of(i.milestones.time_to_resolve for i in incidents),
        acknowledged_within_target=within,
        acknowledgement_measured=measured,
    )


@dataclass(frozen=True)
class PostmortemCompliance:
    """SEV-1/2 incidents of the window against the 48 h post-mortem rule."""

    required: int
    compliant: int  # exported within 48 h of resolution
    late: int  # exported, but after the deadline
    due: int  # resolved, not exported, deadline still ahead
    overdue: tuple[str, ...]  # resolved, not exported, deadline passed (incident refs)
    not_yet_due: int  # still open: the clock starts at resolution

    @property
    def decided(self) -> int:
        """Those whose outcome is known: exported, or past the deadline."""
        return self.compliant + self.late + len(self.overdue)

    @property
    def compliance(self) -> float | None:
        return _share(self.compliant, self.decided)

    def to_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            "compliant": self.compliant,
            "late": self.late,
            "due": self.due,
            "overdue": len(self.overdue),
            "not_yet_due": self.not_yet_due,
            "compliance": self.compliance,
            "overdue_incidents": list(self.overdue),
        }


POSTMORTEM_STATES = ("compliant", "late", "due", "overdue", "not_yet_due")


def postmortem_state(incident: Incident, now: datetime) -> str | None:
    """Where a SEV-1/2 incident stands against the 48 h post-mortem rule, one of
    POSTMORTEM_STATES; None when it needs no post-mortem (SEV-3)."""
    rule = incident.postmortem_rule
    if not rule.required:
        return None
    if rule.due_at is None:
        return "not_yet_due"
    exported = incident.postmortem_exported_at
    if rule.done and exported is not None:  # only an export after resolution counts
        return "compliant" if exported <= rule.due_at else "late"
    return "overdue" if rule.overdue(now) else "due"


def _compliance(incidents: list[Incident], now: datetime) -> PostmortemCompliance:
    counts = dict.fromkeys(POSTMORTEM_STATES, 0)
    overdue: list[str] = []
    for incident in incidents:
        state = postmortem_state(incident, now)
        if state is None:
            continue
        counts[state] += 1
        if state == "overdue":
            overdue.append(incident.ref)
    return PostmortemCompliance(
        required=sum(counts.values()),
        compliant=counts["compliant"],
        late=counts["late"],
        due=counts["due"],
        overdue=tuple(overdue),
        not_yet_due=counts["not_yet_due"],
    )


@dataclass(frozen=True)
class Pattern:
    name: str
    incidents: tuple[str, ...]  # refs, in id order

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "incidents": list(self.incidents)}


def root_cause_tags(incident: Incident) -> set[str]:
    texts = [e.text for e in incident.events_of(Kind.ROOT_CAUSE)]
    texts.append(incident.postmortem.get(PostmortemField.ROOT_CAUSE, ""))
    return {m.rstrip("-_").lower() for text in texts for m in _TAG.findall(text)}


def incident_facets(incident: Incident) -> dict[str, set[str]]:
    """What an incident touched, from its timeline's data: services, log groups, mitigations
    run, root-cause tags."""
    services: set[str] = set()
    groups: set[str] = set()
    mitigations: set[str] = set()
    for event in incident.counted_events:
        data = event.data
        if isinstance(data.get("service"), str):
            services.add(data["service"])
        if isinstance(data.get("log_group"), str):
            groups.add(data["log_group"])
        evidence = data.get("evidence")
        if isinstance(evidence, dict) and isinstance(evidence.get("last_error"), dict):
            groups.update(evidence["last_error"])  # groups showing ERROR lines at that moment
        if event.kind is Kind.OBSERVATION and isinstance(data.get("key"), str):
            kind, _, subject = data["key"].partition(":")
            if kind in _ECS_OBSERVATIONS and subject:
                services.add(subject)
        # A refused attempt (read-only, nothing to roll back to) ran nothing: not a pattern.
        if (
            event.kind is Kind.ACTION
            and isinstance(data.get("action"), str)
            and not data.get("refused")
        ):
            mitigations.add(data["action"])
            params = data.get("params")
            # ECS mitigations (rollback, scale) carry the cluster; their target is a service.
            if isinstance(params, dict) and params.get("cluster") and data.get("target"):
                services.add(str(data["target"]))
    return {
        "services": services,
        "log_groups": groups,
        "mitigations": mitigations,
        "root_cause_tags": root_cause_tags(incident),
    }


def recurring(incidents: list[Incident]) -> dict[str, tuple[Pattern, ...]]:
    """Per kind, every value seen in more than one incident: most incidents first, then by name."""
    seen: dict[str, dict[str, list[str]]] = {kind: {} for kind, _ in PATTERN_KINDS}
    for incident in sorted(incidents, key=lambda i: i.id):
        for kind, values in incident_facets(incident).items():
            for value in values:
                seen[kind].setdefault(value, []).append(incident.ref)
    return {
        kind: tuple(
            Pattern(name, tuple(refs))
            for name, refs in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            if len(refs) > 1
        )
        for kind, by_value in seen.items()
    }


@dataclass(frozen=True)
class Reopened:
    """An incident that came back after it was resolved: worth a look every quarter."""

    incident: str
    title: str
    times: int
    resolved: bool  # resolved again since

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "title": self.title,
            "times": self.times,
            "resolved": self.resolved,
        }


def reopened(incidents: Iterable[Incident]) -> tuple[Reopened, ...]:
    """The incidents reopened at least once, in id order."""
    return tuple(
        Reopened(i.ref, i.title, i.milestones.times_reopened, i.milestones.resolved is not None)
        for i in sorted(incidents, key=lambda i: i.id)
        if i.milestones.times_reopened
    )


@dataclass(frozen=True)
class OpenActionItem:
    incident: str
    id: int
    text: str
    owner: str
    deadline: date | None
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "id": self.id,
            "text": self.text,
            "owner": self.owner or None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "overdue": self.overdue,
        }


def open_action_items(incidents: Iterable[Incident], today: date) -> tuple[OpenActionItem, ...]:
    """Every action item not done, of every incident: overdue first, then by deadline."""
    items = [
        OpenActionItem(
            incident.ref, item.id, item.text, item.owner, item.deadline, item.overdue(today)
        )
        for incident in incidents
        for item in incident.action_items
        if not item.done
    ]
    return tuple(
        sorted(items, key=lambda i: (not i.overdue, i.deadline is None, i.deadline or today, i.id))
    )


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    since: timedelta
    severities: tuple[SeverityStats, ...]  # SEV-1, SEV-2, SEV-3
    overall: SeverityStats
    postmortems: PostmortemCompliance
    patterns: dict[str, tuple[Pattern, ...]]
    action_items: tuple[OpenActionItem, ...]  # over all incidents, not only the window
    weekly: tuple[tuple[date, int], ...]
    reopened: tuple[Reopened, ...] = ()

    @property
    def window_start(self) -> datetime:
        return self.generated_at - self.since

    @property
    def incidents(self) -> int:
        return self.overall.incidents

    @property
    def overdue_action_items(self) -> tuple[OpenActionItem, ...]:
        return tuple(i for i in self.action_items if i.overdue)

    def severity(self, severity: Severity) -> SeverityStats:
        return next(s for s in self.severities if s.severity is severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": iso(self.generated_at),
            "window": {
                "start": iso(self.window_start),
                "end": iso(self.generated_at),
                "seconds": _seconds(self.since),
            },
            "percentile_method": PERCENTILE_METHOD,
            "incidents": self.incidents,
            "severities": {s.label: s.to_dict() for s in self.severities},
            "all": self.overall.to_dict(),
            "postmortems": self.postmortems.to_dict(),
            "recurring": {
                kind: [p.to_dict() for p in patterns] for kind, patterns in self.patterns.items()
            },
            "action_items": {
                "open": len(self.action_items),
                "overdue": len(self.overdue_action_items),
                "items": [i.to_dict() for i in self.action_items],
            },
            "weekly": [{"week_start": w.isoformat(), "incidents": n} for w, n in self.weekly],
            "reopened": [r.to_dict() for r in self.reopened],
        }


def in_window(incidents: Iterable[Incident], *, now: datetime, since: timedelta) -> list[Incident]:
    """The incidents detected in (now - since, now], the review's window."""
    start = now - since
    return [i for i in incidents if start < started_at(i) <= now]


def build_report(incidents: Iterable[Incident], *, now: datetime, since: timedelta) -> Report:
    """The review of incidents detected in (now - since, now]; action items from all of them."""
    everything = sorted(incidents, key=lambda i: i.id)
    start = now - since
    window = in_window(everything, now=now, since=since)
    return Report(
        generated_at=now,
        since=since,
        severities=tuple(
            _severity_stats(s, [i for i in window if i.severity is s], now) for s in Severity
        ),
        overall=_severity_stats(None, window, now),
        postmortems=_compliance(window, now),
        patterns=recurring(window),
        action_items=open_action_items(everything, now.date()),
        weekly=tuple(weekly_counts(window, start=start, end=now)),
        reopened=reopened(window),
    )
