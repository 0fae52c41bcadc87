"""The post-mortem's text fields as the editor shows them: titles, hints, heights, and the
TextArea that holds one."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import TextArea

from warroom.model import Incident, PostmortemField
from warroom.telemetry import Telemetry


@dataclass(frozen=True)
class FieldSpec:
    name: PostmortemField
    title: str
    hint: str  # the runbook template's own words
    lines: int  # text lines shown


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(PostmortemField.SUMMARY, "Summary", "One-paragraph description of what happened.", 4),
    FieldSpec(
        PostmortemField.ROOT_CAUSE, "Root Cause", "What actually broke and why. #tags group it.", 4
    ),
    FieldSpec(
        PostmortemField.USERS_AFFECTED, "Impact · users affected", 'count, "all tenants", ...', 1
    ),
    FieldSpec(PostmortemField.IMPACT_DURATION, "Impact · duration of impact", "minutes", 1),
    FieldSpec(PostmortemField.DATA_LOSS, "Impact · data loss", "none / describe", 1),
    FieldSpec(
        PostmortemField.MITIGATION,
        "Mitigation",
        "What was done to restore service before the full fix.",
        4,
    ),
    FieldSpec(PostmortemField.FIX, "Fix", "What code/config change resolved the root cause.", 3),
    FieldSpec(
        PostmortemField.LESSONS_LEARNED, "Lessons Learned", "What we'd do differently next time.", 4
    ),
)
FIELD_NAMES = tuple(spec.name for spec in FIELDS)
SPECS = {spec.name: spec for spec in FIELDS}
# The action items sit between the fix and the lessons learned, as in the template.
BEFORE_ACTION_ITEMS = FIELD_NAMES.index(PostmortemField.LESSONS_LEARNED)


def export_defaults(
    incident: Incident, telemetry: Telemetry | None = None
) -> dict[PostmortemField, str]:
    """What the export prints for each field (typed text, else derived from the incident and
    its recorded telemetry)."""
    from warroom.export import field_defaults  # jinja2: imported on first use

    return field_defaults(incident, telemetry)


def default_note(name: str, default: str, telemetry: Telemetry | None = None) -> str:
    """The border note of a field showing derived text: where that text comes from."""
    from warroom.export import field_source  # jinja2: already imported by export_defaults

    return f"from {field_source(name, telemetry)}" if default else ""


class FieldArea(TextArea):
    """One post-mortem field."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(
            id=f"pm-{spec.name.replace('_', '-')}",
            classes="pm-field",
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=spec.hint,
        )
        self.spec = spec
        self.border_title = spec.title
        self.styles.height = spec.lines + 2
