"""The quarterly review in Markdown (`warroom report`), from `templates/report.md.j2`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from warroom.report import PATTERN_KINDS, PERCENTILE_METHOD, Report, SeverityStats
from warroom.stats import percent_text, window_text
from warroom.timeutil import short_duration

REPORT_TEMPLATE = "report.md.j2"


def _duration(value: timedelta | None) -> str:
    return "—" if value is None else short_duration(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown_context(report: Report) -> dict[str, Any]:
    def row(stats: SeverityStats) -> dict[str, str]:
        target = stats.response_target
        return {
            "label": stats.label,
            "incidents": str(stats.incidents),
            "open": str(stats.open),
            "ack_median": _duration(stats.acknowledge.median),
            "ack_p90": _duration(stats.acknowledge.p90),
            "mitigate_median": _duration(stats.mitigate.median),
            "mitigate_p90": _duration(stats.mitigate.p90),
            "resolve_median": _duration(stats.resolve.median),
            "resolve_p90": _duration(stats.resolve.p90),
            "target": _duration(target) if target else "per severity",
            "within": percent_text(
                stats.acknowledged_within_target, stats.acknowledgement_measured
            ),
        }

    pm = report.postmortems
    return {
        "start": f"{report.window_start:%Y-%m-%d %H:%M}",
        "end": f"{report.generated_at:%Y-%m-%d %H:%M}",
        "window": window_text(report.since),
        "incidents": report.incidents,
        "method": PERCENTILE_METHOD,
        "rows": [row(s) for s in (*report.severities, report.overall)],
        "postmortems": {
            "required": pm.required,
            "compliant": pm.compliant,
            "late": pm.late,
            "due": pm.due,
            "overdue": len(pm.overdue),
            "overdue_refs": ", ".join(pm.overdue),
            "not_yet_due": pm.not_yet_due,
            "compliance": percent_text(pm.compliant, pm.decided),
        },
        "patterns": [
            {
                "title": title,
                "entries": [
                    {
                        "name": ("#" if kind == "root_cause_tags" else "") + p.name,
                        "count": len(p.incidents),
                        "refs": ", ".join(p.incidents),
                    }
                    for p in report.patterns[kind]
                ],
            }
            for kind, title in PATTERN_KINDS
        ],
        "action_items": [
            {
                "incident": i.incident,
                "text": _cell(i.text),
                "owner": _cell(i.owner) or "unassigned",
                "deadline": i.deadline.isoformat() if i.deadline else "—",
                "state": "**overdue**" if i.overdue else "open",
            }
            for i in report.action_items
        ],
        "reopened": [
            {
                "incident": r.incident,
                "title": _cell(r.title),
                "times": r.times,
                "state": "resolved again" if r.resolved else "still open",
            }
            for r in report.reopened
        ],
        "open_items": len(report.action_items),
        "overdue_items": len(report.overdue_action_items),
    }


def render_markdown(report: Report) -> str:
    from warroom.export import markdown_environment  # jinja2 only when a report is rendered

    return markdown_environment().get_template(REPORT_TEMPLATE).render(markdown_context(report))
