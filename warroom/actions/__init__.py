"""The runbook's mitigations. Each describes what it will change before doing it; the war room
service confirms, refuses in read-only mode, runs it in a thread and journals the outcome."""

from __future__ import annotations

from typing import NamedTuple

from warroom.actions.aws_misc import Failover, RotateSecret, SwitchProvider
from warroom.actions.base import Action, ActionContext, Change, Outcome, Plan
from warroom.actions.cognito import DisableAppClient, RestoreAppClient
from warroom.actions.command import TeamCommand
from warroom.actions.ecs import Rollback, Scale
from warroom.actions.tenant import SuspendTenant, UnsuspendTenant
from warroom.config import Config
from warroom.errors import MissingInput, UserError
from warroom.runbook import Runbook

BUILTIN: tuple[Action, ...] = (
    Rollback(),
    Scale(),
    Failover(),
    SwitchProvider(),
    RotateSecret(),
    DisableAppClient(),
    RestoreAppClient(),
    SuspendTenant(),
    UnsuspendTenant(),
)


def available(config: Config) -> dict[str, Action]:
    actions: dict[str, Action] = {a.name: a for a in BUILTIN}
    for spec in config.mitigations.commands:
        actions[spec.name] = TeamCommand(spec)
    return actions


# Undo actions are not in the runbook's table; the menu says what they undo.
UNDOES = {"restore-app-client": "disable-app-client", "unsuspend-tenant": "suspend-tenant"}


class MenuRow(NamedTuple):
    name: str
    situation: str  # the runbook's situation it answers
    description: str
    targets: tuple[str, ...]  # the config's candidates
    value_help: str


def menu(config: Config, runbook: Runbook) -> list[MenuRow]:
    """Every mitigation with the situation it answers: the `!` menu and `mitigate list`."""
    situations = {a: m.situation for m in runbook.mitigations for a in m.actions}
    situations |= {undo: f"undoes {done}" for undo, done in UNDOES.items()}
    return [
        MenuRow(
            name,
            situations.get(name, "team action"),
            action.description,
            action.candidates(config),
            action.value_help,
        )
        for name, action in available(config).items()
    ]


def find(config: Config, name: str) -> Action:
    actions = available(config)
    if name not in actions:
        raise UserError(f"unknown mitigation {name!r}; use one of: {', '.join(actions)}")
    return actions[name]


def default_target(action: Action, config: Config, target: str | None) -> str:
    if target:
        return target
    candidates = action.candidates(config)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise MissingInput(action.name, "target", action.target_kind)
    raise MissingInput(action.name, "target", f"one of {', '.join(candidates)}")


__all__ = [
    "Action",
    "ActionContext",
    "Change",
    "MenuRow",
    "Outcome",
    "Plan",
    "available",
    "default_target",
    "find",
    "menu",
]
