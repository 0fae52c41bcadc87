"""The runbook as data: phases with their checklist steps, and the mitigation table.

The built-in runbook (runbook.toml beside this module) follows the team's incident-response
runbook; a team can replace it with its own file of the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warroom.model import MILESTONES, Milestones
from warroom.typedtoml import Invalid, build, read_toml

BUILTIN = Path(__file__).with_name("runbook.toml")
_MILESTONE_NAMES = {k.value for k in MILESTONES}


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    steps: tuple[Step, ...]
    window: str = ""
    goal: str = ""
    # The milestone that moves an incident into this phase ("" for the first phase).
    begins_after: str = ""

    def __post_init__(self) -> None:
        if self.begins_after and self.begins_after not in _MILESTONE_NAMES:
            names = ", ".join(sorted(_MILESTONE_NAMES))
            raise Invalid("begins_after", f"{self.begins_after!r} is not one of: {names}")


@dataclass(frozen=True)
class Mitigation:
    situation: str
    mitigation: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Runbook:
    phases: tuple[Phase, ...]
    mitigations: tuple[Mitigation, ...] = ()
    name: str = "Incident Response"

    def __post_init__(self) -> None:
        if not self.phases:
            raise Invalid("phases", "a runbook needs at least one phase")
        seen: set[str] = set()
        for phase in self.phases:
            for step in phase.steps:
                if step.id in seen:
                    raise Invalid("phases", f"step id {step.id!r} is used twice")
                seen.add(step.id)

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)

    def step(self, step_id: str) -> tuple[Phase, Step]:
        for phase in self.phases:
            for step in phase.steps:
                if step.id == step_id:
                    return phase, step
        raise KeyError(step_id)

    def current_phase(self, milestones: Milestones) -> Phase:
        """The latest phase whose starting milestone has been reached."""
        current = self.phases[0]
        for phase in self.phases:
            if not phase.begins_after or getattr(milestones, phase.begins_after) is not None:
                current = phase
        return current


def load_runbook(path: Path | None = None) -> Runbook:
    """The built-in runbook, or a team's file; raises SchemaError naming the file and key."""
    source = path or BUILTIN
    return build(Runbook, read_toml(source), source)
