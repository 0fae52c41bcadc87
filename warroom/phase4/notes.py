"""What a Phase 4 checklist row says while its step is not done."""

from __future__ import annotations

from collections.abc import Mapping

from warroom.model import Incident
from warroom.phase4.backlog_step import backlog_note
from warroom.runbook import Step


def step_note(step: Step, incident: Incident, found: Mapping[str, str]) -> str:
    """The backlog's progress ("3 of 4 in the backlog"), or what the console found for the
    step off the event loop (`found`: step id -> text, e.g. a runbook gap)."""
    if step.acts == "backlog":
        return backlog_note(incident)
    return found.get(step.id, "")
