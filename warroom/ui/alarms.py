"""The alarms panel: the watched CloudWatch alarms, ALARM first and red, since when, why, and
their metric's recent values; enter on a row declares an incident from that alarm."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.message import Message

from warroom.sources.alarms import ALARM, MISSING, OK, Alarm, AlarmSnapshot
from warroom.timeutil import short_duration
from warroom.ui import keys
from warroom.ui.render import source_line, sparkline
from warroom.ui.rowlist import RowList

STATE_STYLE = {ALARM: "bold white on red", OK: "green", MISSING: "bold red"}


def alarm_text(alarm: Alarm, now: datetime) -> Text:
    """saas-prod-api-5xx  ALARM  since 03:01:12 (4m ago)  ▁▂█
    Threshold Crossed: 1 datapoint [20.0] was greater than 10"""
    text = Text(no_wrap=False, overflow="fold")
    text.append(f"{alarm.name} ", "bold red" if alarm.firing else "bold")
    label = "INSUFF. DATA" if alarm.state == "INSUFFICIENT_DATA" else alarm.state
    text.append(f" {label} ", STATE_STYLE.get(alarm.state, "yellow"))
    if alarm.since is not None:
        ago = short_duration(max(now - alarm.since, timedelta(0)))
        text.append(f" since {alarm.since:%H:%M:%S} ({ago} ago)", "dim")
    if alarm.values:
        text.append("  ")
        text.append_text(sparkline(alarm.values))
    if alarm.reason:
        text.append("\n  ")
        text.append(alarm.reason, "red" if alarm.firing else "dim")
    return text


def alarms_text(snapshot: AlarmSnapshot | None, now: datetime) -> list[Text]:
    """One Text per row: the source's trouble first when it fails, then each alarm."""
    if snapshot is None:
        return [Text("waiting for first poll…", "dim")]
    rows = []
    problem = source_line(snapshot.source, now)
    if problem is not None:
        rows.append(problem)
    rows += [alarm_text(alarm, now) for alarm in snapshot.alarms]
    if not rows:
        rows.append(Text("no alarm matches [alarms] names or prefix", "dim"))
    return rows


class AlarmsPanel(RowList):
    """One row per alarm; enter on one asks to declare from it."""

    BINDINGS = keys.bindings(keys.ALARMS)

    class DeclareFrom(Message):
        def __init__(self, alarm: Alarm) -> None:
            super().__init__()
            self.alarm = alarm

    def __init__(self) -> None:
        super().__init__(id="alarms", classes="pane")
        self.border_title = "Alarms"
        self.snapshot: AlarmSnapshot | None = None
        self._offset = 0  # rows before the first alarm (the source's trouble)

    def show(self, snapshot: AlarmSnapshot | None, now: datetime) -> None:
        self.snapshot = snapshot
        rows = alarms_text(snapshot, now)
        alarms = snapshot.alarms if snapshot else ()
        self._offset = len(rows) - len(alarms)
        firing = sum(a.firing for a in alarms)
        self.set_titles("Alarms", f"{firing} in ALARM" if firing else "")
        self.set_class(firing > 0, "-failing")
        self.set_rows([row.markup for row in rows], lambda n: rows[n])
        if self.highlighted is None and alarms:
            self.highlighted = self._offset

    def action_declare_from_alarm(self) -> None:
        index = self.highlighted
        alarms = self.snapshot.alarms if self.snapshot else ()
        if index is not None and 0 <= index - self._offset < len(alarms):
            self.post_message(self.DeclareFrom(alarms[index - self._offset]))
