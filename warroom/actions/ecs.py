"""Bad deploy: roll an ECS service back to its previous task definition. Database overloaded:
scale a service's desired count down."""

from __future__ import annotations

import time
from typing import Any

from warroom.actions.base import ActionContext, Change, Outcome, Plan, aws_outcome
from warroom.config import Config
from warroom.errors import MissingInput, UserError
from warroom.sources.ecs import family_revision, previous_revision


def _service(ctx: ActionContext, name: str) -> dict[str, Any]:
    if ctx.config.ecs is None:
        raise UserError("no [ecs] cluster in the config")
    answer = ctx.clients.client("ecs").describe_services(
        cluster=ctx.config.ecs.cluster, services=[name]
    )
    found = [s for s in answer.get("services", ()) if s.get("status") != "INACTIVE"]
    if not found:
        raise UserError(f"no ECS service {name!r} in cluster {ctx.config.ecs.cluster}")
    return found[0]


def _named_revision(ctx: ActionContext, family: str, value: str) -> str:
    """`8` or `family:8`, checked: the service's own family, and a revision ECS has."""
    name, _, number = value.rpartition(":") if ":" in value else (family, ":", value)
    if not (number.isascii() and number.isdigit()) or int(number) <= 0:
        raise UserError(f"bad revision {value!r}; use a number or {family}:<number>")
    if name != family:
        raise UserError(
            f"{value} is a revision of {name}, not of {family}: a rollback stays in the "
            "service's own task definition family"
        )
    wanted = f"{family}:{int(number)}"
    from botocore.exceptions import ClientError

    try:
        found = ctx.clients.client("ecs").describe_task_definition(taskDefinition=wanted)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in (
            "ClientException",
            "InvalidParameterException",
        ):
            raise UserError(f"no task definition {wanted}: {family} has no such revision") from None
        raise
    if found.get("taskDefinition", {}).get("status") not in (None, "ACTIVE"):
        raise UserError(f"{wanted} is {found['taskDefinition']['status']}, not ACTIVE")
    return wanted


class _ServiceUpdate:
    """A change to one field of an ECS service (update_service), previewed from its live value:
    the plan's params hold the cluster, the new value under `param` and the `previous` one."""

    name: str
    target_kind = "ECS service"
    param: str  # the plan's key for the new value
    field: str  # update_service's keyword
    label: str  # the field as the preview names it

    def candidates(self, config: Config) -> tuple[str, ...]:
        return config.ecs.services if config.ecs else ()

    def _plan(
        self, ctx: ActionContext, target: str, summary: str, current: Any, wanted: Any, confirm: str
    ) -> Plan:
        return Plan(
            self.name,
            target,
            summary,
            (Change(f"ECS service {target}", self.label, str(current), str(wanted)),),
            confirm=confirm,
            params={
                "cluster": ctx.config.ecs.cluster if ctx.config.ecs else "",
                self.param: wanted,
                "previous": current,
            },
        )

    def done(self, plan: Plan) -> str:
        raise NotImplementedError

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        response = ctx.clients.client("ecs").update_service(
            cluster=plan.params["cluster"],
            service=plan.target,
            **{self.field: plan.params[self.param]},
        )
        return aws_outcome(response, started, self.done(plan))


class Rollback(_ServiceUpdate):
    name = "rollback"
    description = "Roll an ECS service back to its previous task definition (bad deploy)"
    value_help = "revision to roll back to (default: the previous ACTIVE one)"
    param, field, label = "task_definition", "taskDefinition", "task definition"

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        service = _service(ctx, target)
        current = family_revision(service["taskDefinition"])
        family = current.rpartition(":")[0]
        if value:
            wanted = _named_revision(ctx, family, value.strip())
        else:
            found = previous_revision(ctx.clients.client("ecs"), current)
            if found is None:
                return Plan(
                    self.name,
                    target,
                    f"roll back {target}",
                    refusal=(f"{current} has no earlier ACTIVE revision to roll back to"),
                )
            wanted = found
        if wanted == current:
            return Plan(
                self.name, target, f"roll back {target}", refusal=f"{target} already runs {current}"
            )
        summary = f"roll back {target} from {current} to {wanted}"
        return self._plan(ctx, target, summary, current, wanted, confirm="type")

    def done(self, plan: Plan) -> str:
        return f"{plan.target} now deploying {plan.params[self.param]}"


class Scale(_ServiceUpdate):
    name = "scale"
    description = "Scale an ECS service's desired count (database overloaded: fewer connections)"
    value_help = "new desired count"
    param, field, label = "desired", "desiredCount", "desired count"

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        limit = ctx.config.mitigations.scale_max
        cleaned = (value or "").strip()
        if not cleaned:
            raise MissingInput("scale", "value", "the new desired count (a whole number)")
        if not (cleaned.isascii() and cleaned.isdigit()) or int(cleaned) > limit:
            raise UserError(
                f"bad desired count {value!r}; use a whole number from 0 to {limit} "
                "(mitigations.scale_max in the config)"
            )
        service = _service(ctx, target)
        current, wanted = service.get("desiredCount", 0), int(cleaned)
        if current == wanted:
            return Plan(
                self.name,
                target,
                f"scale {target}",
                refusal=f"{target} already wants {current} tasks",
            )
        summary = f"scale {target} from {current} to {wanted} tasks"
        return self._plan(ctx, target, summary, current, wanted, confirm="yes")

    def done(self, plan: Plan) -> str:
        return f"{plan.target} desired count now {plan.params[self.param]}"
