"""The incident history on screen: the quarterly review (`warroom report`) as a sortable table
of the window's incidents, a summary line and a bar chart of incidents per week."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from warroom.errors import JournalError, UserError
from warroom.model import Incident, acknowledged_in_time, response_due
from warroom.report import Report, build_report, in_window, postmortem_state
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.stats import percent_text, window_text
from warroom.timeutil import short_duration
from warroom.ui.promptbar import PALETTE, KeyBar

DEFAULT_SINCE = timedelta(days=90)
NARROW = 110  # below this width: short dates and a narrower title column

# (key, label): the table's columns, in order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("severity", "Sev"),
    ("title", "Title"),
    ("detected", "Detected"),
    ("ack", "Ack"),
    ("mitigate", "Mitigate"),
    ("resolve", "Resolve"),
    ("postmortem", "Post-mortem"),
)
COLUMN_KEYS = tuple(key for key, _ in COLUMNS)
NARROW_LABELS = {"mitigate": "Mit", "resolve": "Res", "postmortem": "PM"}

# How a post-mortem state reads, its colour, and its place when sorting (worst first).
POSTMORTEM_LABELS: dict[str | None, tuple[str, str]] = {
    "overdue": ("OVERDUE", "bold red"),
    "due": ("due", "yellow"),
    "late": ("late", "yellow"),
    "compliant": ("on time", "green"),
    "not_yet_due": ("open", ""),
    "exported": ("done", "green"),  # SEV-3: optional, and written
    None: ("—", "dim"),
}
_POSTMORTEM_ORDER = {state: n for n, state in enumerate(POSTMORTEM_LABELS)}
_SEVERITY_ORDER = {s: n for n, s in enumerate(Severity)}
_SEVERITY_STYLE = {Severity.SEV1: "bold red", Severity.SEV2: "yellow", Severity.SEV3: "cyan"}


@dataclass(frozen=True)
class HistoryRow:
    id: int
    ref: str
    severity: Severity
    title: str
    detected: datetime
    ack: timedelta | None
    ack_in_time: bool | None  # None: not acknowledged (yet)
    ack_missed: bool  # never acknowledged and the response target has run out
    mitigate: timedelta | None
    resolve: timedelta | None
    postmortem: str | None  # a report.POSTMORTEM_STATES value, "exported", or None

    @property
    def open(self) -> bool:
        return self.resolve is None

    def sort_value(self, column: str) -> Any:
        """The value a column sorts by; None sorts last whichever the direction."""
        match column:
            case "id":
                return self.id
            case "severity":
                return _SEVERITY_ORDER[self.severity]
            case "title":
                return self.title.casefold()
            case "detected":
                return self.detected
            case "ack" | "mitigate" | "resolve":
                return getattr(self, column)
            case "postmortem":
                return _POSTMORTEM_ORDER[self.postmortem]
        raise KeyError(column)


def history_row(incident: Incident, now: datetime) -> HistoryRow:
    milestones = incident.milestones
    detected = milestones.detected or incident.created_at
    state = postmortem_state(incident, now)
    if state is None and incident.postmortem_rule.done:
        state = "exported"
    return HistoryRow(
        id=incident.id,
        ref=incident.ref,
        severity=incident.severity,
        title=incident.title,
        detected=detected,
        ack=milestones.time_to_acknowledge,
        ack_in_time=acknowledged_in_time(incident.severity, milestones),
        ack_missed=milestones.acknowledged is None
        and now > response_due(incident.severity, detected),
        mitigate=milestones.time_to_mitigate,
        resolve=milestones.time_to_resolve,
        postmortem=state,
    )


def sort_rows(
    rows: Sequence[HistoryRow], column: str, *, reverse: bool = False
) -> list[HistoryRow]:
    """Rows by one column (ties by id), empty values last in either direction."""
    present = [r for r in rows if r.sort_value(column) is not None]
    missing = [r for r in rows if r.sort_value(column) is None]
    present.sort(key=lambda r: r.id, reverse=reverse)
    present.sort(key=lambda r: r.sort_value(column), reverse=reverse)
    return present + sorted(missing, key=lambda r: r.id)


@dataclass(frozen=True)
class HistoryView:
    """What the screen shows, computed off the event loop."""

    report: Report
    rows: tuple[HistoryRow, ...]
    total: int  # incidents in the whole journal
    last_detected: datetime | None  # the journal's latest incident, in or out of the window


def build_view(incidents: list[Incident], *, now: datetime, since: timedelta) -> HistoryView:
    report = build_report(incidents, now=now, since=since)
    rows = tuple(history_row(i, now) for i in in_window(incidents, now=now, since=since))
    starts = [i.milestones.detected or i.created_at for i in incidents]
    return HistoryView(report, rows, len(incidents), max(starts, default=None))


def summary_text(report: Report) -> Text:
    """Three lines: counts per severity and acknowledgements within target; post-mortem
    compliance; median (p90) times to acknowledge, mitigate and resolve."""
    text = Text()
    overall = report.overall
    text.append(f"{overall.incidents} incident{'s' if overall.incidents != 1 else ''}", "bold")
    text.append(f", {overall.open} open: ")
    for stats in report.severities:
        text.append(stats.label, _SEVERITY_STYLE[stats.severity] if stats.severity else "")
        text.append(f" {stats.incidents}")
        text.append(" · ", "dim")
    text.append("ack in target ", "dim")
    text.append(percent_text(overall.acknowledged_within_target, overall.acknowledgement_measured))

    pm = report.postmortems
    text.append("\npost-mortems on time ", "dim")
    text.append(percent_text(pm.compliant, pm.decided))
    for count, what in ((pm.late, "late"), (pm.due, "due"), (pm.not_yet_due, "open")):
        if count:
            text.append(" · ", "dim")
            text.append(f"{count} {what}")
    if pm.overdue:
        text.append(" · ", "dim")
        text.append(f"{len(pm.overdue)} overdue: {', '.join(pm.overdue)}", "bold red")

    text.append("\nmedian (p90):", "dim")
    for n, (name, stats) in enumerate(
        (("ack", overall.acknowledge), ("mitigate", overall.mitigate), ("resolve", overall.resolve))
    ):
        median = "—" if stats.median is None else short_duration(stats.median)
        p90 = "—" if stats.p90 is None else short_duration(stats.p90)
        text.append(" · " if n else " ", "dim")
        text.append(f"{name} ", "dim")
        text.append(f"{median} ({p90})")
    return text


BAR_EIGHTHS = " ▁▂▃▄▅▆▇█"


def chart_lines(weekly: Sequence[tuple[date, int]], width: int, *, bar_rows: int = 4) -> list[Text]:
    """A bar chart of incidents per week that fits `width` cells: counts over the bars ("+"
    where a count does not fit), the bars in eighth blocks, an axis, and week (Monday) labels
    as MM-DD under every week that has room for one. The latest weeks when not all fit."""
    if not weekly or width <= 0:
        return []
    weekly = weekly[-width:]  # the latest weeks when there are more weeks than cells
    count = len(weekly)
    column = max(1, min(6, width // count))
    bar = max(1, column - 1)
    peak = max(n for _, n in weekly) or 1
    lines: list[Text] = []

    numbers = Text()
    for _, n in weekly:
        label = "" if n == 0 else str(n) if len(str(n)) <= bar else "+"
        numbers.append(label.center(bar).ljust(column), "bold")
    lines.append(numbers)

    heights = [0 if n == 0 else max(1, round(n / peak * bar_rows * 8)) for _, n in weekly]
    for row in range(bar_rows - 1, -1, -1):
        line = Text()
        for height in heights:
            fill = min(8, max(0, height - row * 8))
            line.append(BAR_EIGHTHS[fill] * bar, "cyan")
            line.append(" " * (column - bar))
        lines.append(line)

    lines.append(Text("─" * (column * count), "dim"))
    step = math.ceil(6 / column)  # "MM-DD" and a space
    labels = [" "] * (column * count)
    for n, (week, _) in enumerate(weekly):
        if n % step == 0 and n * column + 5 <= len(labels):
            labels[n * column : n * column + 5] = f"{week:%m-%d}"
    lines.append(Text("".join(labels), "dim"))
    return lines


class WeeklyChart(Widget):
    """Incidents per week, drawn to the widget's width."""

    DEFAULT_CSS = """
    WeeklyChart {
        height: 7;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.weekly: tuple[tuple[date, int], ...] = ()
        self.bar_rows = 4

    def show(self, weekly: Sequence[tuple[date, int]], *, bar_rows: int = 4) -> None:
        self.weekly = tuple(weekly)
        self.bar_rows = bar_rows
        self.styles.height = bar_rows + 3  # counts, bars, axis, labels
        self.refresh()

    def lines(self) -> list[Text]:
        return chart_lines(self.weekly, self.content_size.width, bar_rows=self.bar_rows)

    def render(self) -> Text:
        return Text("\n").join(self.lines())


class HistoryScreen(ModalScreen[None]):
    """Full screen over the console; modal so the console's one-key milestones (`a`, `r` ...)
    cannot fire from here."""

    DEFAULT_CSS = """
    HistoryScreen {
        background: $background;
        align: left top;
    }
    HistoryScreen #history-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-style: bold;
    }
    HistoryScreen #history-summary {
        height: auto;
        padding: 0 1;
    }
    HistoryScreen #history-table {
        height: 1fr;
    }
    HistoryScreen #history-chart-box {
        height: auto;
        border-top: solid $primary-darken-2;
        border-title-color: $text;
        padding: 0 1;
    }
    HistoryScreen #history-empty {
        height: 1fr;
        padding: 2 4;
        text-style: bold;
    }
    HistoryScreen .-hidden {
        display: none;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("s", "sort_next", "Sort column"),
        Binding("S", "sort_reverse", "Reverse", key_display="S"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, room: WarRoom, *, since: timedelta = DEFAULT_SINCE) -> None:
        super().__init__()
        self.room = room
        self.since = since
        self.view: HistoryView | None = None
        self.sort_column = "detected"
        self.sort_reverse = True  # newest first
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Static(id="history-title")
        yield Static(id="history-summary")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="history-chart-box"):
            yield WeeklyChart(id="history-chart")
        yield Static(id="history-empty", classes="-hidden")
        yield KeyBar(PALETTE)

    def on_mount(self) -> None:
        self.query_one("#history-chart-box").border_title = "Incidents per week (UTC, Mondays)"
        self._title("loading…")
        self.action_reload()

    # Loading -------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.query_one(DataTable).loading = True
        self.load()

    @work(exclusive=True, group="history-load")
    async def load(self) -> None:
        """Read the journal (async) and build the review in a thread: a large journal never
        holds the event loop."""
        now = self.room.now()
        try:
            incidents = await self.room.all_incidents()
            view = await asyncio.to_thread(build_view, incidents, now=now, since=self.since)
        except (JournalError, UserError) as exc:
            self.problem = f"cannot read the journal: {exc}"
        else:
            self.problem = ""
            self.view = view
        self.query_one(DataTable).loading = False
        self._render_view()

    # Drawing -------------------------------------------------------------------------------

    def _title(self, state: str = "") -> None:
        text = Text(f"Incident history: last {window_text(self.since)}")
        if self.view is not None:
            report = self.view.report
            shape = "%m-%d" if self.size.width < NARROW else "%Y-%m-%d %H:%M"
            text.append(
                f" ({report.window_start:{shape}} to {report.generated_at:{shape}} UTC)",
                "not bold",
            )
            label = dict(COLUMNS)[self.sort_column]
            arrow = "▼" if self.sort_reverse else "▲"
            text.append(f"   sorted by {label} {arrow}", "not bold")
        if state:
            text.append(f"   {state}", "not bold")
        self.query_one("#history-title", Static).update(text)

    def _render_view(self) -> None:
        view = self.view
        summary = self.query_one("#history-summary", Static)
        empty = self.query_one("#history-empty", Static)
        parts = [self.query_one(DataTable), self.query_one("#history-chart-box")]
        if view is None:
            summary.update(Text(self.problem, "bold red"))
            self._title()
            return
        self._title()
        if not view.rows:
            for part in parts:
                part.add_class("-hidden")
            message = Text(f"No incidents in the last {window_text(self.since)}.\n\n")
            if view.total and view.last_detected is not None:
                message.append(
                    f"The journal holds {view.total} older incident"
                    f"{'s' if view.total != 1 else ''}; the latest was detected "
                    f"{view.last_detected:%Y-%m-%d %H:%M} UTC.",
                    "not bold dim",
                )
            else:
                message.append("The journal is empty.", "not bold dim")
            empty.update(message)
            empty.remove_class("-hidden")
            summary.update(Text(self.problem, "bold red") if self.problem else "")
            return
        empty.add_class("-hidden")
        for part in parts:
            part.remove_class("-hidden")
        text = summary_text(view.report)
        if self.problem:
            text.append(f"\n{self.problem}", "bold red")
        summary.update(text)
        self.query_one(WeeklyChart).show(
            view.report.weekly, bar_rows=4 if self.size.height >= 36 else 2
        )
        self._fill_table()

    def _fill_table(self) -> None:
        if self.view is None:
            return
        table = self.query_one(DataTable)
        keep = None
        if table.row_count and table.cursor_row is not None:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        narrow = self.size.width < NARROW
        rows = sort_rows(self.view.rows, self.sort_column, reverse=self.sort_reverse)
        cells = [self._cells(row, narrow) for row in rows]
        labels = []
        for key, label in COLUMNS:
            text = Text(NARROW_LABELS.get(key, label) if narrow else label)
            if key == self.sort_column:
                text.append(" ▼" if self.sort_reverse else " ▲", "bold")
            labels.append(text)
        # The title takes what the other columns leave (each padded 1 a side; a scrollbar).
        title = COLUMN_KEYS.index("title")
        others = sum(
            max([len(labels[n].plain) + 2, *(len(c[n].plain) for c in cells)]) + 2
            for n in range(len(COLUMNS))
            if n != title
        )
        room = max(12, self.size.width - others - 2 - 2)
        for row in cells:
            if len(row[title].plain) > room:
                row[title] = Text(row[title].plain[: room - 1] + "…")
        table.clear(columns=True)
        for (key, _), label in zip(COLUMNS, labels, strict=True):
            table.add_column(label, key=key)
        for row, row_cells in zip(rows, cells, strict=True):
            table.add_row(*row_cells, key=str(row.id))
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep), animate=False)

    @staticmethod
    def _cells(row: HistoryRow, narrow: bool) -> list[Text]:
        def duration(value: timedelta | None, style: str = "") -> Text:
            return Text("—", "dim") if value is None else Text(short_duration(value), style)

        ack_style = {True: "green", False: "bold red", None: ""}[row.ack_in_time]
        ack = Text("missed", "bold red") if row.ack_missed else duration(row.ack, ack_style)
        label, style = POSTMORTEM_LABELS[row.postmortem]
        return [
            Text(row.ref),
            Text(row.severity.value, _SEVERITY_STYLE[row.severity]),
            Text(" ".join(row.title.split())),
            Text(f"{row.detected:%m-%d %H:%M}" if narrow else f"{row.detected:%Y-%m-%d %H:%M}"),
            ack,
            duration(row.mitigate),
            Text("open", "yellow") if row.open else duration(row.resolve),
            Text(label, style),
        ]

    def on_resize(self) -> None:
        self._fill_table()

    # Sorting -------------------------------------------------------------------------------

    def sort_by(self, column: str, *, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column = column
        self.sort_reverse = reverse
        self._title()
        self._fill_table()

    def action_sort_next(self) -> None:
        index = COLUMN_KEYS.index(self.sort_column)
        self.sort_by(COLUMN_KEYS[(index + 1) % len(COLUMN_KEYS)], reverse=False)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    @on(DataTable.HeaderSelected, "#history-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def action_close(self) -> None:
        self.dismiss(None)
