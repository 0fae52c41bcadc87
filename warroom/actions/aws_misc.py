"""Redis down: ElastiCache failover. AI provider down: switch the provider in SSM. Security
breach: rotate a secret (only where rotation is configured)."""

from __future__ import annotations

import time

from warroom.actions.base import ActionContext, Change, Outcome, Plan, aws_outcome
from warroom.config import Config
from warroom.errors import MissingInput, UserError


class Failover:
    name = "failover"
    description = "Fail over an ElastiCache Redis replication group (Redis down)"
    target_kind = "replication group"
    value_help = "node group id (default: the first)"

    def candidates(self, config: Config) -> tuple[str, ...]:
        return config.mitigations.redis_replication_groups

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        answer = ctx.clients.client("elasticache").describe_replication_groups(
            ReplicationGroupId=target
        )
        group = answer["ReplicationGroups"][0]
        automatic = group.get("AutomaticFailover", "disabled")
        if automatic in ("disabled", "disabling"):
            # Nothing fails over by itself: turning automatic failover back on is the fix.
            return Plan(
                self.name,
                target,
                f"enable automatic failover on {target}",
                (
                    Change(
                        f"replication group {target}", "automatic failover", automatic, "enabled"
                    ),
                ),
                confirm="type",
                params={"mode": "enable"},
            )
        node_groups = [n.get("NodeGroupId", "") for n in group.get("NodeGroups", ())]
        node_group = value or (node_groups[0] if node_groups else "0001")
        if node_groups and node_group not in node_groups:
            raise UserError(f"{target} has no node group {node_group!r}: {', '.join(node_groups)}")
        return Plan(
            self.name,
            target,
            f"fail over {target} node group {node_group}",
            (
                Change(
                    f"replication group {target}",
                    f"node group {node_group} primary",
                    "current primary",
                    "a replica",
                ),
            ),
            confirm="type",
            params={"mode": "failover", "node_group": node_group},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        client = ctx.clients.client("elasticache")
        if plan.params["mode"] == "enable":
            response = client.modify_replication_group(
                ReplicationGroupId=plan.target,
                AutomaticFailoverEnabled=True,
                ApplyImmediately=True,
            )
            return aws_outcome(response, started, f"automatic failover enabled on {plan.target}")
        response = client.test_failover(
            ReplicationGroupId=plan.target, NodeGroupId=plan.params["node_group"]
        )
        return aws_outcome(response, started, f"failover started on {plan.target}")


class SwitchProvider:
    name = "switch-provider"
    description = "Switch the AI provider named in an SSM parameter (AI provider down)"
    target_kind = "SSM parameter"
    value_help = "provider to switch to (default: the next configured one)"

    def candidates(self, config: Config) -> tuple[str, ...]:
        parameter = config.mitigations.ai_provider_parameter
        return (parameter,) if parameter else ()

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        answer = ctx.clients.client("ssm").get_parameter(Name=target)["Parameter"]
        current, version = answer["Value"], answer.get("Version")
        choices = ctx.config.mitigations.ai_providers
        wanted = value or next((p for p in choices if p != current), None)
        if not wanted:
            raise MissingInput(
                "switch-provider", "value", "no other provider in mitigations.ai_providers"
            )
        if choices and wanted not in choices:
            raise UserError(f"{wanted!r} is not a configured provider: {', '.join(choices)}")
        if wanted == current:
            return Plan(
                self.name, target, f"switch {target}", refusal=f"{target} already names {current}"
            )
        return Plan(
            self.name,
            target,
            f"switch the AI provider from {current} to {wanted}",
            (Change(f"SSM parameter {target}", f"value (version {version})", current, wanted),),
            confirm="yes",
            params={"value": wanted, "previous": current, "type": answer.get("Type", "String")},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        response = ctx.clients.client("ssm").put_parameter(
            Name=plan.target,
            Value=plan.params["value"],
            Type=plan.params["type"],
            Overwrite=True,
        )
        version = response.get("Version")
        return aws_outcome(
            response,
            started,
            f"{plan.target} = {plan.params['value']} (version {version})",
            version=version,
        )


class RotateSecret:
    name = "rotate-secret"
    description = "Rotate a Secrets Manager secret now (security breach)"
    target_kind = "secret"
    value_help = ""

    def candidates(self, config: Config) -> tuple[str, ...]:
        return config.mitigations.secrets

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        secret = ctx.clients.client("secretsmanager").describe_secret(SecretId=target)
        if not secret.get("RotationEnabled") or not secret.get("RotationLambdaARN"):
            return Plan(
                self.name,
                target,
                f"rotate {target}",
                refusal=(
                    f"rotation is not configured for {target}: rotating now would leave no "
                    "current version; set up rotation or change the secret by hand"
                ),
            )
        last = secret.get("LastRotatedDate")
        return Plan(
            self.name,
            target,
            f"rotate {target} now",
            (
                Change(
                    f"secret {target}",
                    "AWSCURRENT version",
                    f"rotated {last:%Y-%m-%d %H:%M}" if last else "current",
                    "a new version",
                ),
            ),
            confirm="type",
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        response = ctx.clients.client("secretsmanager").rotate_secret(SecretId=plan.target)
        return aws_outcome(
            response,
            started,
            f"rotation started for {plan.target}",
            version=response.get("VersionId"),
        )
