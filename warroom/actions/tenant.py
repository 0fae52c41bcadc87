"""Single tenant issue: suspend (and unsuspend) a tenant through the team's admin endpoint."""

from __future__ import annotations

import time

import httpx

from warroom.actions.base import ActionContext, Change, Outcome, Plan
from warroom.config import Config
from warroom.errors import UserError
from warroom.sanitize import safe_line, secret_from_env


class _TenantSwitch:
    name = ""
    description = ""
    target_kind = "tenant id"
    value_help = ""
    verb = ""
    state_before = ""
    state_after = ""

    def candidates(self, config: Config) -> tuple[str, ...]:
        return ()

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        admin = ctx.config.mitigations.tenant_admin
        if not admin.url:
            raise UserError("no mitigations.tenant_admin.url in the config")
        if not target or "/" in target:
            raise UserError(f"bad tenant id {target!r}")
        return Plan(
            self.name,
            target,
            f"{self.verb} tenant {target}",
            (Change(f"tenant {target}", "state", self.state_before, self.state_after),),
            confirm="yes",
            params={"url": f"{admin.url.rstrip('/')}/{target}/{self.verb}"},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        admin = ctx.config.mitigations.tenant_admin
        # Registered as it is read: an answer echoing it is redacted by safe_line below.
        token = secret_from_env(admin.token_env)
        if not token:
            raise UserError(f"${admin.token_env} is not set (the tenant admin token)")
        started = time.perf_counter()
        response = httpx.post(
            plan.params["url"], headers={"authorization": f"Bearer {token}"}, timeout=15
        )
        duration = time.perf_counter() - started
        if response.status_code >= 400:
            body = safe_line(response.text, limit=200)
            return Outcome(
                False,
                f"HTTP {response.status_code}: {body}",
                duration,
                http_status=response.status_code,
            )
        return Outcome(
            True,
            f"tenant {plan.target} {self.state_after}",
            duration,
            http_status=response.status_code,
        )


class SuspendTenant(_TenantSwitch):
    name = "suspend-tenant"
    description = "Suspend one tenant through the admin endpoint (single tenant issue)"
    verb = "suspend"
    state_before = "active"
    state_after = "suspended"


class UnsuspendTenant(_TenantSwitch):
    name = "unsuspend-tenant"
    description = "Lift a tenant's suspension"
    verb = "unsuspend"
    state_before = "suspended"
    state_after = "active"
