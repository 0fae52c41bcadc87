"""Step 12, "Create action items as backlog tasks": done once every open action item of the
incident has a tracker issue."""

from __future__ import annotations

from warroom.model import Incident


def backlog_progress(incident: Incident) -> tuple[int, int]:
    """(open items with an issue, open items). Done items need none: they are finished."""
    open_items = [i for i in incident.action_items if not i.done]
    return sum(1 for i in open_items if i.external_url), len(open_items)


def backlog_complete(incident: Incident) -> bool:
    """Every open item is in the backlog, and there was something to put there."""
    linked, total = backlog_progress(incident)
    return total > 0 and linked == total


def backlog_note(incident: Incident) -> str:
    """What the checklist row says while the step is not done: "3 of 4 in the backlog"."""
    linked, total = backlog_progress(incident)
    if total == 0:
        return "no open action items yet" if not incident.action_items else ""
    return f"{linked} of {total} in the backlog"
