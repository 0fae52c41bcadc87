"""Incidents and deliveries as the CLI prints them in plain text (JSON: jsonview.py)."""

from __future__ import annotations

from datetime import datetime

from warroom.model import Incident, IncidentSummary, Kind
from warroom.roles import ROLE_NAMES, ROLES, Roles, roles_of
from warroom.runbook import Runbook
from warroom.service import Delivery
from warroom.timeutil import short_duration


def hms(value: datetime) -> str:
    return value.strftime("%H:%M:%S")


def list_row(item: IncidentSummary, now: datetime) -> str:
    detected = item.detected_at or item.created_at
    end = item.resolved_at or now
    row = (
        f"{item.ref:<8} {item.severity.value:<6} {item.status.value:<9} "
        f"{detected:%Y-%m-%d %H:%M} {short_duration(end - detected):>7}  {item.title}"
    )
    due = item.postmortem_rule
    if due.required and not due.done and due.due_at is not None:
        state = "OVERDUE" if due.overdue(now) else "due"
        row += f"  [post-mortem {state} {due.due_at:%Y-%m-%d %H:%M}]"
    return row


def roles_line(roles: Roles) -> str:
    return "   ".join(f"{ROLE_NAMES[role]}: {roles.holder(role) or 'unassigned'}" for role in ROLES)


def show_text(incident: Incident, runbook: Runbook) -> str:
    m = incident.milestones
    phase = runbook.current_phase(m)
    reopened = f" (reopened {m.times_reopened}x)" if m.times_reopened else ""
    lines = [
        f"{incident.ref}  {incident.severity.value}  {incident.title}",
        f"status: {incident.status.value}{reopened}   phase: {phase.name}",
        f"scope: {incident.scope.describe()}",
        roles_line(roles_of(incident)),
    ]
    durations = [
        (label, value)
        for label, value in (
            ("to acknowledge", m.time_to_acknowledge),
            ("to mitigate", m.time_to_mitigate),
            ("to resolve", m.time_to_resolve),
        )
        if value is not None
    ]
    if durations:
        lines.append("   ".join(f"{label}: {short_duration(v)}" for label, v in durations))
    lines.append("")
    lines.append("Timeline (UTC; #: the entry number `retract` takes)")
    day = None
    for event in incident.events:
        if event.at.date() != day:
            day = event.at.date()
            lines.append(f"  {day.isoformat()}")
        who = "auto" if event.auto else event.author
        edited = " (edited)" if event.edited_at else ""
        text = event.text.replace("\n", "\n" + " " * 37)
        if event.kind is Kind.RETRACTED:
            text = f"#{event.data.get('entry')}: {text}"
        start = f"  {'#' + str(event.id):>5}  {hms(event.at)}"
        line = f"{start}  {event.kind.value:<13} {text}  ({who}){edited}"
        withdrawn = incident.retractions.get(event.id)
        if withdrawn is not None:
            # Marked, not hidden: the record stays whole, the figures leave it out.
            line = f"{start}  {'RETRACTED':<13} {event.kind.value}: {text}  ({who}){edited}"
            line += f"  [by {withdrawn.author} at {hms(withdrawn.at)}: {withdrawn.text}]"
        lines.append(line)
    if incident.action_items:
        lines.append("")
        lines.append("Action items")
        for item in incident.action_items:
            box = "[x]" if item.done else "[ ]"
            deadline = item.deadline.isoformat() if item.deadline else "no deadline"
            lines.append(f"  {box} {item.text} — {item.owner or 'unassigned'}, {deadline}")
    return "\n".join(lines)


def delivery_line(delivery: Delivery) -> tuple[str, bool]:
    """What to say about one attempt to post, and whether it is an error (for stderr)."""
    message, result = delivery.message, delivery.result
    if result is None:
        return f"#{message.id} to {message.channel}: already sent or being sent elsewhere", False
    if result.ok:
        return f"#{message.id} posted to {message.channel}: {result.detail}", False
    retry = message.next_attempt_at.strftime("%H:%M:%S") if message.next_attempt_at else "-"
    return (
        f"warroom: #{message.id} not posted to {message.channel}: {result.detail}; kept in "
        f"the outbox, retried from {retry} UTC by a running console or `warroom outbox retry`",
        True,
    )
