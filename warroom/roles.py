"""Who is in charge of an incident: its incident commander and its communications lead.

A hand-over is a `role` timeline entry (data: role, name, was), so roles are append-only like
everything else and a retracted hand-over gives the role back. Until someone is named, the one
who declared the incident is its commander; the comms lead is nobody until named. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.model import Incident, Kind

COMMANDER = "commander"
COMMS = "comms"
ROLES = (COMMANDER, COMMS)
ROLE_NAMES = {COMMANDER: "incident commander", COMMS: "communications lead"}
ROLE_SHORT = {COMMANDER: "IC", COMMS: "comms"}
# What people type for each role (the CLI's argument, the console's prompt).
_ALIASES = {
    "commander": COMMANDER,
    "ic": COMMANDER,
    "incident-commander": COMMANDER,
    "comms": COMMS,
    "communications": COMMS,
    "comms-lead": COMMS,
}


def parse_role(text: str) -> str:
    role = _ALIASES.get(text.strip().lower().replace("_", "-"))
    if role is None:
        raise ValueError(f"unknown role {text!r}; use commander or comms")
    return role


@dataclass(frozen=True)
class Holder:
    name: str
    since: datetime
    by_default: bool = False  # the declarer, never named


@dataclass(frozen=True)
class Roles:
    """Each role's holders in time order; the last one holds it now."""

    history: dict[str, tuple[Holder, ...]]

    def holder(self, role: str) -> str | None:
        holders = self.history.get(role, ())
        return holders[-1].name if holders else None

    @property
    def commander(self) -> str | None:
        return self.holder(COMMANDER)

    @property
    def comms(self) -> str | None:
        return self.holder(COMMS)

    @property
    def handed_over(self) -> bool:
        """Anyone named by a hand-over (not only the declarer by default)."""
        return any(not h.by_default for hs in self.history.values() for h in hs)


def roles_of(incident: Incident) -> Roles:
    started = incident.milestones.detected or incident.created_at
    history: dict[str, list[Holder]] = {COMMANDER: [Holder(incident.created_by, started, True)]}
    for event in incident.events_of(Kind.ROLE):
        role, name = event.data.get("role"), event.data.get("name")
        if role in ROLES and isinstance(name, str) and name:
            history.setdefault(role, []).append(Holder(name, event.at))
    return Roles({role: tuple(h) for role, h in history.items()})


def handover_text(role: str, name: str, was: str | None) -> str:
    """The timeline's words for a hand-over."""
    if was is None:
        return f"{name} is the {ROLE_NAMES[role]}"
    return f"{name} takes over as {ROLE_NAMES[role]} from {was}"
