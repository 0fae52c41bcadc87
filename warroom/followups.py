"""What an incident leaves behind to follow up: the post-mortem the runbook asks for (and when),
its action items, and status updates kept in the outbox until a channel takes them. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from warroom.severity import POSTMORTEM_DEADLINE, SEVERITY_LEVELS, Severity


@dataclass(frozen=True)
class ActionItem:
    id: int
    incident_id: int
    text: str
    owner: str
    deadline: date | None
    done: bool = False
    label: str = "incident"
    external_url: str | None = None

    def overdue(self, today: date) -> bool:
        return not self.done and self.deadline is not None and self.deadline < today


_DEADLINE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_deadline(raw: str) -> date | None:
    """An action item's deadline as typed: `YYYY-MM-DD`, or None for no deadline; ValueError
    saying why otherwise."""
    text = raw.strip()
    if not text:
        return None
    if not _DEADLINE.fullmatch(text):
        raise ValueError(f"deadline {text!r} is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"deadline {text!r} is not a real date") from None


def action_item_warnings(owner: str, deadline: date | None, today: date) -> list[str]:
    """What is probably a slip in an action item, said but not refused: it is still saved."""
    warnings = []
    if not owner.strip():
        warnings.append("no owner: nobody is on the hook for it")
    if deadline is not None and deadline < today:
        warnings.append(f"deadline {deadline.isoformat()} is already past")
    return warnings


class PostState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class OutboxMessage:
    """A status update for one team channel, kept until it is sent or a person discards it."""

    id: int
    incident_id: int
    channel: str
    text: str
    created_at: datetime
    created_by: str
    state: PostState = PostState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    closed_at: datetime | None = None
    closed_by: str | None = None


@dataclass(frozen=True)
class PostmortemDue:
    required: bool
    due_at: datetime | None
    done: bool

    def overdue(self, now: datetime) -> bool:
        return self.required and not self.done and self.due_at is not None and now > self.due_at


def export_counts(exported_at: datetime | None, resolution_recorded_at: datetime | None) -> bool:
    """Only an export made once the incident was resolved is its post-mortem: one made earlier
    says "Duration: ongoing" and misses the root cause and the fix."""
    return (
        exported_at is not None
        and resolution_recorded_at is not None
        and exported_at >= resolution_recorded_at
    )


def postmortem_due(
    severity: Severity,
    resolved_at: datetime | None,
    exported_at: datetime | None,
    *,
    resolution_recorded_at: datetime | None,
) -> PostmortemDue:
    """SEV-1 and SEV-2 need a post-mortem within 48 h of resolution; SEV-3 is optional. Done
    means exported after the resolution was recorded (see `export_counts`)."""
    required = SEVERITY_LEVELS[severity].postmortem_required
    due_at = resolved_at + POSTMORTEM_DEADLINE if resolved_at else None
    done = export_counts(exported_at, resolution_recorded_at)
    return PostmortemDue(required=required, due_at=due_at, done=done)
