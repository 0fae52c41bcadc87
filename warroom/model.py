"""The incident as the runbook sees it: severities, milestones, durations and rules. No I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from operator import attrgetter

from warroom.followups import ActionItem, PostmortemDue, postmortem_due
from warroom.severity import SEVERITY_LEVELS, Severity, SeverityLevel


class Kind(StrEnum):
    """What a timeline entry records."""

    # Milestones and notes: what a responder logs by hand (the CLI's `event KIND`).
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    NOTE = "note"
    ROOT_CAUSE = "root_cause"
    MITIGATED = "mitigated"
    FIX_DEPLOYED = "fix_deployed"
    RESOLVED = "resolved"
    # Entries the write path makes as a side effect of other changes.
    SEVERITY = "severity"
    SCOPE = "scope"
    CHECKLIST = "checklist"
    ACTION = "action"
    OBSERVATION = "observation"
    COMMS = "comms"  # a status update posted to the team channel
    ROLE = "role"  # a hand-over of incident commander or comms lead (warroom.roles)
    # Corrections: nothing is deleted. A retraction names the entry it withdraws (data "entry");
    # a reopen undoes the resolution before it.
    RETRACTED = "retracted"
    REOPENED = "reopened"


LOGGABLE_KINDS: tuple[Kind, ...] = (
    Kind.DETECTED,
    Kind.ACKNOWLEDGED,
    Kind.NOTE,
    Kind.ROOT_CAUSE,
    Kind.MITIGATED,
    Kind.FIX_DEPLOYED,
    Kind.RESOLVED,
)

MILESTONES: tuple[Kind, ...] = tuple(k for k in LOGGABLE_KINDS if k is not Kind.NOTE)

# The post-mortem template's own words for each timeline line.
KIND_LABELS: dict[Kind, str] = {
    Kind.DETECTED: "Alert fired / user reported",
    Kind.ACKNOWLEDGED: "On-call acknowledged",
    Kind.NOTE: "Note",
    Kind.ROOT_CAUSE: "Root cause identified",
    Kind.MITIGATED: "Mitigation applied",
    Kind.FIX_DEPLOYED: "Fix deployed",
    Kind.RESOLVED: "Confirmed resolved",
    Kind.SEVERITY: "Severity changed",
    Kind.SCOPE: "Scope changed",
    Kind.CHECKLIST: "Checklist",
    Kind.ACTION: "Action",
    Kind.OBSERVATION: "Observed",
    Kind.COMMS: "Status update posted",
    Kind.ROLE: "Role handed over",
    Kind.RETRACTED: "Retracted",
    Kind.REOPENED: "Reopened",
}


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


def parse_kind(text: str, allowed: tuple[Kind, ...] = LOGGABLE_KINDS) -> Kind:
    cleaned = text.strip().lower().replace("-", "_")
    for kind in allowed:
        if kind.value == cleaned:
            return kind
    names = " ".join(k.value for k in allowed)
    raise ValueError(f"unknown kind {text!r}; use one of: {names}")


# `#tag` words in root-cause entries and the post-mortem's root cause: a letter, then letters,
# digits, `_` or `-`. Not after a word character, so `page#anchor` and `C#` are not tags.
ROOT_CAUSE_TAG = re.compile(r"(?<![\w#&/])#([A-Za-z][\w-]*)")


def strip_tags(text: str) -> str:
    """The text without its `#tags` (they are for the quarterly review, not for the team
    channel), spaces and punctuation tidied where they stood."""
    bare = " ".join(ROOT_CAUSE_TAG.sub("", text).split())
    return re.sub(r"\s+([.,;:!?])", r"\1", bare).strip(" ,;:")


def format_id(incident_id: int) -> str:
    return f"INC-{incident_id}"


# SQLite integers are 64-bit: a larger id cannot name anything and would overflow the driver.
MAX_ID = 2**63 - 1


def parse_number(text: str, what: str = "number") -> int:
    """A row number a person typed: a positive whole number SQLite can hold."""
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or not 0 < int(cleaned) <= MAX_ID:
        raise ValueError(f"bad {what} {text!r}; use a positive whole number")
    return int(cleaned)


def parse_id(text: str) -> int:
    """Accept `INC-7`, `inc-7` and `7`."""
    cleaned = text.strip().upper().removeprefix("INC-")
    try:
        return parse_number(cleaned)
    except ValueError:
        raise ValueError(f"bad incident id {text!r}; use INC-<n> or <n>") from None


@dataclass(frozen=True)
class Scope:
    """Who and what is affected: all of it, or named tenants and endpoints."""

    tenants: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()

    @property
    def is_all(self) -> bool:
        return not self.tenants and not self.endpoints

    def describe(self) -> str:
        if self.is_all:
            return "all tenants, all endpoints"
        tenants = ", ".join(self.tenants) if self.tenants else "all"
        endpoints = ", ".join(self.endpoints) if self.endpoints else "all"
        return f"tenants: {tenants}; endpoints: {endpoints}"

    def users_affected(self) -> str:
        """The post-mortem's "Users affected" wording, from the seed."""
        if not self.tenants:
            return "all tenants"
        if len(self.tenants) == 1:
            return f"single tenant ({self.tenants[0]})"
        return f"{len(self.tenants)} tenants ({', '.join(self.tenants)})"

    def to_dict(self) -> dict[str, list[str]]:
        return {"tenants": list(self.tenants), "endpoints": list(self.endpoints)}

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> Scope:
        return cls(tuple(data.get("tenants", ())), tuple(data.get("endpoints", ())))


