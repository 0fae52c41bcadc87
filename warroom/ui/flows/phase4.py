"""The runbook's Phase 4 steps that act, in the console: `D` drafts a runbook section for the
incident's scenario (step 13), and the checklist says what step 13 still lacks ("#bad-deploy is
not in runbook-prod.md"), found off the event loop. With them, the triage's "single tenant issue:
investigate tenant-specific data": a log pane's `t` scopes it to the incident's tenants. A mixin
of the console app."""

from __future__ import annotations

import os
import shlex
import subprocess
from contextlib import suppress
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported
from textual.css.query import NoMatches

from warroom.errors import JournalError
from warroom.tenant_scope import tenant_regex
from warroom.ui.logpane import LogPane
from warroom.ui.panels import ChecklistPane

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


class Phase4Flow(_Base):
    async def action_draft_scenario(self) -> None:
        """`D`: the scenario drafted beside the reference runbook, then `$EDITOR` on it when
        one is set; the reference itself is never edited."""
        if self.room is None or self.incident is None:
            return
        path = await self._guard(self.room.draft_runbook_scenario(self.incident.id))
        if path is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if editor:
            # Headless (a test, a pipe), or no such editor: the file is there all the same.
            with suppress(SuspendNotSupported, OSError), self.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
        reference = self.room.runbook_reference()
        self.notify(
            f"drafted {path}: review it and merge it into {reference.name if reference else ''} "
            "by hand",
            title="Runbook scenario (step 13)",
            timeout=12,
            markup=False,
        )

    def refresh_step_notes(self, *, switched: bool = False) -> None:
        """Look again for step 13's runbook gap (after a change, or a switch of incident)."""
        if switched:
            with suppress(NoMatches):
                self.query_one(ChecklistPane).notes = {}
        if self.room is None or self.incident is None or self.room.runbook_reference() is None:
            return
        self.run_worker(self._step_notes(self.incident.id), group="step-notes", exclusive=True)

    async def _step_notes(self, incident_id: int) -> None:
        step = self.runbook.acting("runbook")
        if self.room is None or step is None:
            return
        try:
            note = await self.room.runbook_gap(incident_id)
        except JournalError:
            return  # the change poll says so
        with suppress(NoMatches):
            pane = self.query_one(ChecklistPane)
            if self.incident is None or self.incident.id != incident_id:
                return
            if pane.notes.get(step.id, "") != note:
                pane.notes = {**pane.notes, step.id: note}
                pane.show(self.incident)

    def on_log_pane_tenant_scope(self, message: LogPane.TenantScope) -> None:
        """A pane's `t`: its lines narrowed to the tenants the incident's scope names."""
        tenants = self.incident.scope.tenants if self.incident is not None else ()
        if not tenants:
            self.notify(
                "The incident's scope names no tenant: every line stays.",
                title="Tenant scope",
                severity="warning",
                timeout=6,
            )
            return
        scope = tenant_regex(self.config.logs.tenant_pattern, tenants)
        message.pane.set_tenant_scope(scope, ", ".join(tenants))
