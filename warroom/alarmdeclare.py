"""Declaring from a CloudWatch alarm: the title from the alarm, the severity `[alarms.severity]`
gives it, and detection when the alarm fired, so the response clock starts then, not when
someone woke up. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.config import AlarmsConfig
from warroom.sanitize import safe_line
from warroom.severity import Severity
from warroom.sources.alarms import Alarm

DEFAULT_SEVERITY = Severity.SEV2


@dataclass(frozen=True)
class AlarmDeclaration:
    title: str
    severity: Severity
    detected_at: datetime | None  # None: the alarm has no state-change time (missing)
    note: str  # the `detected` entry: "Investigating [alarm]" names it


def severity_for(config: AlarmsConfig, name: str) -> Severity | None:
    """`[alarms.severity]`: the alarm's own name, else the longest prefix of it listed."""
    matches = [key for key in config.severity if name.startswith(key)]
    if not matches:
        return None
    return Severity.parse(config.severity[max(matches, key=len)])


def declaration_title(alarm: Alarm) -> str:
    """What a declaration from the alarm is called: its description, else its name."""
    text = alarm.description.splitlines()[0].strip() if alarm.description.strip() else ""
    return safe_line(text or f"CloudWatch alarm {alarm.name}", limit=120)


def from_alarm(
    config: AlarmsConfig, alarm: Alarm, severity: Severity | None = None
) -> AlarmDeclaration:
    """`severity`: chosen by hand, over the config's."""
    chosen = severity or severity_for(config, alarm.name) or DEFAULT_SEVERITY
    return AlarmDeclaration(
        declaration_title(alarm), chosen, alarm.since, f"CloudWatch alarm {alarm.name}"
    )
