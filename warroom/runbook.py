"""The runbook as data: phases with their checklist steps, and the mitigation table.

The built-in runbook (runbook.toml beside this module) follows the team's incident-response
runbook; a team can replace it with its own file of the same layout.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from warroom.model import MILESTONES, Milestones
from warroom.typedtoml import Invalid, build, read_toml

BUILTIN = Path(__file__).with_name("runbook.toml")
_MILESTONE_NAMES = {k.value for k in MILESTONES}
# Detection is when the incident began; no step reaches it.
_STEP_MILESTONES = _MILESTONE_NAMES - {"detected"}
STEP_ACTS = ("share", "backlog", "runbook")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    detail: str = ""
    # The milestone ticking this step reaches ("acknowledged" for "Acknowledge the alert"):
    # logged by the tick unless the timeline has it already.
    milestone: str = ""
    # What the console does for this step besides a tick (warroom/phase4.py): "share" the
    # post-mortem, put its action items in the "backlog", update the "runbook".
    acts: str = ""

    def __post_init__(self) -> None:
        if self.milestone and self.milestone not in _STEP_MILESTONES:
            names = ", ".join(sorted(_STEP_MILESTONES))
            raise Invalid("milestone", f"{self.milestone!r} is not one of: {names}")
        if self.acts and self.acts not in STEP_ACTS:
            raise Invalid("acts", f"{self.acts!r} is not one of: {', '.join(STEP_ACTS)}")


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

    def acting(self, acts: str) -> Step | None:
        """The step the console works for (`acts`: share, backlog, runbook), if any."""
        for phase in self.phases:
            for step in phase.steps:
                if step.acts == acts:
                    return step
        return None

    def current_phase(self, milestones: Milestones) -> Phase:
        """The latest phase whose starting milestone has been reached."""
        current = self.phases[0]
        for phase in self.phases:
            if not phase.begins_after or getattr(milestones, phase.begins_after) is not None:
                current = phase
        return current


def load_runbook(path: Path | None = None) -> Runbook:
    """The built-in runbook, or a team's file; raises SchemaError naming the file and key."""
    if path is None:
        return _builtin_runbook()
    return build(Runbook, read_toml(path), path)


@functools.cache
def _builtin_runbook() -> Runbook:
    # Shipped with the package and frozen once built: read once per process (a console start
    # and a CLI command each asked for it twice).
    return build(Runbook, read_toml(BUILTIN), BUILTIN)


VERIFY_TITLE = "verify"
QA_ID = "qa"


def verify_step(runbook: Runbook) -> tuple[Phase, Step] | None:
    """The step QA items belong under: the first one whose title starts with "Verify"."""
    for phase in runbook.phases:
        for step in phase.steps:
            if step.title.strip().casefold().startswith(VERIFY_TITLE):
                return phase, step
    return None


def with_qa_items(runbook: Runbook, items: Sequence[str], *, problem: str = "") -> Runbook:
    """The runbook with the QA checklist's items as steps right after the Verify step, ids
    `<verify id>.qa1`, `.qa2`, ... by position in the checklist. `problem` (the checklist could
    not be read) goes into the Verify step's title, where the items would have been. A runbook
    without a Verify step is returned as it is."""
    found = verify_step(runbook)
    if found is None or (not items and not problem):
        return runbook
    phase, verify = found
    taken = {s.id for p in runbook.phases for s in p.steps}
    added = []
    for n, text in enumerate(items, 1):
        step_id = f"{verify.id}.{QA_ID}{n}"
        if step_id in taken:  # the team's runbook already has these steps of its own
            return runbook
        added.append(Step(step_id, text, f"QA checklist item {n} of {len(items)}"))
    if problem:
        verify = replace(verify, title=f"{verify.title} ({problem})")
    index = phase.steps.index(found[1])
    steps = (*phase.steps[:index], verify, *added, *phase.steps[index + 1 :])
    phases = tuple(replace(p, steps=steps) if p is phase else p for p in runbook.phases)
    return replace(runbook, phases=phases)
