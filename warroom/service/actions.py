"""The war room's mitigations: preview from the live resource, then run with a confirmation,
refused in read-only mode, journaled with the outcome. A mixin of `WarRoom`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING, Any

from warroom.errors import UserError
from warroom.model import Event, Kind
from warroom.service.cleaning import clean_text
from warroom.service.leases import TargetLeases

if TYPE_CHECKING:
    from warroom.actions import Action, ActionContext, Outcome, Plan
    from warroom.service.room import WarRoom
    from warroom.sources.aws import AwsClients

    _Base = WarRoom
else:
    _Base = object

ACTION_TIMEOUT = 60.0  # seconds; boto3's own timeouts and retries end well before this
# Actions that undo another put back what that one journaled.
RESTORES = {"restore-app-client": "disable-app-client"}


class Mitigations(TargetLeases, _Base):
    def _action_clients(self) -> AwsClients:
        if self._clients is None:
            from warroom.sources.aws import AwsClients

            self._clients = AwsClients(self.config)
        return self._clients

    async def plan_action(
        self, name: str, target: str | None = None, value: str | None = None
    ) -> tuple[Action, Plan]:
        """What the action would change, read from the live resource (nothing is changed)."""
        from warroom import actions
        from warroom.sources.status import describe_error

        action = actions.find(self.config, name)
        target = actions.default_target(action, self.config, target)
        ctx = await self._action_context(name, target)
        try:
            plan = await asyncio.wait_for(
                asyncio.to_thread(action.plan, ctx, target, value), ACTION_TIMEOUT
            )
        except UserError:
            raise
        except TimeoutError:
            raise UserError(f"{name} {target}: no answer within {ACTION_TIMEOUT:g}s") from None
        except Exception as exc:  # an AWS error while reading: say so, change nothing
            raise UserError(f"{name} {target}: {describe_error(exc)}") from None
        last = await self.last_on_target(action, target)
        return action, dataclasses.replace(plan, value=value, last=last)

    async def _action_context(self, name: str, target: str) -> ActionContext:
        from warroom.actions import ActionContext

        restores = RESTORES.get(name)
        saved = await self.journal.last_action(restores, target) if restores else None
        return ActionContext(self.config, self._action_clients(), lambda _a, _t: saved)

    def action_refusal(self, plan: Plan, read_only: bool = False) -> str:
        """Why this plan will not run ("" when it may): read-only mode, or the plan's own
        refusal (nothing to roll back to, no rotation configured, ...)."""
        if read_only or self.config.read_only:
            return "read-only mode"
        return plan.refusal

    async def refuse_action(
        self,
        plan: Plan,
        reason: str,
        *,
        incident_id: int | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> tuple[Outcome, Event]:
        """A real attempt that was refused is part of the story: an `action` entry saying
        why, with nothing called. (Read-only mode still writes the journal.)"""
        from warroom.actions import Outcome

        refused = Outcome(False, f"refused: {reason}", 0.0, data={"refused": reason})
        incident = await self.target(incident_id)
        return await self._journal_outcome(incident, plan, refused, evidence)

    async def run_action(
        self,
        action: Action,
        plan: Plan,
        *,
        confirmation: str | bool,
        incident_id: int | None = None,
        read_only: bool = False,
        evidence: dict[str, Any] | None = None,
    ) -> tuple[Outcome, Event]:
        """Run and journal the outcome, success or failure, with who, parameters, request id or
        HTTP status, and duration (and the `evidence` the console's panels showed when it was
        confirmed). A refused plan (read-only, `plan.refusal`) is journaled as refused and not
        run; a wrong confirmation is a UserError and journals nothing. The run holds the
        target's lease (another run on it meanwhile is refused, with who and since when) and
        reads the live state again first: refused when it is not what the preview showed."""
        from warroom.actions import Outcome
        from warroom.actions.base import failed

        refusal = self.action_refusal(plan, read_only)
        if refusal:
            return await self.refuse_action(
                plan, refusal, incident_id=incident_id, evidence=evidence
            )
        if plan.confirm == "type":
            if confirmation != plan.confirmation_word:
                raise UserError(
                    f"confirmation does not match: type {plan.confirmation_word!r} to run "
                    f"{plan.action}"
                )
        elif confirmation is not True:
            raise UserError(f"{plan.action} was not confirmed")
        incident = await self.target(incident_id)
        ctx = await self._action_context(plan.action, plan.target)
        async with self.holding_target(action, plan) as held_by:
            if held_by:  # someone else is acting on this target right now
                return await self.refuse_action(
                    plan, held_by, incident_id=incident, evidence=evidence
                )
            started = time.perf_counter()
            try:
                changed = await self.drifted(action, plan, ctx)
                if changed:  # the preview confirmed is not what would run now
                    return await self.refuse_action(
                        plan, changed, incident_id=incident, evidence=evidence
                    )
                outcome = await asyncio.wait_for(
                    asyncio.to_thread(action.run, ctx, plan), ACTION_TIMEOUT
                )
            except TimeoutError:
                outcome = Outcome(
                    False, f"no answer within {ACTION_TIMEOUT:g}s", time.perf_counter() - started
                )
            except Exception as exc:  # journaled as a failure, never raised into the console
                outcome = failed(exc, started)
            # Journaled while the lease is held: whoever takes it next sees this as the last.
            return await self._journal_outcome(incident, plan, outcome, evidence)

    async def _journal_outcome(
        self,
        incident: int,
        plan: Plan,
        outcome: Outcome,
        evidence: dict[str, Any] | None = None,
    ) -> tuple[Outcome, Event]:
        if "refused" in outcome.data:  # nothing ran: no state, reference or duration to give
            text = f"{plan.summary}: {outcome.detail}"
        else:
            state = "ok" if outcome.ok else "FAILED"
            reference = outcome.request_id or (
                f"HTTP {outcome.http_status}" if outcome.http_status else ""
            )
            text = f"{plan.summary}: {state}, {outcome.detail}"
            text += f" ({reference + ', ' if reference else ''}{outcome.duration:.1f}s)"
        event = await self.journal.append_event(
            incident,
            kind=Kind.ACTION,
            text=clean_text(text),
            author=self.author,
            at=self.now(),
            recorded_at=self.now(),
            data={
                "action": plan.action,
                "target": plan.target,
                "params": plan.params,
                "changes": [c.describe() for c in plan.changes],
                "ok": outcome.ok,
                "detail": outcome.detail,
                "request_id": outcome.request_id,
                "http_status": outcome.http_status,
                "duration_s": round(outcome.duration, 3),
                **outcome.data,
                **({} if evidence is None else {"evidence": evidence}),
            },
        )
        return outcome, event

    def refuse_if_read_only(self, what: str, read_only: bool = False) -> None:
        """Read-only mode (`--read-only` or the config) changes nothing outside the journal."""
        if read_only or self.config.read_only:
            raise UserError(f"read-only mode: {what} refused")