@dataclass(frozen=True)
class Event:
    id: int
    incident_id: int
    at: datetime
    recorded_at: datetime
    kind: Kind
    text: str
    author: str
    auto: bool = False
    data: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    edited_at: datetime | None = None
    edited_by: str | None = None

    @property
    def backdated(self) -> bool:
        """Recorded after the fact: the time it happened is earlier than when it was typed."""
        return self.recorded_at - self.at > timedelta(minutes=1)


@dataclass(frozen=True)
class ChecklistMark:
    item_id: str
    done: bool
    by: str
    at: datetime


class PostmortemField(StrEnum):
    """The post-mortem's typed fields (the runbook template's sections), by the names the
    journal, the editor, the export and the report all use."""

    SUMMARY = "summary"
    ROOT_CAUSE = "root_cause"
    USERS_AFFECTED = "users_affected"
    IMPACT_DURATION = "impact_duration"
    DATA_LOSS = "data_loss"
    MITIGATION = "mitigation"
    FIX = "fix"
    LESSONS_LEARNED = "lessons_learned"
    AUTHOR = "author"


POSTMORTEM_FIELDS: tuple[str, ...] = tuple(PostmortemField)


class EcsChange(StrEnum):
    """What the ECS feed observes between two polls; `<change>:<service>` keys its entries."""

    TASK_DEFINITION_CHANGED = "task_definition_changed"
    DEPLOYMENT_STARTED = "deployment_started"
    DEPLOYMENT_COMPLETED = "deployment_completed"
    DEPLOYMENT_FAILED = "deployment_failed"
    BELOW_DESIRED = "below_desired"
    AT_DESIRED = "at_desired"


def retractions(events: Iterable[Event]) -> dict[int, Event]:
    """The retracted entries' ids, each with the retraction that withdrew it."""
    found: dict[int, Event] = {}
    retracted = Kind.RETRACTED
    for event in [e for e in events if e.kind is retracted]:  # few: filtered first, quickly
        entry = event.data.get("entry")
        if isinstance(entry, int) and entry not in found:
            found[entry] = event
    return found


def counted(events: Iterable[Event]) -> list[Event]:
    """The entries that count: neither retracted nor a retraction."""
    events = list(events)
    withdrawn = retractions(events)
    return [e for e in events if e.kind is not Kind.RETRACTED and e.id not in withdrawn]


@dataclass(frozen=True)
class Milestones:
    """The first time each milestone was reached, from the entries that count; `resolved` is
    the resolution still in force (none after a reopen), `reopened` the last reopen."""

    detected: datetime | None = None
    acknowledged: datetime | None = None
    root_cause: datetime | None = None
    mitigated: datetime | None = None
    fix_deployed: datetime | None = None
    resolved: datetime | None = None
    reopened: datetime | None = None
    times_reopened: int = 0
    # When the resolution in force was written (`resolved` is when it happened; it may be
    # backdated): only a post-mortem exported after this counts.
    resolution_recorded: datetime | None = None

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Milestones:
        return cls.from_counted(counted(events))

    @classmethod
    def from_counted(cls, events: Iterable[Event]) -> Milestones:
        """From entries that count already (see `counted`)."""
        first: dict[str, datetime] = {}
        resolved: datetime | None = None
        recorded: datetime | None = None
        reopens: list[datetime] = []
        # Recording order: a reopen undoes the resolutions logged before it, whatever their time.
        # (Notes, most of a long timeline, are left out first: they mark no milestone.)
        note = Kind.NOTE
        for event in sorted([e for e in events if e.kind is not note], key=attrgetter("id")):
            if event.kind is Kind.REOPENED:
                resolved = recorded = None
                reopens.append(event.at)
            elif event.kind is Kind.RESOLVED:
                resolved = event.at if resolved is None else min(resolved, event.at)
                recorded = recorded or event.recorded_at
            elif event.kind in MILESTONES:
                seen = first.get(event.kind.value)
                if seen is None or event.at < seen:
                    first[event.kind.value] = event.at
        return cls(
            **first,
            resolved=resolved,
            reopened=reopens[-1] if reopens else None,
            times_reopened=len(reopens),
            resolution_recorded=recorded,
        )

    def _since_detected(self, end: datetime | None) -> timedelta | None:
        if self.detected is None or end is None:
            return None
        return end - self.detected

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self._since_detected(self.acknowledged)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self._since_detected(self.mitigated)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self._since_detected(self.resolved)

    @property
    def impact(self) -> timedelta | None:
        """Users are hurt until service is restored: mitigation, else resolution."""
        return self._since_detected(self.mitigated or self.resolved)


