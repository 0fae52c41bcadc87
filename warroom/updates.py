"""The runbook's three team-channel updates, drafted from the journal. No I/O but the templates.

Which message fits depends on how far the incident has come: resolved, else mitigated, else
still investigating. Each is prefilled from the timeline; what nobody has logged yet shows as
the runbook's own bracketed placeholder ("[action]", "[time]", "[X]") for the responder to fill
in before sending.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Literal, cast

import jinja2

from warroom.export import environment
from warroom.model import KIND_LABELS, Event, Incident, Kind, PostmortemField, strip_tags

# "share": the post-mortem shared with the team (Phase 4, warroom/phase4/share.py).
UpdateKind = Literal["investigating", "mitigated", "resolved", "share"]
UPDATE_KINDS: tuple[UpdateKind, ...] = ("investigating", "mitigated", "resolved")

# A chat message, not a report: one filled-in value stays within a line or two.
MAX_VALUE = 300

# The detected entry the write path makes when `declare` had no note says nothing about the alarm.
_DECLARED_DEFAULT = re.compile(r"Incident declared, SEV-\d")
# A journaled mitigation reads "<what was done>: ok, <detail> (<request id>, <duration>)".
_ACTION_RESULT = re.compile(r"^(?P<summary>.+?): (?P<state>ok|FAILED), ", re.DOTALL)
# "Service restored (health recovered)" says when, which the message already does, not how.
_RESTATES_RESTORED = re.compile(r"service restored\b", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    kind: UpdateKind
    text: str
    # The placeholders left in `text` (e.g. "[time]"): empty when everything was prefilled.
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def template_name(kind: UpdateKind) -> str:
    return f"update_{kind}.txt.j2"


def update_kind(incident: Incident) -> UpdateKind:
    """The message for where the incident is now."""
    milestones = incident.milestones
    if milestones.resolved is not None:
        return "resolved"
    if milestones.mitigated is not None:
        return "mitigated"
    return "investigating"


def update_context(incident: Incident) -> dict[str, Any]:
    """Everything the update templates see; None for what the journal does not say yet."""
    milestones = incident.milestones
    day = _utc(milestones.detected or incident.created_at).date()
    return {
        "id": incident.ref,
        "title": _untagged(incident.title),
        "severity": incident.severity.value,
        "alarm": _alarm(incident),
        "action": _clip(
            _joined(_mitigations(incident))
            or _single(_untagged(incident.postmortem.get(PostmortemField.MITIGATION)))
        ),
        "restored_at": _clock(milestones.mitigated, day),
        "root_cause": _clip(
            _joined(_single(_said(e)) for e in _entries(incident, Kind.ROOT_CAUSE))
            or _single(_untagged(incident.postmortem.get(PostmortemField.ROOT_CAUSE)))
        ),
        "fix_at": _clock(milestones.fix_deployed, day),
    }


def draft_update(incident: Incident, kind: UpdateKind | None = None) -> Draft:
    """The update to post now (or the one named by `kind`), prefilled from the journal."""
    chosen = update_kind(incident) if kind is None else kind
    if chosen not in UPDATE_KINDS:
        raise ValueError(f"unknown update {chosen!r}; use one of: {', '.join(UPDATE_KINDS)}")
    return render_draft(cast(UpdateKind, chosen), template_name(chosen), update_context(incident))


def render_draft(kind: UpdateKind, template: str, context: dict[str, Any]) -> Draft:
    """A message from its template; what the context lacks is left as "[hint]" and listed."""
    missing: list[str] = []
    text = _environment().get_template(template).render(context, placeholders=missing)
    return Draft(kind=kind, text=text.rstrip("\n"), missing=tuple(missing))


def render_update(kind: UpdateKind, incident: Incident) -> str:
    return draft_update(incident, kind).text


@jinja2.pass_context
def _fill(context: jinja2.runtime.Context, value: Any, hint: str) -> str:
    """The value, or "[hint]" (noted in the render's `placeholders` list) when there is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        placeholder = f"[{hint}]"
        sink = context.get("placeholders")
        if isinstance(sink, list):
            sink.append(placeholder)
        return placeholder
    return str(value)


@cache
def _environment() -> jinja2.Environment:
    env = environment()
    env.filters["fill"] = _fill
    return env


def _entries(incident: Incident, *kinds: Kind) -> list[Event]:
    return sorted(incident.events_of(*kinds), key=lambda e: (e.at, e.id))


def _said(event: Event) -> str | None:
    """What a person wrote in the entry, without internal `#tags`; None for the text a key or
    a checklist tick logs by itself ("Root cause identified" names no cause) until edited."""
    ticked = event.data.get("checklist") and event.edited_at is None
    if ticked or event.text.strip() == KIND_LABELS[event.kind]:
        return None
    return _untagged(event.text)


def _untagged(text: str | None) -> str | None:
    """Tags are for the quarterly review; the team channel gets the words around them."""
    return None if text is None else strip_tags(text)


def _alarm(incident: Incident) -> str | None:
    """The first detected entry's text (the alarm or the report), else the incident's title:
    a console declaration leaves the default "Incident declared, SEV-x" there."""
    detected = _entries(incident, Kind.DETECTED)
    if detected and not _DECLARED_DEFAULT.fullmatch(detected[0].text.strip()):
        return _clip(_single(_untagged(detected[0].text)))
    return _clip(_single(_untagged(incident.title)))


def _mitigations(incident: Incident) -> list[str]:
    """What restored service: the `mitigated` entries' texts, and the runbook mitigations that
    worked up to the time service was restored (later ones are clean-up, not the mitigation)."""
    restored = incident.milestones.mitigated
    texts = []
    for event in _entries(incident, Kind.MITIGATED, Kind.ACTION):
        text = event.text
        if event.kind is Kind.MITIGATED:
            said = _said(event)
            if said is None or _RESTATES_RESTORED.match(said):
                continue
            text = said
        else:
            result = _ACTION_RESULT.match(text)
            failed = event.data.get("ok") is False or (result and result["state"] == "FAILED")
            if failed or (restored is not None and event.at > restored):
                continue
            if result:
                text = result["summary"]
            text = strip_tags(text)
        texts.append(_single(text))
    return texts


def _single(text: str | None) -> str | None:
    """One line, without the full stop the template puts after it."""
    if text is None:
        return None
    folded = " ".join(text.split()).rstrip(".").rstrip()
    return folded or None


def _joined(texts: Iterable[str | None]) -> str | None:
    unique: list[str] = []
    for text in texts:
        if text and text.casefold() not in {u.casefold() for u in unique}:
            unique.append(text)
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return f"{', '.join(unique[:-1])} and {unique[-1]}"


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_VALUE:
        return text
    return text[: MAX_VALUE - 1].rstrip() + "…"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _clock(at: datetime | None, day: date) -> str | None:
    """HH:MM UTC; with the date too when it is not the day the incident was detected."""
    if at is None:
        return None
    at = _utc(at)
    return f"{at:%H:%M} UTC" if at.date() == day else f"{at:%Y-%m-%d %H:%M} UTC"
