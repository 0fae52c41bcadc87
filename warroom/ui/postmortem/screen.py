"""The post-mortem editor: the runbook's Phase 4 template as one full screen.

Every field is written to the journal when it loses focus and a second after the last keystroke,
so a crash loses at most that second. A field nobody has filled in starts with the text the export
would use (the timeline's entries, the milestones, the scope), and is only stored once someone
changes it: until then it keeps following the timeline. The preview is the export itself, rendered
from the journal after each save.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static, TextArea

from warroom.errors import EXPECTED_ERRORS, UserError
from warroom.followups import ActionItem
from warroom.model import Incident, format_id
from warroom.postmortem_versions import FieldVersion, merge_text
from warroom.service import WarRoom
from warroom.telemetry import Telemetry
from warroom.ui.postmortem.autosave import FieldAutosave
from warroom.ui.postmortem.coalesce import Coalesced
from warroom.ui.postmortem.fields import (
    BEFORE_ACTION_ITEMS,
    FIELD_NAMES,
    FIELDS,
    SPECS,
    FieldArea,
    default_note,
    export_defaults,
)
from warroom.ui.postmortem.item_keys import ItemKeys
from warroom.ui.postmortem.items import COLUMNS, ActionItemsTable
from warroom.ui.postmortem.preview import ExportPreview
from warroom.ui.promptbar import PALETTE, KeyBar

PREVIEW_DELAY = 0.5  # seconds after the last save
FOLLOW_EVERY = 1.0  # seconds between looks for another console's saves
NARROW_WIDTH = 120  # below this the preview takes the editor's place instead of sitting beside it

T = TypeVar("T")


class PostmortemScreen(ItemKeys, Screen[None]):
    """Summary, root cause, impact, mitigation, fix, action items and lessons learned, with the
    exported Markdown beside them."""

    CSS_PATH = "postmortem.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+n", "add_item", "New item"),
        Binding("ctrl+t", "toggle_preview", "Preview"),
        # priority: a focused text area would otherwise take ctrl+e as "end of line"
        Binding("ctrl+e", "export", "Export", priority=True),
        # step 12: the open action items as GitHub issues in [github] repo
        Binding("ctrl+g", "backlog", "To backlog", priority=True),
        # tab / shift+tab are the usual way, but the console binds them (priority) to its panes
        Binding("ctrl+down", "app.focus_next", "Next field", show=False),
        Binding("ctrl+up", "app.focus_previous", "Previous field", show=False),
    ]

    def __init__(self, room: WarRoom, incident_id: int, *, directory: Path) -> None:
        super().__init__()
        self.room = room
        self.incident_id = incident_id
        self.directory = directory
        self.incident: Incident | None = None
        self.items: list[ActionItem] = []
        self.preview_text = ""
        self.telemetry: Telemetry | None = None  # the flight recorder's, for the impact figures
        self.last_export: Path | None = None
        self.autosave = FieldAutosave(
            FIELD_NAMES,
            write=self._write_field,
            set_timer=self.set_timer,
            on_state=self._set_saved_label,
            on_saved=self._field_saved,
            on_failed=self._field_failed,
        )
        self._closing = False
        self._preview_timer: Timer | None = None
        self._refresh = Coalesced(self._refresh_once)
        self._undrawn: str | None = None  # the preview's text, not drawn while it is hidden
        self._loaded = False
        self._close_anyway = False
        self._last_field: FieldArea | None = None
        self._saved_at: datetime | None = None
        self._versions: dict[str, int] = {}  # the stored version each field's text is based on
        self._token: object = None  # the journal as last read (another console's save moves it)

    @property
    def is_modal(self) -> bool:
        """The console's one-letter keys (a, c, m, f, r, x, q...) stay behind on the main
        screen: here they are text, and the key bar lists only this screen's keys."""
        return True

    # Layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="pm-header"):
            yield Static(Text(f"Post-mortem {self._ref()}"), id="pm-title")
            yield Static("", id="pm-saved")
        with Horizontal(id="pm-body"):
            with VerticalScroll(id="pm-editor", can_focus=False):
                for n, spec in enumerate(FIELDS):
                    if n == BEFORE_ACTION_ITEMS:
                        table = ActionItemsTable(
                            id="pm-items", cursor_type="row", zebra_stripes=True
                        )
                        table.border_title = "Action Items"
                        table.border_subtitle = (
                            "ctrl+n add · enter edit · space done · ctrl+g to backlog"
                        )
                        yield table
                        empty = Static(
                            "None yet: ctrl+n adds one (text, owner, deadline; label incident).",
                            id="pm-items-empty",
                        )
                        empty.border_title = "Action Items"
                        yield empty
                    yield FieldArea(spec)
            with VerticalScroll(id="pm-preview-pane") as pane:
                pane.border_title = "Preview (as exported)"
                pane.border_subtitle = "ctrl+t hides · ctrl+e exports"
                yield ExportPreview(id="pm-preview")
        yield KeyBar(PALETTE)

    def _ref(self) -> str:
        return format_id(self.incident_id)

    async def on_mount(self) -> None:
        table = self.query_one(ActionItemsTable)
        table.add_columns(*COLUMNS)
        self._set_narrow(self.app.size.width < NARROW_WIDTH, initial=True)
        # Read before the texts: a version older than the text shown can only cause a conflict
        # to merge, never a save over someone's text unseen.
        versions = await self._journal(self.room.postmortem_versions(self.incident_id))
        incident = await self._journal(self.room.incident(self.incident_id), "Cannot open")
        if incident is None or versions is None:
            self.dismiss()
            return
        self._versions = {name: field.version for name, field in versions.items()}
        self.telemetry = await self._journal(self.room.telemetry(incident), "Cannot read")
        self._show(incident, fill_fields=True)
        self._loaded = True
        self._set_saved_label()
        self.query_one("#pm-summary", FieldArea).focus()
        self._token = await self._journal(self.room.change_token(), "Cannot read")
        await self._refresh_preview()
        self.set_interval(FOLLOW_EVERY, self._follow)

    async def on_unmount(self) -> None:
        """The console quit (ctrl+q) with the editor open: keep the last second of typing."""
        self._closing = True
        if self._preview_timer is not None:
            self._preview_timer.stop()
        await self.autosave.flush()

    def on_resize(self, event: events.Resize) -> None:
        self._set_narrow(event.size.width < NARROW_WIDTH)

    def _set_narrow(self, narrow: bool, *, initial: bool = False) -> None:
        if not initial and narrow == self.has_class("-narrow"):
            return
        self.set_class(narrow, "-narrow")
        self.set_class(not narrow, "-preview")  # beside the fields when it fits, else on ctrl+t
        if not narrow:
            self.call_after_refresh(self._draw_preview)

    def _show(self, incident: Incident, *, fill_fields: bool = False) -> None:
        """Redraw from the journal. Fields are filled once; afterwards only an untouched,
        never-stored field follows the timeline (the user's text is never replaced)."""
        self.incident = incident
        self.query_one("#pm-title", Static).update(
            Text(f"Post-mortem {incident.ref} · {incident.severity.value} · {incident.title}")
        )
        defaults = export_defaults(incident, self.telemetry)
        for area in self.query(FieldArea):
            name = area.spec.name
            stored = incident.postmortem.get(name, "").strip()
            untouched = (
                not stored
                and not self.autosave.is_dirty(name)
                and area is not self.focused
                and area.text == self.autosave.baseline(name)
            )
            if fill_fields or (untouched and defaults[name] != area.text):
                self.autosave.set_baseline(name, defaults[name])
                area.load_text(defaults[name])
                area.move_cursor(area.document.end)  # ready to add to what is there
            area.border_subtitle = (
                "" if stored else default_note(name, defaults[name], self.telemetry)
            )
        self._show_items(incident)

    def _take_theirs(self, versions: dict[str, FieldVersion]) -> None:
        """A field saved by someone else since it was filled takes their text, unless something
        typed here differs from what it was filled with (that is merged on its save)."""
        for area in self.query(FieldArea):
            name = area.spec.name
            stored = versions.get(name)
            if stored is None or stored.version <= self._versions.get(name, 0):
                continue
            if self.autosave.is_dirty(name) or area.text != self.autosave.baseline(name):
                continue
            self._versions[name] = stored.version
            self.autosave.set_baseline(name, stored.value)
            area.load_text(stored.value)
            area.move_cursor(area.document.end)

    def _show_items(self, incident: Incident) -> None:
        self.items = list(incident.action_items)
        table = self.query_one(ActionItemsTable)
        table.show(self.items, self.room.now().date())
        table.display = bool(self.items)
        self.query_one("#pm-items-empty").display = not self.items

    # Saving -------------------------------------------------------------------------------

    async def _journal(self, call: Awaitable[T], title: str = "Not saved") -> T | None:
        """Run a journal call; a failure is a notification, never a crash."""
        try:
            return await call
        except EXPECTED_ERRORS as exc:
            self.notify(str(exc), title=title, severity="error", timeout=10, markup=False)
            return None

    @on(TextArea.Changed, ".pm-field")
    def _typed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        if self._loaded and isinstance(area, FieldArea):
            self.autosave.typed(area.spec.name, area.text)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, FieldArea):
            self._last_field = event.widget

    async def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, FieldArea):
            await self.autosave.save(event.widget.spec.name)

    async def _write_field(self, name: str, text: str) -> None:
        """Save based on the version the field was filled or last saved from. When someone
        else saved it meanwhile, theirs stays stored and goes into the field beside what was
        typed, to merge; the save counts as failed until the merged text is saved."""
        based_on = self._versions.get(name, 0)
        saved = await self.room.save_postmortem_field(
            self.incident_id, name, text, based_on=based_on
        )
        self._versions[name] = saved.version
        if saved.conflict is not None:
            self._show_conflict(name, saved.conflict)
            raise UserError(
                f"{saved.conflict.by} saved it while you typed: both texts are in the field "
                "now; merge them (it saves again as usual)"
            )

    def _show_conflict(self, name: str, theirs: FieldVersion) -> None:
        try:
            area = self.query_one(f"#pm-{name.replace('_', '-')}", FieldArea)
        except NoMatches:  # closing: what was typed is kept in the journal all the same
            return
        # What is typed now (not only what was sent), as an edit: ctrl+z takes it back.
        area.replace(merge_text(area.text, theirs), (0, 0), area.document.end)
        area.move_cursor(area.document.end)
        area.border_subtitle = f"merge: {theirs.by}'s text is below yours"

    def _field_saved(self, name: str) -> None:
        self._saved_at = self.room.now()
        self._set_saved_label()
        self._schedule_preview()

    def _field_failed(self, name: str, exc: Exception) -> None:
        title = SPECS[name].title
        self._set_saved_label(failed=f"{title} NOT saved")
        self.notify(
            str(exc), title=f"{title} not saved", severity="error", timeout=10, markup=False
        )

    def _set_saved_label(self, failed: str = "") -> None:
        try:
            label = self.query_one("#pm-saved", Static)
        except NoMatches:  # closing
            return
        label.set_class(bool(failed), "-failed")
        label.set_class(not failed and self.autosave.dirty, "-unsaved")
        if failed:
            label.update(failed)
        elif self.autosave.dirty:
            label.update("editing…")
        elif self._saved_at is not None:
            label.update(f"saved {self._saved_at:%H:%M:%S} UTC")
        else:
            label.update("nothing changed yet")

    @property
    def saved_label(self) -> str:
        return str(self.query_one("#pm-saved", Static).render())

    # Preview ------------------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        if self._closing:
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._refresh_preview)

    async def _follow(self) -> None:
        """Another console saved (anything in the journal moved): show it."""
        token = await self._journal(self.room.change_token(), "Cannot read")
        if token is not None and token != self._token and not self._closing:
            self._token = token
            await self._refresh_preview()

    async def _refresh_preview(self) -> None:
        """Saves during a refresh make one more refresh at its end, not one each."""
        self._preview_timer = None
        await self._refresh()

    async def _refresh_once(self) -> None:
        """Read the incident back and render the export from it: what the file would hold."""
        if self._closing:
            return
        versions = await self._journal(self.room.postmortem_versions(self.incident_id))
        incident = await self._journal(self.room.incident(self.incident_id), "Cannot read")
        if incident is not None:
            self.telemetry = await self._journal(self.room.telemetry(incident), "Cannot read")
        # The file's text, and the terminal's: the text chart where the file embeds the SVG.
        texts = await self._journal(self.room.postmortem_preview(self.incident_id), "Cannot render")
        if incident is None or texts is None or versions is None:
            return
        text, shown = texts
        try:
            self._show(incident)
            self._take_theirs(versions)
            if text != self.preview_text:
                self.preview_text = text
                self._undrawn = shown
                self._draw_preview()
        except NoMatches:  # closed while the journal was read
            pass

    def _draw_preview(self) -> None:
        """Draw the latest text, unless the preview is hidden (a narrow terminal shows the
        fields instead, or ctrl+t hid it): then it is drawn when shown."""
        if self._undrawn is None or not self.has_class("-preview"):
            return
        shown, self._undrawn = self._undrawn, None
        self.query_one("#pm-preview", ExportPreview).show(shown)

    def action_toggle_preview(self) -> None:
        showing = not self.has_class("-preview")
        self.set_class(showing, "-preview")
        if self.has_class("-narrow"):
            # Before drawing: meanwhile a hidden focused field would hand the focus on.
            if showing:
                self.query_one("#pm-preview-pane").focus()  # the fields are hidden: scroll this
            elif self._last_field is not None:
                self._last_field.focus()
        self._draw_preview()

    # Keys ---------------------------------------------------------------------------------

    async def action_save(self) -> None:
        if await self.autosave.flush():
            self._schedule_preview()

    async def action_export(self) -> None:
        if not await self.autosave.flush():
            self.notify("Not exported: a field could not be saved.", severity="error")
            return
        path = await self._journal(
            self.room.export_postmortem(self.incident_id, directory=self.directory),
            "Not exported",
        )
        if path is None:
            return
        self.last_export = path
        self.notify(f"post-mortem written to {path}", title="Exported", timeout=8, markup=False)
        await self._refresh_preview()

    async def action_backlog(self) -> None:
        """ctrl+g: every open action item without an issue becomes one; step 12 is ticked
        once each has one."""
        answer = await self._journal(self.room.export_backlog(self.incident_id), "Not sent")
        if answer is None:
            return
        run, ticks = answer
        made = sum(1 for r in run.created if not r.found)
        said = f"{made} issues created in {run.repo}"
        if found := len(run.created) - made:
            said += f", {found} found from an earlier try"
        if run.failed:
            said += f"; {run.failed[0].error}"
        if ticks:
            said += "; every open item is in the backlog: step ticked"
        self.notify(
            said,
            title="Backlog" if run.ok else "Backlog: not all sent",
            severity="information" if run.ok else "error",
            timeout=10,
            markup=False,
        )
        incident = await self._journal(self.room.incident(self.incident_id), "Cannot read")
        if incident is not None:
            self._show(incident)

    async def action_close(self) -> None:
        if not await self.autosave.flush() and not self._close_anyway:
            self._close_anyway = True
            self.notify(
                "A field could not be saved; esc again closes without it.",
                severity="warning",
                timeout=10,
            )
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self.autosave.discard()  # saved, or given up on with the second esc
        self.dismiss()

    @on(DataTable.RowSelected, "#pm-items")
    def _row_chosen(self) -> None:
        self.action_edit_item()
