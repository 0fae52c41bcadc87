"""Which pane is active and how the panes are laid out: focus moves, tabs below 120x30, zoom,
and the layout kept beside the journal between runs. A mixin of the console app."""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Tabs

from warroom.model import Incident
from warroom.runbook import Runbook
from warroom.ui.alarms import AlarmsPanel
from warroom.ui.layout_state import LayoutState, save_layout
from warroom.ui.logpane import LogPane
from warroom.ui.logview import LogView
from warroom.ui.panels import ChecklistPane, EcsPanel, HealthPanel, TimelinePane
from warroom.ui.promptbar import PromptBar

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object

NARROW_WIDTH = 120
NARROW_HEIGHT = 30
TIMELINE_PANE = 0  # indexes in `panes`
HEALTH_PANE = 2


class PaneLayout(_Base):
    db: Path
    incident: Incident | None
    runbook: Runbook
    narrow: bool
    layout_state: LayoutState
    _active_pane: int
    _saved_layout: LayoutState | None
    update_drafts: dict[int, tuple[str, str]]

    @property
    def panes(self) -> list[Widget]:
        return [
            self.query_one(TimelinePane),
            self.query_one(ChecklistPane),
            self.query_one(HealthPanel),
            self.query_one(EcsPanel),
            *self.query(LogPane),
            *self.query(AlarmsPanel),  # last: the other panes keep their tab numbers
        ]

    def _current_layout(self) -> LayoutState:
        checklist = self.query_one(ChecklistPane)
        zoomed = next((p.group for p in self.query(LogPane) if p.has_class("-zoomed")), None)
        return LayoutState(
            incident=self.incident.id if self.incident else None,
            active_pane=self.current_pane(),
            zoomed=zoomed,
            filters={p.group: p.filter_text for p in self.query(LogPane) if p.filter_text},
            checklist_phase=None if checklist.follow_phase else checklist.phase_index,
            drafts=dict(self.update_drafts),
        )

    def _save_layout(self, *, wait: bool = False) -> None:
        """Written when it changed (checked every second), so a crash loses at most that;
        `wait` writes it before returning (quitting)."""
        if self.incident is None or self.room is None:
            return
        try:
            state = self._current_layout()
        except NoMatches:  # shutting down: the widgets are already gone
            return
        if state != self._saved_layout:
            self._saved_layout = state
            save = partial(save_layout, self.db, self.room.author, state)
            if wait:
                save()
            else:  # a file write on the 1 s tick must not hold up a key press
                self.run_worker(save, thread=True, group="layout")

    def _restore_layout(self) -> None:
        state = self.layout_state
        for pane in self.query(LogPane):
            if state.filters.get(pane.group):
                pane.set_filter(state.filters[pane.group])
            if state.zoomed == pane.group:
                self.post_message(LogPane.Zoom(pane))
        checklist = self.query_one(ChecklistPane)
        if state.checklist_phase is not None and self.incident is not None:
            checklist.follow_phase = False
            checklist.phase_index = state.checklist_phase % len(self.runbook.phases)
            checklist.show(self.incident)
        # After the next frame: the screen's own first focus would otherwise win the race.
        self.call_after_refresh(self.focus_pane_unless_asked, state.active_pane)

    def focus_pane_unless_asked(self, index: int) -> None:
        """For a focus put off until a frame: a key typed meanwhile may have opened a question,
        and what is typed next is its answer, not keys for the pane. The pane is lit then, and
        has the focus once the question is answered."""
        with suppress(NoMatches, IndexError):  # the console quit before its first frame
            bar = self.screen_stack[0].query_one(PromptBar)
            if not bar.asking:
                self.focus_pane(index)
                return
            self._active_pane = index % len(self.panes)
            self._apply_layout()
            bar.return_focus_to(self._focus_target(self._active_pane))

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size)

    def _apply_layout(self, size: Size | None = None) -> None:
        width, height = size or self.size
        self.narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        # The main screen's, also when a resize lands while a dialog is up.
        self.screen_stack[0].set_class(self.narrow, "narrow")
        panes = self.panes
        self._active_pane %= len(panes)
        for n, pane in enumerate(panes):
            pane.set_class(n == self._active_pane, "-active")
        active = panes[self._active_pane]
        for container in self.query("#left, #right, #status, #logs"):
            container.set_class(container in active.ancestors, "-holds-active")
        tabs = self.query_one(Tabs)
        if tabs.tab_count and tabs.active != f"pane-{self._active_pane}":
            tabs.active = f"pane-{self._active_pane}"
        # The tabs are the narrow layout's. Wide, they are hidden, and a hidden widget must not
        # hold the focus: Textual gave it them at start (the first focusable widget), and every
        # focus move, two per timeline key, then restyled their eleven parts (7 ms).
        main = self.screen_stack[0]
        tabs.can_focus = self.narrow
        main.AUTO_FOCUS = None if self.narrow else ""  # wide: nothing, rather than Health
        if not self.narrow and main.focused is tabs:
            main.set_focus(None)

    def focus_pane(self, index: int) -> None:
        """Make pane `index` (of `panes`, wrapping round) the active one, and focus it."""
        panes = self.panes
        self._active_pane = index % len(panes)
        self._apply_layout()
        self._focus_target(self._active_pane).focus()

    def _focus_target(self, index: int) -> Widget:
        pane = self.panes[index]
        return pane.query_one(LogView) if isinstance(pane, LogPane) else pane

    def action_next_pane(self) -> None:
        self.focus_pane(self.current_pane() + 1)

    def action_previous_pane(self) -> None:
        self.focus_pane(self.current_pane() - 1)

    def current_pane(self) -> int:
        """The index of the pane holding the focus; else of the one last active."""
        focused = self.focused
        for n, pane in enumerate(self.panes):
            if focused is pane or (focused is not None and focused in pane.query("*")):
                return n
        return self._active_pane

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id != "pane-tabs":
            return
        index = int((event.tab.id or "pane-0").split("-")[1])
        if index != self._active_pane:
            with suppress(NoMatches):  # the tabs also announce themselves while being removed
                self.focus_pane(index)

    def on_log_pane_zoom(self, event: LogPane.Zoom) -> None:
        zoomed = not event.pane.has_class("-zoomed")
        for pane in self.query(LogPane):
            pane.set_class(zoomed and pane is event.pane, "-zoomed")
        self.screen_stack[0].set_class(zoomed, "zoom-log")
