"""Incidents as plain JSON-ready dicts, for `show --json` and `list --json`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from warroom.followups import ActionItem, OutboxMessage
from warroom.model import Event, Incident, IncidentSummary, format_id, response_due
from warroom.roles import ROLES, roles_of
from warroom.runbook import Runbook
from warroom.timeutil import iso


def _time(value: datetime | None) -> str | None:
    return iso(value) if value else None


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def summary_dict(summary: IncidentSummary) -> dict[str, Any]:
    due = summary.postmortem_rule
    return {
        "id": summary.ref,
        "number": summary.id,
        "title": summary.title,
        "severity": summary.severity.value,
        "status": summary.status.value,
        "detected_at": _time(summary.detected_at),
        "acknowledged_at": _time(summary.acknowledged_at),
        "resolved_at": _time(summary.resolved_at),
        "created_by": summary.created_by,
        "postmortem_required": due.required,
        "postmortem_due_at": _time(due.due_at),
        "postmortem_exported_at": _time(summary.postmortem_exported_at),
        "postmortem_done": due.done,  # exported after resolution: an earlier export does not count
    }


def incident_dict(incident: Incident, runbook: Runbook) -> dict[str, Any]:
    milestones = incident.milestones
    due = incident.postmortem_rule
    detected = milestones.detected
    ack_due = response_due(incident.severity, detected) if detected else None
    order = {step.id: n for n, step in enumerate(s for p in runbook.phases for s in p.steps)}
    roles = roles_of(incident)
    marks = sorted(
        incident.checklist.values(), key=lambda m: (order.get(m.item_id, len(order)), m.item_id)
    )
    return {
        "id": incident.ref,
        "number": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "phase": runbook.current_phase(milestones).name,
        "scope": {**incident.scope.to_dict(), "all": incident.scope.is_all},
        "created_at": iso(incident.created_at),
        "created_by": incident.created_by,
        "roles": {role: roles.holder(role) for role in ROLES},
        "milestones": {
            name: _time(getattr(milestones, name))
            for name in (
                "detected",
                "acknowledged",
                "root_cause",
                "mitigated",
                "fix_deployed",
                "resolved",
            )
        },
        "reopened": milestones.times_reopened,
        "durations_seconds": {
            "to_acknowledge": _seconds(milestones.time_to_acknowledge),
            "to_mitigate": _seconds(milestones.time_to_mitigate),
            "to_resolve": _seconds(milestones.time_to_resolve),
        },
        "acknowledge_due_at": _time(ack_due),
        "postmortem": {
            "required": due.required,
            "due_at": _time(due.due_at),
            "exported_at": _time(incident.postmortem_exported_at),
            "done": due.done,
            "fields": dict(sorted(incident.postmortem.items())),
        },
        "events": [
            {
                "id": e.id,
                "at": iso(e.at),
                "recorded_at": iso(e.recorded_at),
                "kind": e.kind.value,
                "text": e.text,
                "author": e.author,
                "auto": e.auto,
                "data": e.data,
                "edited_at": _time(e.edited_at),
                "edited_by": e.edited_by,
                "retracted": _retraction(incident.retractions.get(e.id)),
            }
            for e in incident.events
        ],
        "checklist": [
            {"step": m.item_id, "done": m.done, "by": m.by, "at": iso(m.at)} for m in marks
        ],
        "action_items": [
            {"id": item.id, **action_item_dict(item)} for item in incident.action_items
        ],
    }


def _retraction(retraction: Event | None) -> dict[str, Any] | None:
    """A retracted entry keeps its place; this says who withdrew it, when and why."""
    if retraction is None:
        return None
    return {"at": iso(retraction.at), "by": retraction.author, "reason": retraction.text}


def action_item_dict(item: ActionItem) -> dict[str, Any]:
    """An action item's own fields, as `show --json` and the backlog exports print them."""
    return {
        "text": item.text,
        "owner": item.owner,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "done": item.done,
        "label": item.label,
        "external_url": item.external_url,
    }


def outbox_dict(m: OutboxMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "incident": format_id(m.incident_id),
        "channel": m.channel,
        "text": m.text,
        "created_at": iso(m.created_at),
        "created_by": m.created_by,
        "attempts": m.attempts,
        "next_attempt_at": iso(m.next_attempt_at) if m.next_attempt_at else None,
        "last_error": m.last_error,
    }
