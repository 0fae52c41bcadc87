"""Step 13's draft: a runbook section for the scenario this incident was, from its timeline,
for the team to review and merge into the reference runbook by hand."""

from __future__ import annotations

from pathlib import Path

from warroom.evidence import summary as evidence_summary
from warroom.export import postmortem_context
from warroom.model import KIND_LABELS, Event, Incident, Kind, strip_tags
from warroom.phase4.runbook_gap import incident_terms, mitigations_that_worked

# What the panels showed at these entries tells the next responder what to look for.
_EVIDENCE_KINDS = (
    Kind.DETECTED,
    Kind.ACKNOWLEDGED,
    Kind.NOTE,
    Kind.ROOT_CAUSE,
    Kind.ACTION,
    Kind.MITIGATED,
)


def draft_path(reference: Path, incident: Incident) -> Path:
    """Beside the reference, never the reference: runbook-prod.INC-7-draft.md (then -2, -3
    when a draft is there already: a reviewed draft is not overwritten)."""
    stem = f"{reference.stem}.{incident.ref}-draft"
    path = reference.with_name(f"{stem}{reference.suffix or '.md'}")
    n = 2
    while path.exists():
        path = reference.with_name(f"{stem}-{n}{reference.suffix or '.md'}")
        n += 1
    return path


def command_for(event: Event) -> str:
    """The command that runs the same mitigation again (`warroom mitigate run`)."""
    data = event.data
    command = f"warroom mitigate run {data['action']}"
    if data.get("target"):
        command += f" --target {data['target']}"
    value = (data.get("params") or {}).get("value")
    if value not in (None, ""):
        command += f" --value {value}"
    return command


def draft_scenario(incident: Incident, reference_name: str) -> str:
    """The section as Markdown: the situation, what the panels showed, the mitigation that
    worked and its command, the timeline."""
    context = postmortem_context(incident)
    terms = incident_terms(incident)
    day = (incident.milestones.detected or incident.created_at).date()
    lines = [
        f"## Scenario: {strip_tags(incident.title)}" + (f" ({', '.join(terms)})" if terms else ""),
        "",
        f"_Drafted by warroom from {incident.ref} ({day.isoformat()}) for review: merge what "
        f"holds into {reference_name} by hand, then delete this file._",
        "",
        "### Situation",
        "",
        _one(context["summary"]) or f"{incident.severity.value}: {strip_tags(incident.title)}.",
        "",
        f"- Severity: {incident.severity.value}; scope: {incident.scope.describe()}",
        f"- Root cause: {_one(context['root_cause']) or 'not recorded'}",
        "",
        "### What the panels showed",
        "",
    ]
    shown = [
        f"- {e.at:%H:%M} {KIND_LABELS[e.kind]}: {evidence_summary(e.data['evidence'])}"
        for e in incident.counted_events
        if e.kind in _EVIDENCE_KINDS and e.data.get("evidence")
    ]
    lines += shown or ["- nothing recorded with the entries (logged outside the console)"]
    lines += ["", "### Mitigation that worked", ""]
    worked = mitigations_that_worked(incident)
    for event in worked:
        done = strip_tags(event.text).split(": ok, ")[0]  # without request id and duration
        lines.append(f"- {event.at:%H:%M} {done}")
        lines += [f"  - {change}" for change in event.data.get("changes") or ()]
        lines.append(f"  - command: `{command_for(event)}`")
    if not worked:
        said = [strip_tags(e.text) for e in incident.events_of(Kind.MITIGATED)]
        lines += [f"- {text}" for text in said] or ["- not recorded"]
    lines += ["", "### Timeline (UTC)", ""]
    lines += [
        f"- {e.at:%H:%M} {KIND_LABELS[e.kind]}: {strip_tags(e.text)}"
        for e in incident.counted_events
        if e.kind not in (Kind.CHECKLIST, Kind.COMMS)
    ]
    return "\n".join(lines) + "\n"


def _one(text: str | None) -> str:
    return " ".join(strip_tags(text).split()) if text else ""
