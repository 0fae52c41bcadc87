"""No double mitigation, the war room's side: the lease a run holds on its target, the last
mitigation on a target that the preview names, and the live state read again right before
acting. A mixin of `Mitigations`."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from warroom.errors import UserError
from warroom.mitigation_lease import LEASE_TTL, drift, last_done, lease_key, lease_refusal

if TYPE_CHECKING:
    from warroom.actions import Action, ActionContext, Plan
    from warroom.service.room import WarRoom

    _Base = WarRoom
else:
    _Base = object


class TargetLeases(_Base):
    async def last_on_target(self, action: Action, target: str) -> str:
        """'bob rolled back saas-backend 40s ago: saas-backend:9 -> saas-backend:8', or ""."""
        from warroom import actions

        kin = [
            name
            for name, other in actions.available(self.config).items()
            if other.target_kind == action.target_kind
        ]
        event = await self.journal.last_mitigation(target, kin)
        if event is None:
            return ""
        return last_done(event.author, event.at, event.data, self.now())

    @asynccontextmanager
    async def holding_target(self, action: Action, plan: Plan) -> AsyncIterator[str]:
        """Hold the target's lease for the block; yields "" when held, else who holds it and
        since when (the block must then do nothing)."""
        key = lease_key(action.target_kind, plan.target)
        token = f"{os.getpid()}-{uuid.uuid4().hex}"
        now = self.now()
        lease = await self.journal.take_mitigation_lease(
            key,
            action=plan.action,
            holder=self.author,
            token=token,
            now=now,
            until=now + LEASE_TTL,
        )
        if lease.token != token:
            yield lease_refusal(lease, plan.target, now)
            return
        try:
            yield ""
        finally:
            # Shielded: a console closing mid-run must not leave the lease to expire.
            await asyncio.shield(self.journal.release_mitigation_lease(key, token))

    async def drifted(self, action: Action, plan: Plan, ctx: ActionContext) -> str:
        """Read the target again, right before acting: "" when it is as previewed, else why
        the preview no longer holds (and the last mitigation on it, which likely moved it)."""
        from warroom.service.actions import ACTION_TIMEOUT

        try:
            live = await asyncio.wait_for(
                asyncio.to_thread(action.plan, ctx, plan.target, plan.value), ACTION_TIMEOUT
            )
        except UserError as exc:
            return f"{plan.target} changed since the preview ({exc}): preview again"
        changed = drift(
            plan.target,
            [(c.old, c.new) for c in plan.changes],
            [(c.old, c.new) for c in live.changes],
            live.refusal if live.refusal != plan.refusal else "",
        )
        if changed and (last := await self.last_on_target(action, plan.target)):
            changed += f" (last: {last})"
        return changed
