"""The war-room console: one screen for the whole incident.

The app renders state; the journal owns it. Every key that logs something awaits the write path
(committed before the call returns), shows the new entry the journal returned, and then redraws
from the journal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Tab
from textual.worker import WorkerCancelled, WorkerFailed

from warroom.alarmdeclare import from_alarm
from warroom.config import Config, whoami
from warroom.errors import AlreadyLogged, IncidentResolved, JournalError, UserError
from warroom.evidence import capture
from warroom.model import Event, Incident, IncidentSummary, Status
from warroom.observations import RecentObservations
from warroom.runbook import Runbook
from warroom.sanitize import redact_secrets
from warroom.service import WarRoom, open_war_room, runbook_for
from warroom.sources.alarms import AlarmSnapshot
from warroom.sources.ecs import EcsSnapshot
from warroom.sources.health import HealthSnapshot
from warroom.timeutil import utcnow
from warroom.ui import keys
from warroom.ui.alarms import AlarmsPanel
from warroom.ui.collector import QuietCollector
from warroom.ui.dialogs import (
    ConfirmScreen,
    DeclareScreen,
    HelpScreen,
)
from warroom.ui.feeds import start_feeds
from warroom.ui.flows.comms import CommsFlow
from warroom.ui.flows.corrections import CorrectionFlow
from warroom.ui.flows.incidents import IncidentSwitch
from warroom.ui.flows.mitigations import MitigationFlow
from warroom.ui.flows.observations import FeedFlow
from warroom.ui.flows.offers import OfferFlow
from warroom.ui.flows.people import PeopleFlow
from warroom.ui.flows.phase4 import Phase4Flow
from warroom.ui.flows.signatures import SignatureFlow
from warroom.ui.flows.timeline import TimelineKeys
from warroom.ui.layout_state import LayoutState
from warroom.ui.logpane import LogPane
from warroom.ui.mainscreen import MainScreen
from warroom.ui.palette import ConsoleCommands
from warroom.ui.pane_tabs import PaneTabs
from warroom.ui.panels import ChecklistPane, EcsPanel, HealthPanel, IncidentHeader, TimelinePane
from warroom.ui.panes import PaneLayout
from warroom.ui.promptbar import KeyBar, PromptBar
from warroom.ui.typeahead import TypeAhead
from warroom.ui.write_frames import WriteFrames

CHANGE_POLL = 0.5  # seconds between looks for another console's writes
OUTBOX_POLL = 3.0  # seconds between looks for status updates due for a retry
FEEDS_STOP_WAIT = 2.0  # seconds a quitting console waits for its feeds to let go of the lease


class WarRoomApp(
    TypeAhead,
    PaneLayout,
    TimelineKeys,
    CorrectionFlow,
    OfferFlow,
    MitigationFlow,
    CommsFlow,
    IncidentSwitch,
    PeopleFlow,
    Phase4Flow,
    SignatureFlow,
    FeedFlow,
    App[None],
):
    CSS_PATH = "warroom.tcss"
    TITLE = "warroom"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    BINDINGS = keys.bindings(keys.MAIN)

    def __init__(
        self,
        config: Config,
        db: Path,
        *,
        room: WarRoom | None = None,
        start_feeds: bool = True,
        clock: Callable[[], datetime] = utcnow,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        if read_only:  # the room built from this config refuses posts and actions too
            config = replace(config, read_only=True)
        self.read_only = config.read_only
        self.clock = clock
        self.config = config
        self.db = db
        self.room = room
        self.start_feeds = start_feeds
        self.runbook: Runbook = runbook_for(config)
        self.incident: Incident | None = None
        self.health: HealthSnapshot | None = None
        self.ecs: EcsSnapshot | None = None
        self.alarms: AlarmSnapshot | None = None
        self._token: object = None
        self._active_pane = 0
        self.narrow = False
        self.layout_state = LayoutState()
        self._saved_layout: LayoutState | None = None
        self._delivering = False
        self._journal_trouble = ""
        self.update_drafts: dict[int, tuple[str, str]] = {}  # kept when they could not be sent
        self._known_incidents: set[int] | None = None
        self._declared_here: set[int] = set()  # never announced as declared elsewhere
        # What the feeds saw while no incident was open here: declaring takes it in.
        self.recent = RecentObservations(config.console.lookback)
        self._listed: list[IncidentSummary] = []
        self._offers = {}  # what the prompt bar offers on its own (flows/offers.py)
        self._shown_status: Status | None = None
        self.collector = QuietCollector()
        self._log_panes: dict[str, list[LogPane]] | None = None  # by group, made at first batch
        # Writes until their frame is drawn: log panes hold a flush meanwhile.
        self.write_frames = WriteFrames()

    # Layout -------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield IncidentHeader(
            whoami(self.config),
            self.runbook,
            self.clock,
            self.config.notify.cadence,
            channels=self.config.notify.targets,
        )
        names = [
            "Timeline",
            "Checklist",
            "Health",
            "ECS",
            *(g.name for g in self.config.logs.groups),
            *(["Alarms"] if self.config.alarms.watched else []),
        ]
        yield PaneTabs(*(Tab(name, id=f"pane-{n}") for n, name in enumerate(names)), id="pane-tabs")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Horizontal(id="status"):
                    yield HealthPanel()
                    yield EcsPanel(self.config.ecs.cluster if self.config.ecs else "")
                if self.config.alarms.watched:
                    yield AlarmsPanel()
                with Horizontal(id="logs"):
                    for group in self.config.logs.groups:
                        pattern = (
                            self.config.logs.filter_pattern
                            if group.filter_pattern is None
                            else group.filter_pattern
                        )
                        yield LogPane(group.name, pattern)
            with Vertical(id="right"):
                yield TimelinePane()
                yield ChecklistPane(self.runbook)
        # One docked container: two widgets docked at the bottom would overlap.
        with Vertical(id="bottom"):
            yield PromptBar()
            yield KeyBar()

    async def on_mount(self) -> None:
        self.query_one(HealthPanel).show(None)
        self.query_one(EcsPanel).show(None)
        if self.room is None:
            try:
                self.room = await open_war_room(self.config, self.db, clock=self.clock)
            except (JournalError, UserError) as exc:
                self.exit(message=f"warroom: {exc}")
                return
        self._apply_layout()
        if self.config.user.ask:  # a shared login: who is typing, before anything is logged
            self.ask_who(self._choose_incident)
        else:
            await self._choose_incident()
        self.start_presence()
        self.set_interval(CHANGE_POLL, self._poll_changes)
        self.set_interval(1.0, self._tick)
        self.set_interval(OUTBOX_POLL, self._outbox_tick)
        self._outbox_tick()
        if self.start_feeds:
            if not self.config.health.endpoints:
                self.query_one(HealthPanel).show(HealthSnapshot(self.clock(), ()))
            start_feeds(self, self.config)
        self.collector.start()  # what exists by now lives as long as the console

    async def on_unmount(self) -> None:
        await self._stop_feeds()
        self.collector.stop()
        self.leave_presence()
        if self.room is not None:
            await self.room.close()

    async def _stop_feeds(self) -> None:
        """The feeds worker stopped, and waited for: on its way out it releases the feed lease,
        so that another console takes the feeds over at once. (Textual cancels the workers of
        a quitting app without waiting for them.)"""
        for worker in self.workers.cancel_group(self, "feeds"):
            with suppress(WorkerCancelled, WorkerFailed, TimeoutError):
                await asyncio.wait_for(worker.wait(), FEEDS_STOP_WAIT)

    # Incident -----------------------------------------------------------------------------

    async def show_incident(self, incident_id: int) -> None:
        assert self.room is not None
        watching = self.incident is None
        self.incident = await self.room.incident(incident_id)
        self._token = await self.room.change_token()
        self._redraw()
        if watching:
            self.refresh_bindings()  # the incident's keys light up, ctrl+n leaves the key bar
        self.refresh_step_notes(switched=True)
        self._save_layout()
        await self._refresh_incidents()
        await self._beat()  # here at once, on this incident

    async def reload(self) -> None:
        if self.room is not None and self.incident is not None:
            # Token first: a write landing between the two reads is then picked up by the poll,
            # and our own write does not cause a second reload.
            self._token = await self.room.change_token()
            self.incident = await self.room.incident(self.incident.id)
            self._redraw()
            self.refresh_step_notes()

    def _redraw(self) -> None:
        if self.incident is None:
            return
        with suppress(NoMatches):  # a poll can finish while the app is shutting down
            self.query_one(IncidentHeader).show(self.incident)
            self.query_one(TimelinePane).show(self.incident)
            self.query_one(ChecklistPane).show(self.incident)
        self.sub_title = f"{self.incident.ref} {self.incident.title}"
        self.recheck_offers(changed=self._shown_status != self.incident.status)
        self._shown_status = self.incident.status  # R (reopen) is in the key bar when resolved

    async def _poll_changes(self) -> None:
        """Another console or a CLI call wrote: show it within a second."""
        if self.room is None:
            return
        try:
            token = await self.room.change_token()
            if token != self._token:
                self._token = token
                await self._refresh_incidents()  # one declared elsewhere is said
                await self.reload()
        except JournalError as exc:  # shown once per change of trouble, and polled again
            if str(exc) != self._journal_trouble:
                self._journal_trouble = str(exc)
                self.notify(str(exc), title="Journal error", severity="error", timeout=10)
        else:
            self._journal_trouble = ""

    def _tick(self) -> None:
        with suppress(NoMatches):  # a tick can land while the app is shutting down
            for pane in self.query(LogPane):
                pane.refresh_title()
            for alarms in self.query(AlarmsPanel):  # "(4m ago)" counts on between two polls
                if alarms.snapshot is not None:
                    alarms.show(alarms.snapshot, self.clock())
        self.recheck_offers()  # undo lasts a few seconds
        self._save_layout()

    async def _guard(self, call: Awaitable[Any]) -> Any:
        """Run a write; a refused one is shown, never raised (the console must not crash)."""
        written = self.write_frames.started()
        try:
            result = await call
            if isinstance(result, Event):  # on screen at once; the read below brings the rest
                with suppress(NoMatches):
                    self.query_one(TimelinePane).add(result)
            await self.reload()
        except IncidentResolved as exc:  # the room's message says how with the CLI
            self.notify(
                f"{exc.ref} is resolved: it takes notes and post-mortem work, not milestones. "
                "R reopens it (you say why).",
                title="Not logged",
                severity="error",
                timeout=8,
            )
            return None
        except AlreadyLogged as exc:  # who logged it, and when
            self.notify(str(exc), title="Already logged", severity="warning", timeout=8)
            return None
        except UserError as exc:
            self.notify(str(exc), title="Not logged", severity="error", timeout=6)
            return None
        except JournalError as exc:
            self.notify(str(exc), title="Journal error", severity="error", timeout=10)
            return None
        finally:
            self.call_after_refresh(self.write_frames.drawn, written)
        return result

    def _evidence(self) -> dict[str, Any]:
        panes = list(self.query(LogPane))
        return capture(
            self.health,
            self.ecs,
            {p.group: p.last_error() for p in panes},
            {p.group: p.signatures.rows() for p in panes},
        )

    # Keys (the timeline's in flows/timeline.py, mitigations and updates beside it) -----------

    async def action_export(self) -> None:
        if self.room is None or self.incident is None:
            return
        directory = self.config.resolve_path(self.config.journal.postmortem_dir)
        path = await self._guard(self.room.export_postmortem(self.incident.id, directory=directory))
        if path is not None:
            self.notify(f"post-mortem written to {path}", timeout=8)

    def action_postmortem(self) -> None:
        """`p`: write the post-mortem (fields, action items, live preview, export)."""
        from warroom.ui.postmortem import PostmortemScreen

        if self.room is None or self.incident is None:
            return
        directory = self.config.resolve_path(self.config.journal.postmortem_dir)
        self.push_screen(PostmortemScreen(self.room, self.incident.id, directory=directory))

    def action_history(self) -> None:
        """`h`: the quarterly review as a screen (sortable table, incidents per week)."""
        from warroom.ui.history import HistoryScreen

        if self.room is not None:
            self.push_screen(HistoryScreen(self.room))

    def action_runbooks(self) -> None:
        """`d`: the team's own runbook documents (runbook-prod.md, qa-checklist.md)."""
        from warroom.ui.docs import RunbookScreen

        self.push_screen(RunbookScreen(self.config.runbook_documents()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in keys.NEEDS_INCIDENT and self.incident is None:
            return None  # watching: shown dimmed, does nothing
        if action in ("accept_offer", "dismiss_offer", "undo", "reopen"):
            if self.screen is not self.screen_stack[0] or self.incident is None:
                return False  # the main screen's; a dialog or editor keeps these keys
            if action == "reopen":
                return self.incident.status is Status.RESOLVED
            return action == "undo" or self.offer_state(action)
        if action in ("next_pane", "previous_pane"):
            if self.screen is not self.screen_stack[0]:
                return None  # a dialog or editor is up: tab moves its own focus
            if self.query_one(PromptBar).asking:
                return False  # answer (enter) or skip (esc) the prompt first
        return True

    def action_declare(self) -> None:
        self.push_screen(DeclareScreen(can_cancel=True), self._declared)

    def on_alarms_panel_declare_from(self, message: AlarmsPanel.DeclareFrom) -> None:
        """enter on an alarm row: the form prefilled from it, detected when it fired."""
        declared = from_alarm(self.config.alarms, message.alarm)
        form = DeclareScreen(
            title=declared.title,
            severity=declared.severity,
            detected_at=declared.detected_at,
            note=declared.note,
        )
        self.push_screen(form, self._declared)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit_console(self) -> None:
        """Quit; a resolved incident whose post-mortem was never exported, or was exported
        before the resolution or before the journal last changed, gets one last chance
        (config console.export_on_close: ask, always, never)."""
        incident = self.incident
        mode = self.config.console.export_on_close
        directory = self.config.resolve_path(self.config.journal.postmortem_dir)
        why = ""
        if self.room is not None and incident is not None and mode != "never":
            why = await self._guard(self.room.postmortem_outdated(incident.id, directory)) or ""
        self._save_layout(wait=True)
        if not why:
            self.exit()
            return
        if mode == "always":
            await self.action_export()
            self.exit()
            return

        async def answer(export: bool | None) -> None:
            if export is None:
                return
            if export:
                await self.action_export()
            self.exit()

        exported = self.incident is not None and self.incident.postmortem_exported_at is not None
        again = " again" if exported else ""
        self.push_screen(
            ConfirmScreen(
                f"Export the post-mortem{again} before quitting?",
                f"{why[:1].upper()}{why[1:]}. y writes it to {directory}; n quits without it.",
            ),
            answer,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # The console's own commands come from ConsoleCommands. Its `?` and `q` stand in for
        # Textual's "Keys" and "Quit" (which would skip the export offered on quitting).
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Quit"):
                yield command
        yield from self.incident_commands()

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every toast, from any screen or widget (theirs come here), without a secret the
        process knows: errors quote what was typed, results what a server answered. Always
        plain text: messages quote config sections (`[notify]`) and what servers said."""
        options["markup"] = False
        super().notify(redact_secrets(message), title=redact_secrets(title), **options)


def run_console(config: Config, db: Path, *, read_only: bool = False) -> int:
    app = WarRoomApp(config, db, read_only=read_only)
    app.run()
    return app.return_code or 0