@dataclass(frozen=True)
class IncidentSummary:
    id: int
    title: str
    severity: Severity
    status: Status
    created_at: datetime
    created_by: str
    detected_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    postmortem_exported_at: datetime | None
    # When the first `resolved` entry was written (resolved_at is when it happened).
    resolution_recorded_at: datetime | None = None

    @property
    def ref(self) -> str:
        return format_id(self.id)

    @property
    def postmortem_rule(self) -> PostmortemDue:
        """The 48 h post-mortem rule for this incident (see `postmortem_due`)."""
        return postmortem_due(
            self.severity,
            self.resolved_at,
            self.postmortem_exported_at,
            resolution_recorded_at=self.resolution_recorded_at,
        )


@dataclass(frozen=True)
class Incident:
    id: int
    title: str
    severity: Severity
    scope: Scope
    created_at: datetime
    created_by: str
    events: tuple[Event, ...] = ()
    checklist: dict[str, ChecklistMark] = field(default_factory=dict, compare=False, hash=False)
    action_items: tuple[ActionItem, ...] = ()
    postmortem: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    postmortem_exported_at: datetime | None = None

    @property
    def ref(self) -> str:
        return format_id(self.id)

    @cached_property
    def retractions(self) -> dict[int, Event]:
        """Retracted entry id -> the retraction: they stay on the timeline, marked."""
        return retractions(self.events)

    @cached_property
    def counted_events(self) -> tuple[Event, ...]:
        """The timeline without retracted entries and retractions: what figures are made of."""
        withdrawn, retracted = self.retractions, Kind.RETRACTED  # once: a timeline is long
        return tuple([e for e in self.events if e.kind is not retracted and e.id not in withdrawn])

    @cached_property
    def milestones(self) -> Milestones:
        return Milestones.from_counted(self.counted_events)

    @property
    def status(self) -> Status:
        return Status.RESOLVED if self.milestones.resolved else Status.OPEN

    @property
    def level(self) -> SeverityLevel:
        return SEVERITY_LEVELS[self.severity]

    @cached_property
    def _counted_by_kind(self) -> dict[Kind, list[Event]]:
        # One walk of a long timeline for every `events_of` asked of this read of it (the
        # header alone asks three times at each key).
        by_kind: dict[Kind, list[Event]] = {}
        for event in self.counted_events:
            by_kind.setdefault(event.kind, []).append(event)
        return by_kind

    def events_of(self, *kinds: Kind) -> list[Event]:
        """The entries of these kinds that count (retracted ones do not), in timeline order."""
        if len(kinds) == 1:
            return list(self._counted_by_kind.get(kinds[0], ()))
        return [e for e in self.counted_events if e.kind in kinds]

    @property
    def resolution_recorded_at(self) -> datetime | None:
        """When the resolution in force was written (an entry may be backdated)."""
        return self.milestones.resolution_recorded

    @property
    def postmortem_rule(self) -> PostmortemDue:
        """The 48 h post-mortem rule for this incident (see `postmortem_due`)."""
        return postmortem_due(
            self.severity,
            self.milestones.resolved,
            self.postmortem_exported_at,
            resolution_recorded_at=self.resolution_recorded_at,
        )


def response_due(severity: Severity, detected_at: datetime) -> datetime:
    """When the severity's response target runs out (acknowledge by then)."""
    return detected_at + SEVERITY_LEVELS[severity].response_target


def postmortem_pending(incident: IncidentSummary) -> bool:
    """Resolved, and the post-mortem the runbook asks for (SEV-1/2, 48 h) not exported since."""
    due = incident.postmortem_rule
    return incident.status is Status.RESOLVED and due.required and not due.done


# How long a resolved incident stays one key away in the console (its post-mortem, a reopen).
RECENTLY_RESOLVED = timedelta(days=7)


def switchable(
    incidents: list[IncidentSummary], now: datetime, recent: timedelta = RECENTLY_RESOLVED
) -> list[IncidentSummary]:
    """What the console offers to switch to: every open incident, then resolved ones whose
    post-mortem is still to write or that were resolved within `recent`; each in id order."""
    open_ones = [i for i in incidents if i.status is Status.OPEN]
    resolved = [
        i
        for i in incidents
        if i.status is Status.RESOLVED
        and (postmortem_pending(i) or (i.resolved_at is not None and now - i.resolved_at <= recent))
    ]
    return sorted(open_ones, key=lambda i: i.id) + sorted(resolved, key=lambda i: i.id)


def next_update_due(incident: Incident, every: timedelta | None) -> datetime | None:
    """When the team channel expects the next status update: `every` after the last one sent,
    the last reopen, or detection; None when resolved or no cadence is set."""
    if every is None or incident.status is Status.RESOLVED:
        return None
    m = incident.milestones
    since = [e.at for e in incident.events_of(Kind.COMMS)]
    if m.reopened is not None:
        since.append(m.reopened)
    return (max(since) if since else m.detected or incident.created_at) + every


def acknowledged_in_time(severity: Severity, milestones: Milestones) -> bool | None:
    if milestones.time_to_acknowledge is None:
        return None
    return milestones.time_to_acknowledge <= SEVERITY_LEVELS[severity].response_target
