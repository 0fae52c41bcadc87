"""Declaring from a CloudWatch alarm: the title from the alarm, the severity `[alarms.severity]`
gives it, and detection when the alarm fired, so the response clock starts then, not when
someone woke up. The rules are pure; `read_alarm_declaration` reads the alarm once (the CLI's
`declare --from-alarm`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from warroom.config import AlarmsConfig, Config
from warroom.errors import UserError
from warroom.sanitize import safe_line
from warroom.severity import Severity
from warroom.sources.alarms import MISSING, Alarm, AlarmFeed

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
    """`severity`: chosen by hand, over the config's. An alarm no longer in ALARM has no
    firing time to give (its state change is when it cleared): detection is then now."""
    chosen = severity or severity_for(config, alarm.name) or DEFAULT_SEVERITY
    note = f"CloudWatch alarm {alarm.name}"
    if not alarm.firing:
        note += f" (now {alarm.state})"
    return AlarmDeclaration(
        declaration_title(alarm), chosen, alarm.since if alarm.firing else None, note
    )


async def read_alarm_declaration(
    config: Config, name: str, severity: Severity | None = None
) -> AlarmDeclaration:
    """The alarm `name` read from CloudWatch now (one DescribeAlarms, no metrics), as a
    declaration; UserError when it cannot be read or does not exist."""
    from warroom.sources.aws import AwsClients

    watched = replace(config.alarms, names=(name,), prefix="", metric_requests_per_minute=0)
    snapshot = await AlarmFeed(watched, AwsClients(config)).poll()
    if not snapshot.source.ok:
        raise UserError(
            f"cannot read CloudWatch alarm {name!r}: {snapshot.source.reason}; "
            "declare with --title and --severity instead"
        )
    alarm = snapshot.alarms[0] if snapshot.alarms else None
    if alarm is None or alarm.state == MISSING:
        raise UserError(f"no CloudWatch alarm named {name!r} (names are case-sensitive)")
    return from_alarm(config.alarms, alarm, severity)
