"""The runbook's severity levels: what each means, how fast to respond, whether a post-mortem
is required. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Severity(StrEnum):
    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Accept `SEV-1`, `sev1`, `1`."""
        cleaned = text.strip().upper().replace("_", "-")
        if cleaned.isdigit():
            cleaned = f"SEV-{cleaned}"
        if cleaned.startswith("SEV") and not cleaned.startswith("SEV-"):
            cleaned = "SEV-" + cleaned[3:]
        try:
            return cls(cleaned)
        except ValueError:
            raise ValueError(f"unknown severity {text!r}; use SEV-1, SEV-2 or SEV-3") from None


@dataclass(frozen=True)
class SeverityLevel:
    severity: Severity
    definition: str
    response_target: timedelta
    examples: str
    postmortem_required: bool


SEVERITY_LEVELS: dict[Severity, SeverityLevel] = {
    Severity.SEV1: SeverityLevel(
        Severity.SEV1,
        "Service down or data breach",
        timedelta(minutes=15),
        "All APIs returning 500, tenant data leaked, auth bypass",
        True,
    ),
    Severity.SEV2: SeverityLevel(
        Severity.SEV2,
        "Major feature broken",
        timedelta(hours=1),
        "AI chat down, orders not saving, notifications not sending",
        True,
    ),
    Severity.SEV3: SeverityLevel(
        Severity.SEV3,
        "Minor degradation",
        timedelta(hours=4),
        "Slow API responses, dashboard data delayed, cosmetic UI bug",
        False,
    ),
}

POSTMORTEM_DEADLINE = timedelta(hours=48)
