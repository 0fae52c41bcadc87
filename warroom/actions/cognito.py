"""Auth bypass: disable a Cognito app client, keeping its full settings in the journal so that
restore-app-client can put them back exactly."""

from __future__ import annotations

import time
from typing import Any

from warroom.actions.base import ActionContext, Change, Outcome, Plan, aws_outcome
from warroom.config import Config
from warroom.errors import UserError

# Settings update_user_pool_client accepts; anything left out is reset by AWS, so all are sent.
_WRITABLE = (
    "ClientName",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
)


def _pool(config: Config) -> str:
    pool = config.mitigations.cognito_user_pool_id
    if not pool:
        raise UserError("no mitigations.cognito_user_pool_id in the config")
    return pool


def _settings(ctx: ActionContext, client_id: str) -> dict[str, Any]:
    client = ctx.clients.client("cognito-idp").describe_user_pool_client(
        UserPoolId=_pool(ctx.config), ClientId=client_id
    )["UserPoolClient"]
    return {k: client[k] for k in _WRITABLE if k in client}


def _flows(settings: dict[str, Any]) -> str:
    flows = [*settings.get("ExplicitAuthFlows", ()), *settings.get("AllowedOAuthFlows", ())]
    return ", ".join(flows) or "none"


class DisableAppClient:
    name = "disable-app-client"
    description = "Disable a Cognito app client's auth and OAuth flows (auth bypass)"
    target_kind = "app client id"
    value_help = ""

    def candidates(self, config: Config) -> tuple[str, ...]:
        return config.mitigations.cognito_app_clients

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        settings = _settings(ctx, target)
        name = settings.get("ClientName", target)
        return Plan(
            self.name,
            target,
            f"disable app client {name} ({target})",
            (Change(f"app client {name}", "auth flows", _flows(settings), "none"),),
            confirm="type",
            params={"saved": settings},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        settings = dict(plan.params["saved"])
        settings.update(
            ExplicitAuthFlows=[],
            AllowedOAuthFlows=[],
            AllowedOAuthScopes=[],
            AllowedOAuthFlowsUserPoolClient=False,
        )
        response = ctx.clients.client("cognito-idp").update_user_pool_client(
            UserPoolId=_pool(ctx.config), ClientId=plan.target, **settings
        )
        return aws_outcome(
            response,
            started,
            f"app client {plan.target} disabled; settings "
            "saved in the journal for restore-app-client",
        )


class RestoreAppClient:
    name = "restore-app-client"
    description = "Put back the settings a disable-app-client saved"
    target_kind = "app client id"
    value_help = ""

    def candidates(self, config: Config) -> tuple[str, ...]:
        return config.mitigations.cognito_app_clients

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        journaled = ctx.saved("disable-app-client", target) or {}
        settings = journaled.get("params", {}).get("saved")
        if not settings:
            return Plan(
                self.name,
                target,
                f"restore app client {target}",
                refusal=f"the journal holds no settings saved by disable-app-client for {target}",
            )
        current = _settings(ctx, target)
        return Plan(
            self.name,
            target,
            f"restore app client {settings.get('ClientName', target)}",
            (Change(f"app client {target}", "auth flows", _flows(current), _flows(settings)),),
            confirm="yes",
            params={"settings": settings},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        response = ctx.clients.client("cognito-idp").update_user_pool_client(
            UserPoolId=_pool(ctx.config), ClientId=plan.target, **plan.params["settings"]
        )
        return aws_outcome(response, started, f"app client {plan.target} restored")
