"""The war-room console: one screen for the whole incident.

The app renders state; the journal owns it. Every key that logs something awaits the write path
(committed before the call returns) and then redraws from the journal.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Tab, Tabs

from warroom.config import Config, whoami
from warroom.errors import JournalError, UserError
from warroom.evidence import capture
from warroom.model import KIND_LABELS, Incident, IncidentSummary, Kind, Status, postmortem_due
from warroom.runbook import Runbook
from warroom.sanitize import redact_secrets
from warroom.service import WarRoom, open_war_room, runbook_for
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsFeed, EcsSnapshot
from warroom.sources.health import HealthFeed, HealthSnapshot, observe_health
from warroom.sources.logs import LogBatch, LogTailer
from warroom.timeutil import utcnow
from warroom.ui.dialogs import (
    ActionMenu,
    ActionRequest,
    ChooseScreen,
    ConfirmAction,
    ConfirmScreen,
    Declaration,
    DeclareScreen,
    EntryEdit,
    HelpScreen,
    SeverityScreen,
    TextPrompt,
    UpdateEditor,
)
from warroom.ui.layout_state import LayoutState, load_layout, save_layout
from warroom.ui.logpane import LogPane, LogView
from warroom.ui.outbox import OutboxScreen
from warroom.ui.panels import ChecklistPane, EcsPanel, HealthPanel, IncidentHeader, TimelinePane
from warroom.ui.promptbar import KeyBar, PromptBar

NARROW_WIDTH = 120
NARROW_HEIGHT = 30
CHANGE_POLL = 0.5  # seconds between looks for another console's writes
OUTBOX_POLL = 3.0  # seconds between looks for status updates due for a retry


class WarRoomApp(App[None]):
    CSS_PATH = "warroom.tcss"
    TITLE = "warroom"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("a", "milestone('acknowledged')", "Ack"),
        Binding("n", "note", "Note"),
        Binding("c", "milestone('root_cause')", "Cause"),
        Binding("m", "milestone('mitigated')", "Mitigated"),
        Binding("f", "milestone('fix_deployed')", "Fix"),
        Binding("r", "milestone('resolved')", "Resolved"),
        Binding("s", "severity", "Sev"),
        Binding("exclamation_mark", "mitigations", "Mitigate", key_display="!"),
        Binding("u", "update", "Update"),
        Binding("o", "outbox", "Outbox", show=False),
        Binding("x", "export", "Export"),
        Binding("p", "postmortem", "Post-mortem"),
        Binding("h", "history", "History", show=False),
        Binding("d", "runbooks", "Runbooks", show=False),
        Binding("ctrl+n", "declare", "Declare", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("tab", "next_pane", "Pane", show=False, priority=True),
        Binding("shift+tab", "previous_pane", "Prev pane", show=False, priority=True),
        Binding("q", "quit_console", "Quit"),
    ]

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
        self.read_only = read_only or config.read_only
        self.clock = clock
        self.config = config
        self.db = db
        self.room = room
        self.start_feeds = start_feeds
        self.runbook: Runbook = runbook_for(config)
        self.incident: Incident | None = None
        self.health: HealthSnapshot | None = None
        self.ecs: EcsSnapshot | None = None
        self._token: object = None
        self._active_pane = 0
        self.narrow = False
        self.layout_state = LayoutState()
        self._saved_layout: LayoutState | None = None
        self._delivering = False
        self._journal_trouble = ""

    # Layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield IncidentHeader(
            whoami(self.config), self.runbook, self.clock, self.config.notify.cadence
        )
        names = [
            "Timeline",
            "Checklist",
            "Health",
            "ECS",
            *(g.name for g in self.config.logs.groups),
        ]
        yield Tabs(*(Tab(name, id=f"pane-{n}") for n, name in enumerate(names)), id="pane-tabs")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Horizontal(id="status"):
                    yield HealthPanel()
                    yield EcsPanel(self.config.ecs.cluster if self.config.ecs else "")
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

    @property
    def panes(self) -> list[Widget]:
        return [
            self.query_one(TimelinePane),
            self.query_one(ChecklistPane),
            self.query_one(HealthPanel),
            self.query_one(EcsPanel),
            *self.query(LogPane),
        ]

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
        await self._choose_incident()
        self.set_interval(CHANGE_POLL, self._poll_changes)
        self.set_interval(1.0, self._tick)
        self.set_interval(OUTBOX_POLL, self._outbox_tick)
        self._outbox_tick()
        if self.start_feeds:
            self._start_feeds()

    async def on_unmount(self) -> None:
        if self.room is not None:
            await self.room.close()

    def _current_layout(self) -> LayoutState:
        checklist = self.query_one(ChecklistPane)
        zoomed = next((p.group for p in self.query(LogPane) if p.has_class("-zoomed")), None)
        return LayoutState(
            incident=self.incident.id if self.incident else None,
            active_pane=self._current_pane(),
            zoomed=zoomed,
            filters={p.group: p.filter_text for p in self.query(LogPane) if p.filter_text},
            checklist_phase=None if checklist.follow_phase else checklist.phase_index,
        )

    def _save_layout(self) -> None:
        """Written when it changed (checked every second), so a crash loses at most that."""
        if self.incident is None:
            return
        try:
            state = self._current_layout()
        except NoMatches:  # shutting down: the widgets are already gone
            return
        if state != self._saved_layout:
            save_layout(self.db, state)
            self._saved_layout = state

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
        self.call_after_refresh(self._focus_pane, state.active_pane)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size)

    def _apply_layout(self, size: Size | None = None) -> None:
        width, height = size or self.size
        self.narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        self.screen.set_class(self.narrow, "narrow")
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

    def _focus_pane(self, index: int) -> None:
        panes = self.panes
        self._active_pane = index % len(panes)
        self._apply_layout()
        pane = panes[self._active_pane]
        target = pane.query_one(LogView) if isinstance(pane, LogPane) else pane
        target.focus()

    def action_next_pane(self) -> None:
        self._focus_pane(self._current_pane() + 1)

    def action_previous_pane(self) -> None:
        self._focus_pane(self._current_pane() - 1)

    def _current_pane(self) -> int:
        focused = self.focused
        for n, pane in enumerate(self.panes):
            if focused is pane or (focused is not None and focused in pane.query("*")):
                return n
        return self._active_pane

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        index = int((event.tab.id or "pane-0").split("-")[1])
        if index != self._active_pane:
            with suppress(NoMatches):  # the tabs also announce themselves while being removed
                self._focus_pane(index)

    @on(LogPane.Zoom)
    def _zoom(self, event: LogPane.Zoom) -> None:
        zoomed = not event.pane.has_class("-zoomed")
        for pane in self.query(LogPane):
            pane.set_class(zoomed and pane is event.pane, "-zoomed")
        self.screen.set_class(zoomed, "zoom-log")

    # Incident -----------------------------------------------------------------------------

    async def _choose_incident(self) -> None:
        assert self.room is not None
        everything = await self.room.incidents()
        open_ones = [i for i in everything if i.status is Status.OPEN]
        writing = [i for i in everything if postmortem_pending(i)]
        self.layout_state = load_layout(self.db)
        remembered = self.layout_state.incident
        if remembered is not None and any(i.id == remembered for i in open_ones + writing):
            await self.show_incident(remembered)
            self._restore_layout()
        elif len(open_ones) == 1 and not writing:
            await self.show_incident(open_ones[0].id)
        elif not open_ones and not writing:
            self.push_screen(DeclareScreen(can_cancel=False), self._declared)
        else:
            self.push_screen(ChooseScreen(open_ones + writing, self.clock()), self._chosen)

    async def _chosen(self, choice: int | None) -> None:
        if choice is None:
            if self.incident is None:
                self.exit()
            return
        if choice == 0:
            self.push_screen(DeclareScreen(can_cancel=self.incident is not None), self._declared)
            return
        await self.show_incident(choice)

    async def _declared(self, declaration: Declaration | None) -> None:
        if declaration is None:
            return
        assert self.room is not None
        incident_id = await self._guard(
            self.room.declare(declaration.title, declaration.severity, scope=declaration.scope)
        )
        if incident_id is not None:
            await self.show_incident(incident_id)
            self.notify(f"INC-{incident_id} declared", timeout=3)

    async def show_incident(self, incident_id: int) -> None:
        assert self.room is not None
        self.incident = await self.room.incident(incident_id)
        self._token = await self.room.change_token()
        self._redraw()
        self._save_layout()

    async def reload(self) -> None:
        if self.room is not None and self.incident is not None:
            # Token first: a write landing between the two reads is then picked up by the poll,
            # and our own write does not cause a second reload.
            self._token = await self.room.change_token()
            self.incident = await self.room.incident(self.incident.id)
            self._redraw()

    def _redraw(self) -> None:
        if self.incident is None:
            return
        with suppress(NoMatches):  # a poll can finish while the app is shutting down
            self.query_one(IncidentHeader).show(self.incident)
            self.query_one(TimelinePane).show(self.incident)
            self.query_one(ChecklistPane).show(self.incident)
        self.sub_title = f"{self.incident.ref} {self.incident.title}"

    async def _poll_changes(self) -> None:
        """Another console or a CLI call wrote: show it within a second."""
        if self.room is None or self.incident is None:
            return
        try:
            token = await self.room.change_token()
            if token != self._token:
                self._token = token
                await self.reload()
        except JournalError as exc:  # shown once per change of trouble, and polled again
            if str(exc) != self._journal_trouble:
                self._journal_trouble = str(exc)
                self.notify(str(exc), title="Journal error", severity="error", timeout=10)
        else:
            self._journal_trouble = ""

    def _tick(self) -> None:
        for pane in self.query(LogPane):
            pane.refresh_title()
        self._save_layout()

    async def _guard(self, call: Awaitable[Any]) -> Any:
        """Run a write; a refused one is shown, never raised (the console must not crash)."""
        try:
            result = await call
            await self.reload()
        except UserError as exc:
            self.notify(str(exc), title="Not logged", severity="error", timeout=6)
            return None
        except JournalError as exc:
            self.notify(str(exc), title="Journal error", severity="error", timeout=10)
            return None
        return result

    def _evidence(self) -> dict[str, Any]:
        return capture(
            self.health, self.ecs, {p.group: p.last_error() for p in self.query(LogPane)}
        )

    # Keys ---------------------------------------------------------------------------------

    async def action_milestone(self, kind_name: str) -> None:
        """Log at once; then offer a short text for the entry (esc keeps it as it is)."""
        if self.room is None or self.incident is None:
            return
        kind = Kind(kind_name)
        default = KIND_LABELS[kind]
        event = await self._guard(
            self.room.log(
                kind, default, incident_id=self.incident.id, data={"evidence": self._evidence()}
            )
        )
        if event is None:
            return

        async def add_text(edit: EntryEdit | None) -> None:
            if edit and edit.text and edit.text != default and self.room is not None:
                await self._guard(self.room.amend(event.id, text=edit.text))

        self.query_one(PromptBar).ask(
            f"{default} logged at {event.at:%H:%M:%S} UTC. Add a short text?", add_text
        )

    def action_note(self) -> None:
        if self.incident is None:
            return

        async def log_note(edit: EntryEdit | None) -> None:
            if edit and self.room is not None and self.incident is not None:
                await self._guard(
                    self.room.log(
                        Kind.NOTE,
                        edit.text,
                        incident_id=self.incident.id,
                        data={"evidence": self._evidence()},
                    )
                )

        self.query_one(PromptBar).ask("Note:", log_note, required=True)

    def action_severity(self) -> None:
        if self.incident is None:
            return

        async def change(choice: tuple[Any, str] | None) -> None:
            if choice and self.room is not None and self.incident is not None:
                severity, reason = choice
                result = await self._guard(
                    self.room.change_severity(severity, incident_id=self.incident.id, reason=reason)
                )
                if result is None:
                    self.notify(f"severity stays {severity.value}", timeout=2)

        self.push_screen(SeverityScreen(self.incident.severity), change)

    @on(TimelinePane.Edit)
    def _edit_entry(self, message: TimelinePane.Edit) -> None:
        if self.incident is None:
            return
        event = next((e for e in self.incident.events if e.id == message.event_id), None)
        if event is None:
            return

        async def save(edit: EntryEdit | None) -> None:
            if edit is None or self.room is None:
                return
            text = edit.text if edit.text != event.text else None
            at = edit.at if edit.at and edit.at != event.at else None
            if text is not None or at is not None:
                await self._guard(self.room.amend(event.id, text=text, at=at))

        self.push_screen(
            TextPrompt(
                f"Edit {event.kind.value} entry", text=event.text, at=event.at, with_time=True
            ),
            save,
        )

    @on(ChecklistPane.Toggle)
    async def _toggle_step(self, message: ChecklistPane.Toggle) -> None:
        if self.room is not None and self.incident is not None:
            await self._guard(
                self.room.check(message.step_id, message.done, incident_id=self.incident.id)
            )

    @on(LogPane.Evidence)
    async def _log_line(self, message: LogPane.Evidence) -> None:
        if self.room is None or self.incident is None:
            return
        line = message.line
        await self._guard(
            self.room.log(
                Kind.NOTE,
                f"{line.group} {line.at:%H:%M:%S} {line.message}",
                incident_id=self.incident.id,
                data={
                    "evidence": self._evidence(),
                    "log_line": {"group": line.group, "event_id": line.event_id},
                },
            )
        )
        self.notify("log line added to the timeline", timeout=2)

    def action_mitigations(self) -> None:
        """`!`: pick a mitigation, preview its plan, confirm, run; all journaled."""
        from warroom import actions

        if self.incident is None:
            return
        situations = {a: m.situation for m in self.runbook.mitigations for a in m.actions}
        rows = [
            (
                name,
                situations.get(name, "team action"),
                action.description,
                action.candidates(self.config),
                action.value_help,
            )
            for name, action in actions.available(self.config).items()
        ]
        self.push_screen(ActionMenu(rows, self.read_only), self._action_requested)

    def _action_requested(self, request: ActionRequest | None) -> None:
        if request is not None:
            self.run_worker(self._plan_and_confirm(request), group="actions")

    async def _plan_and_confirm(self, request: ActionRequest) -> None:
        """Reading the resource may be slow: this runs as a worker, the screen stays live."""
        if self.room is None:
            return
        # Said until the preview is up: the first read may take seconds (a new AWS client).
        self.notify(f"reading {request.target or request.name}…", timeout=60)
        try:
            action, plan = await self.room.plan_action(request.name, request.target, request.value)
        except UserError as exc:
            self.clear_notifications()
            self.notify(str(exc), title=request.name, severity="error", timeout=8)
            return
        self.clear_notifications()
        if plan.refusal:
            self.notify(
                plan.refusal, title=f"{plan.action}: refused", severity="warning", timeout=10
            )
            return

        def confirmed(answer: str | bool | None) -> None:
            if answer is not None:
                self.run_worker(self._run_action(action, plan, answer), group="actions")

        self.push_screen(
            ConfirmAction(plan.preview(), plan.confirm, plan.confirmation_word), confirmed
        )

    async def _run_action(self, action: Any, plan: Any, answer: str | bool) -> None:
        if self.room is None or self.incident is None:
            return
        self.notify(f"{plan.summary}…", timeout=3)
        result = await self._guard(
            self.room.run_action(
                action,
                plan,
                confirmation=answer,
                incident_id=self.incident.id,
                read_only=self.read_only,
            )
        )
        if result is None:
            return
        outcome, _ = result
        if outcome.ok:
            self.notify(outcome.detail, title=f"{plan.action}: done", timeout=8)
        else:
            self.notify(
                outcome.detail, title=f"{plan.action}: FAILED", severity="error", timeout=15
            )

    async def action_update(self) -> None:
        """`u`: the runbook's message for this phase, prefilled, editable, then posted."""
        if self.room is None or self.incident is None:
            return
        draft = await self._guard(self.room.draft_update(self.incident.id))
        if draft is None:
            return
        channels = ", ".join(self.config.notify.targets) or "no channel ([notify] in config)"
        title = f"Status update ({draft.kind}) to {channels}"
        if draft.missing:
            title += f"; fill in {', '.join(draft.missing)}"

        def send(text: str | None) -> None:
            if text and self.room is not None and self.incident is not None:
                self.run_worker(self._post(text), group="comms")

        self.push_screen(UpdateEditor(title, draft.text), send)

    async def _post(self, text: str) -> None:
        if self.room is None or self.incident is None:
            return
        deliveries = await self._guard(self.room.post_update(text, incident_id=self.incident.id))
        for delivery in deliveries or ():
            channel = delivery.message.channel
            if delivery.ok:
                self.notify(f"posted to {channel}", title="update sent", timeout=5)
            elif delivery.result is not None:
                self.notify(
                    f"{channel}: {delivery.result.detail}. Kept in the outbox and retried "
                    "with backoff; o shows it.",
                    title="update NOT sent yet",
                    severity="error",
                    timeout=20,
                )
        await self._count_unsent()

    def _outbox_tick(self) -> None:
        if self.room is not None and not self._delivering:
            self._delivering = True
            self.run_worker(self._deliver_outbox(), group="outbox")

    async def _deliver_outbox(self) -> None:
        """Retry what is due; a retry that succeeds is said, one that fails again only counts
        in the header (the outbox screen has the errors)."""
        try:
            if self.room is None:
                return
            deliveries = await self.room.deliver_due()
            if any(d.ok for d in deliveries):
                await self.reload()  # the comms entry; the update clock restarts from it
            for delivery in deliveries:
                if delivery.ok:
                    message = delivery.message
                    self.notify(
                        f"#{message.id} posted to {message.channel} after {message.attempts} tries",
                        title="update sent",
                        timeout=5,
                    )
            await self._count_unsent()
        except Exception as exc:  # a retry loop must never take the console down
            self.notify(str(exc), title="Outbox", severity="error", timeout=10)
        finally:
            self._delivering = False

    async def _count_unsent(self) -> None:
        if self.room is None:
            return
        try:
            unsent = len(await self.room.outbox())
        except JournalError:
            return  # the change poll says so; the count waits for the journal to come back
        with suppress(NoMatches):
            header = self.query_one(IncidentHeader)
            if header.unsent != unsent:
                header.unsent = unsent
                header.redraw()

    async def action_outbox(self) -> None:
        """`o`: updates not sent yet; retry them now or discard one."""
        if self.room is None:
            return
        messages = await self._guard(self.room.outbox())
        if messages is None:
            return

        async def chosen(answer: tuple[str, int | None] | None) -> None:
            if answer is None or self.room is None:
                return
            what, post_id = answer
            if what == "retry":
                self.run_worker(self._retry_outbox(), group="outbox")
            elif post_id is not None:

                async def discard(yes: bool | None) -> None:
                    if yes and self.room is not None and post_id is not None:
                        if await self._guard(self.room.discard_post(post_id)) is not None:
                            self.notify(f"#{post_id} discarded; it will not be sent", timeout=4)
                        await self._count_unsent()

                self.push_screen(
                    ConfirmScreen(f"Discard update #{post_id}? It will never be sent."), discard
                )

        self.push_screen(OutboxScreen(messages), chosen)

    async def _retry_outbox(self) -> None:
        if self.room is None:
            return
        deliveries = await self._guard(self.room.retry_outbox_now())
        sent = sum(1 for d in deliveries or () if d.ok)
        failed = sum(1 for d in deliveries or () if d.result is not None and not d.ok)
        self.notify(
            f"{sent} sent, {failed} still failing",
            title="outbox",
            severity="error" if failed else "information",
            timeout=6,
        )
        await self._count_unsent()

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
        if action in ("next_pane", "previous_pane"):
            if self.screen is not self.screen_stack[0]:
                return None  # a dialog or editor is up: tab moves its own focus
            if self.query_one(PromptBar).asking:
                return False  # answer (enter) or skip (esc) the prompt first
        return True

    def action_declare(self) -> None:
        self.push_screen(DeclareScreen(can_cancel=True), self._declared)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit_console(self) -> None:
        """Quit; a resolved incident whose post-mortem was never exported gets one last
        chance (config console.export_on_close: ask, always, never)."""
        incident = self.incident
        mode = self.config.console.export_on_close
        pending = (
            incident is not None
            and incident.status is Status.RESOLVED
            and incident.postmortem_exported_at is None
        )
        self._save_layout()
        if not pending or mode == "never":
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

        directory = self.config.resolve_path(self.config.journal.postmortem_dir)
        self.push_screen(
            ConfirmScreen("Export the post-mortem before quitting?", f"to {directory}"), answer
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            ("Log acknowledged", "a", lambda: self.run_action("milestone('acknowledged')")),
            ("Add a note", "n", self.action_note),
            ("Log root cause", "c", lambda: self.run_action("milestone('root_cause')")),
            ("Log mitigation applied", "m", lambda: self.run_action("milestone('mitigated')")),
            ("Log fix deployed", "f", lambda: self.run_action("milestone('fix_deployed')")),
            ("Log resolved", "r", lambda: self.run_action("milestone('resolved')")),
            ("Change severity", "s", self.action_severity),
            ("Mitigations", "!", self.action_mitigations),
            ("Post a status update", "u", self.action_update),
            ("Export the post-mortem", "x", lambda: self.run_action("export")),
            ("Write the post-mortem", "p", self.action_postmortem),
            ("Incident history (quarterly review)", "h", self.action_history),
            ("Team runbook documents", "d", self.action_runbooks),
            ("Outbox: unsent status updates", "o", lambda: self.run_action("outbox")),
            ("Declare a new incident", "ctrl+n", self.action_declare),
            ("Keys and help", "?", self.action_help),
        ]
        for title, key, callback in commands:
            yield SystemCommand(title, f"key: {key}", callback)

    # Feeds --------------------------------------------------------------------------------

    def _start_feeds(self) -> None:
        clients = AwsClients(self.config)
        if self.config.health.endpoints:
            self._follow(
                "health",
                lambda: HealthFeed(self.config.health.endpoints, self.config.sla).updates(),
                self._on_health,
            )
        else:
            self.query_one(HealthPanel).show(HealthSnapshot(self.clock(), ()))
        if self.config.ecs is not None:
            ecs = self.config.ecs
            self._follow("ecs", lambda: EcsFeed(ecs, clients).updates(), self._on_ecs)
        if self.config.logs.groups:
            self._follow(
                "logs", lambda: LogTailer(self.config.logs, clients).updates(), self._on_logs
            )

    @work(exclusive=False, group="feeds")
    async def _follow(
        self,
        name: str,
        updates: Callable[[], AsyncIterator[Any]],
        handle: Callable[[Any], Awaitable[None]],
    ) -> None:
        """Consume a feed for as long as the app runs; a bug in one feed restarts it, it never
        takes the console down."""
        while True:
            try:
                async for snapshot in updates():
                    await handle(snapshot)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the war room up whatever a feed does
                self.notify(f"{name} feed stopped: {exc}; restarting", severity="error")
                await asyncio.sleep(5)

    async def _on_health(self, snapshot: HealthSnapshot) -> None:
        previous, self.health = self.health, snapshot
        self.query_one(HealthPanel).show(snapshot)
        for kind, subject, text in observe_health(previous, snapshot):
            await self._observe(f"{kind}:{subject}", text)
            if kind in ("health_recovered", "sla_breach_end"):
                self._offer_mitigated(snapshot.at)

    def _offer_mitigated(self, at: datetime) -> None:
        """Health is back: if nobody has logged the mitigation yet, offer to, at that time."""
        incident = self.incident
        if incident is None or incident.status is Status.RESOLVED:
            return
        if incident.milestones.mitigated is not None:
            return
        if self.screen is not self.screen_stack[0]:
            self.notify(
                f"health recovered at {at:%H:%M:%S} UTC; press m to log the mitigation", timeout=10
            )
            return

        async def answer(yes: bool | None) -> None:
            if yes and self.room is not None and self.incident is not None:
                await self._guard(
                    self.room.log(
                        Kind.MITIGATED,
                        "Service restored (health recovered)",
                        incident_id=self.incident.id,
                        at=at,
                        data={"evidence": self._evidence()},
                    )
                )

        self.push_screen(
            ConfirmScreen(f"Health recovered at {at:%H:%M:%S} UTC. Mark mitigated at {at:%H:%M}?"),
            answer,
        )

    async def _on_ecs(self, snapshot: EcsSnapshot) -> None:
        self.ecs = snapshot
        self.query_one(EcsPanel).show(snapshot)
        for observation in snapshot.observations:
            await self._observe(f"{observation.kind}:{observation.subject}", observation.text)

    async def _on_logs(self, batch: LogBatch) -> None:
        for pane in self.query(LogPane):
            if pane.group == batch.group:
                pane.add_batch(batch)

    async def _observe(self, key: str, text: str) -> None:
        if self.room is None or self.incident is None or self.incident.status is Status.RESOLVED:
            return
        event = await self._guard(self.room.observe(self.incident.id, key, text))
        if event is not None:
            self.notify(text, title="observed", timeout=4)

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every toast, from any screen or widget (theirs come here), without a secret the
        process knows: errors quote what was typed, results what a server answered."""
        super().notify(redact_secrets(message), title=redact_secrets(title), **options)


def postmortem_pending(incident: IncidentSummary) -> bool:
    """Resolved, and the post-mortem the runbook asks for (SEV-1/2, 48 h) not exported yet."""
    due = postmortem_due(incident.severity, incident.resolved_at, incident.postmortem_exported_at)
    return incident.status is Status.RESOLVED and due.required and not due.done


def run_console(config: Config, db: Path, *, read_only: bool = False) -> int:
    app = WarRoomApp(config, db, read_only=read_only)
    app.run()
    return app.return_code or 0
