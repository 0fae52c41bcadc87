"""The rules that keep a 3 a.m. mistake cheap and harmless: which entries a write may add given
what the timeline holds (milestones on a resolved incident, a second acknowledgement, the same
milestone twice from two consoles, times before detection), what a retraction or a reopen may
undo, and what is still open when someone resolves. Pure: the journal runs these checks inside
its write transaction, so two processes cannot both pass them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.errors import AlreadyLogged, IncidentResolved, NotFound, Refused
from warroom.model import (
    MILESTONES,
    Event,
    Incident,
    Kind,
    Milestones,
    Status,
    counted,
    retractions,
)
from warroom.runbook import Runbook

# Two responders pressing the same key for the same thing land this close together.
SAME_MILESTONE_WINDOW = timedelta(seconds=10)
# The entries the rules read; the journal hands over only these (a long timeline stays cheap).
RULE_KINDS: tuple[Kind, ...] = (*MILESTONES, Kind.REOPENED, Kind.RETRACTED)
# What a resolved incident still takes from a person.
AFTER_RESOLUTION: tuple[Kind, ...] = (Kind.NOTE,)


def _utc(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def refuse_entry(
    events: Sequence[Event],
    *,
    ref: str,
    kind: Kind,
    at: datetime,
    author: str,
    text: str,
    backdated: bool,
) -> None:
    """Raise when `author`'s `kind` entry at `at` may not be added to a timeline holding `events`
    (the incident's RULE_KINDS entries, retracted ones included: they are ignored here). One
    person may log two different mitigations in a row; two people logging the same milestone
    within seconds are one event."""
    live = counted(events)
    m = Milestones.from_events(live)
    if backdated and kind is not Kind.DETECTED:
        refuse_before_detection(m, at)
    if kind not in MILESTONES:
        return
    if m.resolved is not None:
        raise IncidentResolved(
            f"{ref} was resolved at {_utc(m.resolved)}; it takes notes and post-mortem work, "
            f"not {kind.value}: reopen it first (warroom reopen --incident {ref} REASON)",
            ref=ref,
        )
    if kind is Kind.ACKNOWLEDGED:
        acks = acknowledgements_in_force(live)
        if acks:
            first = min(acks, key=lambda e: (e.at, e.id))
            raise AlreadyLogged(
                f"{ref} was already acknowledged by {first.author} at {_utc(first.at)} "
                f"(entry {first.id}); nothing logged",
                by=first.author,
                at=first.at,
                entry=first.id,
            )
    for event in live:
        if (
            event.kind is kind
            and abs(event.at - at) <= SAME_MILESTONE_WINDOW
            and (
                event.author != author or event.text == text  # another console, or a double press
            )
        ):
            raise AlreadyLogged(
                f"{kind.value} was just logged on {ref} by {event.author} at {_utc(event.at)} "
                f"(entry {event.id}); logged once, nothing added",
                by=event.author,
                at=event.at,
                entry=event.id,
            )


def acknowledgements_in_force(live: Sequence[Event]) -> list[Event]:
    """The acknowledgements among the entries that count (`live`) since the last reopen: once
    per incident, until it is reopened, which asks for someone to take it again."""
    reopen = max((e.id for e in live if e.kind is Kind.REOPENED), default=-1)
    return [e for e in live if e.kind is Kind.ACKNOWLEDGED and e.id > reopen]


def response_clock_start(incident: Incident) -> datetime | None:
    """What the response target (acknowledge within 15 min / 1 h / 4 h) counts from while
    nobody has taken the incident: its detection, or its last reopen; None once acknowledged
    since then, and once resolved."""
    if incident.status is Status.RESOLVED:
        return None
    # acknowledgements_in_force, from the incident's index of entries by kind: the header asks
    # at every key, and walking a long timeline twice took milliseconds.
    reopen = max((e.id for e in incident.events_of(Kind.REOPENED)), default=-1)
    if any(e.id > reopen for e in incident.events_of(Kind.ACKNOWLEDGED)):
        return None
    m = incident.milestones
    return m.reopened or m.detected or incident.created_at


def refuse_before_detection(m: Milestones, at: datetime) -> None:
    if m.detected is not None and at < m.detected:
        raise Refused(
            f"{at:%Y-%m-%d %H:%M:%S} is before the incident was detected "
            f"({_utc(m.detected)}); log a detected entry at the earlier time "
            "first if the alert fired earlier"
        )


def refuse_retraction(
    events: Sequence[Event], target: Event | None, *, incident_id: int, ref: str, entry: int
) -> Event:
    """The entry to retract, or a refusal: no such entry, another incident's, a retraction, or
    one retracted already. `events` are the incident's RULE_KINDS entries."""
    if target is None:
        raise NotFound(f"no timeline entry {entry}")
    if target.incident_id != incident_id:
        raise Refused(f"entry {entry} is on INC-{target.incident_id}, not {ref}; nothing retracted")
    if target.kind is Kind.RETRACTED:
        raise Refused(
            f"entry {entry} is itself a retraction (of entry {target.data.get('entry')}); "
            "retractions stand, nothing retracted"
        )
    earlier = retractions(events).get(entry)
    if earlier is not None:
        raise Refused(
            f"entry {entry} was already retracted by {earlier.author} at {_utc(earlier.at)}: "
            f"{earlier.text}"
        )
    return target


def refuse_reopen(events: Sequence[Event], *, ref: str) -> Milestones:
    """The milestones of a resolved incident about to be reopened; a refusal when it is open."""
    m = Milestones.from_events(events)
    if m.resolved is None:
        raise Refused(f"{ref} is open; nothing to reopen")
    return m


def refuse_amend(target: Event, events: Sequence[Event], at: datetime | None) -> None:
    """An entry's correction: not of a retracted entry, not to a time before detection."""
    withdrawn = retractions(events).get(target.id)
    if withdrawn is not None:
        raise Refused(
            f"entry {target.id} was retracted by {withdrawn.author} at {_utc(withdrawn.at)}; "
            "it stays as it was"
        )
    if at is not None and target.kind is not Kind.DETECTED:
        refuse_before_detection(Milestones.from_events(events), at)


def still_open(incident: Incident, runbook: Runbook) -> str:
    """What resolving now would leave undone, for the confirmation ("not mitigated yet; 2
    checklist steps open"); "" when nothing is. Steps count up to the phase that begins with
    the resolution (the post-mortem's come after it)."""
    parts = []
    if incident.milestones.mitigated is None:
        parts.append("not mitigated yet")
    steps = []
    for phase in runbook.phases:
        if phase.begins_after == Kind.RESOLVED.value:
            break
        steps.extend(phase.steps)
    left = sum(
        1 for s in steps if not (s.id in incident.checklist and incident.checklist[s.id].done)
    )
    if left:
        parts.append(f"{left} checklist step{'s' if left != 1 else ''} open")
    return "; ".join(parts)


def last_undoable(incident: Incident, author: str) -> Event | None:
    """The entry `author` wrote last by hand that still counts: what "undo" withdraws. Never
    the declaration (the incident's first entry): an incident is not undone, it is resolved."""
    first = min((e.id for e in incident.events), default=None)
    own = [
        e for e in incident.counted_events if e.author == author and not e.auto and e.id != first
    ]
    return max(own, key=lambda e: e.id) if own else None


@dataclass(frozen=True)
class Correction:
    """A retracted entry and its retraction, for the post-mortem's Corrections note."""

    entry: Event
    retraction: Event


def corrections(incident: Incident) -> list[Correction]:
    """The retracted entries, in timeline order."""
    withdrawn = incident.retractions
    return [Correction(e, withdrawn[e.id]) for e in incident.events if e.id in withdrawn]
