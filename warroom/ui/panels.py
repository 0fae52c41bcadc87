"""The main screen's panes: header, health, ECS, timeline and checklist."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.markup import escape
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from warroom.config import CadenceConfig
from warroom.corrections import response_clock_start
from warroom.model import (
    ChecklistMark,
    Event,
    Incident,
    Kind,
    Status,
    next_update_due,
    response_due,
)
from warroom.phase4.notes import step_note
from warroom.roles import ROLE_SHORT, ROLES, Roles, roles_of
from warroom.runbook import Phase, Runbook, Step
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import HealthSnapshot
from warroom.timeutil import utcnow
from warroom.ui import keys
from warroom.ui.render import ecs_text, event_text, health_text, incident_title
from warroom.ui.rowlist import RowList


def app_now(widget: Widget) -> datetime:
    """The app's clock (a fixed one in snapshot tests), else the wall clock."""
    clock = getattr(widget.app, "clock", None)
    return clock() if callable(clock) else utcnow()


TITLE_ROOM = 40  # cells of the incident's title kept before the header's lesser parts go


def clock(delta_seconds: float) -> str:
    seconds = int(abs(delta_seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class IncidentHeader(Static):
    """INC-7 SEV-1 title  phase  T+00:12:31  ack due 00:02:29  update in 00:21:10  you: ana
    (redrawn every second)."""

    def __init__(
        self,
        author: str,
        runbook: Runbook,
        clock: Callable[[], datetime] = utcnow,
        cadence: CadenceConfig | None = None,
        channels: tuple[str, ...] = (),
    ) -> None:
        super().__init__(id="incident-header")
        self.clock = clock
        self.author = author
        self.runbook = runbook
        self.cadence = cadence or CadenceConfig()
        self.channels = channels  # none: no countdown to an update nothing can take
        self.incident: Incident | None = None
        self.unsent = 0  # status updates waiting in the outbox
        self.others_open: list[str] = []  # other open incidents' refs: `i` switches
        self._shown: Text | None = None
        self._now: datetime | None = None  # the time shown
        self._due: tuple[Incident, datetime | None] | None = None  # the next update, for one
        self.here: list[str] = []  # who has a console open on the incident (presence)
        self._roles: tuple[Incident, Roles] | None = None  # worked out once per incident read

    def on_mount(self) -> None:
        self.redraw()  # now, not at the first tick: "no incident" is a state worth showing
        self.set_interval(1.0, self.redraw)

    def show(self, incident: Incident) -> None:
        """The incident as of the last tick's time: its clocks move with the tick, once a
        second, so a key's own repaint leaves this line alone unless the incident changed."""
        self.incident = incident
        self.redraw(self._now)

    def show_people(self, here: list[str]) -> None:
        if here != self.here:
            self.here = here
            self.redraw(self._now)

    def set_author(self, author: str) -> None:
        self.author = author
        self.redraw(self._now)

    def _people(self, incident: Incident) -> Text:
        """Who is in charge and who is here, `IC ana · comms bo · 3 here: ana bo cy`: once
        someone else is here, or a role was handed over (alone, as the declarer, it would only
        repeat "you")."""
        if self._roles is None or self._roles[0] is not incident:
            self._roles = (incident, roles_of(incident))
        roles = self._roles[1]
        if len(self.here) < 2 and not roles.handed_over:
            return Text()
        parts = [f"{ROLE_SHORT[r]} {roles.holder(r)}" for r in ROLES if roles.holder(r)]
        if len(self.here) > 1:
            parts.append(f"{len(self.here)} here: {' '.join(self.here)}")
        return Text(" · ".join(parts), "bold")

    def redraw(self, now: datetime | None = None) -> None:
        incident = self.incident
        now = self._now = now or self.clock()
        if incident is None:
            self._show(Text(" no incident open: watching · ctrl+n declares", "dim"))
            return
        m = incident.milestones
        started = m.detected or incident.created_at
        end = m.resolved or now
        # Styles as spans, not as a Text's own style: `+` would spread that over what follows.
        phase = Text().append(f"  {self.runbook.current_phase(m).name}", "bold cyan")
        deadline = self._deadline(incident, now)
        update, pressing = self._update_due(incident, now)
        people = self._people(incident)
        clocks = [Text(f"T+{clock((end - started).total_seconds())}"), deadline, update, people]
        if self.unsent:
            clocks.append(Text(f"✉ {self.unsent} unsent (o)", "bold white on red"))
        if self.others_open:
            more = self.others_open[0] if len(self.others_open) == 1 else len(self.others_open)
            clocks.append(Text(f"⚑ {more} also open (i)", "bold black on yellow"))
        you = Text().append(f"   you: {self.author}", "dim")
        head = incident_title(incident)
        # " INC-7  SEV-1 " and an ellipsis: what is left of the title on a narrow terminal.
        shortest = len(incident.ref) + len(incident.severity.value) + 5
        # Narrow: the title has room (up to TITLE_ROOM) before "you", then the phase (the
        # checklist's title names it too), then who is here and in charge, then how long
        # acknowledging took, then an update not due within 5 minutes give way; deadlines stay
        # whole, and the title is cut only then.
        droppable = [you, phase, people]
        if incident.status is Status.OPEN and response_clock_start(incident) is None:
            droppable.append(deadline)  # "acked +00:03:00": a fact, no longer a deadline
        if not pressing:
            droppable.append(update)
        wanted = min(head.cell_len, shortest + TITLE_ROOM)
        width = self.size.width or head.cell_len + self._tail(phase, clocks, you).cell_len
        for part in droppable:
            if wanted + self._tail(phase, clocks, you).cell_len <= width:
                break
            part.truncate(0)
        tail = self._tail(phase, clocks, you)
        if head.cell_len + tail.cell_len > width:
            head.truncate(max(shortest, width - tail.cell_len), overflow="ellipsis")
        self._show(head + tail)

    def _show(self, text: Text) -> None:
        # Only when it changed: a key's frame then leaves the top line alone, and the screen's
        # repaint covers the rows from the key's entry down (Textual redraws the box around
        # everything that changed).
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)  # one line, docked: no layout pass needed

    @staticmethod
    def _tail(phase: Text, clocks: list[Text], you: Text) -> Text:
        return phase + Text("  ") + Text("  ").join(c for c in clocks if c) + you

    def _deadline(self, incident: Incident, now: datetime) -> Text:
        m = incident.milestones
        started = m.detected or incident.created_at
        # Resolved first: the response clock stops there, acknowledged or not; a reopen starts
        # it again, until someone acknowledges again.
        clock_start = response_clock_start(incident)
        if clock_start is not None:
            left = (response_due(incident.severity, clock_start) - now).total_seconds()
            if left >= 0:
                return Text(f"ack due {clock(left)}", "yellow")
            return Text(f"ack OVERDUE {clock(left)}", "bold white on red")
        if incident.status is Status.RESOLVED:
            due = incident.postmortem_rule
            if due.done:
                return Text("post-mortem exported", "green")
            if due.required and due.due_at is not None:
                left = (due.due_at - now).total_seconds()
                if left < 0:
                    return Text(f"post-mortem OVERDUE {clock(left)}", "bold white on red")
                return Text(f"post-mortem due {clock(left)}", "yellow")
            return Text("resolved", "green")
        return Text(f"acked +{clock((m.acknowledged - started).total_seconds())}", "green")

    def _next_update(self, incident: Incident) -> datetime | None:
        """Worked out once per incident read, not at every tick: it walks the whole timeline."""
        if self._due is None or self._due[0] is not incident:
            every = self.cadence.every(incident.severity.value)
            self._due = (incident, next_update_due(incident, every))
        return self._due[1]

    def _update_due(self, incident: Incident, now: datetime) -> tuple[Text, bool]:
        """The next team-channel update, counted from the last one sent (or detection), and
        whether it is pressing (late, or due within 5 minutes)."""
        due = self._next_update(incident)
        if due is None:
            return Text(), False
        if not self.channels:
            return Text("no update channel", "dim"), False
        left = (due - now).total_seconds()
        if left < 0:
            return Text(f"update LATE {clock(left)}", "bold white on red"), True
        if left < 300:
            return Text(f"update in {clock(left)}", "yellow"), True
        return Text(f"update in {clock(left)}"), False


class FeedPanel(Static, can_focus=True):
    """A panel as tall as its text: a feed's snapshot (every few seconds) lays the screen out
    only when the height may change, not at each one."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self._shape: tuple[int, bool] | None = None  # lines, and whether one may wrap

    def show_text(self, text: Text) -> None:
        lines = text.plain.split("\n")
        width = self.content_region.width
        shape = (len(lines), not width or max(cell_len(line) for line in lines) > width)
        self.update(text, layout=shape != self._shape or shape[1])
        self._shape = shape


class HealthPanel(FeedPanel):
    def __init__(self) -> None:
        super().__init__(id="health", classes="pane")
        self.border_title = "Health"
        self.snapshot: HealthSnapshot | None = None

    def show(self, snapshot: HealthSnapshot | None) -> None:
        self.snapshot = snapshot
        self.show_text(health_text(snapshot, app_now(self)))


class EcsPanel(FeedPanel):
    def __init__(self, cluster: str) -> None:
        super().__init__(id="ecs", classes="pane")
        self.border_title = escape(f"ECS {cluster}") if cluster else "ECS"
        self.snapshot: EcsSnapshot | None = None

    def show(self, snapshot: EcsSnapshot | None) -> None:
        self.snapshot = snapshot
        self.show_text(
            ecs_text(snapshot, app_now(self))
            if snapshot or self.border_title != "ECS"
            else Text("no [ecs] section in the config", "dim")
        )


class TimelinePane(RowList):
    """The incident's entries in time order; enter edits the highlighted one. Drawn with the
    Line API (RowList): a new entry repaints its row, not the screen."""

    BINDINGS = keys.bindings(keys.TIMELINE)

    class Edit(Message):
        def __init__(self, event_id: int) -> None:
            super().__init__()
            self.event_id = event_id

    class Retract(Message):
        def __init__(self, event_id: int) -> None:
            super().__init__()
            self.event_id = event_id

    def __init__(self) -> None:
        # Following the newest entry, the view jumps by a quarter when it reaches the bottom:
        # the next entries then draw one row each, not the whole pane.
        super().__init__(id="timeline", classes="pane", jump=0.25)
        self.border_title = "Timeline (UTC)"
        self.event_ids: list[int] = []
        self._events: tuple[Event, ...] = ()
        self._withdrawn: dict[int, Event] = {}

    def show(self, incident: Incident) -> None:
        self._show(incident.events, incident.retractions)

    def add(self, event: Event) -> bool:
        """A new entry this console has just committed, shown before the timeline is read
        again: that read (a few SQLite round trips and, on a long timeline, a walk of it)
        then finds the row as it is and leaves it alone. Only at the end of this incident's
        timeline; anything else (a retraction, an edit, an entry dated earlier) waits for it."""
        last = self._events[-1] if self._events else None
        if (
            last is None
            or event.incident_id != last.incident_id
            or event.kind is Kind.RETRACTED
            or event.edited_at is not None
            or (event.at, event.id) <= (last.at, last.id)
        ):
            return False
        self._show((*self._events, event), self._withdrawn)
        return True

    def _show(self, events: tuple[Event, ...], withdrawn: dict[int, Event]) -> None:
        count = len(self.event_ids)
        at_end = self.highlighted is None or self.highlighted >= count - 1
        kept = None if at_end or self.highlighted is None else self.event_ids[self.highlighted]
        self.event_ids = [e.id for e in events]
        # An entry read again unchanged is the same object (store.rows.EventRows): rows are
        # worked out again from the first new or edited entry on, unless a retraction changed
        # how an older one reads. Everything a row shows is in its key: an Event compares
        # without its data, where the evidence is.
        same = _same_start(events, self._events) if withdrawn == self._withdrawn else 0
        keys = self._keys[:same] + [
            (e, bool(e.data.get("evidence")), withdrawn.get(e.id)) for e in events[same:]
        ]
        self._events, self._withdrawn = events, withdrawn
        self.set_rows(
            keys,
            lambda index: event_text(events[index], retracted=withdrawn.get(events[index].id)),
        )
        if events and at_end:
            self.highlighted = len(events) - 1  # follow the newest entry
        elif kept in self.event_ids:
            self.highlighted = self.event_ids.index(kept)  # stay on the entry, wherever it went
        self.set_titles("Timeline (UTC)", f"{len(events)} entr{'y' if len(events) == 1 else 'ies'}")

    def action_edit(self) -> None:
        if self.highlighted is not None and self.highlighted < len(self.event_ids):
            self.post_message(self.Edit(self.event_ids[self.highlighted]))

    def action_retract(self) -> None:
        if self.highlighted is not None and self.highlighted < len(self.event_ids):
            self.post_message(self.Retract(self.event_ids[self.highlighted]))


class ChecklistPane(RowList):
    """The runbook's steps for one phase; space or enter ticks; [ and ] change phase."""

    BINDINGS = keys.bindings(keys.CHECKLIST)

    class Toggle(Message):
        def __init__(self, step_id: str, done: bool) -> None:
            super().__init__()
            self.step_id = step_id
            self.done = done

    def __init__(self, runbook: Runbook) -> None:
        super().__init__(id="checklist", classes="pane")
        self.runbook = runbook
        self.phase_index = 0
        self.follow_phase = True  # track the incident's phase until the user picks one
        # While set, a phase change does not move the list: a tick here made it ("Acknowledge
        # the alert"), and the user is still working down this phase's steps.
        self.hold_phase = False
        self._incident_phase: Phase | None = None
        self.incident: Incident | None = None
        # What a Phase 4 step still lacks, found by the console off the loop (step id -> text).
        self.notes: dict[str, str] = {}

    @property
    def phase(self) -> Phase:
        return self.runbook.phases[self.phase_index]

    def show(self, incident: Incident) -> None:
        self.incident = incident
        current = self.runbook.current_phase(incident.milestones)
        if self.follow_phase and current is not self._incident_phase and not self.hold_phase:
            self.phase_index = self.runbook.phases.index(current)
        self._incident_phase = current
        steps = self.phase.steps
        marks = [incident.checklist.get(step.id) for step in steps]
        notes = [
            step_note(step, incident, self.notes) if not (mark and mark.done) else ""
            for step, mark in zip(steps, marks, strict=True)
        ]
        keys = [(s.id, s.title, m, n) for s, m, n in zip(steps, marks, notes, strict=True)]
        self.set_rows(keys, lambda index: _step_text(steps[index], marks[index], notes[index]))
        if steps:
            self.highlighted = min(self.highlighted or 0, len(steps) - 1)
        n = self.phase_index + 1
        # "phase 1 of 4", not "(1/4)": beside "0/4 done" a fraction reads as progress.
        title = f"Checklist: {self.phase.name} · phase {n} of {len(self.runbook.phases)}"
        done = sum(1 for m in marks if m and m.done)
        self.set_titles(title, f"{done}/{len(steps)} done  [ ] phase")

    def action_toggle(self) -> None:
        if self.incident is None or self.highlighted is None:
            return
        step = self.phase.steps[self.highlighted]
        mark = self.incident.checklist.get(step.id)
        self.post_message(self.Toggle(step.id, not (mark and mark.done)))

    def action_phase(self, step: int) -> None:
        self.follow_phase = False
        self.phase_index = (self.phase_index + step) % len(self.runbook.phases)
        if self.incident is not None:
            self.highlighted = 0
            self.show(self.incident)


def _same_start(new: Sequence[object], old: Sequence[object]) -> int:
    """How many leading items are the same in both (the very same objects, usually: compared
    in C first)."""
    common = min(len(new), len(old))
    if new[:common] == old[:common]:
        return common
    for index, (a, b) in enumerate(zip(new, old, strict=False)):
        if a is not b:
            return index
    return min(len(new), len(old))


def _step_text(step: Step, mark: ChecklistMark | None, note: str = "") -> Text:
    text = Text()
    if mark and mark.done:
        text.append("[x] ", "green")
        text.append(f"{step.id}. {step.title}")
        text.append(f"  {mark.by} {mark.at:%H:%M}", "dim")
    else:
        text.append("[ ] ")
        text.append(f"{step.id}. {step.title}")
        if note:
            text.append(f"  {note}", "yellow")
    return text
