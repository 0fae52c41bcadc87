"""Rendering with Jinja2: the post-mortem from an incident, deterministic byte for byte."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from warroom.corrections import corrections
from warroom.errors import UserError
from warroom.evidence import summary as evidence_summary
from warroom.impact import impact_duration, users_affected
from warroom.model import KIND_LABELS, Incident, Kind, PostmortemField
from warroom.roles import ROLE_NAMES, ROLES, Roles, roles_of
from warroom.telemetry import Telemetry
from warroom.timeutil import hhmm

# Installed wheels carry the templates inside the package; a source checkout has them at the top.
_PACKAGED = Path(__file__).with_name("templates")
TEMPLATES_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).parent.parent / "templates"
POSTMORTEM_TEMPLATE = "postmortem.md.j2"

# Checklist ticks are working notes, not part of the story a post-mortem tells; retractions
# are told in the Corrections note at the end.
_TIMELINE_SKIP = {Kind.CHECKLIST, Kind.RETRACTED}


def todo(value: Any, hint: str) -> str:
    """A field's value, or a visible placeholder when nobody has filled it in yet."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"_TODO: {hint}_"
    return str(value).strip()


def continuation(value: str) -> str:
    """Keep a multi-line text inside its Markdown list item."""
    return "\n  ".join(line.rstrip() for line in value.strip().splitlines())


# A line of typed text that Markdown would read as structure: a heading (`#bad-deploy` is a tag,
# not a heading), a setext underline, a code fence. Escaped, so a root cause holding
# "## Action Items" cannot open a second section.
_MARKDOWN_BLOCK = re.compile(
    r"^([ \t]*)(#{1,6}(?=[ \t]|$)|```|~~~|=+[ \t]*$|-{2,}[ \t]*$)", re.MULTILINE
)


def markdown_text(value: Any) -> Any:
    """Every value a Markdown template prints: literal text, never raw HTML or new sections."""
    if not isinstance(value, str):
        return value
    return _MARKDOWN_BLOCK.sub(r"\1\\\2", value.replace("<", "&lt;"))


def environment(extra_dir: Path | None = None, *, markdown: bool = False) -> jinja2.Environment:
    search = [str(extra_dir)] if extra_dir else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(TEMPLATES_DIR)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=markdown_text if markdown else None,
    )
    env.filters["todo"] = todo
    env.filters["continuation"] = continuation
    return env


@lru_cache(maxsize=8)  # a console uses one or two directories; tests make many
def markdown_environment(extra_dir: Path | None = None) -> jinja2.Environment:
    """One per template directory for the process: a template is compiled (~25 ms for the
    post-mortem's) on first use, not at each render, and again only once its file changed
    (Jinja checks the file's time at each use). The editor's preview renders after every save."""
    return environment(extra_dir, markdown=True)


@dataclass(frozen=True)
class TimelineLine:
    time: str
    label: str
    text: str
    author: str
    evidence: str = ""  # what the console's panels showed when the entry was logged


@dataclass(frozen=True)
class CorrectionLine:
    """A retracted entry, told apart from the timeline so the record stays honest."""

    time: str
    label: str
    text: str
    author: str
    retracted_time: str
    by: str
    reason: str


def _joined(texts: list[str]) -> str | None:
    texts = [t.strip() for t in texts if t.strip()]
    if not texts:
        return None
    if len(texts) == 1:
        return texts[0]
    return "\n".join(f"- {continuation(t)}" for t in texts)


def _holders(roles: Roles, role: str, when: Callable[[datetime], str]) -> str | None:
    """Every holder of the role in turn, `ana, then bo from 03:25` (None: nobody held it)."""
    holders = roles.history.get(role, ())
    said = [h.name if h.by_default else f"{h.name} from {when(h.since)}" for h in holders]
    return ", then ".join(said) or None


@dataclass(frozen=True)
class Chart:
    """How the post-mortem shows the recorded telemetry: the SVG file written beside it
    (`file`), or, in a terminal, the text chart's lines."""

    file: str | None = None
    text: tuple[str, ...] = ()


