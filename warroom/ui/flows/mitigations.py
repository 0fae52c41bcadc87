"""`!`: the runbook's mitigations from the console: pick, preview (read in a worker), confirm,
run, all journaled by the room. A mixin of the console app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.errors import MissingInput, UserError
from warroom.ui.mitigation_dialogs import ActionMenu, ActionRequest, ConfirmAction

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
        self.push_screen(ActionMenu(rows, self.read_only, chosen=name))

    def on_action_menu_requested(self, message: ActionMenu.Requested) -> None:
        message.menu.reading(message.request)
        self.run_worker(self._plan_and_confirm(message.menu, message.request), group="actions")

    async def _plan_and_confirm(self, menu: ActionMenu, request: ActionRequest) -> None:
        """Reading the resource may be slow: this runs as a worker, the screen stays live and
        the menu stays up until there is a plan to confirm (or says why there is none)."""
        if self.room is None:
            return
        try:
            action, plan = await self.room.plan_action(request.name, request.target, request.value)
        except UserError as exc:
            if self._still_wanted(menu, request):
                if isinstance(exc, MissingInput):
                    menu.problem(exc.console, exc.field)
                else:
                    menu.problem(str(exc))
            return
        if not self._still_wanted(menu, request):
            return
        if plan.refusal and not self.read_only:  # read-only: only a preview, not an attempt
            if self.incident is not None:  # tried and refused: that belongs on the timeline
                refusal = self.room.refuse_action(
                    plan, plan.refusal, incident_id=self.incident.id, evidence=self._evidence()
                )
                await self._guard(refusal)
            menu.problem(f"{plan.action}: refused, {plan.refusal}")
            return
        menu.dismiss(None)

        def confirmed(answer: str | bool | None) -> None:
            if answer is not None:
                self.run_worker(self._run_action(action, plan, answer), group="actions")

        preview = ConfirmAction(
            plan.preview(), plan.confirm, plan.confirmation_word, read_only=self.read_only
        )
        self.push_screen(preview, confirmed)

    def _still_wanted(self, menu: ActionMenu, request: ActionRequest) -> bool:
        """Not if the menu was closed, or moved to another row, while the preview was read."""
        return menu.pending is request and menu in self.screen_stack

    async def _run_action(self, action: Any, plan: Any, answer: str | bool) -> None:
        if self.room is None or self.incident is None:
            return
        self.notify(f"{plan.summary}…", timeout=3)
        evidence = self._evidence()  # what the panels showed when it was confirmed
        result = await self._guard(
            self.room.run_action(
                action,
                plan,
                confirmation=answer,
                incident_id=self.incident.id,
                read_only=self.read_only,
                evidence=evidence,
            )
        )
        if result is None:
            return
        outcome, _ = result
        if outcome.ok:
            self.notify(outcome.detail, title=f"{plan.action}: done", timeout=8)
        elif "refused" in outcome.data:  # nothing ran: someone else is on it, or it changed
            self.notify(
                outcome.detail, title=f"{plan.action}: not run", severity="warning", timeout=15
            )
        else:
            self.notify(
                outcome.detail, title=f"{plan.action}: FAILED", severity="error", timeout=15
            )
