"""Step 11, "Share the post-mortem with the team": the message drafted from the post-mortem
(title, severity, duration, summary, root cause, action items, where the file is), posted
through the outbox like every status update."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from warroom.export import postmortem_context, postmortem_filename
from warroom.model import Incident, strip_tags
from warroom.updates import Draft, render_draft

# A chat message: a long summary is cut, the file has the rest.
MAX_FIELD = 600


def share_due(incident: Incident) -> bool:
    """`u` shares the post-mortem once there is one to share: exported after the resolution
    (before that, `u` is still the runbook's "Resolved." update)."""
    return incident.postmortem_rule.done


def postmortem_location(incident: Incident, directory: Path, url_base: str = "") -> str:
    """Where the team reads it: the URL under `url_base` when set, else the exported file."""
    name = postmortem_filename(incident)
    if url_base:
        return f"{url_base.rstrip('/')}/{quote(name)}"
    return str(directory / name)


def draft_share(incident: Incident, location: str) -> Draft:
    context = postmortem_context(incident)
    items = [
        {**item, "text": _one_line(item["text"]), "owner": _one_line(item["owner"] or "")}
        for item in context["action_items"]
    ]
    return render_draft(
        "share",
        "share.txt.j2",
        {
            "id": incident.ref,
            "title": _one_line(incident.title),
            "severity": incident.severity.value,
            "duration": context["duration"],
            "summary": _one_line(context["summary"]),
            "root_cause": _one_line(context["root_cause"]),
            "action_items": items,
            "location": location,
        },
    )


def _one_line(text: str | None) -> str | None:
    """Tags are for the review; a chat line holds no line breaks."""
    if not text:
        return None
    folded = " ".join(strip_tags(text).split()).lstrip("- ").strip()
    if len(folded) > MAX_FIELD:
        folded = folded[: MAX_FIELD - 1].rstrip() + "…"
    return folded or None
