"""What every mitigation has: a plan that says exactly what will change, a confirmation level,
and an outcome that is journaled whatever happens."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from warroom.config import Config
from warroom.errors import UserError
from warroom.sources.aws import AwsClients
from warroom.sources.status import describe_error


@dataclass(frozen=True)
class Change:
    resource: str
    field: str
    old: str
    new: str

    def describe(self) -> str:
        return f"{self.resource} {self.field}: {self.old} -> {self.new}"


@dataclass(frozen=True)
class Plan:
    action: str
    target: str
    summary: str
    changes: tuple[Change, ...] = ()
    confirm: str = "type"  # "yes": y/n (reversible); "type": type the target's name
    params: dict[str, Any] = field(default_factory=dict)
    refusal: str = ""  # why this cannot be done as asked (nothing will be called)
    # Set by the war room: the value the preview was asked with (to read the live state
    # again right before acting), and the last mitigation done on the same target.
    value: str | None = None
    last: str = ""

    @property
    def confirmation_word(self) -> str:
        return self.target

    def preview(self) -> str:
        lines = [self.summary]
        lines += [f"  {c.describe()}" for c in self.changes]
        if self.last:
            lines.append(f"  last on {self.target}: {self.last}")
        if self.refusal:
            lines.append(f"  refused: {self.refusal}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    duration: float
    request_id: str | None = None
    http_status: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionContext:
    config: Config
    clients: AwsClients
    # The data journaled by the last successful run of (action, target), e.g. the app-client
    # settings saved by disable-app-client that restore-app-client puts back.
    saved: Callable[[str, str], dict[str, Any] | None] = lambda action, target: None


class Action(Protocol):
    name: str
    description: str
    target_kind: str  # what --target names, e.g. "ECS service"
    value_help: str  # what --value means ("" when it takes none)

    def candidates(self, config: Config) -> tuple[str, ...]:
        """Targets known from the config (one means --target may be left out)."""
        ...

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        """Read the current state and say what would change. Blocking: runs in a thread."""
        ...

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        """Make the change. Blocking: runs in a thread. Raises on failure; the caller turns
        any exception into a failed Outcome."""
        ...


def aws_outcome(response: dict[str, Any], started: float, detail: str, **data: Any) -> Outcome:
    meta = response.get("ResponseMetadata", {})
    return Outcome(
        ok=True,
        detail=detail,
        duration=time.perf_counter() - started,
        request_id=meta.get("RequestId"),
        http_status=meta.get("HTTPStatusCode"),
        data=data,
    )


def failed(exc: BaseException, started: float) -> Outcome:
    """Any exception as a failed outcome, with the AWS request id when there is one."""
    if isinstance(exc, UserError):  # the action's own words (a missing token, say)
        return Outcome(ok=False, detail=str(exc), duration=time.perf_counter() - started)
    response = getattr(exc, "response", None) or {}
    meta = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    return Outcome(
        ok=False,
        detail=describe_error(exc),
        duration=time.perf_counter() - started,
        request_id=meta.get("RequestId"),
        http_status=meta.get("HTTPStatusCode"),
    )