def postmortem_context(
    incident: Incident, telemetry: Telemetry | None = None, chart: Chart | None = None
) -> dict[str, Any]:
    """Everything the post-mortem template sees. Typed fields win; the recorded telemetry, the
    timeline and the scope fill the rest."""
    fields = incident.postmortem
    milestones = incident.milestones
    started = milestones.detected or incident.created_at
    day = started.date()

    def when(at: datetime) -> str:
        return at.strftime("%H:%M") if at.date() == day else at.strftime("%Y-%m-%d %H:%M")

    timeline = [
        TimelineLine(
            time=when(e.at),
            label=KIND_LABELS[e.kind],
            text=e.text,
            author="auto" if e.auto else e.author,
            evidence=evidence_summary(e.data.get("evidence") or {}),
        )
        for e in incident.counted_events
        if e.kind not in _TIMELINE_SKIP
    ]
    withdrawn = [
        CorrectionLine(
            time=when(c.entry.at),
            label=KIND_LABELS[c.entry.kind],
            text=c.entry.text,
            author="auto" if c.entry.auto else c.entry.author,
            retracted_time=when(c.retraction.at),
            by=c.retraction.author,
            reason=c.retraction.text,
        )
        for c in corrections(incident)
        if c.entry.kind not in _TIMELINE_SKIP
    ]
    roles = roles_of(incident)
    resolved = milestones.time_to_resolve
    duration = impact_duration(incident, telemetry)
    users = users_affected(incident, telemetry)

    def texts(*kinds: Kind) -> list[str]:
        return [e.text for e in incident.events_of(*kinds)]

    return {
        "id": incident.ref,
        "title": incident.title,
        "date": day.isoformat(),
        "severity": incident.severity.value,
        "duration": hhmm(resolved) if resolved is not None else None,
        "author": fields.get(PostmortemField.AUTHOR) or incident.created_by,
        "roles": {ROLE_NAMES[role]: _holders(roles, role, when) for role in ROLES},
        "summary": fields.get(PostmortemField.SUMMARY),
        "timeline": timeline,
        "root_cause": fields.get(PostmortemField.ROOT_CAUSE) or _joined(texts(Kind.ROOT_CAUSE)),
        "impact": {
            "users_affected": users.value,
            "users_source": users.source,
            "duration": duration.value,
            "duration_source": duration.source,
            "data_loss": fields.get(PostmortemField.DATA_LOSS),
        },
        "chart": chart,
        "mitigation": fields.get(PostmortemField.MITIGATION)
        or _joined(texts(Kind.MITIGATED, Kind.ACTION)),
        "fix": fields.get(PostmortemField.FIX) or _joined(texts(Kind.FIX_DEPLOYED)),
        "action_items": [
            {
                "done": item.done,
                "text": item.text,
                "owner": item.owner or None,
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "label": item.label,
            }
            for item in incident.action_items
        ],
        "lessons_learned": fields.get(PostmortemField.LESSONS_LEARNED),
        "reopened": milestones.times_reopened,
        "corrections": withdrawn,
    }


def field_defaults(
    incident: Incident, telemetry: Telemetry | None = None
) -> dict[PostmortemField, str]:
    """What the export prints for each editable field: the typed text, else what it derives
    from the telemetry, the timeline, the scope or the milestones."""
    context = postmortem_context(incident, telemetry)
    impact = context["impact"]
    values = {
        PostmortemField.SUMMARY: context["summary"],
        PostmortemField.ROOT_CAUSE: context["root_cause"],
        PostmortemField.USERS_AFFECTED: impact["users_affected"],
        PostmortemField.IMPACT_DURATION: impact["duration"],
        PostmortemField.DATA_LOSS: impact["data_loss"],
        PostmortemField.MITIGATION: context["mitigation"],
        PostmortemField.FIX: context["fix"],
        PostmortemField.LESSONS_LEARNED: context["lessons_learned"],
    }
    return {name: value or "" for name, value in values.items()}


def field_source(name: str, telemetry: Telemetry | None = None) -> str:
    """Where `field_defaults` takes a field's text from when nobody has typed it."""
    if name == PostmortemField.USERS_AFFECTED:
        if telemetry and telemetry.tenants()[0]:
            return "the tenants in ERROR lines (telemetry)"
        return "the scope"
    if name == PostmortemField.IMPACT_DURATION:
        if telemetry and telemetry.impact() is not None:
            return "the failing health checks (telemetry)"
        return "the milestones"
    return "the timeline"


def render_postmortem(
    incident: Incident,
    template: Path | None = None,
    telemetry: Telemetry | None = None,
    chart: Chart | None = None,
) -> str:
    """The post-mortem as Markdown; `template` is a team's own file in place of the built-in.
    `chart`: the chart file beside it, or the text chart for a terminal."""
    name = str(template or POSTMORTEM_TEMPLATE)
    if template is not None and not template.is_file():
        raise UserError(f"template {template}: no such file")
    try:
        if template is None:
            tmpl = markdown_environment().get_template(POSTMORTEM_TEMPLATE)
        else:
            tmpl = markdown_environment(template.parent).get_template(template.name)
        return tmpl.render(postmortem_context(incident, telemetry, chart))
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"template not found: {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or name}:{exc.lineno}"
        raise UserError(f"template {where}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise UserError(f"template {name}: {exc.message}") from None
    except UnicodeDecodeError:
        raise UserError(f"template {name}: not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"template {name}: {exc.strerror or exc}") from None
    except Exception as exc:  # a team's template may divide by zero or format a string as %d
        raise UserError(f"template {name}: {type(exc).__name__}: {exc}") from None


def postmortem_filename(incident: Incident) -> str:
    """Stable per incident, so exporting again overwrites the same file."""
    started = incident.milestones.detected or incident.created_at
    slug = re.sub(r"[^a-z0-9]+", "-", incident.title.lower()).strip("-")[:48].strip("-")
    return f"{started.date().isoformat()}-{incident.ref}{'-' + slug if slug else ''}.md"
