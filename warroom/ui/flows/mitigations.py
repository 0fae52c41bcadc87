"""`!`: the runbook's mitigations from the console: pick, preview (read in a worker), confirm,
run, all journaled by the room. A mixin of the console app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.errors import UserError
from warroom.ui.dialogs import ActionMenu, ActionRequest, ConfirmAction

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


class MitigationFlow(_Base):
    def action_mitigations(self) -> None:
        """`!`: pick a mitigation, preview its plan, confirm, run; all journaled."""
        self.open_mitigations()

    def open_mitigations(self, name: str | None = None) -> None:
        """The menu, on mitigation `name` when given (picked by name in the palette)."""
        from warroom import actions

        if self.incident is None:
            return
        rows = actions.menu(self.config, self.runbook)
        self.push_screen(ActionMenu(rows, self.read_only, chosen=name), self._action_requested)

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
